"""Downloads: the enriched library as CSV and JSON, exact, streamed in batches, with no secret in them."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrichment.matching import MatchStatus
from sessions_app import downloads
from sessions_app.models import Movie
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db


def build_library():
    session = make_session(username="alice")
    heat = make_film(
        "Heat",
        genres=["Crime", "Drama"],
        directors=["Michael Mann"],
        cast=["Al Pacino", "Robert De Niro"],
        countries=["US"],
        languages=["en", "es"],
        tmdb_id=949,
        original_title="Heat",
        release_date=date(1995, 12, 15),
        runtime=170,
        original_language="en",
        imdb_id="tt0113277",
        poster_path="/heat.jpg",
        vote_average=7.9,
        vote_count=7000,
    )
    movie = make_movie(
        session, "Heat", year=1995, letterboxd_uri="https://boxd.it/heat", rating=4.5, liked=True, film=heat
    )
    make_viewing(movie, date(2020, 3, 1), rating=4, tags=["cinema", "35mm"], review='Long, "tense", and\nperfect.')
    make_viewing(movie, date(2021, 3, 1), rating=4.5, rewatch=True, entry_uri="https://boxd.it/e2")
    make_movie(
        session,
        "Lost Reel",
        year=1931,
        watched=False,
        in_watchlist=True,
        watchlist_date=date(2022, 1, 2),
        match_status=MatchStatus.NOT_FOUND,
    )
    return session


def body(response) -> str:
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def get(client, session, name):
    return client.get(f"/api/session/{session.public_id}/download/{name}")


def test_films_csv_holds_every_film_with_its_export_and_tmdb_fields(client):
    session = build_library()

    response = get(client, session, "films.csv")
    rows = list(csv.DictReader(io.StringIO(body(response))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lbstats-alice-films.csv"'
    assert list(rows[0]) == downloads.FILM_COLUMNS
    heat, lost = rows
    assert {k: heat[k] for k in ("title", "year", "letterboxd_uri", "rating", "liked", "viewing_count")} == {
        "title": "Heat",
        "year": "1995",
        "letterboxd_uri": "https://boxd.it/heat",
        "rating": "4.5",
        "liked": "True",
        "viewing_count": "2",
    }
    assert (heat["first_watched"], heat["last_watched"], heat["rewatch_count"]) == ("2020-03-01", "2021-03-01", "1")
    assert {k: heat[k] for k in downloads.TMDB_FIELDS} == {
        "tmdb_id": "949",
        "media_type": "movie",
        "tmdb_title": "Heat",
        "original_title": "Heat",
        "release_date": "1995-12-15",
        "runtime": "170",
        "genres": "Crime; Drama",
        "directors": "Michael Mann",
        "cast": "Al Pacino; Robert De Niro",
        "production_countries": "US",
        "spoken_languages": "en; es",
        "original_language": "en",
        "imdb_id": "tt0113277",
        "poster_path": "/heat.jpg",
        "vote_average": "7.9",
        "vote_count": "7000",
        "popularity": "",
        "budget": "",
        "revenue": "",
    }
    assert (lost["title"], lost["watched"], lost["in_watchlist"], lost["watchlist_date"]) == (
        "Lost Reel",
        "False",
        "True",
        "2022-01-02",
    )
    assert lost["match_status"] == "not_found"
    assert all(lost[k] == "" for k in downloads.TMDB_FIELDS)


def test_diary_csv_holds_every_entry_and_parses_back_with_its_review_intact(client):
    session = build_library()

    rows = list(csv.DictReader(io.StringIO(body(get(client, session, "diary.csv")))))

    assert [(r["title"], r["watched_date"], r["rating"], r["rewatch"]) for r in rows] == [
        ("Heat", "2020-03-01", "4.0", "False"),
        ("Heat", "2021-03-01", "4.5", "True"),
    ]
    assert rows[0]["review"] == 'Long, "tense", and\nperfect.' and rows[0]["tags"] == "cinema; 35mm"
    assert rows[1]["entry_uri"] == "https://boxd.it/e2"
    assert {r["film_id"] for r in rows} == {str(Movie.objects.get(title="Heat").pk)}


def test_library_json_holds_every_film_with_its_diary(client):
    session = build_library()

    response = get(client, session, "library.json")
    data = json.loads(body(response))

    assert response["Content-Type"] == "application/json"
    assert data["username"] == "alice"
    heat, lost = data["films"]
    assert (heat["title"], heat["rating"], heat["genres"], heat["cast"]) == (
        "Heat",
        4.5,
        ["Crime", "Drama"],
        ["Al Pacino", "Robert De Niro"],
    )
    assert heat["diary"] == [
        {
            "entry_uri": "",
            "watched_date": "2020-03-01",
            "logged_date": "2020-03-01",
            "rating": 4.0,
            "rewatch": False,
            "tags": ["cinema", "35mm"],
            "review": 'Long, "tense", and\nperfect.',
        },
        {
            "entry_uri": "https://boxd.it/e2",
            "watched_date": "2021-03-01",
            "logged_date": "2021-03-01",
            "rating": 4.5,
            "rewatch": True,
            "tags": [],
            "review": "",
        },
    ]
    assert lost["diary"] == [] and all(lost[k] is None for k in downloads.TMDB_FIELDS)


def test_an_empty_library_is_still_a_valid_file(client):
    session = make_session()

    assert json.loads(body(get(client, session, "library.json"))) == {"username": "", "films": []}
    assert body(get(client, session, "films.csv")) == ",".join(downloads.FILM_COLUMNS) + "\r\n"


def test_a_large_library_is_read_in_batches_not_at_once(client):
    session = make_session()
    Movie.objects.bulk_create(Movie(session=session, title=f"Film {i}", watched=True) for i in range(1001))

    with CaptureQueriesContext(connection) as queries:
        rows = list(csv.DictReader(io.StringIO(body(get(client, session, "films.csv")))))
        films = json.loads(body(get(client, session, "library.json")))["films"]

    assert len(rows) == len(films) == 1001
    batches = [q["sql"] for q in queries if f"LIMIT {downloads.BATCH}" in q["sql"]]
    assert len(batches) == 2 * 4  # per file: 500, 500, 1, then an empty batch that ends it


def test_no_secret_and_no_session_address_is_in_a_download(client, tmdb_double, settings):
    session = build_library()

    everything = "".join(body(get(client, session, name)) for name in downloads_names())

    for secret in (settings.SECRET_KEY, tmdb_double.config.read_token, tmdb_double.config.api_key):
        assert secret not in everything
    assert str(session.public_id) not in everything


def downloads_names():
    return ["films.csv", "diary.csv", "library.json"]


def test_the_dashboard_links_every_download(client):
    session = build_library()

    page = client.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()

    for name in downloads_names():
        assert f"/api/session/{session.public_id}/download/{name}" in page
    assert f"/api/session/{session.public_id}/stats" in page


def test_an_unknown_session_has_nothing_to_download(client):
    response = client.get(
        "/api/session/00000000-0000-4000-8000-000000000000/download/films.csv", HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 404 and "detail" in response.json()
