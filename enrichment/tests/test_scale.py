"""Scale-out on real engines: `manage.py qcluster` worker processes on PostgreSQL with the Redis broker,
cache and shared rate limit, against the TMDB double. Skipped (with the reason) without both."""

import importlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
import redis
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from enrichment.tmdb.catalogue import letterboxd_rows, synthetic_catalogue
from enrichment.tmdb.double import TmdbDouble
from sessions_app.models import Movie, Session
from sessions_app.tests.exports import csv_text

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.getenv("REDIS_TEST_URL", "redis://127.0.0.1:6379/14")

FAULTS = ("500", "503", "drop", "truncate")  # each costs a retry; stalls would only cost time
pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def engines(tmp_path):
    """Environment for subprocesses: this test's PostgreSQL database and a clean Redis database."""
    if connection.vendor != "postgresql":
        pytest.skip("scale-out tests need PostgreSQL (run with DATABASE_URL=postgres://...)")
    try:
        client = redis.Redis.from_url(REDIS_TEST_URL)
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip(f"scale-out tests need Redis at {REDIS_TEST_URL}")
    # transactional tests flush every table between tests, the migration's schedules included
    importlib.import_module("enrichment.migrations.0002_schedules").create_schedules(django_apps, None)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_TEST_URL,
        "Q_CLUSTER_NAME": f"lbstats-test-{uuid.uuid4().hex[:8]}",
        "Q_WORKERS": "1",
        "TMDB_READ_TOKEN": "scale-token",
        "TMDB_CACHE_NAMESPACE": f"lbstats-test-{uuid.uuid4().hex[:8]}",
        "LBSTATS_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "ENRICH_RUN_SECONDS": "3",
        "ENRICH_LEASE_SECONDS": "6",
        "ENRICH_STALE_SECONDS": "4",
        "TMDB_BACKOFF_SECONDS": "0.05",
    }
    yield env
    client.flushdb()


class Workers:
    def __init__(self, env: dict) -> None:
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "qcluster"],
                    cwd=ROOT,
                    env=self.env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=open(os.environ.get("WORKER_LOG", os.devnull), "a"),
                )
            )

    def kill(self, count: int | None = None) -> None:
        """SIGKILL the first `count` workers (all by default), mid-whatever they are doing."""
        count = len(self.processes) if count is None else count
        for process in self.processes[:count]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = self.processes[count:]


@pytest.fixture
def workers(engines):
    pool = Workers(engines)
    yield pool
    pool.kill()


def export_zip(rows, tmp_path: Path, name: str) -> Path:
    body = csv_text(
        ["Date", "Name", "Year", "Letterboxd URI"],
        [["2024-01-01", title, year, f"https://boxd.it/{name}-{i}"] for i, (title, year) in enumerate(rows)],
    )
    path = tmp_path / f"{name}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("watched.csv", body)
    path.write_bytes(buffer.getvalue())
    return path


