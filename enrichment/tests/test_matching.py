"""Matching a Letterboxd (Name, Year) to TMDB: normalisation, scoring and verdicts on the known hard cases, search ladder."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from enrichment.matching import (
    ACCEPT_SCORE,
    MAX_CANDIDATES,
    judge,
    match_film,
    normalize_title,
    title_similarity,
)


def movie(
    tmdb_id: int, title: str, date: str, votes: int, original_title: str | None = None, popularity: float = 5.0
) -> dict:
    """A TMDB /search/movie item, trimmed to the fields matching reads plus a few it must ignore."""
    return {
        "adult": False,
        "genre_ids": [18],
        "id": tmdb_id,
        "original_language": "en",
        "original_title": original_title or title,
        "overview": "",
        "popularity": popularity,
        "poster_path": f"/{tmdb_id}.jpg",
        "release_date": date,
        "title": title,
        "video": False,
        "vote_average": 7.0,
        "vote_count": votes,
    }


def series(tmdb_id: int, name: str, first_air_date: str, votes: int) -> dict:
    """A TMDB /search/tv item."""
    return {
        "id": tmdb_id,
        "name": name,
        "original_name": name,
        "first_air_date": first_air_date,
        "origin_country": ["US"],
        "popularity": 50.0,
        "poster_path": f"/tv{tmdb_id}.jpg",
        "vote_average": 8.0,
        "vote_count": votes,
    }


class RecordingSearch:
    """Stands in for the TMDB client: answers from a tiny catalogue with TMDB's year semantics, and records each call.

    Every catalogue entry is assumed to match the query text (which TMDB's relevance decides, not
    matching). `primary_release_year` filters on `release_date`; `year` on any release date, which
    includes the extra years given per film (festival premieres).
    """

    def __init__(
        self,
        movies: Sequence[dict] = (),
        other_release_years: dict[int, set[int]] | None = None,
        tv: Sequence[dict] = (),
    ):
        self.movies = list(movies)
        self.other_release_years = other_release_years or {}
        self.tv = list(tv)
        self.calls: list[tuple] = []

    def search_movie(
        self, query: str, *, year: int | None = None, primary_release_year: int | None = None
    ) -> list[dict]:
        self.calls.append(
            (
                "movie",
                query,
                {k: v for k, v in (("year", year), ("primary_release_year", primary_release_year)) if v is not None},
            )
        )

        def primary(item: dict) -> int | None:
            return int(item["release_date"][:4]) if item["release_date"] else None

        return [
            item
            for item in self.movies
            if (primary_release_year is None or primary(item) == primary_release_year)
            and (year is None or year == primary(item) or year in self.other_release_years.get(item["id"], set()))
        ]

    def search_tv(self, query: str, *, first_air_date_year: int | None = None) -> list[dict]:
        self.calls.append(
            ("tv", query, {} if first_air_date_year is None else {"first_air_date_year": first_air_date_year})
        )
        return [
            item
            for item in self.tv
            if first_air_date_year is None or item["first_air_date"][:4] == str(first_air_date_year)
        ]


# --- Normalisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letterboxd", "tmdb"),
    [
        ("Mission: Impossible – Dead Reckoning Part One", "Mission: Impossible - Dead Reckoning Part One"),  # en dash
        ("Spider‐Man: Across the Spider—Verse", "Spider-Man: Across the Spider-Verse"),  # hyphen U+2010, em dash
        ("WALL·E", "WALL-E"),
        ("Léon: The Professional", "Leon: The Professional"),
        ("Schindler’s List", "Schindler's List"),  # curly apostrophe
        ("“Ask Me Anything”", '"Ask Me Anything"'),  # curly quotes
        ("[REC]", "REC"),
        ("#Alive", "Alive"),
        ("Love, Death & Robots", "Love Death and Robots"),
        ("AMÉLIE", "Amélie"),  # case and composed vs decomposed accents
        ("S.W.A.T.", "SWAT"),
        ("Ｐｅｒｆｅｃｔ Ｂｌｕｅ", "Perfect Blue"),  # full-width forms
    ],
)
def test_it_normalizes_spelling_variants_to_the_same_title(letterboxd: str, tmdb: str) -> None:
    assert normalize_title(letterboxd) == normalize_title(tmdb)
    assert normalize_title(letterboxd) == " ".join(normalize_title(letterboxd).split())  # collapsed, stripped


def test_it_normalizes_to_readable_words() -> None:
    assert normalize_title("  Léon:   The Professional ") == "leon the professional"
    assert normalize_title("WALL·E") == "wall e"
    assert normalize_title("Love, Death & Robots: Three Robots") == "love death and robots three robots"
    assert normalize_title("[REC]²") == "rec 2"


def test_it_keeps_marks_that_are_part_of_non_latin_letters() -> None:
    assert normalize_title("기생충") == "기생충"
    # A voicing mark changes the kana: stripping it like an accent would merge different words.
    assert normalize_title("がっこう") != normalize_title("かっこう")


def test_it_scores_titles_exact_then_article_or_spacing_then_fuzzy() -> None:
    assert title_similarity("The Witch", "the witch") == 1.0
    assert 0.85 < title_similarity("Witch", "The Witch") < 1.0
    assert 0.85 < title_similarity("Das Boot", "Boot") < 1.0
    assert 0.85 < title_similarity("WALLE", "WALL·E") < 1.0
    assert 0.85 < title_similarity("Spider-Man: Into the Spiderverse", "Spider-Man: Into the Spider-Verse") < 1.0
    near_miss = title_similarity(
        "The Lord of the Rings: The Fellowship of the Rings", "The Lord of the Rings: The Fellowship of the Ring"
    )
    assert near_miss == title_similarity("Witch", "The Witch")  # never surer than a loose equality
    assert title_similarity("Love, Death & Robots: Three Robots", "Love, Death & Robots") < 0.5
    assert title_similarity("Alien", "Aliens") < title_similarity("Alien", "Alien")
    assert (
        title_similarity("Harry Potter and the Deathly Hallows: Part 1", "Harry Potter and the Deathly Hallows: Part 2")
        == 0.0
    )
    assert title_similarity("Blade Runner", "Blade Runner 2049") == 0.0
    assert title_similarity("A", "An") < 0.5  # a lone article is the title, not an article
    assert title_similarity("", "Anything") == 0.0


# --- Scoring and verdicts on the hard cases ---------------------------------------------------------


def found(*items: dict, media_type: str = "movie") -> list[tuple[str, dict]]:
    return [(media_type, item) for item in items]


def test_it_matches_the_feature_not_the_short_sharing_its_title_and_year() -> None:
    flow = judge(
        "Flow",
        2024,
        found(movie(2001, "Flow", "2024-08-29", 12, popularity=90.0), movie(823219, "Flow", "2024-01-30", 2100)),
    )
    assert (flow.status, flow.media_type, flow.tmdb_id) == ("matched", "movie", 823219)
    assert [c["tmdb_id"] for c in flow.candidates] == [823219, 2001]
    assert flow.score == flow.candidates[0]["score"] >= ACCEPT_SCORE

    moonlight = judge(
        "Moonlight",
        2016,
        found(movie(376867, "Moonlight", "2016-10-21", 7400), movie(441000, "Moonlight", "2016-03-01", 4)),
    )
    assert (moonlight.status, moonlight.tmdb_id) == ("matched", 376867)


@pytest.mark.parametrize(
    ("title", "year", "items"),
    [
        (
            "The Witch",
            2015,
            [movie(310131, "The Witch", "2015-01-27", 7200), movie(999001, "The Witch", "2015-06-11", 1400)],
        ),
        ("Enemy", 2013, [movie(181886, "Enemy", "2013-09-08", 5300), movie(999002, "Enemy", "2013-02-01", 600)]),
        (
            "Enemy",
            2013,
            [movie(181886, "Enemy", "2013-09-08", 5300), movie(999003, "Enemy", "2013-02-01", 5300, popularity=99.0)],
        ),
    ],
)
def test_it_leaves_same_title_same_year_namesakes_ambiguous(title: str, year: int, items: list[dict]) -> None:
    result = judge(title, year, found(*items), searches=1)
    assert result.status == "ambiguous"
    assert (result.media_type, result.tmdb_id) == (None, None)
    assert {c["tmdb_id"] for c in result.candidates} == {item["id"] for item in items}
    assert result.score == result.candidates[0]["score"]
    assert result.searches == 1


def test_it_matches_the_remake_whose_year_fits() -> None:
    items = found(movie(11906, "Suspiria", "1977-02-01", 2500), movie(361292, "Suspiria", "2018-10-26", 2900))
    assert judge("Suspiria", 1977, items).tmdb_id == 11906
    assert judge("Suspiria", 2018, items).tmdb_id == 361292
    # Without a year the remakes cannot be told apart.
    assert judge("Suspiria", None, items).status == "ambiguous"


def test_it_matches_a_year_off_by_one_only_when_nothing_fits_better() -> None:
    nomadland = movie(581734, "Nomadland", "2021-01-29", 4600)
    result = judge("Nomadland", 2020, found(nomadland))
    assert (result.status, result.tmdb_id) == ("matched", 581734)
    # A same-title film from the exact year wins over a comparable one a year off.
    other = movie(999004, "Nomadland", "2020-05-01", 3000)
    assert judge("Nomadland", 2020, found(nomadland, other)).tmdb_id == 999004


def test_it_matches_a_foreign_film_through_its_original_title() -> None:
    parasite = movie(496243, "Parasite", "2019-05-30", 17000, original_title="기생충")
    result = judge("기생충", 2019, found(parasite, movie(999005, "Parasite", "2019-01-01", 30)))
    assert (result.status, result.tmdb_id) == ("matched", 496243)
    assert result.candidates[0]["title"] == "Parasite"
    assert result.candidates[0]["original_title"] == "기생충"


def test_it_does_not_take_a_series_for_one_of_its_episodes() -> None:
    ldr = series(86831, "Love, Death & Robots", "2019-03-15", 3100)
    result = judge("Love, Death & Robots: Three Robots", 2019, found(ldr, media_type="tv"))
    assert result.status == "not_found"
    assert result.tmdb_id is None
    assert result.candidates[0]["tmdb_id"] == 86831  # still stored for a person to look at
    # The series itself, asked for by its own title, does match, as TV.
    series_result = judge("Love, Death & Robots", 2019, found(ldr, media_type="tv"))
    assert (series_result.status, series_result.media_type, series_result.tmdb_id) == ("matched", "tv", 86831)


def test_it_does_not_accept_a_weak_year_or_an_undated_entry() -> None:
    assert judge("Heat", 1995, found(movie(1, "Heat", "1993-01-01", 500))).status == "ambiguous"  # 2 years off
    assert judge("Heat", 1995, found(movie(1, "Heat", "1972-01-01", 500))).status == "not_found"
    assert judge("Heat", 1995, found(movie(1, "Heat", "", 500))).status == "ambiguous"
    assert judge("Heat", 1995, found(movie(1, "Heat and Dust", "1995-01-01", 500))).status == "not_found"


def test_it_accepts_a_loose_title_only_with_the_exact_year() -> None:
    witch = movie(310131, "The Witch", "2015-01-27", 7200)
    assert judge("Witch", 2015, found(witch)).tmdb_id == 310131
    # Letterboxd's "Another Day" (2001) is not "Die Another Day" (2002), though "die" could be an article.
    bond = movie(36669, "Die Another Day", "2002-11-17", 4500)
    assert judge("Another Day", 2001, found(bond)).status == "ambiguous"
    # A sequel whose title is one digit away is not a near miss.
    part_two = movie(12445, "Harry Potter and the Deathly Hallows: Part 2", "2011-07-07", 21000)
    assert judge("Harry Potter and the Deathly Hallows: Part 1", 2010, found(part_two)).status == "not_found"


def test_it_breaks_exact_ties_in_the_candidate_list_by_votes_then_popularity() -> None:
    items = found(
        movie(1, "Enemy", "2013-01-01", 100, popularity=1.0),
        movie(2, "Enemy", "2013-01-01", 100, popularity=9.0),
        movie(3, "Enemy", "2013-01-01", 101, popularity=0.1),
    )
    result = judge("Enemy", 2013, items)
    assert result.status == "ambiguous"  # popularity never decides a match
    assert [c["tmdb_id"] for c in result.candidates] == [3, 2, 1]


def test_it_stores_at_most_a_few_candidates_in_the_documented_shape() -> None:
    items = found(*(movie(i, "Crash", f"{2000 + i}-01-01", 10 * i) for i in range(1, 9)))
    result = judge("Crash", 2004, items)
    assert len(result.candidates) == MAX_CANDIDATES
    assert result.candidates[0] == {
        "tmdb_id": 4,
        "media_type": "movie",
        "title": "Crash",
        "original_title": "Crash",
        "year": 2004,
        "poster_path": "/4.jpg",
        "vote_count": 40,
        "score": result.score,
    }
    assert judge("Crash", 2004, []) == judge("Crash", 2004, [], searches=0)
    assert judge("Crash", 2004, []).status == "not_found"


# --- The search ladder ---------------------------------------------------------------------------


def test_it_needs_one_search_for_a_plain_film() -> None:
    source = RecordingSearch([movie(77, "Memento", "2000-10-11", 14735)])
    result = match_film(source, "Memento", 2000)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 77, 1)
    assert source.calls == [("movie", "Memento", {"primary_release_year": 2000})]


def test_it_climbs_the_whole_ladder_in_order_when_nothing_matches() -> None:
    source = RecordingSearch()
    result = match_film(source, "Nothing Like It", 1999)
    assert (result.status, result.candidates, result.searches) == ("not_found", [], 7)
    assert source.calls == [
        ("movie", "Nothing Like It", {"primary_release_year": 1999}),
        ("movie", "Nothing Like It", {"year": 1999}),
        ("movie", "Nothing Like It", {"primary_release_year": 1998}),
        ("movie", "Nothing Like It", {"primary_release_year": 2000}),
        ("movie", "Nothing Like It", {}),
        ("tv", "Nothing Like It", {"first_air_date_year": 1999}),
        ("tv", "Nothing Like It", {}),
    ]


def test_it_searches_without_year_then_tv_when_the_export_has_no_year() -> None:
    source = RecordingSearch()
    assert match_film(source, "Untitled", None).searches == 2
    assert source.calls == [("movie", "Untitled", {}), ("tv", "Untitled", {})]

    found_source = RecordingSearch([movie(5, "Untitled", "2001-01-01", 300)])
    assert match_film(found_source, "Untitled", None).tmdb_id == 5
    assert len(found_source.calls) == 1


def test_it_finds_a_festival_premiere_through_any_release_date() -> None:
    source = RecordingSearch([movie(581734, "Nomadland", "2021-01-29", 4600)], other_release_years={581734: {2020}})
    result = match_film(source, "Nomadland", 2020)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 581734, 2)
    assert [call[2] for call in source.calls] == [{"primary_release_year": 2020}, {"year": 2020}]


def test_it_checks_any_release_date_before_trusting_an_obscure_primary_year_match() -> None:
    # The feature premiered in 2019 but its primary release is 2020; a 2019 short shares its title.
    short = movie(1001, "Glasshouse", "2019-03-01", 6)
    feature = movie(1002, "Glasshouse", "2020-02-14", 2400)
    source = RecordingSearch([short, feature], other_release_years={1002: {2019}})
    result = match_film(source, "Glasshouse", 2019)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 1002, 2)
    assert [c["tmdb_id"] for c in result.candidates] == [1002, 1001]
    assert [call[2] for call in source.calls] == [{"primary_release_year": 2019}, {"year": 2019}]

    alone = RecordingSearch([short])
    assert match_film(alone, "Glasshouse", 2019).tmdb_id == 1001
    assert len(alone.calls) == 2


def test_it_dates_a_film_by_its_premiere_but_not_by_a_re_release() -> None:
    short = movie(1001, "Glasshouse", "2019-03-01", 6)
    feature = movie(1002, "Glasshouse", "2020-02-14", 2400)
    # Without knowing of the 2019 premiere, the short's exact year outweighs the feature's votes.
    assert judge("Glasshouse", 2019, found(short, feature)).status == "ambiguous"
    assert judge("Glasshouse", 2019, found(short, feature), released_in_year={("movie", 1002)}).tmdb_id == 1002

    # A 2018 reissue of the 1977 film must not make it compete with an obscure 2018 namesake.
    original = movie(11906, "Suspiria", "1977-02-01", 2500)
    namesake = movie(3001, "Suspiria", "2018-05-01", 40)
    source = RecordingSearch([original, namesake], other_release_years={11906: {2018}})
    result = match_film(source, "Suspiria", 2018)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 3001, 2)


def test_it_keeps_searching_when_only_obscure_films_tie_in_the_primary_year() -> None:
    shorts = [movie(1, "Glasshouse", "2019-03-01", 6), movie(2, "Glasshouse", "2019-07-01", 5)]
    source = RecordingSearch([*shorts, movie(3, "Glasshouse", "2020-02-14", 2400)], other_release_years={3: {2019}})
    result = match_film(source, "Glasshouse", 2019)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 3, 2)

    source = RecordingSearch(shorts)
    result = match_film(source, "Glasshouse", 2019)
    assert (result.status, result.searches) == ("ambiguous", 2)  # a tie after the `year=` search ends the ladder


def test_it_stops_early_on_namesakes_and_keeps_candidates_from_every_step() -> None:
    witch = RecordingSearch(
        [movie(310131, "The Witch", "2015-01-27", 7200), movie(999001, "The Witch", "2015-06-11", 1400)]
    )
    result = match_film(witch, "The Witch", 2015)
    assert (result.status, result.searches) == ("ambiguous", 1)

    # The year-off film is found at the third step; the undated one at the fifth.
    source = RecordingSearch([movie(1, "Heat", "1993-01-01", 50), movie(2, "Heat", "", 50)])
    result = match_film(source, "Heat", 1994)
    assert (result.status, result.tmdb_id, result.searches) == ("matched", 1, 3)

    source = RecordingSearch(
        [movie(1, "Heat", "1990-01-01", 50), movie(2, "Heat", "", 50)], tv=[series(9, "Heat", "1994-01-01", 20)]
    )
    result = match_film(source, "Heat", 1994)
    assert (result.status, result.media_type, result.tmdb_id, result.searches) == ("matched", "tv", 9, 6)
    assert [(c["media_type"], c["tmdb_id"]) for c in result.candidates] == [("tv", 9), ("movie", 2), ("movie", 1)]


def test_it_counts_a_film_seen_by_several_searches_once() -> None:
    source = RecordingSearch([movie(1, "Heat and Dust", "1983-01-01", 80)], other_release_years={1: {1984}})
    result = match_film(source, "Heat", 1983)
    assert result.status == "not_found"
    assert result.searches == 7
    assert [c["tmdb_id"] for c in result.candidates] == [1]


def test_it_sends_no_search_for_an_empty_title() -> None:
    source = RecordingSearch([movie(1, "X", "2000-01-01", 5)])
    result = match_film(source, "   ", 2000)
    assert (result.status, result.searches, source.calls) == ("not_found", 0, [])


def test_it_lets_client_errors_propagate() -> None:
    class Failing(RecordingSearch):
        def search_movie(self, query: str, **params: int | None) -> list[dict]:
            raise TimeoutError("TMDB did not answer")

    with pytest.raises(TimeoutError):
        match_film(Failing(), "Memento", 2000)
