"""What a details answer adds for the deeper statistics, and collections fetched once: export → worker → the TMDB double."""

from importlib import import_module

import pytest
from django.apps import apps

from enrichment import services, worker
from enrichment.models import Collection, DirectedBy, Film, FilmFacet, Gender
from enrichment.tmdb.catalogue import keyword_id, person_id
from sessions_app import stats
from sessions_app.models import Session
from sessions_app.tests.factories import make_film, make_movie, make_session

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db
Kind = FilmFacet.Kind


def facets(session: Session, title: str, kind: str) -> list[tuple[str, str, int]]:
    film = session.movies.get(title=title).film
    assert film is not None, title
    return sorted(film.facets.filter(kind=kind).values_list("key", "name", "gender"))


def test_a_film_keeps_its_keywords_crew_studios_and_directors_gender_from_one_details_request(tmdb_double):
    session = enrich_now(imported([("Memento", 2000), ("Nomadland", 2020)]))

    assert tmdb_double.stats()["by_kind"] == {"search_movie": 3, "movie": 2}  # Nomadland: a second search by year
    assert facets(session, "Memento", Kind.KEYWORD) == [
        (str(keyword_id("amnesia")), "amnesia", 0),
        (str(keyword_id("nonlinear timeline")), "nonlinear timeline", 0),
    ]
    assert sorted(name for _, name, _ in facets(session, "Memento", Kind.STUDIO)) == [
        "Newmarket Films",
        "Summit Entertainment",
    ]
    # Christopher Nolan directs and writes Memento: one director row and one writer row, each with his gender
    nolan = (str(person_id("Christopher Nolan")), "Christopher Nolan", Gender.MALE)
    assert facets(session, "Memento", Kind.DIRECTOR) == [nolan]
    assert facets(session, "Memento", Kind.WRITER) == [nolan]
    # Chloé Zhao directs, writes and edits Nomadland
    zhao = (str(person_id("Chloé Zhao")), "Chloé Zhao", Gender.FEMALE)
    assert facets(session, "Nomadland", Kind.DIRECTOR) == facets(session, "Nomadland", Kind.EDITOR) == [zhao]
    assert session.movies.get(title="Nomadland").film.directors[0]["gender"] == Gender.FEMALE
    assert facets(session, "Nomadland", Kind.COLLECTION) == []
    # who directed each, kept on the film from the same answer
    assert dict(session.movies.values_list("title", "film__directed_by")) == {
        "Memento": DirectedBy.NOT_WOMEN,
        "Nomadland": DirectedBy.WOMEN,
    }


def test_a_series_keywords_come_from_results_and_an_unknown_gender_stays_unknown(tmdb_double):
    session = enrich_now(imported([("Chernobyl", 2019), ("Fight Club", 1999)]))

    assert [name for _, name, _ in facets(session, "Chernobyl", Kind.KEYWORD)] == ["miniseries", "nuclear disaster"]
    assert [name for _, name, _ in facets(session, "Chernobyl", Kind.WRITER)] == ["Craig Mazin"]
    # Fight Club's screenwriter Jim Uhls has no gender in the catalogue, as TMDB leaves many crew members;
    # Chuck Palahniuk wrote the novel, which is no writing credit of the film
    assert facets(session, "Fight Club", Kind.WRITER) == [(str(person_id("Jim Uhls")), "Jim Uhls", Gender.UNKNOWN)]


def test_a_series_keeps_the_type_tmdb_gives_it_from_the_same_details_request(tmdb_double):
    session = enrich_now(imported([("Chernobyl", 2019), ("Love, Death & Robots", 2019), ("Memento", 2000)]))

    assert {m.title: m.film.tv_type for m in session.movies.select_related("film")} == {
        "Chernobyl": "Miniseries",
        "Love, Death & Robots": "Scripted",
        "Memento": "",  # a movie has no tv type
    }
    assert tmdb_double.stats()["by_kind"]["tv"] == 2  # one details request per series, as before


