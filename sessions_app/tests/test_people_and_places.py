"""The sections from TMDB's details: people behind the camera, studios, themes, who directs, where, collections."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from enrichment.matching import MatchStatus
from enrichment.models import Collection, Gender
from sessions_app import stats
from sessions_app.models import Session
from sessions_app.stats.people_and_places import Share
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing
from sessions_app.tests.test_figures import count_links, explorer_count

pytestmark = pytest.mark.django_db

F, M = Gender.FEMALE, Gender.MALE
GENDERS = {"Zhao": F, "Sciamma": F, "Anna": F, "Nolan": M, "Kwan": M, "Scheinert": M, "Mazin": M}  # Ghost: unknown


def a_library_of_details() -> Session:
    """Nine identified films watched: one identified before lbstats read TMDB's details (no crew, studio or
    keyword), a series, films by women, men, a director of unknown gender and nobody; two parts of a collection
    and a film of a collection not fetched yet. Besides them: a watchlist film and an unidentified one."""
    session = make_session()

    def film(title, **fields):
        return make_film(title, genders=GENDERS, **fields)

    a = make_movie(
        session,
        "Nomadland",
        rating=4.5,
        film=film(
            "Nomadland",
            directors=["Zhao"],
            crew=[("Zhao", "Screenplay"), ("Zhao", "Editor"), ("Einaudi", "Original Music Composer")],
            studios=["Searchlight"],
            keywords=["road movie", "grief"],
            countries=["US"],
        ),
    )
    b = make_movie(
        session,
        "Memento",
        rating=4,
        film=film(
            "Memento",
            directors=["Nolan"],
            crew=[
                ("Nolan", "Screenplay"),
                ("Julyan", "Original Music Composer"),
                ("Pfister", "Director of Photography"),
            ],
            studios=["Summit"],
            keywords=["amnesia", "grief"],
            countries=["US"],
        ),
    )
    c = make_movie(
        session,
        "Portrait",
        rating=5,
        film=film(
            "Portrait",
            directors=["Sciamma"],
            crew=[("Sciamma", "Screenplay"), ("Mathon", "Director of Photography")],
            studios=["Lilies"],
            keywords=["painter", "grief"],
            countries=["FR"],
        ),
    )
    make_movie(session, "Identified Long Ago", rating=3, film=film("Old", directors=["Ghost"], countries=["IT"]))
    e = make_movie(
        session,
        "Daniels",
        rating=3.5,
        film=film(
            "Daniels", directors=["Kwan", "Scheinert"], studios=["A24"], keywords=["multiverse"], countries=["US"]
        ),
    )
    f = make_movie(
        session,
        "Chernobyl",
        film=film(
            "Chernobyl",
            media_type="tv",
            directors=["Mazin"],  # a series' creators
            crew=[("Mazin", "Writer")],
            studios=["HBO"],
            keywords=["miniseries"],
            countries=["GB", "US"],
        ),
    )
    saga = (10, "Saga")
    part_one = film("Part One", directors=["Anna", "Ghost"], collection=saga, countries=["FR"])
    part_two = film("Part Two", collection=saga)  # TMDB names no director
    make_movie(session, "Part One", rating=4, film=part_one)
    make_movie(session, "Part Two", film=part_two)
    make_movie(session, "Spin-off", film=film("Spin-off", directors=["Nolan"], collection=(11, "Unfetched Saga")))
    make_movie(session, "Wanted", watched=False, in_watchlist=True, film=film("Wanted", directors=["Zhao"]))
    make_movie(session, "Unknown", match_status=MatchStatus.NOT_FOUND)

    Collection.objects.create(
        tmdb_id=10,
        name="Saga",
        fetched_at=timezone.now(),
        parts=[
            {"id": 999, "title": "Part Zero", "release_date": "1999-01-01", "poster_path": ""},
            {"id": part_one.tmdb_id, "title": "Part One", "release_date": "2001-01-01", "poster_path": ""},
            {"id": part_two.tmdb_id, "title": "Part Two", "release_date": "2003-01-01", "poster_path": ""},
            {"id": 998, "title": "Part Four", "release_date": "2099-01-01", "poster_path": ""},  # announced
        ],
    )
    make_viewing(a, date(2021, 3, 1))
    make_viewing(b, date(2020, 5, 1))
    make_viewing(b, date(2021, 5, 1), rewatch=True)
    make_viewing(c, date(2020, 6, 1))
    make_viewing(e, date(2022, 1, 1))
    make_viewing(f, date(2020, 7, 1))
    return session


def names(ranking: stats.Ranking, rated: bool = False) -> list[tuple[str, int, int]]:
    return [(g.name, g.films, g.viewings) for g in (ranking.highest_rated if rated else ranking.most_watched)]


def test_it_counts_the_identified_films_each_detail_is_missing_for():
    depth = stats.dashboard(a_library_of_details()).people_and_places

    assert depth.identified == 9
    assert depth.without == {
        "keyword": 4,  # the film identified long ago, the two parts and the spin-off
        "writer": 5,
        "composer": 7,
        "cinematographer": 7,
        "editor": 8,
        "studio": 4,
        "country": 2,  # Part Two and the spin-off
    }


def test_it_ranks_writers_composers_cinematographers_editors_and_studios():
    depth = stats.dashboard(a_library_of_details()).people_and_places
    crew = {title: ranking for ranking, title, _ in depth.crew}

    # Memento was watched twice: its people come first among films counted once each
    assert names(crew["Writers"]) == [("Nolan", 1, 2), ("Mazin", 1, 1), ("Sciamma", 1, 1), ("Zhao", 1, 1)]
    assert names(crew["Composers"]) == [("Julyan", 1, 2), ("Einaudi", 1, 1)]
    assert names(crew["Cinematographers"]) == [("Pfister", 1, 2), ("Mathon", 1, 1)]
    assert names(crew["Editors"]) == [("Zhao", 1, 1)]
    assert names(depth.studios) == [
        ("Summit", 1, 2),
        ("A24", 1, 1),
        ("HBO", 1, 1),
        ("Lilies", 1, 1),
        ("Searchlight", 1, 1),
    ]
    assert crew["Writers"].highest_rated == []  # nobody wrote three rated films


def test_it_ranks_keywords_by_films_and_by_bayesian_average():
    keywords = stats.dashboard(a_library_of_details()).people_and_places.keywords

    assert names(keywords)[:2] == [("grief", 3, 4), ("amnesia", 1, 2)]
    # grief: 4.5, 4 and 5 against a library mean of 4.0 (six rated films): (3 × 4.0 + 13.5) / 6
    assert [(g.name, g.score) for g in keywords.highest_rated] == [("grief", 4.25)]


def test_it_counts_films_directed_by_women_apart_from_unknown_genders():
    directed = stats.dashboard(a_library_of_details()).people_and_places.directed

    # women: Nomadland, Portrait, Part One (co-directed with a director of unknown gender);
    # unknown: the film identified long ago (Ghost) and Part Two (no director named)
    assert directed.library == Share(women=3, not_women=4, unknown=2)
    assert directed.library.percent == 42.9
    assert directed.by_year == [
        (2020, Share(women=1, not_women=2, unknown=0)),  # Memento, Portrait, Chernobyl
        (2021, Share(women=1, not_women=1, unknown=0)),  # Nomadland, Memento (again)
        (2022, Share(women=0, not_women=1, unknown=0)),
    ]
    assert directed.percent_by_year == [("2020", 33.3), ("2021", 50.0), ("2022", 0.0)]


def test_it_counts_production_countries_for_the_map():
    countries = stats.dashboard(a_library_of_details()).people_and_places.countries

    assert [(c.key, c.films) for c in countries] == [("US", 4), ("FR", 2), ("GB", 1), ("IT", 1)]


def test_it_counts_the_released_parts_of_each_collection_you_started():
    depth = stats.dashboard(a_library_of_details()).people_and_places

    saga, unfetched = depth.collections
    assert (saga.name, saga.films, saga.seen, saga.released, saga.percent) == ("Saga", 2, 2, 3, 67)
    assert [(p["title"], p["seen"]) for p in saga.parts] == [
        ("Part Zero", False),
        ("Part One", True),
        ("Part Two", True),
    ]  # Part Four is announced, not released
    assert (unfetched.name, unfetched.films, unfetched.released) == ("Unfetched Saga", 1, None)
    assert depth.without_collection == 6


def test_a_collection_counts_only_this_sessions_films_when_another_session_holds_the_same_ones():
    session = a_library_of_details()
    other = make_session()
    for movie in session.movies.exclude(film=None):
        make_movie(other, movie.title, film=movie.film)  # the same TMDB films, in someone else's upload

    saga, unfetched = stats.dashboard(session).people_and_places.collections
    assert (saga.films, saga.seen, unfetched.films) == (2, 2, 1)


def test_every_new_count_on_the_page_lists_exactly_its_films(client, tmdb_double):
    session = a_library_of_details()
    cache.clear()
    base = f"/s/{session.public_id}/"
    checked = set()
    for page in (base, f"{base}?year=2020"):
        for href, figure in count_links(client, page):
            assert explorer_count(client, href) == figure, f"{page}: {href} shows {figure}"
            query = href.split("?", 1)[1]
            assert client.get(f"/api/session/{session.public_id}/movies?{query}").json()["count"] == figure, query
            checked.add(query)
    for expected in (
        "scope=library&missing=keyword",
        "scope=library&writer=Nolan",
        "scope=library&studio=A24",
        "scope=library&keyword=grief",
        "scope=library&directed_by=women",
        "scope=library&directed_by=unknown",
        "scope=diary&watched_in=2020&directed_by=not_women",
        "scope=library&country=FR",
        "scope=library&collection=10",
        "scope=library&missing=collection",
        "scope=library&missing=country",
    ):
        assert expected in checked, expected


def test_the_page_shows_the_new_sections_and_the_countries_not_seen(client, tmdb_double):
    session = a_library_of_details()
    cache.clear()
    page = client.get(f"/s/{session.public_id}/").content.decode()

    for heading in ("Behind the camera", "Themes", "Who directs your films", "Where your films come from"):
        assert heading in page
    assert "Collections you have started" in page
    assert "4 production countries seen; 170 of the map’s countries not yet." in page
    assert "2 of 3 released parts seen" in page
    assert "parts not known yet" in page
    assert '<svg class="chart world-map"' in page


@pytest.mark.parametrize("films", [5, 500])
def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_library(films, django_assert_num_queries):
    session = make_session()
    for i in range(films):
        film = make_film(
            f"Film {i}",
            directors=[f"D{i % 7}"],
            genders={f"D{i % 7}": i % 3},
            crew=[(f"W{i % 5}", "Screenplay")],
            keywords=[f"k{i % 11}"],
            studios=[f"S{i % 4}"],
            collection=(i % 3, f"Collection {i % 3}"),
            countries=["US"],
        )
        movie = make_movie(session, f"Film {i}", rating=3, film=film)
        make_viewing(movie, date(2020, 1, 1) + timedelta(days=i))
    Collection.objects.create(tmdb_id=0, name="Collection 0", fetched_at=timezone.now())

    # films, diary, facets (the map's countries among them), the ranked people's photos, collections and their rows
    with django_assert_num_queries(6):
        stats.dashboard(session)
