"""What each figure counts, once: the films behind every number on the dashboard, as SQL conditions on Movie.

The dashboard, the film explorer, the API's movie filters and the people index all read these, so a
figure and the list of films it links to cannot disagree. The dashboard computes most figures in Python
from compact rows (`rows`, for speed); those computations mirror the conditions below one for one, and
`sessions_app/tests/test_figures.py` follows every count on every page to the explorer to prove it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, StrIndex, Trim

from enrichment.models import DirectedBy, FilmFacet, facet_kind_token
from enrichment.services import MediaType

from ..models import Movie, Viewing

TOP_BILLED = 5  # actors count for a film only when billed this high (cameos are not "your" actors)
RUNTIME_BUCKETS = (
    (0, 40, "under 40 min"),
    (40, 90, "40–89 min"),
    (90, 120, "90–119 min"),
    (120, 150, "120–149 min"),
    (150, 180, "150–179 min"),
    (180, None, "3 h or more"),
)


class Scope(StrEnum):
    """Which of an upload's films a figure (or the explorer) counts: a dashboard section's basis."""

    LIBRARY = "library"  # every film marked watched: the dashboard's library sections
    DIARY = "diary"  # films with a diary entry (in a year, when one is given)
    WATCHLIST = "watchlist"
    LIKED = "liked"  # every liked film, watched or not
    ALL = "all"  # every film of the upload, whatever the export says of it

    @property
    def label(self) -> str:
        """The explorer's name for it, as a choice."""
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.LIBRARY: "Films you watched",
    Scope.DIARY: "Films in your diary",
    Scope.WATCHLIST: "Your watchlist",
    Scope.LIKED: "Films you liked",
    Scope.ALL: "Every film in your export",
}


@dataclass(frozen=True)
class DiaryCondition:
    """Films with at least one diary entry meeting every given condition at once (the same entry)."""

    year: int | None = None  # watched in this year
    rating: Decimal | None = None  # rated this in the entry
    reviewed: bool | None = None  # True: with a review (not blank); False: films none of whose entries has one
    tag: str = ""  # tagged so in the entry (a Letterboxd tag, exactly as written)

    def __bool__(self) -> bool:
        return self.year is not None or self.rating is not None or self.reviewed is not None or bool(self.tag)


SCOPE_SENTENCES = {
    Scope.LIBRARY: "Your library: every film you marked watched",
    Scope.DIARY: "Your diary: films with a diary entry",
    Scope.WATCHLIST: "Your watchlist",
    Scope.LIKED: "Films you liked, watched or not",
    Scope.ALL: "Every film your export mentions, watchlist included",
}


def scope_sentence(scope: Scope, condition: DiaryCondition) -> str:
    """What the explorer shows, in words: the scope, and which diary entries when some are asked for."""
    parts = []
    if condition.year is not None:
        parts.append(f"watched in {condition.year}")
    if condition.rating is not None:
        parts.append(f"rated {stars(condition.rating)} at the time")
    if condition.reviewed:
        parts.append("reviewed")
    if condition.reviewed is False:
        parts.append("none reviewed")
    if condition.tag:
        parts.append(f"tagged “{condition.tag}”")
    entries = f" ({', '.join(parts)})" if parts else ""
    if parts and scope != Scope.DIARY:
        return f"{SCOPE_SENTENCES[scope]}, with a diary entry{entries}"
    return f"{SCOPE_SENTENCES[scope]}{entries}"


def stars(rating: Decimal) -> str:
    return "★" * int(rating) + ("½" if rating % 1 else "")


def scope_q(scope: Scope) -> Q:
    """The films a scope holds. The diary scope is completed by `diary_q()` (which year, which entries)."""
    return {
        Scope.LIBRARY: Q(watched=True),
        Scope.DIARY: Q(Exists(Viewing.objects.filter(movie=OuterRef("pk")))),
        Scope.WATCHLIST: Q(in_watchlist=True),
        Scope.LIKED: Q(liked=True),
        Scope.ALL: Q(),
    }[scope]


def diary_q(condition: DiaryCondition) -> Q:
    entries = Viewing.objects.filter(movie=OuterRef("pk"))
    if condition.year is not None:
        entries = entries.filter(watched_date__year=condition.year)
    if condition.rating is not None:
        entries = entries.filter(rating=condition.rating)
    if condition.tag:
        entries = tagged(entries, condition.tag)
    if condition.reviewed is None:
        return Q(Exists(entries))
    reviewed = entries.annotate(review_text=Trim("review")).exclude(review_text="")
    return Q(Exists(reviewed)) if condition.reviewed else Q(Exists(entries)) & ~Q(Exists(reviewed))