def import_export(env: dict, rows, tmp_path: Path, name: str) -> Session:
    """Upload through `manage.py import_letterboxd` in its own process, as a person would (enqueues on Redis)."""
    path = export_zip(rows, tmp_path, name)
    out = subprocess.run(
        [sys.executable, "manage.py", "import_letterboxd", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Session.objects.get(public_id=out.split()[0])


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def test_three_workers_share_five_sessions_fairly_and_fetch_every_film_once(engines, workers, tmp_path):
    catalogue = synthetic_catalogue(3800, seed=5)
    rows = letterboxd_rows(catalogue)
    with TmdbDouble(catalogue, read_token="scale-token", latency=0.01) as double:
        engines.update(TMDB_API_URL=double.url, TMDB_RATE_LIMIT="400")
        large = import_export(engines, rows[:3000], tmp_path, "large")
        small = [import_export(engines, rows[3000 + 200 * i : 3200 + 200 * i], tmp_path, f"small{i}") for i in range(4)]
        workers.start(3)
        sessions = [large, *small]
        wait_until(
            lambda: all(s.status == "completed" for s in Session.objects.filter(pk__in=[s.pk for s in sessions])),
            240,
            "five sessions to complete",
        )
        fetches = double.movie_fetches()
        searches = double.stats()["by_kind"]["search_movie"]
    assert len(fetches) == 3800 and set(fetches.values()) == {1}  # every film fetched exactly once
    assert searches < 3800 * 1.02  # a few obscure titles also try the any-release-date search, by design
    for session in Session.objects.filter(pk__in=[s.pk for s in sessions]):
        progress = session.progress()
        assert progress["enriched_count"] == progress["total_movies"] == session.total_movies
        assert progress["match_counts"]["matched"] == session.total_movies
    finished = {s.pk: s.enrichment_finished_at for s in Session.objects.filter(pk__in=[s.pk for s in sessions])}
    assert max(finished[s.pk] for s in small) < finished[large.pk]  # small uploads are not stuck behind the large


def test_a_worker_killed_mid_session_is_recovered_with_no_film_lost_or_counted_twice(engines, workers, tmp_path):
    catalogue = synthetic_catalogue(400, seed=9)
    with TmdbDouble(catalogue, read_token="scale-token", latency=0.01) as double:
        engines.update(TMDB_API_URL=double.url, TMDB_RATE_LIMIT="60")
        session = import_export(engines, letterboxd_rows(catalogue), tmp_path, "killed")
        workers.start(1)
        wait_until(lambda: session.progress()["enriched_count"] >= 60, 60, "enrichment to get going")
        workers.kill()  # SIGKILL, mid-run: claimed films keep a lease, the queued task is lost
        done_at_kill = session.progress()["enriched_count"]
        assert done_at_kill < 400
        time.sleep(5)  # past ENRICH_STALE_SECONDS: the session now looks abandoned
        assert session.progress()["enriched_count"] == done_at_kill  # nobody is working on it now
        # the recovery schedule is due (in real life: within a minute)
        Schedule.objects.filter(func="enrichment.tasks.recover").update(next_run=timezone.now())
        workers.start(1)
        wait_until(lambda: Session.objects.get(pk=session.pk).status == "completed", 120, "the session to complete")
        fetches = double.movie_fetches()
    progress = session.progress()
    assert progress["total_movies"] == progress["enriched_count"] == progress["match_counts"]["matched"] == 400
    assert Movie.objects.filter(session=session).count() == 400
    assert len(fetches) == 400
    # only requests in flight at the moment of the kill can have been answered but never stored
    assert sum(fetches.values()) - 400 <= 16


def test_five_uploads_of_one_export_at_once_fetch_each_film_once_despite_faults_and_a_killed_worker(
    engines, workers, tmp_path
):
    catalogue = synthetic_catalogue(600, seed=15)
    rows = letterboxd_rows(catalogue)
    path = export_zip(rows, tmp_path, "shared")  # one export: the same film URIs in every upload
    with TmdbDouble(catalogue, read_token="scale-token", latency=0.01, fault_rate=0.1, faults=FAULTS) as double:
        engines.update(TMDB_API_URL=double.url, TMDB_RATE_LIMIT="80")
        workers.start(3)
        uploads = [
            subprocess.Popen(
                [sys.executable, "manage.py", "import_letterboxd", str(path)],
                cwd=ROOT,
                env=engines,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(5)
        ]
        ids = [upload.communicate(timeout=60)[0].split()[0] for upload in uploads]
        sessions = Session.objects.filter(public_id__in=ids)
        assert sessions.count() == 5
        pending = Movie.objects.filter(session__in=sessions, match_status="pending")
        wait_until(lambda: pending.count() < 5 * 600 * 0.7, 120, "enrichment to get going")
        # Hold new answers at the double, let the ones already sent land in the shared cache, then kill:
        # the killed worker's requests still at the double find nobody there and are not fetches.
        double.configure(latency=2.0)
        time.sleep(0.5)
        workers.kill(1)
        double.configure(latency=0.01)
        assert pending.count() > 0  # killed mid-run
        # the recovery schedule is due (in real life: within a minute) once the leases have expired
        time.sleep(7)
        Schedule.objects.filter(func="enrichment.tasks.recover").update(next_run=timezone.now())
        wait_until(lambda: sessions.filter(status="completed").count() == 5, 180, "five sessions to complete")
        fetches = double.movie_fetches()
        stats = double.stats()
    assert sum(stats["faults"].values()) > 0  # faults were injected
    assert len(fetches) == 600 and set(fetches.values()) == {1}  # each film's details reached TMDB once
    for session in sessions:
        counts = session.match_counts()
        assert counts["matched"] == session.total_movies == 600
        assert counts == session.counted_rows()  # the counts kept beside the session, after the kill
