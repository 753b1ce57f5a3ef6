"""A correction made by hand waits for TMDB (the film's details) inside the request: when TMDB is slow the
person gets a clear answer within TMDB_INTERACTIVE_TIMEOUT, not a page that hangs for the worker's 10 s and
its retries. TMDB here is the double, answering 5 s late over a real socket."""

import time
from urllib.parse import urlsplit

import pytest
from django.test import Client

from enrichment import services as enrichment
from enrichment.matching import MatchStatus
from sessions_app.admin import MovieCorrectionForm
from sessions_app.models import Movie

from .factories import make_movie, make_session

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
TOO_SLOW = "TMDB did not answer within 0.5 s; try again in a moment."


@pytest.fixture
def slow_tmdb(tmdb_double, settings):
    settings.TMDB_INTERACTIVE_TIMEOUT = 0.5
    enrichment.image_base()  # known before TMDB slows down (every page's CSP names it); its own test is below
    tmdb_double.configure(latency=5.0)
    return tmdb_double


@pytest.fixture
def movie() -> Movie:
    return make_movie(make_session(), "Suspiria (remake)", year=2018, match_status=MatchStatus.NOT_FOUND)


def unchanged(movie: Movie) -> bool:
    movie.refresh_from_db()
    return movie.match_status == MatchStatus.NOT_FOUND and movie.film is None


def test_a_patch_answers_504_with_the_bound_when_tmdb_is_slow(client: Client, slow_tmdb, movie):
    started = time.monotonic()
    response = client.patch(
        f"/api/session/{movie.session.public_id}/movies/{movie.pk}",
        {"tmdb_id": 361292, "media_type": "movie"},
        content_type="application/json",
    )
    took = time.monotonic() - started

    assert response.status_code == 504 and response.json() == {"detail": TOO_SLOW}
    assert took < 3.0, took  # the double answers after 5 s (and the worker would wait 2 s a try, 5 retries)
    assert unchanged(movie)


def test_the_same_patch_succeeds_once_tmdb_answers_in_time(client: Client, slow_tmdb, movie):
    slow_tmdb.configure(latency=0.0)
    response = client.patch(
        f"/api/session/{movie.session.public_id}/movies/{movie.pk}",
        {"tmdb_id": 361292, "media_type": "movie"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["match_status"] == MatchStatus.MANUAL


def test_the_unmatched_page_says_tmdb_was_too_slow_in_the_film_and_on_the_page(client: Client, slow_tmdb, movie):
    url = f"/s/{movie.session.public_id}/unmatched/"

    started = time.monotonic()
    in_place = client.post(url, {"movie": movie.pk, "candidate": "movie/361292"}, headers=HX)
    whole_page = client.post(url, {"movie": movie.pk, "tmdb": "361292"})
    took = time.monotonic() - started

    assert in_place.status_code == whole_page.status_code == 504
    assert TOO_SLOW in in_place.content.decode() and TOO_SLOW in whole_page.content.decode()
    assert took < 5.0, took  # two corrections, each bounded at 0.5 s
    assert unchanged(movie)


def test_the_admin_says_tmdb_was_too_slow(admin_client, slow_tmdb, movie):
    form = MovieCorrectionForm(instance=movie)
    data = {name: field.widget.format_value(form.initial.get(name)) for name, field in form.fields.items()}
    data.update(manual_tmdb_id="361292", manual_media_type="movie", watched="on")
    data = {k: v for k, v in data.items() if v not in (None, "", False)}

    started = time.monotonic()
    response = admin_client.post(f"/admin/sessions_app/movie/{movie.pk}/change/", data, follow=True)
    took = time.monotonic() - started

    assert response.status_code == 200 and TOO_SLOW in response.content.decode()
    assert took < 3.0, took
    assert unchanged(movie)


def test_a_page_does_not_wait_past_the_bound_for_the_image_base_its_csp_names(client: Client, tmdb_double, settings):
    settings.TMDB_INTERACTIVE_TIMEOUT = 0.5
    tmdb_double.configure(latency=5.0)

    started = time.monotonic()
    response = client.get("/about/")
    took = time.monotonic() - started

    assert response.status_code == 200
    fallback_host = urlsplit(settings.TMDB_IMAGE_BASE_URL).netloc  # the setting's, TMDB's being unknown
    assert fallback_host and fallback_host in response["Content-Security-Policy"]
    assert took < 3.0, took
