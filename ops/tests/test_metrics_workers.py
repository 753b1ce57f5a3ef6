"""Counters stay exact with several worker processes: two `manage.py qcluster` processes enrich against
the TMDB double (which answers some requests 429), and /metrics in this process sums what both counted.
Needs PostgreSQL (the workers share this test's database); skipped, with the reason, on SQLite."""

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.multiprocess import MultiProcessCollector

from enrichment.tmdb_catalogue import letterboxd_rows, synthetic_catalogue
from enrichment.tmdb_double import TmdbDouble
from lbstats.metrics import endpoint, tmdb_outcome
from sessions_app.models import Session

from .helpers import changes, export_of, scrape, upload

ROOT = Path(__file__).resolve().parents[2]
FILMS = 120  # over 50 pending films, a session is given two task chains: work for both workers
KIND_ENDPOINTS = {"search_movie": "/search/movie", "movie": "/movie/{id}", "search_tv": "/search/tv", "tv": "/tv/{id}"}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_env(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared database server (run with DATABASE_URL=postgres://...)")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    settings.PROMETHEUS_MULTIPROC_DIR = str(metrics_dir)  # /metrics here reads the workers' counters only
    db = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        LBSTATS_DATA_DIR=str(settings.DATA_DIR),  # the ORM broker keeps cluster heartbeats in this file cache
        TMDB_CACHE_PATH=str(tmp_path / "tmdb_cache.sqlite"),
        Q_WORKERS="1",
        TMDB_RATE_LIMIT="40",  # per process without Redis: 80/s together, against a double that takes 30/s
        TMDB_CONCURRENCY="4",
        TMDB_BACKOFF_SECONDS="0.05",
        ENRICH_RUN_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def two_workers(worker_env):
    processes: list[subprocess.Popen] = []

    def start(tmdb_url: str, token: str) -> None:
        env = {**worker_env, "TMDB_API_URL": tmdb_url, "TMDB_READ_TOKEN": token, "TMDB_API_KEY": ""}
        for _ in range(2):
            processes.append(subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                              start_new_session=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))

    yield start
    for process in processes:
        os.killpg(process.pid, 9)
        process.wait()


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def completed(session: Session) -> bool:
    session.refresh_from_db()
    return session.status == Session.Status.COMPLETED


def test_two_worker_processes_count_requests_429s_cache_hits_and_verdicts_exactly(
        client, admin_client, two_workers, tmp_path, settings, django_capture_on_commit_callbacks):
    catalogue = synthetic_catalogue(FILMS, seed=13)
    with TmdbDouble(catalogue, rate_limit=30) as double:
        settings.TMDB_API_URL, settings.TMDB_READ_TOKEN = double.url, double.config.read_token  # this process queues
        two_workers(double.url, double.config.read_token)
        session = upload(client, export_of(letterboxd_rows(catalogue)), django_capture_on_commit_callbacks)
        wait_for(lambda: len(admin_client.get("/admin/status/").context["clusters"]) == 2, 30, "two clusters alive")
        wait_for(lambda: completed(session), 120, "the first enrichment")
        first = scrape(client)
        arrivals = double.arrivals()
        # every film again, its memory forgotten: each lookup is now answered by the shared HTTP cache
        assert client.post(f"/api/session/{session.public_id}/reenrich", {"all": True},
                           content_type="application/json").status_code == 202
        wait_for(lambda: completed(session), 120, "the second enrichment")
        second = scrape(client)
        assert double.requests == len(arrivals)  # not one request more

    sent = Counter((KIND_ENDPOINTS[a.kind], tmdb_outcome(a.status)) for a in arrivals)
    assert sent[("/search/movie", "429")] + sent[("/movie/{id}", "429")] > 0  # the double did push back
    assert changes({}, first, "lbstats_tmdb_requests_total") == dict(sent)
    hits, misses = first.get(("lbstats_tmdb_cache_lookups_total", (("result", "hit"),)), 0), len(arrivals)
    assert changes({}, first, "lbstats_tmdb_cache_lookups_total") == ({("miss",): misses, ("hit",): hits} if hits
                                                                      else {("miss",): misses})
    assert changes({}, first, "lbstats_films_identified_total") == {("tmdb", "matched"): FILMS}
    assert changes({}, first, "lbstats_enrichment_film_seconds_count") == {(): FILMS}

    lookups = sent[("/search/movie", "200")] + sent[("/movie/{id}", "200")] + hits  # each lookup ended once, in a 200
    assert changes(first, second, "lbstats_tmdb_requests_total") == {}
    assert changes(first, second, "lbstats_tmdb_cache_lookups_total") == {("hit",): lookups}
    assert changes(first, second, "lbstats_films_identified_total") == {("tmdb", "matched"): FILMS}

    # the sum is of two processes that each did part of the work
    per_worker = []
    for db_file in sorted((tmp_path / "metrics").glob("counter_*.db")):
        alone = tmp_path / f"alone-{db_file.stem}"
        alone.mkdir()
        (alone / db_file.name).write_bytes(db_file.read_bytes())
        films = sum(s.value for m in MultiProcessCollector(None, path=str(alone)).collect()
                    for s in m.samples if s.name == "lbstats_films_identified_total")
        if films:
            per_worker.append(films)
    assert len(per_worker) == 2 and sum(per_worker) == 2 * FILMS
    assert endpoint("/movie/603?api_key=x") == "/movie/{id}"
