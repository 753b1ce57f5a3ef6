"""Enrichment under faults: TMDB failing a fifth of its answers, and the database going away mid-run."""

import threading
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from enrichment import services, worker
from enrichment.tests.helpers import enrich_now, imported
from enrichment.tmdb import reset_client
from enrichment.tmdb.catalogue import HARD_CASES, letterboxd_rows, synthetic_catalogue
from enrichment.tmdb.double import TmdbDouble
from sessions_app.models import Movie, Session

SETTLED = {"matched", "not_found", "ambiguous", "failed"}


@pytest.mark.django_db
def test_twenty_percent_faults_settle_every_film_and_the_schedule_retries_the_failed(tmdb_double, settings):
    settings.TMDB_TIMEOUT = 0.5
    settings.TMDB_MAX_RETRIES = 0  # every fault costs the film its attempt: failures are certain to show
    reset_client()
    tmdb_double.configure(fault_rate=0.2, faults=("500", "503", "drop", "stall", "truncate"), stall_seconds=1.0)
    rows = [(title, year) for title, year, *_ in HARD_CASES]
    session = enrich_now(imported(rows))

    assert session.status == Session.Status.COMPLETED  # failed films do not block completion
    statuses = list(session.movies.values_list("match_status", "match_error", "match_attempts"))
    assert {status for status, _, _ in statuses} <= SETTLED
    failed = [(error, attempts) for status, error, attempts in statuses if status == "failed"]
    assert failed and all(error and attempts == 1 for error, attempts in failed)
    assert any("timed out" in error or "connection" in error.lower() or "50" in error for error, _ in failed)

    # TMDB recovers; later, the schedule's sweep puts failed films back in the queue
    tmdb_double.configure(fault_rate=0.0)
    Movie.objects.filter(session=session, match_status="failed").update(
        enriched_at=timezone.now() - services.FAILED_RETRY_AFTER * 2
    )
    assert services.recover()["retried"] == len(failed)
    session = enrich_now(session)
    expected = {(t, y): status for t, y, status, *_ in HARD_CASES}
    for movie in session.movies.all():
        assert movie.match_status == expected[(movie.title, movie.year)], movie.title


@pytest.mark.django_db(transaction=True)
def test_the_database_going_away_mid_run_costs_a_pause_not_the_session(tmdb_double, settings):
    if connection.vendor != "postgresql":
        pytest.skip("cutting live connections needs a database server (PostgreSQL)")
    catalogue = synthetic_catalogue(80, seed=4)
    with TmdbDouble(catalogue, latency=0.03) as double:
        settings.TMDB_API_URL = double.url
        settings.TMDB_READ_TOKEN = double.config.read_token
        reset_client()
        session = imported(letterboxd_rows(catalogue))
        services.start(session, enqueue=False)
        db = connection.settings_dict
        dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
        cut = []

        def cut_connections() -> None:
            time.sleep(0.8)
            with psycopg.connect(dsn, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
            cut.append(len(killed))

        cutter = threading.Thread(target=cut_connections)
        cutter.start()
        while worker.run(session.pk, budget=10):
            pass
        cutter.join()
        fetches = double.movie_fetches()
    assert cut and cut[0] >= 1
    session.refresh_from_db()
    progress = session.progress()
    assert session.status == "completed" and progress["match_counts"]["matched"] == 80
    assert len(fetches) == 80