def tagged(entries: QuerySet, tag: str) -> QuerySet:
    """Diary entries tagged `tag`, exactly (Letterboxd keeps a tag as typed). The tags are a JSON list, read as
    text on both databases: SQLite holds Django's JSON (non-ASCII escaped), PostgreSQL its own (non-ASCII as is),
    so the quoted tag is looked for in both spellings. StrIndex is case-sensitive where LIKE is not."""
    text = Cast("tags", TextField())
    ascii_only, as_is = json.dumps(tag), json.dumps(tag, ensure_ascii=False)
    entries = entries.annotate(tag_ascii=StrIndex(text, Value(ascii_only)), tag_as_is=StrIndex(text, Value(as_is)))
    return entries.filter(Q(tag_ascii__gt=0) | Q(tag_as_is__gt=0))


# The facet rows that count for a film: every genre, director, country and language; actors only when
# top-billed. A condition on FilmFacet: the rankings and the people index group these rows. (A person is one
# facet per film however many roles they play: see Film.build_facets.)
COUNTED_FACETS_Q = ~Q(kind=FilmFacet.Kind.ACTOR) | Q(position__lt=TOP_BILLED)
# The library scope (`scope_q(Scope.LIBRARY)`) seen from the facets.
LIBRARY_FROM_FACETS = "film__movies__watched"


def facet_rows(kind: str) -> Q:
    return Q(kind=kind) & COUNTED_FACETS_Q


def facet_q(kind: str, value: str) -> Q:
    """Films with this genre, person, country or spoken language, by TMDB id or ISO code (as the dashboard
    links them) or by name (as a person types it)."""
    facets = FilmFacet.objects.filter(facet_rows(kind), film=OuterRef("film"))
    return Q(Exists(facets.filter(Q(key__iexact=value) | Q(name__iexact=value))))


def language_q(code: str) -> Q:
    """Films by TMDB's original language (the dashboard's "original languages")."""
    return Q(film__original_language__iexact=code)


def decade_q(decade: int) -> Q:
    start = decade // 10 * 10
    return Q(year__gte=start, year__lte=start + 9)


def runtime_bucket(runtime: int) -> int:
    """The lower bound of the runtime bucket a runtime falls in."""
    return max(low for low, _, _ in RUNTIME_BUCKETS if runtime >= low)


def runtime_q(low: int) -> Q:
    """Films whose TMDB runtime falls in the bucket starting at `low` (a film without a runtime in none)."""
    high = next(high for start, high, _ in RUNTIME_BUCKETS if start == low)
    condition = Q(film__runtime__gte=max(low, 1))
    return condition & Q(film__runtime__lt=high) if high is not None else condition


IDENTIFIED_Q = Q(film__isnull=False, match_status__in=Movie.IDENTIFIED)
RATED_Q = Q(rating__isnull=False)

# What only TMDB's details carry, which films identified before lbstats asked for it lack until re-enriched:
# a film can have no keyword, writer or studio on TMDB too (Love, Death & Robots names no writer).
DETAIL_KINDS = (
    FilmFacet.Kind.KEYWORD,
    FilmFacet.Kind.WRITER,
    FilmFacet.Kind.COMPOSER,
    FilmFacet.Kind.CINEMATOGRAPHER,
    FilmFacet.Kind.EDITOR,
    FilmFacet.Kind.STUDIO,
)

# the explorer's "TMDB gave no ..." filter: the detail kinds, production countries (the map) and collections
MISSING_KINDS = (*DETAIL_KINDS, FilmFacet.Kind.COUNTRY, FilmFacet.Kind.COLLECTION)


def missing_q(kind: str) -> Q:
    """Identified films with no facet of this kind (`Film.facet_kinds`): the "N films without this data" of a section."""
    return IDENTIFIED_Q & ~Q(film__facet_kinds__contains=facet_kind_token(kind))


def lacking(facet_kinds: Iterable[str], kind: str) -> int:
    """`missing_q` counted over identified films' rows as the dashboard loads them: their `Film.facet_kinds`."""
    token = facet_kind_token(kind)
    return sum(token not in kinds for kinds in facet_kinds)


def directed_by_q(category: DirectedBy) -> Q:
    """Identified films of this category (`DirectedBy.of`, kept on the film when it is stored)."""
    return IDENTIFIED_Q & Q(film__directed_by=category)


