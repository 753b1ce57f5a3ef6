"""The staff status page in the admin: who may see it, what it shows, and its retry button."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_q.models import OrmQ
from django_q.tasks import async_task

from ops import status
from sessions_app.models import Session
from sessions_app.tests.factories import make_movie, make_session

pytestmark = pytest.mark.django_db

URL = "/admin/status/"


def test_it_sends_anyone_but_staff_to_the_admin_login(client, django_user_model):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(django_user_model.objects.create_user("visitor", password="x"))
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.post(f"{URL}retry/1/").status_code == 302


def test_it_shows_sessions_enriching_with_progress_and_failures_grouped_by_reason(admin_client):
    now = timezone.now()
    enriching = make_session(
        status=Session.Status.ENRICHING,
        username="alice",
        enrichment_started_at=now - timedelta(seconds=125),
        enrichment_heartbeat=now,
    )
    for title, state in (("Memento", "matched"), ("Heat", "not_found"), ("Ran", "failed"), ("Alien", "pending")):
        make_movie(
            enriching,
            title,
            match_status=state,
            match_error="TMDB is unavailable: /movie/603 failed 6 times, last with HTTP 503."
            if state == "failed"
            else "",
            enriched_at=now - timedelta(minutes=5),
        )
    other = make_session(status=Session.Status.COMPLETED)
    make_movie(
        other,
        "Stalker",
        match_status="failed",
        enriched_at=now - timedelta(minutes=20),
        match_error="TMDB is unavailable: /movie/1398 failed 6 times, last with HTTP 503.",
    )
    make_movie(
        other,
        "Solaris",
        match_status="failed",
        enriched_at=now - timedelta(minutes=1),
        match_error="TMDB is unavailable: /search/movie failed 6 times, last with no answer within 10s.",
    )
    make_movie(
        other,
        "Mirror",
        match_status="failed",
        enriched_at=now - timedelta(hours=2),
        match_error="TMDB is unavailable: /movie/1 failed 6 times, last with HTTP 500.",
    )  # outside the hour

    response = admin_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    rows = response.context["enriching"]
    assert [(r.session.pk, r.settled, r.total, r.percent, round(r.started_age)) for r in rows] == [
        (enriching.pk, 3, 4, 75.0, 125)
    ]
    groups = [(g.reason, sorted(m.title for m in g.films)) for g in response.context["failures"]]
    assert groups == [
        ("TMDB is unavailable: /movie/{id} failed 6 times, last with HTTP 503.", ["Ran", "Stalker"]),
        ("TMDB is unavailable: /search/movie failed 6 times, last with no answer within 10s.", ["Solaris"]),
    ]
    assert response.context["failed_per_session"] == [(enriching.pk, 1), (other.pk, 2)]
    assert "Mirror" not in page and "75.0 %" in page and "3 / 4" in page
    assert "No worker cluster is alive" in page


def test_it_shows_the_queue_and_the_tmdb_rate_in_use_against_the_limit(admin_client, settings):
    settings.TMDB_RATE_LIMIT = 40
    async_task("enrichment.tasks.recover")
    async_task("enrichment.tasks.recover")
    total = status.tmdb_requests_total()
    cache.set(status.RATE_SAMPLES_KEY, [(time.time() - 50, total - 250)])  # 250 requests sent over the last 50 s
    response = admin_client.get(URL)
    page = response.content.decode()
    assert "<strong>2</strong> tasks waiting" in page
    assert response.context["tmdb_rate"] == pytest.approx(5.0, rel=0.02)  # the page itself takes a moment
    assert "Rate in use: <strong>5.0</strong> requests/s of the 40 requests/s allowed" in page


def test_the_retry_button_requeues_the_sessions_failed_and_unmatched_films(
    admin_client, tmdb_double, django_capture_on_commit_callbacks
):
    session = make_session(status=Session.Status.COMPLETED)
    make_movie(session, "Memento", match_status="matched")
    make_movie(session, "Heat", match_status="failed", match_error="boom", enriched_at=timezone.now())
    make_movie(session, "Ran", match_status="not_found")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{URL}retry/{session.pk}/", follow=True)
    assert response.status_code == 200
    assert f"Session {session.pk}: 2 films queued for identification on TMDB." in response.content.decode()
    assert dict(session.movies.values_list("title", "match_status")) == {
        "Memento": "matched",
        "Heat": "pending",
        "Ran": "pending",
    }
    session.refresh_from_db()
    assert session.status == Session.Status.ENRICHING and OrmQ.objects.count() == 1


def test_the_retry_button_only_posts(admin_client):
    session = make_session()
    assert admin_client.get(f"{URL}retry/{session.pk}/").status_code == 405


def test_the_admin_index_links_to_the_status_page(admin_client):
    assert 'href="/admin/status/"' in admin_client.get("/admin/").content.decode()
