"""Identifying a Letterboxd (Name, Year) on TMDB: search ladder, candidate scoring, and an honest verdict.

`match_film()` climbs a ladder of TMDB searches, stopping at the first step that settles the
question, and scores every candidate seen on title (against both `title` and `original_title`),
year distance and, lightly, vote count. It accepts a candidate only when it scores above
`ACCEPT_SCORE` *and* beats the runner-up by `ACCEPT_MARGIN`: a wrong match silently poisons every
statistic, while "ambiguous" (candidates kept for a person to pick) or "not_found" does not.

The client is duck-typed (`search_movie`, `search_tv`, as in `enrichment.tmdb.client`); its errors
propagate untouched so the caller can stop on a bad key or retry on a transient failure.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Protocol

from django.db.models import TextChoices

from .tmdb import MediaType

# --- Scoring -------------------------------------------------------------------------------------
# score = title similarity × year factor × (1 - VOTE_WEIGHT + VOTE_WEIGHT × vote factor), in 0..1.
# A product, not a sum: a film is only plausible when its title AND its year fit, so one weak
# component must sink the score whatever the others say.

# Equal titles once the leading article or word breaks are ignored ("Witch" / "The Witch",
# "WALL-E" / "WALLE"): usually the same title, but "die", "das", "la", "el" are also plain words
# ("Another Day" / "Die Another Day"). Set so that such a title with the exact year is accepted
# (from ~10 votes up) while a loose title one year off never is: two doubts must not add up to a match.
LOOSE_EQUAL_TITLE_SIMILARITY = 0.87
# Fuzzy title ratios are cubed: a near miss (0.96 → 0.88) keeps most of its score, a partial
# overlap such as an episode against its series ("love death and robots three robots" vs
# "love death and robots", ratio 0.76 → 0.44) falls far below any threshold.
FUZZY_TITLE_EXPONENT = 3

# Letterboxd dates a film by its first release (often a festival premiere), TMDB by its main one,
# so one year off is common and only slightly penalised (Nomadland: 2020 vs 2021). Two years off is
# rarely the same film and three or more is a remake or a namesake (Suspiria 1977 vs 2018).
YEAR_FACTORS = {0: 1.0, 1: 0.92, 2: 0.6}
FAR_YEAR_FACTOR = 0.3
# No release date on TMDB (unreleased, or a stub): the year cannot be confirmed, so even an exact
# title scores below ACCEPT_SCORE on its own.
UNKNOWN_DATE_YEAR_FACTOR = 0.75

# log10(1 + vote_count) / log10(VOTES_SATURATION), capped at 1, weighted by VOTE_WEIGHT: each order
# of magnitude of votes is worth 0.1 × 1/5 = 0.02 of score. Against ACCEPT_MARGIN (0.03) that means
# votes alone settle a same-title, same-year pair only when one has ~30× the other's votes: a
# feature with thousands against a short with a handful (Flow 2024, Moonlight 2016) is matched,
# namesakes within an order of magnitude of each other (The Witch 2015, Enemy 2013) are not.
VOTE_WEIGHT = 0.1
VOTES_SATURATION = 100_000

# --- Decision ------------------------------------------------------------------------------------
# Lowest score accepted automatically: an exact title one year off with no votes at all
# (0.92 × 0.9 = 0.83) passes, a title two years off (≤ 0.6), an undated entry (≤ 0.75) or a fuzzy
# title that is more than a near miss (ratio 0.95 with no votes: 0.77) does not.
ACCEPT_SCORE = 0.8
# How far the winner must be ahead of the runner-up; see VOTE_WEIGHT for what it means in votes.
ACCEPT_MARGIN = 0.03
# Below this nothing is worth showing as a likely pick: the verdict is "not_found" (the weak
# candidates are still returned). An exact title two years off (0.54..0.6) is still shown.
PLAUSIBLE_SCORE = 0.5
# A verdict from the primary-year search alone is final only when its best candidate is this well
# known. Letterboxd dates a film by its first release, so a feature premiered in the Letterboxd year
# but with its primary release later is invisible to that search, and an obscure namesake (a short)
# would win by default; the `year=` search (any release date) brings the feature in to compete.
WELL_KNOWN_VOTES = 100

MAX_CANDIDATES = 5

# Leading articles Letterboxd and TMDB disagree on most often (English, French, German, Spanish).
LEADING_ARTICLES = frozenset({"the", "a", "an", "le", "la", "les", "der", "die", "das", "el"})
# Removed rather than turned into a space, so "Schindler's" stays one word and "S.W.A.T." is "swat".
JOINING_PUNCTUATION = frozenset("'.`\u00b4\u02bc\u2018\u2019\u201b\u2032")
# Combining marks are accents only on these scripts (Latin, Greek, Cyrillic: below U+0530). Elsewhere
# they are part of the letter (kana voicing marks, Indic vowel signs) and dropping them would merge
# different words.
ACCENTED_SCRIPTS_END = "\u0530"


class MatchStatus(TextChoices):
    """Where a film of an upload stands on TMDB. `judge()` gives the three verdicts; the worker adds
    pending and failed (a TMDB error), and a person's choice is manual."""

    PENDING = "pending"
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    FAILED = "failed"
    MANUAL = "manual"