def explorer_query(scope: str, *pairs: object) -> str:
    """The explorer's query string for a figure: its scope, then filter name and value pairs."""
    params = [("scope", scope)] + [(str(pairs[i]), str(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    return urlencode(params)


# What kind of film a film is, told apart from TMDB's data, one kind per film, the first that fits:
# a miniseries (TMDB's tv media type with the tv type "Miniseries": *Chernobyl*, one story in five episodes, is
# one film of your library), any other TV series (*Game of Thrones*, "Scripted"; a series TMDB gives no type
# stays here), a short (40 minutes or less, the Academy's line: *La Jetée*, 28 min, even though it is also
# science fiction), a documentary (TMDB's Documentary genre: *Shoah*), else a feature. A film not identified on
# TMDB has no kind.
SHORT_MAX_MINUTES = 40
DOCUMENTARY = "Documentary"  # TMDB's genre name (id 99)
MINISERIES = "Miniseries"  # TMDB's tv `type`


class MediaKind(StrEnum):
    FEATURE = "feature"
    SHORT = "short"
    DOCUMENTARY = "documentary"
    TV = "tv"
    MINISERIES = "miniseries"

    @property
    def label(self) -> str:
        return MEDIA_KIND_LABELS[self]


MEDIA_KIND_LABELS = {
    MediaKind.FEATURE: "Features",
    MediaKind.SHORT: f"Shorts ({SHORT_MAX_MINUTES} min or less)",
    MediaKind.DOCUMENTARY: "Documentaries",
    MediaKind.TV: "TV series",
    MediaKind.MINISERIES: "Miniseries",
}
# Letterboxd users ask for totals without TV and shorts: the switch leaves these kinds out.
LEFT_OUT_BY_SWITCH = (MediaKind.TV, MediaKind.MINISERIES, MediaKind.SHORT)


def media_kind(
    identified: bool, media_type: str | None, tv_type: str | None, runtime: int | None, documentary: bool
) -> MediaKind | None:
    """The kind of one film (from the rows); `media_kind_q` is the same in SQL."""
    if not identified:
        return None
    if media_type == MediaType.TV:
        return MediaKind.MINISERIES if tv_type == MINISERIES else MediaKind.TV
    if runtime and runtime <= SHORT_MAX_MINUTES:
        return MediaKind.SHORT
    return MediaKind.DOCUMENTARY if documentary else MediaKind.FEATURE


def media_kind_q(kind: MediaKind) -> Q:
    tv = Q(film__media_type=MediaType.TV)
    miniseries = Q(film__tv_type=MINISERIES)
    short = Q(film__runtime__gte=1, film__runtime__lte=SHORT_MAX_MINUTES)
    documentary = facet_q(FilmFacet.Kind.GENRE, DOCUMENTARY)
    condition = {
        MediaKind.TV: tv & ~miniseries,
        MediaKind.MINISERIES: tv & miniseries,
        MediaKind.SHORT: ~tv & short,
        MediaKind.DOCUMENTARY: ~tv & ~short & documentary,
        MediaKind.FEATURE: ~tv & ~short & ~documentary,
    }[kind]
    return IDENTIFIED_Q & condition


def switch_q() -> Q:
    """The films the switch leaves in: every film but TV series, miniseries and shorts (unidentified films stay)."""
    left_out = Q()
    for kind in LEFT_OUT_BY_SWITCH:
        left_out |= media_kind_q(kind)
    return ~left_out


# The same films seen from their facets (FilmFacet rows belong to identified films only): TV (a series or a
# miniseries), or a short.
LEFT_OUT_FROM_FACETS = Q(film__media_type=MediaType.TV) | Q(film__runtime__gte=1, film__runtime__lte=SHORT_MAX_MINUTES)

RUNTIME_BIN_MINUTES = 10  # the runtime histogram's bars


def runtime_bin(runtime: int) -> int:
    """The first minute of the histogram bar a runtime falls in: 1–10 min is bar 1, 91–100 is bar 91."""
    return (runtime - 1) // RUNTIME_BIN_MINUTES * RUNTIME_BIN_MINUTES + 1


# Taste against TMDB's voters: a film counts when at least this many voted on TMDB (an average of three
# votes says little about the world), and your 0.5–5 stars are doubled onto TMDB's 0–10 scale.
MIN_VOTES = 10
TASTE_SCALE = 2
# Obscurity, from TMDB's vote count: 0 for a film as voted on as the most voted films (about 30,000 votes:
# *Inception* has 37,000), 100 for a film nobody voted on, on a log scale, so going from 10 to 100 votes moves a
# film as far as going from 1,000 to 10,000. A fixed reference, not your own library's percentiles, so that two
# years, or two people, compare.
OBSCURITY_REFERENCE_VOTES = 30_000


@cache  # a few thousand distinct vote counts in a library of tens of thousands of films
def obscurity(votes: int) -> float:
    score = 100 * (1 - math.log10(1 + votes) / math.log10(1 + OBSCURITY_REFERENCE_VOTES))
    return round(min(100.0, max(0.0, score)), 1)


def votes_q(minimum: int) -> Q:
    """Identified films with at least this many TMDB votes (0: films whose vote count TMDB gave)."""
    return IDENTIFIED_Q & Q(film__vote_count__gte=minimum)


# A rewatch the export's flag misses: a film with several diary entries, or one marked watched (watched.csv)
# before its first diary entry (seen long ago, logged again now). Letterboxd sets the Rewatch flag only when
# the person ticks it.
REWATCH_DETECTED_Q = Q(viewing_count__gte=2) | Q(watched_date__lt=F("first_watched"))
