"""The comparison of two people's films (pure): which films are the same, and the exact figures."""

from decimal import Decimal

from sessions_app.compare import Film, compare, pair_up


def film(title: str, rating: str | None = None, tmdb: int | None = None, uri: str = "") -> Film:
    return Film(title, 2000, tmdb, uri, Decimal(rating) if rating else None)


MINE = [
    film("Alien", "5", tmdb=1),
    film("Brazil", "3", tmdb=2),
    film("Cure", "4", uri="https://boxd.it/cure"),  # not identified on my side: met by its URI
    film("Dune", "4.5", tmdb=4),
    film("Eraserhead", tmdb=5),  # watched, never rated
]
THEIRS = [
    film("Alien", "4.5", tmdb=1),
    film("Brazil", "1", tmdb=2),
    film("Cure", "4", tmdb=3, uri="https://boxd.it/cure"),
    film("Fargo", "5", tmdb=6),
    film("Eraserhead", "2", tmdb=5),
]


def test_films_in_common_are_found_by_tmdb_film_else_by_letterboxd_uri():
    result = compare(MINE, THEIRS)
    assert [p.mine.title for p in result.common] == ["Alien", "Brazil", "Cure", "Eraserhead"]
    assert result.rated_both == 3


def test_one_uri_identified_as_two_different_tmdb_films_is_not_one_film():
    mine = [film("Solaris", "4", tmdb=1, uri="https://boxd.it/solaris")]
    theirs = [film("Solaris", "4", tmdb=2, uri="https://boxd.it/solaris")]
    assert pair_up(mine, theirs) == []


def test_the_correlation_is_pearsons_r_over_the_films_both_rated():
    # mine 5, 3, 4 against theirs 4.5, 1, 4: r = 3.5 / √(2 × 7.1667) = 0.9245
    assert compare(MINE, THEIRS).correlation == 0.92


def test_compatibility_is_one_minus_the_average_gap_over_the_largest_gap():
    # gaps ½, 2 and 0 stars: average ⅚; 100 × (1 − ⅚ ÷ 4.5) = 81.5
    assert compare(MINE, THEIRS).compatibility == 81


def test_ratings_half_a_star_apart_agree_and_further_apart_disagree():
    result = compare(MINE, THEIRS)
    assert [(p.mine.title, p.gap) for p in result.agreements] == [("Cure", Decimal("0")), ("Alien", Decimal("0.5"))]
    assert [(p.mine.title, p.gap) for p in result.disagreements] == [("Brazil", Decimal("2"))]


def test_equal_agreements_put_the_films_you_both_loved_first():
    mine = [film("Alien", "2", tmdb=1), film("Brazil", "5", tmdb=2), film("Cure", "4", tmdb=3)]
    theirs = [film("Alien", "2", tmdb=1), film("Brazil", "5", tmdb=2), film("Cure", "1", tmdb=3)]
    result = compare(mine, theirs)
    assert [p.mine.title for p in result.agreements] == ["Brazil", "Alien"]
    assert [p.mine.title for p in result.disagreements] == ["Cure"]


def test_each_sides_favourites_the_other_has_not_seen():
    result = compare(MINE, THEIRS)
    assert [f.title for f in result.my_favourites_unseen] == ["Dune"]
    assert [f.title for f in result.their_favourites_unseen] == ["Fargo"]


def test_identical_flat_ratings_are_fully_compatible_but_have_no_correlation():
    mine = [film("Alien", "4", tmdb=1), film("Brazil", "4", tmdb=2)]
    result = compare(mine, list(mine))
    assert (result.compatibility, result.correlation) == (100, None)


def test_opposite_extremes_are_zero_compatible_and_perfectly_anticorrelated():
    mine = [film("Alien", "5", tmdb=1), film("Brazil", "0.5", tmdb=2)]
    theirs = [film("Alien", "0.5", tmdb=1), film("Brazil", "5", tmdb=2)]
    result = compare(mine, theirs)
    assert (result.compatibility, result.correlation) == (0, -1.0)


def test_without_a_film_rated_by_both_there_is_no_figure():
    result = compare([film("Alien", "5", tmdb=1)], [film("Alien", tmdb=1)])
    assert (len(result.common), result.rated_both, result.compatibility, result.correlation) == (1, 0, None, None)
