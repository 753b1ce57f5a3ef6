"""/metrics: exact counts after known requests against the TMDB double, state read at scrape time,
access control, and labels that never carry a secret or an id."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from enrichment.tmdb import TmdbNotFound, TmdbUnavailable, get_client, reset_client
from enrichment.tmdb.catalogue import HARD_CASES
from sessions_app.models import Session
from sessions_app.tests.factories import make_session

from .helpers import changes, enrich, export_of, scrape, upload, value

pytestmark = pytest.mark.django_db

REQUESTS = "lbstats_tmdb_requests_total"
CACHE = "lbstats_tmdb_cache_lookups_total"
VERDICTS = "lbstats_films_identified_total"


def test_it_counts_tmdb_requests_by_endpoint_template_and_outcome_and_cache_hits_and_misses(
    client, tmdb_double, settings
):
    settings.TMDB_MAX_RETRIES = 2
    settings.TMDB_TIMEOUT = 0.3
    reset_client()
    tmdb = get_client()
    before = scrape(client)

    tmdb_double.configure(fault_rate=1.0, faults=("503",))
    with pytest.raises(TmdbUnavailable):
        tmdb.details("movie", 77)  # three attempts, each a 503
    tmdb_double.configure(faults=("stall",), stall_seconds=1.0)
    with pytest.raises(TmdbUnavailable):
        tmdb.search_movie("Memento", year=2000)  # three attempts, none answered in time
    tmdb_double.configure(faults=("drop",))
    with pytest.raises(TmdbUnavailable):
        tmdb.details("tv", 1396)  # three attempts, each connection closed unanswered
    tmdb_double.configure(fault_rate=0.0, rate_limit=1)
    tmdb.details("movie", 77)  # 200, and stored in the cache
    tmdb.details("movie", 550)  # a second request within the second: 429, then 200 after Retry-After
    tmdb_double.configure(rate_limit=0)
    with pytest.raises(TmdbNotFound):
        tmdb.details("movie", 999999)  # 404
    tmdb.details("movie", 77)  # from the cache: no request
    after = scrape(client)

    assert changes(before, after, REQUESTS) == {
        ("/movie/{id}", "5xx"): 3,
        ("/search/movie", "timeout"): 3,
        ("/tv/{id}", "connection_error"): 3,
        ("/movie/{id}", "200"): 2,
        ("/movie/{id}", "429"): 1,
        ("/movie/{id}", "404"): 1,
    }
    assert changes(before, after, CACHE) == {("miss",): 13, ("hit",): 1}
    # the double saw exactly the requests counted (a stalled or dropped one is recorded as status 0)
    assert tmdb_double.stats()["statuses"] == {"503": 3, "0": 6, "200": 2, "429": 1, "404": 1}


def test_it_counts_films_by_verdict_and_source_with_the_seconds_each_took_and_the_import(
    client, tmdb_double, django_capture_on_commit_callbacks
):
    rows = [(title, year) for title, year, *_ in HARD_CASES]
    before = scrape(client)
    enrich(
        upload(client, export_of(rows, diary=True), django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    first = scrape(client)
    # the same export again: every film identified from memory, with no request and no lookup time
    enrich(upload(client, export_of(rows), django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    second = scrape(client)

    assert changes(before, first, VERDICTS) == {
        ("tmdb", "matched"): 22,
        ("tmdb", "ambiguous"): 3,
        ("tmdb", "not_found"): 3,
    }
    assert changes(before, first, "lbstats_enrichment_film_seconds_count") == {(): 28}
    assert changes(first, second, VERDICTS) == {
        ("memory", "matched"): 22,
        ("memory", "ambiguous"): 3,
        ("memory", "not_found"): 3,
    }
    assert changes(first, second, "lbstats_enrichment_film_seconds_count") == {}
    assert changes(first, second, REQUESTS) == {}
    assert changes(before, second, "lbstats_import_seconds_count") == {(): 2}
    assert changes(before, second, "lbstats_import_rows_total") == {("diary",): 28, ("films",): 56}


def test_it_reads_sessions_by_status_queue_depth_and_the_oldest_task_age_at_scrape_time(client):
    for status, count in (("processing", 1), ("enriching", 2), ("completed", 3)):
        for _ in range(count):
            make_session(status=status)
    broker = get_broker()
    for age in (90, 30):  # queued 90 s and 30 s ago, as django-q2 stamps a task when it is enqueued
        broker.enqueue(
            SignedPackage.dumps(
                {
                    "id": f"task-{age}",
                    "func": "enrichment.tasks.recover",
                    "args": (),
                    "kwargs": {},
                    "started": timezone.now() - timedelta(seconds=age),
                }
            )
        )
    samples = scrape(client)

    assert {status: value(samples, "lbstats_sessions", status=status) for status in Session.Status.values} == {
        "processing": 1,
        "enriching": 2,
        "completed": 3,
        "failed": 0,
    }
    assert value(samples, "lbstats_queue_depth") == 2
    assert 90 <= value(samples, "lbstats_queue_oldest_task_age_seconds") < 100
    assert value(samples, "lbstats_worker_clusters") == 0
    assert value(samples, "lbstats_tmdb_rate_limit_requests_per_second") == 40
    assert {value(samples, "lbstats_state_up", part=part) for part in ("sessions", "queue", "workers")} == {1}


def test_it_serves_metrics_only_to_allowed_addresses_or_with_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.0.0.0/8"]
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 403 and b"lbstats_" not in refused.content
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
    )
    settings.METRICS_TOKEN = ""  # no token configured: no header opens it, not even an empty one
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_no_metric_label_holds_a_secret_an_id_or_a_query_string(
    client, tmdb_double, settings, django_capture_on_commit_callbacks
):
    settings.TMDB_READ_TOKEN = ""  # the v3 key travels in the query string: the riskier case
    reset_client()
    session = upload(
        client,
        export_of([("Memento", 2000), ("Chernobyl", 2019), ("Sunday Tapes from Ostrava", 2017)]),
        django_capture_on_commit_callbacks,
    )
    enrich(session, django_capture_on_commit_callbacks)
    client.get(f"/api/session/{session.public_id}/status")
    text = client.get("/metrics").content.decode()
    samples = scrape(client)

    for secret in (
        tmdb_double.config.api_key,
        tmdb_double.config.read_token,
        settings.SECRET_KEY,
        str(session.public_id),
    ):
        assert secret not in text
    endpoints = {dict(labels)["endpoint"] for (name, labels) in samples if name == REQUESTS}
    assert endpoints <= {"/search/movie", "/search/tv", "/movie/{id}", "/tv/{id}", "/collection/{id}", "/configuration"}
    assert {"/search/movie", "/movie/{id}"} <= endpoints
    routes = {dict(labels)["route"] for (name, labels) in samples if name == "lbstats_http_requests_total"}
    assert "/api/session/<uuid:session_id>/status" in routes and "/api/upload" in routes
    assert all("?" not in label and "=" not in label for (_, labels) in samples for _, label in labels)