def test_collections_are_fetched_after_the_films_once_system_wide(tmdb_double):
    first = enrich_now(imported([("Mission: Impossible \u2013 Dead Reckoning Part One", 2023), ("Memento", 2000)]))

    assert first.status == Session.Status.COMPLETED
    assert tmdb_double.stats()["by_kind"]["collection"] == 1
    collection = Collection.objects.get()
    assert (collection.tmdb_id, collection.name, len(collection.parts)) == (87359, "Mission: Impossible Collection", 8)
    assert [p["title"] for p in collection.parts][:2] == ["Mission: Impossible", "Mission: Impossible II"]

    tmdb_double.reset()
    second = enrich_now(imported([("Mission: Impossible \u2013 Dead Reckoning Part One", 2023)], uri_prefix="x/"))
    assert second.status == Session.Status.COMPLETED
    assert tmdb_double.stats()["by_kind"].get("collection", 0) == 0  # known already: not asked again


def test_a_collection_tmdb_fails_on_is_left_for_the_next_run_to_fetch(tmdb_double):
    session = make_session()
    make_movie(session, "Dead Reckoning", film=make_film(collection=(87359, "Mission: Impossible Collection")))
    tmdb_double.configure(fault_rate=1.0, faults=("500",))

    assert worker.fetch_collections(session) == 0
    collection = Collection.objects.get()
    assert (collection.fetched_at, collection.claimed_until, collection.parts) == (None, None, [])
    tmdb_double.configure(fault_rate=0.0)
    assert worker.fetch_collections(session) == 1
    assert worker.fetch_collections(session) == 0  # fetched: never asked again
    assert tmdb_double.stats()["by_kind"]["collection"] == 7  # the first try and its 5 retries, then the answer


def test_re_enriching_a_film_identified_before_details_were_read_fills_them_in(tmdb_double):
    session = enrich_now(imported([("Memento", 2000)]))
    film = session.movies.get().film
    assert film is not None
    film.facets.filter(kind__in=[Kind.KEYWORD, Kind.WRITER, Kind.STUDIO]).delete()  # as stored before
    import_module("enrichment.migrations.0012_film_facet_kinds").note_kinds(apps, None)  # and migrated
    assert stats.dashboard(session).people_and_places.without["keyword"] == 1

    services.reenrich(session, everything=True, enqueue=False)
    enrich_now(session)

    assert [name for _, name, _ in facets(session, "Memento", Kind.KEYWORD)] == ["amnesia", "nonlinear timeline"]
    # the catalogue's Memento names no composer, cinematographer or editor
    assert stats.dashboard(session).people_and_places.without == {
        "keyword": 0,
        "writer": 0,
        "composer": 1,
        "cinematographer": 1,
        "editor": 1,
        "studio": 0,
        "country": 0,
    }


def test_the_migration_gives_every_film_stored_before_it_its_directors_category():
    categorise = import_module("enrichment.migrations.0010_film_directed_by").categorise
    stored = {
        "Portrait of a Lady on Fire": [{"id": 1, "name": "Céline Sciamma", "gender": Gender.FEMALE}],
        "Everything Everywhere All at Once": [
            {"id": 2, "name": "Daniel Kwan", "gender": Gender.MALE},
            {"id": 3, "name": "Daniel Scheinert", "gender": Gender.MALE},
        ],
        "A film whose director TMDB gives no gender": [
            {"id": 4, "name": "Someone", "gender": Gender.UNKNOWN},
            {"id": 2, "name": "Daniel Kwan", "gender": Gender.MALE},
        ],
        "A film naming no director": [],
    }
    for i, (title, directors) in enumerate(stored.items()):
        Film.objects.create(tmdb_id=i + 1, title=title, directors=directors)  # as stored before the column

    categorise(apps, None)
    assert dict(Film.objects.values_list("title", "directed_by")) == {
        "Portrait of a Lady on Fire": DirectedBy.WOMEN,
        "Everything Everywhere All at Once": DirectedBy.NOT_WOMEN,
        "A film whose director TMDB gives no gender": DirectedBy.UNKNOWN,
        "A film naming no director": DirectedBy.UNKNOWN,
    }
