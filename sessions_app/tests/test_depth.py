"""The deeper sections (`sessions_app.stats.depth`) on a library holding features, shorts, documentaries, a TV series,
a film TMDB did not identify and one TMDB knows no runtime or votes for; every count followed to the explorer."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrichment.models import Film
from sessions_app import stats
from sessions_app.models import Movie, Session, Viewing
from sessions_app.stats.definitions import obscurity
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing
from sessions_app.tests.test_figures import count_links, explorer_count

pytestmark = pytest.mark.django_db


def a_library_of_every_kind() -> Session:
    session = make_session()

    def film(title, year, rating, *, genres=("Drama",), votes=None, average=None, marked=None, **fields):
        tmdb = make_film(title, genres=genres, vote_count=votes, vote_average=average, **fields)
        return make_movie(session, title, year=year, rating=rating, film=tmdb, watched_date=marked)

    heat = film("Heat", 1995, 4.5, genres=["Crime"], runtime=170, votes=6000, average=7.9, marked=date(2015, 6, 1))
    jetee = film("La Jetée", 1962, 4, genres=["Science Fiction"], runtime=28, votes=900, average=7.8)
    shoah = film("Shoah", 1985, 5, genres=["Documentary"], runtime=566, votes=300, average=8.4)
    chernobyl = film("Chernobyl", 2019, 3, runtime=65, votes=5000, average=8.7, media_type="tv", tv_type="Miniseries")
    film("Twin Peaks", 1990, None, genres=["Mystery"], runtime=47, media_type="tv", tv_type="Scripted")
    short_doc = film("Short Doc", 2020, 2, genres=["Documentary"], runtime=20, votes=5, average=6.0)
    cats = film("Cats", 2019, 2.5, genres=["Comedy"], runtime=110, votes=2000, average=3.0)
    obscure = film("Obscure", 2021, 4, runtime=95, votes=0, average=0.0)
    parasite = film("Parasite", 2019, 5, runtime=132, votes=18000, average=8.5, marked=date(2020, 1, 10))
    film("No Runtime", 1999, None)  # identified, but TMDB gave no runtime and no votes
    make_movie(session, "Unknown", year=2001, rating=3)  # never identified
    make_movie(session, "Wanted", year=2022, watched=False, in_watchlist=True)

    make_viewing(parasite, date(2020, 1, 10), tags=["cinema"])
    make_viewing(heat, date(2020, 3, 1), rating=4.5, tags=["crime"], review="Great.")
    make_viewing(jetee, date(2020, 7, 7), tags=["café"])
    make_viewing(short_doc, date(2020, 8, 8))
    make_viewing(parasite, date(2020, 12, 31), rewatch=True)
    make_viewing(cats, date(2021, 2, 2), rating=1, tags=["Cinema"], review="  ")
    make_viewing(shoah, date(2021, 5, 1), tags=["cinema"], review="Long.")
    make_viewing(chernobyl, date(2021, 6, 1))
    make_viewing(jetee, date(2021, 7, 7))  # seen again, not flagged
    make_viewing(obscure, date(2021, 9, 9))
    return session


def test_it_tells_features_shorts_documentaries_tv_series_and_miniseries_apart():
    session = a_library_of_every_kind()

    kinds = stats.dashboard(session).depth.kinds

    assert [(label, f.count) for label, f in kinds.kinds] == [
        ("Features", 5),  # Heat, Cats, Obscure, Parasite, and No Runtime (no runtime: not a short)
        ("Shorts (40 min or less)", 2),  # La Jetée, and Short Doc: a short before a documentary
        ("Documentaries", 1),  # Shoah
        ("TV series", 1),  # Twin Peaks
        ("Miniseries", 1),  # Chernobyl
        ("Not identified on TMDB", 1),  # Unknown; Wanted, on the watchlist only, is not in the library
    ]
    assert dict(kinds.kinds)["Features"].query == "scope=library&kind=feature"
    assert dict(kinds.kinds)["Miniseries"].query == "scope=library&kind=miniseries"
    assert kinds.without_runtime == 2  # No Runtime and Unknown


def test_a_year_counts_the_kinds_of_its_diary():
    session = a_library_of_every_kind()

    kinds = stats.dashboard(session, 2021).depth.kinds

    assert {label: f.count for label, f in kinds.kinds} == {
        "Features": 2,  # Cats, Obscure
        "Shorts (40 min or less)": 1,
        "Documentaries": 1,
        "TV series": 0,  # Twin Peaks is in the library, not in the diary
        "Miniseries": 1,  # Chernobyl
        "Not identified on TMDB": 0,
    }
    assert dict(kinds.kinds)["Shorts (40 min or less)"].query == "scope=diary&watched_in=2021&kind=short"


def test_runtimes_fall_in_ten_minute_bars_from_the_shortest_to_three_hours_and_beyond():
    session = a_library_of_every_kind()

    runtimes = stats.dashboard(session).depth.kinds.runtimes

    assert runtimes[0][0] == "11–20" and runtimes[-1][0] == "241+"
    assert len(runtimes) == 24
    assert {label: f.count for label, f in runtimes if f.count} == {
        "11–20": 1,  # Short Doc, 20 min
        "21–30": 1,  # La Jetée, 28
        "41–50": 1,  # Twin Peaks, 47 an episode
        "61–70": 1,  # Chernobyl, 65 an episode
        "91–100": 1,
        "101–110": 1,
        "131–140": 1,
        "161–170": 1,
        "241+": 1,  # Shoah, 566
    }
    assert dict(runtimes)["241+"].query == "scope=library&runtime_min=241"


def test_release_years_are_every_year_from_the_oldest_and_the_best_rated_is_bayesian():
    session = a_library_of_every_kind()

    released = stats.dashboard(session).depth.released

    assert [label for label, _ in released.years][:2] == ["1962", "1963"]
    assert len(released.years) == 2021 - 1962 + 1
    assert {label: f.count for label, f in released.years if f.count} == {
        "1962": 1,
        "1985": 1,
        "1990": 1,
        "1995": 1,
        "1999": 1,
        "2001": 1,
        "2019": 3,
        "2020": 1,
        "2021": 1,
    }
    assert released.weeks == []  # a year's page only
    # 2019 alone has three rated films (3, 2.5, 5): (3 × 33/9 + 10.5) / 6, pulled to the library's mean
    assert [(g.name, round(g.score, 2)) for g in released.highest_rated.highest_rated] == [("2019", 3.58)]


def test_a_year_counts_viewings_per_week_from_the_first_of_january():
    session = a_library_of_every_kind()

    weeks = stats.dashboard(session, 2020).depth.released.weeks

    assert len(weeks) == 53
    # 10 January, 1 March (day 61 of a leap year), 7 July, 8 August, 31 December
    assert [(w, n) for w, n in weeks if n] == [("2", 1), ("9", 1), ("27", 1), ("32", 1), ("53", 1)]


def test_your_taste_is_compared_with_tmdb_voters_on_films_enough_of_them_rated():
    session = a_library_of_every_kind()

    taste = stats.dashboard(session).depth.taste

    # Heat, La Jetée, Shoah, Chernobyl, Cats, Parasite: Short Doc has 5 votes, Obscure none, Unknown no TMDB film
    assert taste.compared.count == 6
    assert taste.compared.query == "scope=library&rated=true&votes_min=10"
    # yours ×2: 9 8 10 6 5 10 against 7.9 7.8 8.4 8.7 3.0 8.5
    assert taste.correlation == 0.67
    assert (taste.your_average, taste.tmdb_average) == (8.0, 7.38)
    assert [(f.title, f.value) for f in taste.higher] == [
        ("Cats", (5.0, 3.0)),
        ("Shoah", (10.0, 8.4)),
        ("Parasite", (10.0, 8.5)),
        ("Heat", (9.0, 7.9)),
        ("La Jetée", (8.0, 7.8)),
    ]
    assert [(f.title, f.value) for f in taste.lower] == [("Chernobyl", (6.0, 8.7))]


def test_obscurity_runs_from_0_for_the_most_voted_to_100_for_no_vote_on_a_log_scale():
    assert obscurity(0) == 100
    assert obscurity(30_000) == 0 and obscurity(100_000) == 0
    assert obscurity(9) == 77.7  # 100 × (1 − 1 / log10(30,001))
    assert obscurity(999) == 33.0  # 100 × (1 − 3 / log10(30,001))


def test_it_lists_your_most_and_least_known_films_and_obscurity_by_year_watched():
    session = a_library_of_every_kind()

    taste = stats.dashboard(session).depth.taste

    assert taste.known.count == 8  # every identified film TMDB gave a vote count, 0 included
    assert [(f.title, f.value[0]) for f in taste.most_known] == [
        ("Parasite", 18000),
        ("Heat", 6000),
        ("Chernobyl", 5000),
        ("Cats", 2000),
        ("La Jetée", 900),
    ]
    assert [f.title for f in taste.least_known] == ["Obscure", "Short Doc", "Shoah", "La Jetée", "Cats"]
    assert taste.average_obscurity == 40.7
    # 2020: Parasite, Heat, La Jetée, Short Doc; 2021: Cats, Shoah, Chernobyl, La Jetée, Obscure
    assert [(y, f.count, score) for y, f, score in taste.by_year] == [(2020, 4, 34.3), (2021, 5, 44.5)]


def test_rewatches_count_the_flag_and_what_the_flag_misses():
    session = a_library_of_every_kind()

    rewatched = stats.dashboard(session).depth.rewatched

    assert rewatched.flagged.count == 1  # Parasite's second entry
    # and Heat, marked watched in 2015 before its 2020 entry, and La Jetée, logged twice without the flag
    assert rewatched.detected.count == 3
    assert [(f.title, f.value) for f in rewatched.most] == [("Heat", 2), ("La Jetée", 2), ("Parasite", 2)]


def test_each_year_splits_new_from_old_first_viewings_from_rewatches_and_reviewed_from_not():
    session = a_library_of_every_kind()

    mix = stats.dashboard(session).depth.mix

    rows = [
        (m.year, m.new.count, m.older.count, m.first_viewings, m.rewatches, m.reviewed.count, m.unreviewed.count)
        for m in mix
    ]
    assert rows == [
        (2020, 1, 3, 3, 2, 1, 3),  # Short Doc is new; Heat (marked before) and Parasite's second are rewatches
        (2021, 1, 4, 4, 1, 1, 4),  # Obscure is new; La Jetée's second entry; a blank review is none
    ]
    assert mix[0].older.query == "scope=diary&watched_in=2020&year_max=2019"
    assert [m.year for m in stats.dashboard(session, 2021).depth.mix] == [2021]


def test_tags_count_films_exactly_as_tagged():
    session = a_library_of_every_kind()

    tags = stats.dashboard(session).depth.tags.tags
    in_2020 = stats.dashboard(session, 2020).depth.tags.tags

    assert [(tag, f.count) for tag, f in tags] == [("cinema", 2), ("Cinema", 1), ("café", 1), ("crime", 1)]
    assert [(tag, f.count) for tag, f in in_2020] == [("café", 1), ("cinema", 1), ("crime", 1)]
    assert dict(in_2020)["café"].query == "scope=diary&watched_in=2020&tag=caf%C3%A9"


def test_the_switch_leaves_tv_and_shorts_out_of_every_figure(client):
    session = a_library_of_every_kind()

    response = client.post(f"/s/{session.public_id}/kinds/?year=2021", {"leave_out": "true"})
    session.refresh_from_db()
    d = stats.dashboard(session)

    assert response.status_code == 302 and response["Location"].endswith("?year=2021#kinds")
    assert session.leave_out_tv_shorts
    assert d.overview.films == 7  # not Chernobyl, La Jetée or Short Doc
    assert {label: f.count for label, f in d.depth.kinds.kinds} == {
        "Features": 5,
        "Shorts (40 min or less)": 0,
        "Documentaries": 1,
        "TV series": 0,
        "Miniseries": 0,
        "Not identified on TMDB": 1,
    }
    assert d.depth.taste.compared.query == "scope=library&no_tv_shorts=true&rated=true&votes_min=10"
    assert d.depth.taste.compared.count == 4
    # the facet rankings too: Chernobyl leaves Drama to Obscure, Parasite and No Runtime; Science Fiction goes
    assert {g.name: g.films for g in d.genres.most_watched} == {"Drama": 3, "Crime": 1, "Comedy": 1, "Documentary": 1}
    client.post(f"/s/{session.public_id}/kinds/", {"leave_out": "false"})
    session.refresh_from_db()
    assert not session.leave_out_tv_shorts


@pytest.mark.parametrize("leave_out", [False, True])
def test_every_new_count_is_the_number_of_films_its_link_lists(client, tmdb_double, leave_out):
    session = a_library_of_every_kind()
    Session.objects.filter(pk=session.pk).update(leave_out_tv_shorts=leave_out)
    cache.clear()
    base = f"/s/{session.public_id}/"

    checked = 0
    for page in (base, f"{base}?year=2020", f"{base}?year=2021"):
        for href, figure in count_links(client, page):
            assert ("no_tv_shorts=true" in href) == leave_out, href
            assert explorer_count(client, href) == figure, f"{page}: {href} shows {figure}"
            api = client.get(f"/api/session/{session.public_id}/movies?{href.split('?', 1)[1]}").json()
            assert api["count"] == figure, href
            checked += 1
    assert checked >= 100


def test_the_dashboard_reads_as_many_queries_for_500_films_as_for_5():
    def queries_for(films: int) -> int:
        session = make_session()
        tmdb = Film.objects.bulk_create(
            Film(tmdb_id=900_000 + films * 1000 + i, title=f"F{i}", runtime=20 + i % 150, vote_count=i, vote_average=6)
            for i in range(films)
        )
        movies = Movie.objects.bulk_create(
            Movie(session=session, title=f"F{i}", year=1950 + i % 70, watched=True, viewing_count=1, film=f)
            for i, f in enumerate(tmdb)
        )
        Viewing.objects.bulk_create(
            Viewing(session=session, movie=m, watched_date=date(2020, 1, 1 + i % 28), tags=["t"])
            for i, m in enumerate(movies)
        )
        with CaptureQueriesContext(connection) as queries:
            stats.dashboard(session)
            stats.dashboard(session, 2020)
        return len(queries)

    # films, diary, facets and the collections' facets, for each page (these films name no person to fetch photos
    # for, and no collection)
    assert queries_for(5) == queries_for(500) == 8
