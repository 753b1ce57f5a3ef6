"""Overlapping uploads: N sessions whose libraries overlap, uploaded together, enriched by M workers.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/overlap_bench.py [--sessions 10 --rows 9000 --universe 4000 --workers 3] \
        [--schedule fair|smallest|both]

Needs PostgreSQL and Redis (the set-up of "Running at scale"): M `manage.py qcluster` processes share
the Redis broker, HTTP cache and rate limit, against the TMDB double at 40 requests/s with 50 ms latency.
Libraries are drawn from a universe of films with Zipf-like popularity (weight 1/rank), so popular
films are in most libraries and the tail in few; one film keeps one Letterboxd URI everywhere. Sizes
grow geometrically from the smallest session to the largest, summing to --rows.

Prints TMDB requests per distinct film, details fetched per distinct matched film, each session's time
from upload to completed against its solo time (its own films' requests alone at 40/s: films × the
run's requests per distinct film ÷ 40), p50, max and mean, whether smaller sessions finished first, and
the smallest session's time against twice its solo time. Targets: ≤ 2.2 requests per distinct film,
≤ 1.02 details per distinct matched film, smaller sessions first, the smallest within 2× its solo time,
and a lower mean than the even share. `--schedule both` (the default) runs the same uploads under the
old even share (`ENRICH_SCHEDULE=fair`), then under smallest-first, each on a fresh database.
"""

import argparse
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, backend, setup_django

RATE = 40


def zipf_library(rng: random.Random, universe: int, size: int, exponent: float) -> list[int]:
    """`size` distinct films of the universe, each drawn with weight 1/rank**exponent (Efraimidis-Spirakis)."""
    keyed = [(rng.random() ** (rank**exponent), index) for index, rank in enumerate(range(1, universe + 1))]
    return sorted(index for _, index in sorted(keyed, reverse=True)[:size])


