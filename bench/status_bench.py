"""Status endpoint benchmark: `GET /api/session/<id>/status` on sessions of 1,000, 10,000 and 50,000 films.

    .venv/bin/python bench/status_bench.py [--sizes 1000 10000 50000] [--requests 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=lbstats_bench_me .venv/bin/python bench/status_bench.py

The counts per match status are kept beside the session, so the endpoint reads one row by its key (the
session with its counts, not its JSON columns) whatever the size. Beside it: the queries one request
makes; the same stack answering an unknown session (middleware, DRF and that one query, with no counts:
the floor of any answer by session id); and the counts taken from the film rows, what the endpoint did
before. Target: p50 under 5 ms at 50,000 films, flat in the size.
"""

import argparse
import io
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import backend, setup_django


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.exports import large_export_zip
    from enrichment.matching import MatchStatus
    from sessions_app.importing import import_upload
    from sessions_app.models import Movie, Session

    client = Client()
    print(f"status endpoint ({backend()}), {args.requests} requests per size")
    unknown = "/api/session/00000000-0000-4000-8000-000000000000/status"
    logging.disable(logging.WARNING)  # the floor's 404s would log a line each
    for size in args.sizes:
        data = large_export_zip(films=size, diary=0, reviews=0)
        session = import_upload([("bench.zip", io.BytesIO(data), len(data))])
        # half the films settled, as in the middle of an enrichment
        half = list(session.movies.order_by("id").values_list("id", flat=True)[: size // 2])
        Movie.objects.filter(id__in=half).update(match_status=MatchStatus.MATCHED)
        Session.recount(session.pk)
        url = f"/api/session/{session.public_id}/status"
        assert client.get(url).json()["enriched_count"] == size // 2
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # now: the next request empties the connection's log
        endpoint = timed(lambda u=url: client.get(u), args.requests)
        floor = timed(lambda: client.get(unknown), args.requests)
        rows = timed(session.counted_rows, args.requests)
        print(
            f"  {size:>6} films: endpoint p50 {statistics.median(endpoint):.2f} ms, p95 "
            f"{endpoint[int(len(endpoint) * 0.95)]:.2f} ms, {queries} queries; an unknown session: "
            f"p50 {statistics.median(floor):.2f} ms; counting the rows instead: "
            f"p50 {statistics.median(rows):.2f} ms (target: endpoint under 5 ms at 50,000)"
        )


if __name__ == "__main__":
    main()
