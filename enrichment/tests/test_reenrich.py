"""Re-enrichment is idempotent while it works: however many calls (API with and without `all`, the admin
action, the status page's button), a session has its own task chains queued once, identifications are
thrown away once, and a call made meanwhile changes nothing and says so. On PostgreSQL, calls from many
threads at once, with workers storing answers meanwhile, neither deadlock nor answer 500."""

from __future__ import annotations

import math
import threading

import pytest
from django.db import connection
from django.test import Client
from django_q.models import OrmQ

from enrichment import services, worker
from enrichment.tests.helpers import enrich_now, imported
from enrichment.tmdb import reset_client
from enrichment.tmdb.catalogue import letterboxd_rows, synthetic_catalogue
from enrichment.tmdb.double import TmdbDouble
from sessions_app.models import Session

pytestmark = pytest.mark.django_db

ALREADY = "Already re-enriching: the films of this session are being identified on TMDB; nothing was changed."


def state(session: Session) -> tuple:
    """Everything a re-enrichment changes: each film's identification, and the session's status and counts."""
    session.refresh_from_db()
    films = list(session.movies.order_by("id").values_list("id", "match_status", "film_id", "match_attempts"))
    return session.status, session.match_counts(), films


def reenrich(client: Client, session: Session, body: dict):
    return client.post(f"/api/session/{session.public_id}/reenrich", body, content_type="application/json")


@pytest.fixture
def enriched(tmdb_double) -> Session:
    """A settled session: two films identified, one not found."""
    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999), ("Sunday Tapes from Ostrava", 2017)]))
    assert session.status == Session.Status.COMPLETED
    OrmQ.objects.all().delete()  # what the import queued; the calls below are counted from none
    return session


@pytest.mark.parametrize("body", [{}, {"all": True}], ids=["unmatched", "all"])
def test_a_hundred_calls_queue_the_sessions_chains_once_and_the_rest_change_nothing(
    client, settings, enriched, body, django_capture_on_commit_callbacks
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "reenrich": "1000/hour"}
    with django_capture_on_commit_callbacks(execute=True):
        first = reenrich(client, enriched, body)
    assert first.status_code == 202
    expected = "3 films queued" if body else "1 films queued"
    assert first.json()["detail"] == f"{expected} for identification on TMDB."
    after_first = state(enriched)
    assert OrmQ.objects.count() == 1  # one chain: three films fit one claim

    with django_capture_on_commit_callbacks(execute=True):
        answers = [reenrich(client, enriched, body) for _ in range(99)]

    assert {a.status_code for a in answers} == {200}
    assert {a.json()["detail"] for a in answers} == {ALREADY}
    assert {a.json()["status"] for a in answers} == {"enriching"}
    assert state(enriched) == after_first
    assert OrmQ.objects.count() == 1


def test_all_while_a_re_enrichment_runs_does_not_throw_its_identifications_away(
    client, enriched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reenrich(client, enriched, {}).status_code == 202  # the one unmatched film, again
    running = state(enriched)
    assert running[1]["matched"] == 2 and running[1]["pending"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        answer = reenrich(client, enriched, {"all": True})

    assert answer.status_code == 200 and answer.json()["detail"] == ALREADY
    assert state(enriched) == running
    enrich_now(enriched)
    assert enriched.status == Session.Status.COMPLETED
    with django_capture_on_commit_callbacks(execute=True):
        assert reenrich(client, enriched, {"all": True}).status_code == 202  # settled: it starts again
    assert state(enriched)[1]["pending"] == 3


def test_the_admin_action_and_the_status_page_button_say_a_session_is_already_enriching(
    admin_client, enriched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/sessions_app/session/", {"action": "reenrich_all", "_selected_action": [enriched.pk]}, follow=True
        )
        running = state(enriched)
        again = admin_client.post(
            "/admin/sessions_app/session/", {"action": "reenrich_all", "_selected_action": [enriched.pk]}, follow=True
        )
        button = admin_client.post(f"/admin/status/retry/{enriched.pk}/", follow=True)

    assert "0 films queued for identification on TMDB. 1 sessions were already enriching" in again.content.decode()
    assert f"Session {enriched.pk}: {ALREADY}" in button.content.decode()
    assert state(enriched) == running
    assert OrmQ.objects.count() == 1


def test_a_session_still_importing_is_not_re_enriched(client, tmdb_double):
    session = imported([("Memento", 2000)])  # its commit's enqueue never ran: still processing
    answer = reenrich(client, session, {"all": True})
    assert answer.status_code == 200
    assert answer.json()["detail"] == "This upload is still being imported; nothing was changed."
    session.refresh_from_db()
    assert session.status == Session.Status.PROCESSING and OrmQ.objects.count() == 0


def call_from_threads(session: Session, threads: int, calls: int, alongside=None) -> list[int]:
    """`calls` re-enrichments from each of `threads` threads released at once (each with its own database
    connection), with `alongside` run in one more thread meanwhile; the statuses answered."""
    statuses: list[int] = []
    lock = threading.Lock()
    go = threading.Barrier(threads + (alongside is not None))

    def call(body: dict) -> None:
        try:
            go.wait()
            for _ in range(calls):
                code = reenrich(Client(), session, body).status_code
                with lock:
                    statuses.append(code)
        finally:
            connection.close()

    def beside() -> None:
        try:
            go.wait()
            alongside()
        finally:
            connection.close()

    running = [threading.Thread(target=call, args=({"all": i % 2 == 0},)) for i in range(threads)]
    if alongside is not None:
        running.append(threading.Thread(target=beside))
    for t in running:
        t.start()
    for t in running:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in running)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_and_workers_on_postgresql_neither_deadlock_nor_queue_twice(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL's row locks (SQLite serialises writers)")
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "reenrich": "10000/hour"}
    catalogue = synthetic_catalogue(120, seed=5)
    with TmdbDouble(catalogue) as double:
        settings.TMDB_API_URL = double.url
        settings.TMDB_READ_TOKEN = double.config.read_token
        reset_client()
        session = imported(letterboxd_rows(catalogue))  # committed: its chains are queued
        OrmQ.objects.all().delete()

        def work() -> None:
            while worker.run(session.pk, budget=2):
                pass

        work()
        session.refresh_from_db()
        assert session.status == Session.Status.COMPLETED

        statuses = call_from_threads(session, threads=8, calls=10)
        assert len(statuses) == 80 and sorted(statuses) == [200] * 79 + [202]
        pending = session.match_counts()["pending"]  # all 120 films, or the unmatched, as the winning call asked
        chains = max(1, min(services.CHAINS_PER_SESSION, math.ceil(pending / worker.CLAIM_BATCH)))
        assert OrmQ.objects.count() == chains  # queued once, by the one call that started

        # the same calls while a worker stores its answers: no deadlock, no 500, counts still exact
        statuses = call_from_threads(session, threads=8, calls=10, alongside=work)
        reset_client()

    assert len(statuses) == 80 and set(statuses) <= {200, 202}, sorted(set(statuses))
    session.refresh_from_db()
    assert session.match_counts() == session.counted_rows()
