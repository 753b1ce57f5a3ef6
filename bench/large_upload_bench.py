"""A large upload end to end: a watched.csv of 500,000 distinct films (about 31 MB) through POST /api/upload
to the README's production web command, imported in the background by `manage.py qcluster`.

    .venv/bin/python bench/large_upload_bench.py [--films 500000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=... .venv/bin/python bench/large_upload_bench.py

Prints how long the request took (it answers 202 once the upload is checked and kept), the seconds until
/status says the rows are stored, and the peak memory (RSS) of the worker processes that parsed and stored
them. TMDB is off, so the session ends `completed` as soon as the import is in.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ASGI_SERVER, backend, setup_django, tree_peak_mb, web_server  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def watched_csv(path: Path, films: int) -> int:
    """Write a watched.csv of `films` distinct films, as Letterboxd spells it; returns its size."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Date,Name,Year,Letterboxd URI\r\n")
        for i in range(films):
            out.write(
                f"20{10 + i % 14}-0{1 + i % 9}-1{i % 10},Film number {i},{1920 + i % 100},https://boxd.it/f{i:x}\r\n"
            )
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=500_000)
    options = parser.parse_args()
    data_dir = setup_django(TMDB_READ_TOKEN="", TMDB_API_KEY="")
    from django.db import connection

    env = {**os.environ, "LBSTATS_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    csv_path = Path(tempfile.mkdtemp(prefix="lbstats-large-")) / "watched.csv"
    size = watched_csv(csv_path, options.films)

    port = free_port()
    server = web_server(env, port, workers=2, kind=ASGI_SERVER)
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        started = time.monotonic()
        with csv_path.open("rb") as upload:
            response = requests.post(f"{base}/api/upload", files={"files": ("watched.csv", upload)}, timeout=120)
        answered = time.monotonic() - started
        assert response.status_code == 202, (response.status_code, response.text[:500])
        status_url = f"{base}/api/session/{response.json()['session_id']}/status"
        phases: list[str] = []
        worker_mb = 0.0
        while True:
            worker_mb = max(worker_mb, tree_peak_mb(worker.pid))
            status = requests.get(status_url, timeout=10).json()
            if not phases or phases[-1] != status["import_phase"]:
                phases.append(status["import_phase"])
            if status["status"] != "processing":
                break
            time.sleep(0.25)
        imported = time.monotonic() - started
        worker_mb = max(worker_mb, tree_peak_mb(worker.pid))
        web_mb = tree_peak_mb(server.pid)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)  # the cluster and its worker processes
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        server.terminate()
        server.wait()
    print(f"large upload ({backend()}): watched.csv of {options.films:,} distinct films, {size / 1e6:.1f} MB")
    print(f"  request answered {response.status_code} in {answered:.2f} s (checked and kept; phases seen: {phases})")
    print(f"  status {status['status']!r}, {status['total_movies']:,} films, {imported:.1f} s from upload to stored")
    print(f"  peak memory (RSS) of the worker process that parsed and stored it: {worker_mb:.0f} MB")
    print(f"  peak memory (RSS) of a web process (it checked the upload and kept it): {web_mb:.0f} MB")


if __name__ == "__main__":
    main()
