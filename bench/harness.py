"""Shared set-up for the benchmarks: a throw-away database (SQLite file, or DATABASE_URL) migrated from scratch."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(**env: str) -> Path:
    """Point lbstats at a fresh data folder (and, for PostgreSQL, a fresh database), then migrate."""
    sys.path.insert(0, str(ROOT))
    data_dir = Path(tempfile.mkdtemp(prefix="lbstats-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbstats.settings")
    os.environ["LBSTATS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(env)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        os.environ["DATABASE_URL"] = fresh_postgres_database(database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir


def fresh_postgres_database(url: str) -> str:
    """Create the bench database (BENCH_DB, default lbstats_bench; dropping an old one) next to the given
    database, and return its URL. Two people benchmarking on one server each name their own."""
    import psycopg
    from psycopg import sql

    name = os.environ.get("BENCH_DB", "lbstats_bench")
    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend() -> str:
    from django.db import connection

    return connection.vendor


# The README's production command: an event loop per process reads requests (slow clients cost a
# socket, not a worker) and Django's views run once a body has arrived.
ASGI_SERVER = ["lbstats.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker"]
# What the README gave before: synchronous workers, each held by a request until its body arrives.
SYNC_SERVER = ["lbstats.wsgi", "--worker-class", "sync"]


def web_server(env: dict, port: int, workers: int, kind: list[str] = ASGI_SERVER) -> subprocess.Popen:
    """gunicorn as in production, on loopback."""
    command = [str(ROOT / ".venv/bin/gunicorn"), *kind, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)


def timed_get(url: str) -> tuple[float, int]:
    """(seconds, HTTP status) of one GET, as a client sees it; status 0 when the connection failed."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            code = response.status
    except urllib.error.HTTPError as exc:
        code = exc.code
    except OSError:
        code = 0
    return time.monotonic() - started, code


def process_tree(root: int) -> set[int]:
    """A process and its descendants now alive (Linux: read from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def tree_peak_mb(root: int) -> float:
    """The largest peak RSS (Linux's VmHWM) among a process and its descendants now alive."""
    peak = 0
    for pid in process_tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user and system) spent so far by a process and its descendants now alive."""
    ticks = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")
