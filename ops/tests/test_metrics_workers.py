"""Counters stay exact with several worker processes: two processes enrich a session each, at the same
time, against the TMDB double (which answers some requests 429), and /metrics in this process sums
what both counted. Needs PostgreSQL (the workers share this test's database); skipped on SQLite."""

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.multiprocess import MultiProcessCollector

from enrichment.tmdb.catalogue import letterboxd_rows, synthetic_catalogue
from enrichment.tmdb.double import TmdbDouble
from lbstats.metrics import tmdb_outcome

from .helpers import changes, export_of, scrape, upload

ROOT = Path(__file__).resolve().parents[2]
FILMS = 60  # per worker process
KIND_ENDPOINTS = {
    "search_movie": "/search/movie",
    "movie": "/movie/{id}",
    "search_tv": "/search/tv",
    "tv": "/tv/{id}",
    "collection": "/collection/{id}",
}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_env(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared database server (run with DATABASE_URL=postgres://...)")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    settings.PROMETHEUS_MULTIPROC_DIR = str(metrics_dir)  # /metrics here reads the workers' counters only
    # the ORM broker keeps cluster heartbeats in the cache: this process and the workers share a fresh one
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
    }
    db = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        LBSTATS_DATA_DIR=str(tmp_path),  # its cache/ is the one above
        TMDB_CACHE_PATH=str(tmp_path / "tmdb_cache.sqlite"),
        Q_WORKERS="1",
        TMDB_RATE_LIMIT="40",  # per process without Redis: 80/s together, against a double that takes 30/s
        TMDB_CONCURRENCY="4",
        TMDB_BACKOFF_SECONDS="0.05",
        ENRICH_RUN_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return env


def run_workers(env: dict, *commands: list[str]) -> None:
    """Worker processes side by side, each running one `manage.py` command to its end."""
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for process in processes:
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors


def counted_alone(db_file: Path, tmp_path: Path, name: str) -> float:
    """One process's count of `name`, read from its own file only."""
    alone = tmp_path / f"alone-{db_file.stem}"
    alone.mkdir(exist_ok=True)
    (alone / db_file.name).write_bytes(db_file.read_bytes())
    return sum(
        s.value for m in MultiProcessCollector(None, path=str(alone)).collect() for s in m.samples if s.name == name
    )


def test_two_worker_processes_count_requests_429s_cache_hits_and_verdicts_exactly(
    client, worker_env, tmp_path, settings, django_capture_on_commit_callbacks
):
    catalogue = synthetic_catalogue(2 * FILMS, seed=13)
    rows = letterboxd_rows(catalogue)
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""  # uploaded here, not queued: each worker is given a session
    sessions = [
        upload(
            client,
            export_of(rows[i * FILMS : (i + 1) * FILMS], uri_prefix=f"https://boxd.it/w{i}-"),
            django_capture_on_commit_callbacks,
        )
        for i in range(2)
    ]
    with TmdbDouble(catalogue, rate_limit=30) as double:
        env = {**worker_env, "TMDB_API_URL": double.url, "TMDB_READ_TOKEN": double.config.read_token}
        run_workers(env, *[["enrich", str(s.public_id), "--wait"] for s in sessions])
        first = scrape(client)
        arrivals = double.arrivals()
        # every film again, its memory forgotten: each lookup is now answered by the shared HTTP cache
        run_workers(env, *[["enrich", str(s.public_id), "--all", "--wait"] for s in sessions])
        second = scrape(client)
        again = [(a.request, a.status) for a in double.arrivals()[len(arrivals) :]]
        asked_before = Counter((a.request, a.status) for a in arrivals)
        assert again == [], (
            f"pass 2 asked again for {again}; pass 1 had {[asked_before[r, s] for r, s in again]} of each"
        )

    sent = Counter((KIND_ENDPOINTS[a.kind], tmdb_outcome(a.status)) for a in arrivals)
    assert sent[("/search/movie", "429")] + sent[("/movie/{id}", "429")] > 0  # the double did push back
    assert changes({}, first, "lbstats_tmdb_requests_total") == dict(sent)
    hits, misses = first.get(("lbstats_tmdb_cache_lookups_total", (("result", "hit"),)), 0), len(arrivals)
    assert changes({}, first, "lbstats_tmdb_cache_lookups_total") == (
        {("miss",): misses, ("hit",): hits} if hits else {("miss",): misses}
    )
    assert changes({}, first, "lbstats_films_identified_total") == {("tmdb", "matched"): 2 * FILMS}
    assert changes({}, first, "lbstats_enrichment_film_seconds_count") == {(): 2 * FILMS}

    lookups = sent[("/search/movie", "200")] + sent[("/movie/{id}", "200")] + hits  # each lookup ended once, in a 200
    assert changes(first, second, "lbstats_tmdb_requests_total") == {}
    assert changes(first, second, "lbstats_tmdb_cache_lookups_total") == {("hit",): lookups}
    assert changes(first, second, "lbstats_films_identified_total") == {("tmdb", "matched"): 2 * FILMS}

    # four processes counted (two per pass), and /metrics is their sum; a process may have served the other's
    # session too (the smallest session's films are claimed first, whoever's task runs), so no process's share
    # is fixed, only the sum
    files = sorted((tmp_path / "metrics").glob("counter_*.db"))
    counted = [counted_alone(f, tmp_path, "lbstats_films_identified_total") for f in files]
    assert len(counted) == 4 and sum(counted) == 4 * FILMS


def test_the_status_page_lists_a_running_worker_cluster_with_its_heartbeat(admin_client, worker_env):
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=worker_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A cluster reports itself "Starting" before its worker is up (workers=0): wait for the worker too.
        deadline = time.monotonic() + 30
        clusters = admin_client.get("/admin/status/").context["clusters"]
        while time.monotonic() < deadline and not (clusters and clusters[0][0].workers):
            time.sleep(0.25)
            clusters = admin_client.get("/admin/status/").context["clusters"]
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
    assert len(clusters) == 1
    cluster, heartbeat_age = clusters[0]
    assert cluster.workers == 1 and cluster.status in ("Idle", "Working", "Starting") and heartbeat_age < 10