VERDICTS = (MatchStatus.MATCHED, MatchStatus.AMBIGUOUS, MatchStatus.NOT_FOUND)


class SearchSource(Protocol):
    def search_movie(
        self, query: str, *, year: int | None = None, primary_release_year: int | None = None
    ) -> list[dict]: ...

    def search_tv(self, query: str, *, first_air_date_year: int | None = None) -> list[dict]: ...


@dataclass
class MatchResult:
    status: MatchStatus  # one of VERDICTS
    media_type: MediaType | None  # when matched
    tmdb_id: int | None
    score: float | None  # of the chosen (or best) candidate, 0..1
    candidates: list[
        dict
    ]  # best first, <= MAX_CANDIDATES: {tmdb_id, media_type, title, original_title, year, poster_path, vote_count, score}
    searches: int  # search requests used


def normalize_title(title: str) -> str:
    """A title reduced to what identifies it: no accents, case, punctuation style or "&" vs "and"."""
    chars: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(ch):
            if base < ACCENTED_SCRIPTS_END:
                continue
        else:
            base = ch
        chars.append(ch)
    text = unicodedata.normalize("NFC", "".join(chars)).casefold().replace("&", " and ")
    words = "".join(
        "" if ch in JOINING_PUNCTUATION else " " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text
    )
    return " ".join(words.split())


def _without_article(normalized: str) -> str:
    first, _, rest = normalized.partition(" ")
    return rest if first in LEADING_ARTICLES and rest else normalized


def title_similarity(query: str, candidate: str) -> float:
    """How well two titles agree, 0..1: 1 only when equal once normalised."""
    a, b = normalize_title(query), normalize_title(candidate)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    a, b = _without_article(a), _without_article(b)
    if a.replace(" ", "") == b.replace(" ", ""):
        return LOOSE_EQUAL_TITLE_SIMILARITY
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return 0.0  # sequels and parts differ by a number only: "Part 1" is not a near miss of "Part 2"
    # A spelling near miss is no surer than a loose equality, so it never scores above one.
    return min(
        LOOSE_EQUAL_TITLE_SIMILARITY, SequenceMatcher(None, a, b, autojunk=False).ratio() ** FUZZY_TITLE_EXPONENT
    )


def year_factor(query_year: int | None, candidate_year: int | None) -> float:
    if query_year is None:
        return 1.0  # nothing to compare: the year neither helps nor hurts any candidate
    if candidate_year is None:
        return UNKNOWN_DATE_YEAR_FACTOR
    return YEAR_FACTORS.get(abs(query_year - candidate_year), FAR_YEAR_FACTOR)


def vote_factor(vote_count: int) -> float:
    return min(1.0, math.log10(1 + max(vote_count, 0)) / math.log10(VOTES_SATURATION))


def _year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def candidate_from_item(media_type: str, item: dict[str, Any]) -> dict:
    """A TMDB search item in the shape stored for a person to pick (score still to be set)."""
    is_tv = media_type == MediaType.TV
    title = item.get("name" if is_tv else "title") or ""
    return {
        "tmdb_id": item["id"],
        "media_type": media_type,
        "title": title,
        "original_title": item.get("original_name" if is_tv else "original_title") or title,
        "year": _year_of(item.get("first_air_date" if is_tv else "release_date")),
        "poster_path": item.get("poster_path"),
        "vote_count": item.get("vote_count") or 0,
        "score": 0.0,
    }


def score_candidate(title: str, year: int | None, candidate: dict, premiered_in_year: bool = False) -> float:
    """`premiered_in_year`: TMDB lists a release of the candidate in `year` (see `judge`)."""
    similarity = max(title_similarity(title, candidate["title"]), title_similarity(title, candidate["original_title"]))
    votes = 1 - VOTE_WEIGHT + VOTE_WEIGHT * vote_factor(candidate["vote_count"])
    # A release in `year` before the primary one is a premiere, and Letterboxd dates films by their
    # premiere (Nomadland: Venice 2020, primary release 2021). A release after the primary one is a
    # re-release, which dates nothing: a 4K reissue must not make a 1977 film fit 2018.
    premiere = premiered_in_year and year is not None and candidate["year"] is not None and candidate["year"] > year
    return similarity * year_factor(year, year if premiere else candidate["year"]) * votes


