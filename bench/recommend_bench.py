"""What-to-watch-next benchmark: a generated library with planted taste, through the watchlist service.

    .venv/bin/python bench/recommend_bench.py [--rated 1000] [--watchlist 300] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=lbstats_bench_me .venv/bin/python bench/recommend_bench.py

Ratings are planted: each film's rating is 3 stars plus its director's effect, its genres' and its lead
actor's, plus noise (sd 0.5 stars), rounded to the half star. The held-back check hides a fifth of the
rated films, fits the model on the rest and predicts them; it prints the model's mean absolute error
and the baseline's (always your average), and fails (exit 1) unless the model beats the baseline.
Also printed: the time the watchlist page's statistics take (analysis, picks and check).
"""

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import backend, setup_django

GENRES = ["Drama", "Comedy", "Thriller", "Horror", "Science Fiction", "Romance", "Crime", "Animation", "Documentary"]
COUNTRIES = ["US", "GB", "FR", "JP", "KR", "DE", "IT", "SE"]


def build(rated: int, listed: int, seed: int):
    from enrichment.matching import MatchStatus
    from enrichment.models import Film, FilmFacet
    from sessions_app.models import Movie, Session

    rng = random.Random(seed)
    directors = [f"Director {i}" for i in range(120)]
    actors = [f"Actor {i}" for i in range(400)]
    taste = {name: rng.gauss(0, 0.7) for name in directors}
    taste |= {name: rng.gauss(0, 0.35) for name in GENRES}
    taste |= {name: rng.gauss(0, 0.25) for name in actors}

    session = Session.objects.create(status=Session.Status.COMPLETED, username="bench")
    films, movies, facets = [], [], []
    for i in range(rated + listed):
        director = rng.choice(directors)
        genres = rng.sample(GENRES, rng.choice([1, 2, 3]))
        cast = rng.sample(actors, 5)
        year = rng.randint(1950, 2024)
        film = Film(
            tmdb_id=900_000 + i,
            title=f"Film {i}",
            runtime=rng.randint(80, 180),
            directors=[{"id": director, "name": director}],
            cast=[{"id": name, "name": name, "character": ""} for name in cast],
            genres=genres,
            production_countries=[{"code": c, "name": c} for c in rng.sample(COUNTRIES, 1)],
        )
        films.append((film, genres))
        value = 3 + taste[director] + sum(taste[g] for g in genres) / len(genres) + taste[cast[0]] + rng.gauss(0, 0.5)
        watched = i < rated
        movies.append(
            Movie(
                session=session,
                title=f"Film {i}",
                year=year,
                watched=watched,
                viewing_count=1 if watched else 0,
                rating=Decimal(str(min(5.0, max(0.5, round(value * 2) / 2)))) if watched else None,
                in_watchlist=not watched,
                match_status=MatchStatus.MATCHED,
            )
        )
    Film.objects.bulk_create([f for f, _ in films], batch_size=500)
    for (film, genres), movie in zip(films, movies, strict=True):
        movie.film = film
        facets += film.build_facets([{"id": name, "name": name} for name in genres])
    FilmFacet.objects.bulk_create(facets, batch_size=2000)
    Movie.objects.bulk_create(movies, batch_size=500)
    Session.recount(session.pk)
    return session


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rated", type=int, default=1000)
    parser.add_argument("--watchlist", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    from sessions_app.stats.watchlist import watchlist

    session = build(args.rated, args.watchlist, args.seed)
    started = time.perf_counter()
    result = watchlist(session)
    seconds = time.perf_counter() - started
    check = result.check
    assert check is not None
    print(f"backend: {backend()}")
    print(f"library: {args.rated} rated films, {args.watchlist} on the watchlist (seed {args.seed})")
    print(f"held back: {check.held_out} rated films")
    print(f"model MAE:    {check.error:.3f} stars")
    print(f"baseline MAE: {check.baseline_error:.3f} stars (always your average)")
    print(f"improvement:  {100 * (1 - check.error / check.baseline_error):.1f}%")
    print(
        f"top pick: {result.picks[0].film.title}, {result.picks[0].predicted:.2f}: {'; '.join(result.picks[0].reasons)}"
    )
    print(f"watchlist statistics (analysis, picks, check): {seconds * 1000:.0f} ms")
    if not check.beats_baseline:
        print("FAIL: the model does not beat always guessing your average")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
