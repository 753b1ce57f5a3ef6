"""Load benchmark: 50 concurrent clients on the status endpoint and the dashboard while an enrichment runs.

    .venv/bin/python bench/load_bench.py [--clients 50] [--seconds 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load_bench.py

The app runs as it would in production (the README's gunicorn command, plus a `manage.py qcluster` worker enriching a
2,000-film session against the TMDB double at 40 requests/s). Two phases:
- polling: each client behaves like an open session page: status every second (the progress bar
  polls every 1–2 s) and the dashboard every tenth second;
- saturation: each client sends its next request as soon as the last is answered.
Prints requests per second, p50 and p99 latency and errors per endpoint. Targets: 0 errors; status
p99 under 50 ms (polling phase).
"""

import argparse
import io
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import backend, setup_django, timed_get, web_server  # noqa: E402

PORT = 8765
TOKEN = "load-bench-token"
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", "6"))


def client_process(args) -> list[tuple[str, float, int]]:
    """One process of client threads (processes, so the clients' own GIL does not distort latencies)."""
    base, session_id, threads, seconds, think = args
    urls = {"status": f"{base}/api/session/{session_id}/status", "dashboard": f"{base}/s/{session_id}/"}
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()

    def client() -> None:
        rng = random.Random()
        # People do not open their pages in lockstep: each client starts at its own moment.
        time.sleep(rng.uniform(0, think or 0.05))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            name = "dashboard" if rng.random() < 0.1 else "status"
            elapsed, code = timed_get(urls[name])
            with lock:
                results.append((name, elapsed, code))
            if think:
                time.sleep(max(0.0, think - elapsed))

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def report(phase: str, results: list[tuple[str, float, int]], seconds: float) -> dict:
    figures = {}
    print(f"  {phase}:")
    for name in ("status", "dashboard"):
        rows = [(t, c) for n, t, c in results if n == name]
        if not rows:
            continue
        times = sorted(t * 1000 for t, _ in rows)
        errors = sum(1 for _, c in rows if c != 200)
        p50 = statistics.median(times)
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        figures[name] = (p99, errors)
        print(f"    {name:9} {len(rows) / seconds:7.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms  errors {errors}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--films", type=int, default=2000)
    options = parser.parse_args()
    data_dir = setup_django(TMDB_READ_TOKEN=TOKEN, TMDB_RATE_LIMIT="40")
    from django.conf import settings
    from django.db import connection

    from bench.exports import large_export_zip
    from enrichment.tmdb.catalogue import letterboxd_rows, synthetic_catalogue
    from enrichment.tmdb.double import TmdbDouble
    from sessions_app.importing import import_upload

    catalogue = synthetic_catalogue(options.films, seed=17)
    rows = letterboxd_rows(catalogue)
    with TmdbDouble(catalogue, read_token=TOKEN, latency=0.05, rate_limit=40) as double:
        db = connection.settings_dict
        env = {
            **os.environ,
            "LBSTATS_DATA_DIR": str(data_dir),
            "TMDB_API_URL": double.url,
            "TMDB_READ_TOKEN": TOKEN,
            "TMDB_RATE_LIMIT": "40",
            "LOG_LEVEL": "WARNING",
        }
        if db["ENGINE"].endswith("postgresql"):
            env["DATABASE_URL"] = (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            )
        settings.TMDB_API_URL = double.url
        data = large_export_zip(films=len(rows), diary=3 * len(rows), reviews=len(rows) // 10, titles=rows)
        session = import_upload([("load.zip", io.BytesIO(data), len(data))])  # queued on commit
        server = web_server(env, PORT, GUNICORN_WORKERS)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{PORT}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/about/", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            print(
                f"load benchmark ({backend()}): {options.clients} clients, gunicorn {GUNICORN_WORKERS} uvicorn workers, "
                f"a {len(rows)}-film session enriching meanwhile"
            )
            per_process = 10
            processes = max(1, options.clients // per_process)
            # Steady state, as a server that has been up a while: every worker has loaded its URLs,
            # templates and connections (not measured).
            with multiprocessing.Pool(processes) as pool:
                pool.map(client_process, [(base, session.public_id, per_process, 3, 0.0)] * processes)
            figures = {}
            for phase, think, seconds in (
                ("polling (each client: status every 1 s)", 1.0, options.seconds),
                ("saturation (no think time)", 0.0, options.seconds / 2),
            ):
                before = session.progress()["enriched_count"]
                with multiprocessing.Pool(processes) as pool:
                    batches = pool.map(
                        client_process, [(base, session.public_id, per_process, seconds, think)] * processes
                    )
                results = [r for batch in batches for r in batch]
                figures[phase] = report(phase, results, seconds)
                print(f"    enrichment meanwhile: {before} → {session.progress()['enriched_count']} films identified")
        finally:
            server.terminate()
            worker.terminate()
            server.wait()
            worker.wait()
    polling = figures[next(iter(figures))]
    errors = sum(e for phase in figures.values() for _, e in phase.values())
    met = errors == 0 and polling["status"][0] < 50
    print(
        f"targets (0 errors, status p99 < 50 ms while polling): {'met' if met else 'MISSED'} "
        f"(errors {errors}, status p99 {polling['status'][0]:.1f} ms)"
    )


if __name__ == "__main__":
    main()
