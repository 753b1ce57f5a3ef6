"""The API answers JSON, always, and a 4xx for what a client got wrong: never a 500, never a page."""

import uuid

import pytest

from sessions_app.importing import import_upload

from .exports import sample_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return import_upload(sample_export().zip_upload())


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "/api/session/{id}/movies/{movie}"), ("post", "/api/upload"), ("post", "/api/session/{id}/reenrich")],
)
def test_json_nested_past_any_depth_is_a_400(client, session, method, path):
    url = path.format(id=session.public_id, movie=session.movies.first().pk)
    response = getattr(client, method)(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - the body is nested too deeply."}


def test_a_lone_surrogate_is_a_400_not_a_500_while_rendering_the_error(client, session):
    url = f"/api/session/{session.public_id}/movies/{session.movies.first().pk}"
    response = client.patch(url, '{"tmdb_id": 603, "media_type": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    assert "lone UTF-16 surrogate" in response.json()["detail"]


NO_ROUTE = "Not found."
NO_SESSION = "No Session matches the given query."


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/api/session/{upper}", NO_ROUTE),
        ("/api/session/{upper}/status", NO_ROUTE),
        ("/api/session/{id}/movies/-1", NO_ROUTE),
        ("/api/session/{id}/movies/x", NO_ROUTE),
        ("/api/nothing-here", NO_ROUTE),
        ("/api/session/{unknown}", NO_SESSION),
    ],
)
def test_an_api_path_that_names_nothing_answers_json_404(client, session, path, detail):
    url = path.format(upper=str(session.public_id).upper(), id=session.public_id, unknown=uuid.uuid4())
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


def test_pages_keep_their_html_404(client):
    response = client.get(f"/s/{uuid.uuid4()}/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
