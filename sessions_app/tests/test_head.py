"""HEAD answers every HTML page as GET does, without a body (link checkers and monitors send it)."""

import pytest

from sessions_app.importing import import_upload

from .exports import sample_export

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/about/",
    "/s/{id}/",
    "/s/{id}/progress/",
    "/s/{id}/films/",
    "/s/{id}/films/{movie}/",
    "/s/{id}/people/director/",
    "/s/{id}/unmatched/",
]


@pytest.mark.parametrize("path", PAGES)
def test_head_answers_a_page_like_get_without_the_body(client, path):
    session = import_upload(sample_export().zip_upload())
    url = path.format(id=session.public_id, movie=session.movies.first().pk)
    got, head = client.get(url), client.head(url)
    assert (head.status_code, got.status_code) == (200, 200)
    assert head["Content-Type"] == got["Content-Type"] and head.content == b""
