"""Enrichment benchmark: 1,000 distinct films against the TMDB test double at 40 requests/s and 50 ms latency.

    .venv/bin/python bench/enrich_bench.py [--films 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/enrich_bench.py

Prints wall time, requests per film, 429s received and the ratio of wall time to the bound
(requests made ÷ 40 per second). Targets: ratio ≤ 1.15, ≤ 2.2 requests per film, no film lost to a
429; the same films again: 0 requests and under 2 s. Collections (a fifth of the synthetic films belong to one,
three films each) are fetched once each after the films: their requests are counted apart.
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import backend, setup_django  # noqa: E402

RATE = 40


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    data_dir = setup_django(TMDB_RATE_LIMIT=str(RATE), TMDB_READ_TOKEN="bench-token")
    from django.conf import settings

    from bench.exports import large_export_zip
    from enrichment import services, worker
    from enrichment.tmdb import reset_client
    from enrichment.tmdb.catalogue import letterboxd_rows, synthetic_catalogue
    from enrichment.tmdb.double import TmdbDouble
    from sessions_app.importing import import_upload

    catalogue = synthetic_catalogue(args.films, seed=11)
    rows = letterboxd_rows(catalogue)
    with TmdbDouble(catalogue, read_token="bench-token", latency=args.latency, rate_limit=RATE) as double:
        settings.TMDB_API_URL = double.url
        settings.TMDB_CACHE_PATH = str(data_dir / "tmdb_cache.sqlite")
        reset_client()

        def enrich(label: str) -> None:
            data = large_export_zip(films=len(rows), diary=0, reviews=0, titles=rows)
            session = import_upload([("bench.zip", io.BytesIO(data), len(data))])
            double.reset()
            started = time.perf_counter()
            services.start(session, enqueue=False)
            while worker.run(session.pk):
                pass
            wall = time.perf_counter() - started
            session.refresh_from_db()
            counts = session.match_counts()
            requests = double.requests
            collections = double.stats()["by_kind"].get("collection", 0)
            bound = requests / RATE
            print(
                f"{label} ({backend()}): {len(rows)} films, status {session.status}, "
                f"matched {counts['matched']}, failed {counts['failed']}, unmatched "
                f"{counts['ambiguous'] + counts['not_found']}"
            )
            print(f"  wall time: {wall:.2f} s")
            films = requests - collections
            print(
                f"  requests: {requests}: {films} for films ({films / len(rows):.2f} per film), "
                f"{collections} for collections; 429s received: {double.rate_limited}"
            )
            if requests:
                print(f"  bound at {RATE}/s: {bound:.2f} s, ratio wall/bound: {wall / bound:.3f}")

        enrich("first import")
        enrich("same films again")


if __name__ == "__main__":
    main()
