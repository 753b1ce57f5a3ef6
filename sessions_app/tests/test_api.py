from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enrichment import services as enrichment
from enrichment.matching import MatchStatus
from enrichment.models import Film
from sessions_app.models import Movie, Session

from .exports import sample_export

pytestmark = pytest.mark.django_db


def upload(client, files: dict[str, bytes]):
    return client.post(
        "/api/upload", {"files": [SimpleUploadedFile(name, data) for name, data in files.items()]}, format="multipart"
    )


@pytest.fixture
def session(client) -> Session:
    response = upload(client, {"export.zip": sample_export().zip_bytes()})
    assert response.status_code == 201, response.content
    return Session.objects.get(public_id=response.json()["session_id"])


def details(tmdb_id: int, title: str, *, genres, directors, cast, countries, language="en", runtime=100) -> dict:
    """A TMDB /movie/{id}?append_to_response=credits answer, trimmed to what the app reads."""
    return {
        "id": tmdb_id,
        "title": title,
        "original_title": title,
        "release_date": "2000-10-11",
        "runtime": runtime,
        "genres": [{"id": i, "name": g} for i, g in genres],
        "original_language": language,
        "production_countries": [{"iso_3166_1": c, "name": c} for c in countries],
        "spoken_languages": [{"iso_639_1": language, "english_name": language}],
        "credits": {
            "cast": [{"id": i, "name": n, "character": "", "order": o} for o, (i, n) in enumerate(cast)],
            "crew": [{"id": i, "name": n, "job": "Director", "department": "Directing"} for i, n in directors],
        },
    }


def identify(movie: Movie, film_details: dict) -> None:
    movie.film = Film.objects.store("movie", film_details)
    movie.match_status = MatchStatus.MATCHED
    movie.save()


def test_it_uploads_a_zip_and_answers_with_the_session(client):
    response = upload(client, {"letterboxd-alice.zip": sample_export().zip_bytes()})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"session_id", "status", "import_phase", "total_movies", "created_at", "warnings"}
    assert body["total_movies"] == 8
    session = Session.objects.get(public_id=body["session_id"])
    assert session.movies.count() == 8 and session.viewings.count() == 6


def test_it_uploads_loose_csvs(client):
    files = {name.split("/")[-1]: data for name, data in sample_export().files().items()}
    response = upload(client, files)
    assert response.status_code == 201
    assert Session.objects.get().movies.count() == 8


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "No file was uploaded"),
        ({"photo.png": b"\x89PNG\r\n"}, "neither a ZIP nor a CSV"),
        ({"watched.csv": b"Title\r\nA\r\n"}, "watched.csv line 1: missing the columns"),
    ],
)
def test_it_answers_bad_uploads_with_400_and_a_message(client, files, message):
    response = upload(client, files)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert Session.objects.count() == 0


def test_it_refuses_a_body_over_the_size_limit_before_reading_it(client, settings):
    settings.UPLOAD_MAX_BYTES = 10
    response = upload(client, {"export.zip": b"PK" + b"\0" * 2_000_000})
    assert response.status_code == 413 and "the limit is 0 MB" in response.json()["detail"]
    assert Session.objects.count() == 0


