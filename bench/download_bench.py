"""Downloads benchmark: films.csv, diary.csv and library.json of sessions of 2,000 and 20,000 films
(three diary entries each), through the API, streamed; prints the time and the peak Python memory
each takes (tracemalloc, while the response is read chunk by chunk and thrown away).

    .venv/bin/python bench/download_bench.py [--sizes 2000 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=lbstats_bench_me .venv/bin/python bench/download_bench.py

Target: the peak stays flat as the session grows tenfold (the files are read a batch at a time).
"""

import argparse
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import backend, setup_django

FILES = ["films.csv", "diary.csv", "library.json"]


def build(films: int, first_tmdb_id: int):
    from enrichment.matching import MatchStatus
    from enrichment.models import Film
    from sessions_app.models import Movie, Session, Viewing

    session = Session.objects.create(status=Session.Status.COMPLETED, username="bench")
    stored = Film.objects.bulk_create(
        [
            Film(
                tmdb_id=first_tmdb_id + i,
                title=f"Film {i}",
                runtime=90 + i % 90,
                genres=["Drama", "Thriller"],
                directors=[{"id": i % 500, "name": f"Director {i % 500}"}],
                cast=[{"id": j, "name": f"Actor {j}", "character": "Someone"} for j in range(i % 400, i % 400 + 15)],
                production_countries=[{"code": "FR", "name": "France"}],
            )
            for i in range(films)
        ],
        batch_size=1000,
    )
    movies = Movie.objects.bulk_create(
        [
            Movie(
                session=session,
                title=f"Film {i}",
                year=1950 + i % 75,
                letterboxd_uri=f"https://boxd.it/b{i}",
                watched=True,
                rating=Decimal(1 + i % 5),
                viewing_count=3,
                film=film,
                match_status=MatchStatus.MATCHED,
            )
            for i, film in enumerate(stored)
        ],
        batch_size=1000,
    )
    Viewing.objects.bulk_create(
        [
            Viewing(
                session=session,
                movie=movie,
                watched_date=date(2015, 1, 1) + timedelta(days=(i * 3 + k) % 3000),
                rating=movie.rating,
                tags=["bench"],
                review='A few words, a comma, and a "quote".' if k == 0 else "",
            )
            for i, movie in enumerate(movies)
            for k in range(3)
        ],
        batch_size=2000,
    )
    return session


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()
    setup_django(ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    from django.http import StreamingHttpResponse
    from django.test import Client

    client = Client()
    print(f"backend: {backend()}")
    for n, size in enumerate(args.sizes):
        session = build(size, first_tmdb_id=1_000_000 * (n + 1))
        for name in FILES:
            url = f"/api/session/{session.public_id}/download/{name}"
            started = time.perf_counter()  # timed without tracemalloc, which slows Python several times over
            response = cast(StreamingHttpResponse, client.get(url))
            sent = sum(len(bytes(chunk)) for chunk in cast(Iterator[bytes], response.streaming_content))
            seconds = time.perf_counter() - started
            assert response.status_code == 200
            tracemalloc.start()
            for _ in cast(Iterator[bytes], cast(StreamingHttpResponse, client.get(url)).streaming_content):
                pass
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"{size:>6} films  {name:<13} {sent / 1e6:7.1f} MB sent in {seconds:6.2f} s, "
                f"peak Python memory {peak / 1e6:5.1f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