def session_sizes(sessions: int, rows: int, ratio: float) -> list[int]:
    """Sizes from smallest to largest in a geometric progression (largest = ratio × smallest), summing to rows."""
    steps = [ratio ** (i / max(1, sessions - 1)) for i in range(sessions)]
    return [round(rows * step / sum(steps)) for step in steps]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--rows", type=int, default=9000, help="film rows across all sessions")
    parser.add_argument("--universe", type=int, default=4000)
    parser.add_argument("--exponent", type=float, default=0.9, help="Zipf exponent of film popularity")
    parser.add_argument("--ratio", type=float, default=6.0, help="largest session ÷ smallest")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--schedule", choices=["fair", "smallest", "both"], default="both")
    args = parser.parse_args()
    if args.schedule == "both":  # each schedule in a process of its own: a fresh database and settings
        for schedule in ("fair", "smallest"):
            subprocess.run([sys.executable, *sys.argv, "--schedule", schedule], check=True)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("overlap_bench needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (workers share both)")
    # this process enqueues on the queue the workers read: one cluster name, and one HTTP cache, per run
    setup_django(
        TMDB_RATE_LIMIT=str(RATE),
        TMDB_READ_TOKEN="bench-token",
        Q_CLUSTER_NAME=f"lbstats-bench-{uuid.uuid4().hex[:8]}",
        Q_WORKERS="1",
        TMDB_CACHE_NAMESPACE=f"lbstats-bench-{uuid.uuid4().hex[:8]}",
        ENRICH_SCHEDULE=args.schedule,  # read by the workers, which inherit this environment
    )
    from bench.exports import large_export_zip
    from enrichment.tmdb.catalogue import synthetic_catalogue
    from enrichment.tmdb.double import TmdbDouble
    from sessions_app.importing import import_upload
    from sessions_app.models import Movie, Session

    rng = random.Random(15)
    catalogue = synthetic_catalogue(args.universe, seed=15)
    films = [(m.title, m.primary_year) for m in catalogue.movies.values()]
    uris = [f"https://boxd.it/u{i:x}" for i in range(len(films))]
    sizes = session_sizes(args.sessions, args.rows, args.ratio)
    libraries = [zipf_library(rng, len(films), size, args.exponent) for size in sizes]
    rng.shuffle(libraries)  # uploaded in no particular order of size
    distinct = len(set().union(*libraries))
    exports = [
        large_export_zip(
            films=len(lib), diary=0, reviews=0, titles=[films[i] for i in lib], uris=[uris[i] for i in lib]
        )
        for lib in libraries
    ]

    with TmdbDouble(catalogue, read_token="bench-token", latency=args.latency, rate_limit=RATE) as double:
        env = {**os.environ, "TMDB_API_URL": double.url}
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        try:
            time.sleep(3)  # the clusters come up
            double.reset()
            sessions = [import_upload([("bench.zip", io.BytesIO(data), len(data))]) for data in exports]
            ids = [s.pk for s in sessions]
            deadline = time.monotonic() + args.timeout
            while Session.objects.filter(pk__in=ids).exclude(status="completed").exists():
                if time.monotonic() > deadline:
                    sys.exit(f"timed out after {args.timeout:g}s")
                time.sleep(1)
        finally:
            for worker in workers:  # a qcluster forks its own processes: end its whole group
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        stats = double.stats()

    details = sum(stats["movie_fetches"].values()) + sum(stats["tv_fetches"].values())
    matched = Movie.objects.filter(session__in=ids, film__isnull=False).values("film").distinct().count()
    done = {s.pk: s for s in Session.objects.filter(pk__in=ids)}
    times = {
        pk: (finished - s.created_at).total_seconds()
        for pk, s in done.items()
        if (finished := s.enrichment_finished_at)
    }
    by_size = sorted(ids, key=lambda pk: done[pk].total_movies)
    in_order = sum(
        1 for i, a in enumerate(by_size) for b in by_size[i + 1 :] if times[a] <= times[b]
    )  # pairs (smaller, larger) where the smaller finished first
    pairs = len(ids) * (len(ids) - 1) // 2
    per_film = stats["requests"] / distinct
    smallest = by_size[0]
    solo = {pk: done[pk].total_movies * per_film / RATE for pk in ids}
    print(
        f"overlap ({backend()} + Redis, {args.workers} workers, schedule {args.schedule}): {args.sessions} sessions, "
        f"{args.rows} film rows, {distinct} distinct films, TMDB double at {RATE}/s, {args.latency * 1000:g} ms"
    )
    print(f"  requests: {stats['requests']}, 429s: {stats['rate_limited']}")
    print(f"  requests per distinct film: {per_film:.2f} (target ≤ 2.2)")
    print(f"  details per distinct matched film: {details / max(1, matched):.3f} (target ≤ 1.02; {matched} matched)")
    print(
        f"  time to complete: p50 {statistics.median(times.values()):.1f} s, max {max(times.values()):.1f} s, "
        f"mean {statistics.mean(times.values()):.1f} s (target: lower than under the even share)"
    )
    first = min(s.created_at for s in done.values())
    print("  by size (films: uploaded at, upload to completed / solo):")
    for pk in by_size:
        print(
            f"    {done[pk].total_movies:>5}: +{(done[pk].created_at - first).total_seconds():4.1f} s, "
            f"{times[pk]:6.1f} s / {solo[pk]:5.1f} s ({times[pk] / solo[pk]:.2f}×)"
        )
    print(
        f"  smaller sessions finished first: {in_order}/{pairs} pairs in order ({'yes' if in_order == pairs else 'no'})"
    )
    print(
        f"  smallest session: {times[smallest]:.1f} s against 2 × {solo[smallest]:.1f} s solo = "
        f"{2 * solo[smallest]:.1f} s ({times[smallest] / solo[smallest]:.2f}× solo, target ≤ 2)"
    )


if __name__ == "__main__":
    main()