def test_it_refuses_more_files_than_django_accepts_with_a_message(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    response = upload(client, {f"{i}.csv": b"x" for i in range(5)})
    assert response.status_code == 400 and "Too many files" in response.json()["detail"]


def test_it_shows_a_session_and_its_status(client, session):
    body = client.get(f"/api/session/{session.public_id}").json()
    assert body["session_id"] == str(session.public_id)
    assert body["username"] == "alice" and body["viewing_count"] == 6
    assert body["metadata"]["rows"]["diary.csv"] == 5
    assert body["enrichment"] == {"enabled": False, "message": enrichment.ENRICHMENT_OFF}

    status = client.get(f"/api/session/{session.public_id}/status").json()
    assert status["total_movies"] == 8 and status["enriched_count"] == 0 and status["progress_percent"] == 0
    assert status["match_counts"]["pending"] == 8

    Movie.objects.filter(pk__in=list(session.movies.values_list("pk", flat=True)[:2])).update(match_status="not_found")
    Session.recount(session.pk)  # what the worker's transaction does beside the rows it settles
    status = client.get(f"/api/session/{session.public_id}/status").json()
    assert (status["enriched_count"], status["progress_percent"]) == (2, 25.0)


def test_the_status_endpoint_costs_a_fixed_number_of_queries(client, session, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(f"/api/session/{session.public_id}/status").status_code == 200


def test_it_404s_unknown_and_expired_sessions_and_lists_none(client, session):
    import uuid

    assert client.get(f"/api/session/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/session/not-a-uuid").status_code == 404
    assert client.get("/api/session/").status_code == 404
    assert client.get("/api/sessions").status_code == 404
    Session.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for path in ("", "/status", "/movies", "/viewings"):
        assert client.get(f"/api/session/{session.public_id}{path}").status_code == 404


def test_an_access_pushes_expiry_forward(client, session):
    Session.objects.update(
        last_accessed_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() + timedelta(days=27)
    )
    client.get(f"/api/session/{session.public_id}/status")
    session.refresh_from_db()
    assert session.expires_at > timezone.now() + timedelta(days=29)


def test_it_pages_movies_up_to_500_a_page(client, session):
    body = client.get(f"/api/session/{session.public_id}/movies?per_page=3&ordering=title").json()
    assert body["count"] == 8 and len(body["results"]) == 3 and body["next"] and body["previous"] is None
    assert [m["title"] for m in body["results"]] == ["Infinity Pool", "Leo", "Leo"]
    page3 = client.get(f"/api/session/{session.public_id}/movies?per_page=3&page=3&ordering=title").json()
    assert len(page3["results"]) == 2 and page3["next"] is None
    big = client.get(f"/api/session/{session.public_id}/movies?per_page=100000").json()
    assert len(big["results"]) == 8
    assert client.get(f"/api/session/{session.public_id}/movies?page=99").status_code == 404


def test_each_movie_carries_its_export_and_tmdb_fields(client, session):
    memento = session.movies.get(title="Memento")
    identify(
        memento,
        details(
            77,
            "Memento",
            genres=[(9648, "Mystery"), (53, "Thriller")],
            directors=[(525, "Christopher Nolan")],
            cast=[(529, "Guy Pearce")],
            countries=["US"],
        ),
    )
    results = client.get(f"/api/session/{session.public_id}/movies?per_page=500").json()["results"]
    row = next(r for r in results if r["title"] == "Memento")
    assert row["rating"] == "4.5" and row["liked"] is True and row["viewing_count"] == 3 and row["rewatch_count"] == 2
    assert row["tmdb_id"] == 77 and row["media_type"] == "movie" and row["match_status"] == "matched"
    assert row["genres"] == ["Mystery", "Thriller"] and row["directors"] == [
        {"id": 525, "name": "Christopher Nolan", "profile_path": "", "gender": 0}  # TMDB's: 0, not known
    ]
    assert row["cast"][0]["name"] == "Guy Pearce" and row["runtime"] == 100 and row["original_language"] == "en"
    assert row["countries"] == [{"code": "US", "name": "US"}]
    pending = next(r for r in results if r["title"] == "Léon: The Professional")
    assert pending["tmdb_id"] is None and pending["genres"] is None and pending["match_status"] == "pending"


def test_it_filters_movies_in_the_database(client, session):
    identify(
        session.movies.get(title="Memento"),
        details(
            77,
            "Memento",
            genres=[(9648, "Mystery")],
            directors=[(525, "Christopher Nolan")],
            cast=[(529, "Guy Pearce")],
            countries=["US"],
        ),
    )
    identify(
        session.movies.get(title="Léon: The Professional"),
        details(
            101,
            "Léon",
            genres=[(80, "Crime"), (18, "Drama")],
            directors=[(59, "Luc Besson")],
            cast=[(1019, "Jean Reno"), (524, "Natalie Portman")],
            countries=["FR"],
            language="fr",
        ),
    )
    Movie.objects.filter(title="Infinity Pool").update(match_status="not_found")

    def titles(query: str, ordering: str = "title") -> list[str]:
        response = client.get(f"/api/session/{session.public_id}/movies?{query}&ordering={ordering}")
        assert response.status_code == 200, response.content
        return [m["title"] for m in response.json()["results"]]

    assert titles("genre=crime") == ["Léon: The Professional"]
    assert titles("genre=9648") == ["Memento"]
    assert titles("director=Christopher%20Nolan") == ["Memento"]
    assert titles("actor=natalie%20portman") == ["Léon: The Professional"]
    assert titles("country=FR") == ["Léon: The Professional"]
    assert titles("language=fr") == ["Léon: The Professional"]
    assert titles("decade=1990") == ["Léon: The Professional"]
    assert titles("year=2000") == ["Memento"]
    assert titles("rating=3") == ["Planes, Trains and Automobiles"]
    assert titles("match_status=not_found") == ["Infinity Pool"]
    assert titles("watched=false") == ["Infinity Pool", "Untitled Future Project"]
    assert titles("liked=true") == ["Infinity Pool", "Memento"]
    assert titles("q=impossible") == ["Mission: Impossible – Fallout"]
    assert titles("q=l%C3%A9on") == ["Léon: The Professional"]
    by_rating = titles("watched=true", ordering="-rating")
    assert by_rating[:3] == ["Memento", "Mission: Impossible – Fallout", "Planes, Trains and Automobiles"]
    assert titles("watched=true", ordering="rating")[:3] == [
        "Planes, Trains and Automobiles",
        "Mission: Impossible – Fallout",
        "Memento",
    ]


def test_it_pages_the_diary_with_reviews(client, session):
    body = client.get(f"/api/session/{session.public_id}/viewings?per_page=500").json()
    assert body["count"] == 6
    first = next(v for v in body["results"] if v["entry_uri"] == "https://boxd.it/e1")
    assert first["title"] == "Memento" and first["tags"] == ["nolan", "twisty"]
    assert "Sammy Jankis" in first["review"] and first["rating"] == "3.5"


def test_it_serves_the_openapi_schema_and_the_browsable_api(client, session):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/session/{session_id}/movies" in schema.content
    page = client.get(f"/api/session/{session.public_id}", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"<html" in page.content.lower()


def test_an_upload_of_the_same_export_twice_gives_two_sessions(client):
    data = sample_export().zip_bytes()
    first = upload(client, {"export.zip": data}).json()
    second = upload(client, {"export.zip": data}).json()
    assert first["session_id"] != second["session_id"] and first["total_movies"] == second["total_movies"] == 8
    assert Movie.objects.count() == 16


def test_a_bad_value_is_a_warning_in_the_upload_answer(client):
    export = sample_export()
    export.add("ratings.csv", ["2023-01-01", "Seven", "1995", "https://boxd.it/se7en", "7"])
    body = upload(client, {"export.zip": export.zip_bytes()}).json()
    assert {
        "file": "ratings.csv",
        "line": 5,
        "message": "Rating '7' is not a rating (0.5 to 5 in half stars); left empty.",
    } in body["warnings"]