def judge(
    title: str,
    year: int | None,
    found: Iterable[tuple[str, dict]],
    searches: int = 0,
    released_in_year: Collection[tuple[str, int]] = (),
) -> MatchResult:
    """The verdict on (media_type, TMDB search item) pairs, each scored against (title, year).

    `released_in_year` holds the (media_type, id) of candidates TMDB lists with some release in
    `year` (the answer to a `year=` search), which a search item's primary date alone cannot tell.
    Popularity orders candidates with equal score and votes only: its scale has changed over the
    years, so it never decides a match.
    """
    popularity: dict[tuple[str, int], float] = {}
    scored: dict[tuple[str, int], dict] = {}
    for media_type, item in found:
        candidate = candidate_from_item(media_type, item)
        key = (media_type, candidate["tmdb_id"])
        candidate["score"] = score_candidate(title, year, candidate, premiered_in_year=key in released_in_year)
        scored[key] = candidate
        popularity[key] = item.get("popularity") or 0.0
    ranked = sorted(
        scored.values(),
        key=lambda c: (c["score"], c["vote_count"], popularity[(c["media_type"], c["tmdb_id"])]),
        reverse=True,
    )
    if not ranked:
        return MatchResult(MatchStatus.NOT_FOUND, None, None, None, [], searches)
    best = ranked[0]
    runner_up = ranked[1]["score"] if len(ranked) > 1 else 0.0
    shown = ranked[:MAX_CANDIDATES]
    if best["score"] >= ACCEPT_SCORE and best["score"] - runner_up >= ACCEPT_MARGIN:
        return MatchResult(MatchStatus.MATCHED, best["media_type"], best["tmdb_id"], best["score"], shown, searches)
    status = MatchStatus.AMBIGUOUS if best["score"] >= PLAUSIBLE_SCORE else MatchStatus.NOT_FOUND
    return MatchResult(status, None, None, best["score"], shown, searches)


def search_ladder(year: int | None) -> list[tuple[MediaType, dict[str, int]]]:
    """The searches to try, in order: (media_type, keyword arguments of the client's search method)."""
    if year is None:
        return [(MediaType.MOVIE, {}), (MediaType.TV, {})]
    return [
        (MediaType.MOVIE, {"primary_release_year": year}),
        (MediaType.MOVIE, {"year": year}),  # any release date: festival premieres, limited releases
        (MediaType.MOVIE, {"primary_release_year": year - 1}),
        (MediaType.MOVIE, {"primary_release_year": year + 1}),
        (MediaType.MOVIE, {}),
        (MediaType.TV, {"first_air_date_year": year}),
        (MediaType.TV, {}),
    ]


def _settled(result: MatchResult, primary_year_only: bool) -> bool:
    if primary_year_only and result.candidates and result.candidates[0]["vote_count"] < WELL_KNOWN_VOTES:
        return False
    if result.status == MatchStatus.MATCHED:
        return True
    # Two plausible films tied: later steps only add films whose year fits no better, at best a
    # third contender, so further searches would be spent without settling anything.
    return sum(c["score"] >= ACCEPT_SCORE for c in result.candidates) >= 2


def match_film(client: SearchSource, title: str, year: int | None) -> MatchResult:
    """Resolve a Letterboxd (Name, Year) to a TMDB movie or TV series, using as few searches as possible.

    Candidates accumulate across the steps tried, so the verdict always weighs everything seen.
    """
    result = MatchResult(MatchStatus.NOT_FOUND, None, None, None, [], 0)
    query = title.strip()
    if not query:  # TMDB rejects a search without a query; an empty name cannot match anything anyway
        return result
    found: dict[tuple[str, int], tuple[str, dict]] = {}
    released_in_year: set[tuple[str, int]] = set()
    for searches, (media_type, params) in enumerate(search_ladder(year), start=1):
        search = client.search_movie if media_type == MediaType.MOVIE else client.search_tv
        for item in search(query, **params):
            found.setdefault((media_type, item["id"]), (media_type, item))
            if "year" in params:
                released_in_year.add((media_type, item["id"]))
        result = judge(title, year, found.values(), searches, released_in_year)
        if _settled(result, primary_year_only=searches == 1 and year is not None):
            break
    return result
