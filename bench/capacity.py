"""Capacity: how many new users one TMDB key serves, as the shared film memory grows.

    .venv/bin/python bench/capacity.py [--users 1000 --universe 200000 --exponent 1.0]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=lbstats_bench_me .venv/bin/python bench/capacity.py

A film some earlier session identified costs no TMDB request: the worker settles it from the film memory
(FilmMatch, by Letterboxd film URI, else by title and year). Only films nobody uploaded before go to TMDB.
So the first users cost TMDB their whole library and later ones only their rare films. This script streams
simulated users through the real reuse rule (`enrichment.worker.remembered`, on a real database): each user's
library is checked against the memory, the films it does not know are counted as looked up and stored in it
(a FilmMatch of a fetched Film, as the worker stores it), and the next user comes.

The distributions, documented here since they drive every figure:
- Library size: log-normal with median 450 films (the sample export, /work/shared/samples, has 445) and
  sigma 1.15, so one library in twenty passes 3,000 films (the size of the large export the benches use) and
  one in twenty has fewer than 70; clipped to 10..20,000.
- Film popularity: Zipf over a universe of --universe films (default 200,000: the films of TMDB that have
  any Letterboxd audience), weight 1/rank**exponent (default 1.0), each library drawing its films without
  replacement. The same law, at exponent 0.9, as bench/overlap_bench.py's overlapping libraries.
- TMDB requests per film looked up: 2.17, measured by bench/enrich_bench.py (a search, the details of a
  match, and the second searches of films without a year or with a near-miss title) on the 1,014-film export.
  The simulation does not run the worker's HTTP: 1,000 users would hold TMDB's rate for hours.

Prints, after 10, 100, 1,000 (and with --users 10000, 10,000: most of an hour) users: films in the memory, TMDB requests per new user over the
users since the last line, and the users per day that one key serves at that cost at 40 requests/s.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import backend, setup_django

RATE = 40  # TMDB requests per second one key may make
REQUESTS_PER_FILM = 2.17  # bench/enrich_bench.py, 1,014-film export
MEDIAN_LIBRARY = 450
LIBRARY_SIGMA = 1.15
SECONDS_PER_DAY = 86_400


@dataclass
class Upload:
    """A film of a simulated upload: the fields of a film row the reuse rule reads."""

    pk: int
    letterboxd_uri: str
    title: str
    year: int | None = 2000


def library_sizes(rng: np.random.Generator, users: int) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(MEDIAN_LIBRARY), LIBRARY_SIGMA, users).round(), 10, 20_000).astype(int)


def draw_library(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """`size` distinct film ranks (0-based), each drawn with its Zipf weight: draws with replacement,
    duplicates dropped, topped up until the library is full."""
    size = min(size, len(cdf))
    films: np.ndarray = np.empty(0, dtype=int)
    while len(films) < size:
        drawn = np.searchsorted(cdf, rng.random(2 * (size - len(films)) + 16))
        films = np.unique(np.concatenate([films, drawn]))
    return rng.permutation(films)[:size]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--universe", type=int, default=200_000)
    parser.add_argument("--exponent", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    from enrichment.matching import MatchStatus
    from enrichment.models import Film, FilmMatch
    from enrichment.worker import remembered
    from sessions_app.models import Movie

    rng = np.random.default_rng(args.seed)
    weights = 1 / np.arange(1, args.universe + 1) ** args.exponent
    cdf = np.cumsum(weights) / weights.sum()
    sizes = library_sizes(rng, args.users)
    checkpoints = [n for n in (10, 100, 1_000, 10_000, 100_000) if n <= args.users]
    if args.users not in checkpoints:
        checkpoints.append(args.users)

    def film(rank: int) -> Movie:
        # what `remembered` reads of a film row (its id, URI, title and year), without building a model
        # instance per film: a library is up to 20,000 of them
        return cast(
            Movie, Upload(pk=int(rank) + 1, letterboxd_uri=f"https://boxd.it/cap{rank:x}", title=f"Film {rank}")
        )

    # Every new film is remembered as matched to one fetched TMDB film: the reuse rule asks only that a
    # match's film was fetched, and one row for all keeps the simulation's writes to the memory itself.
    tmdb_film = Film.objects.create(tmdb_id=1, title="A film", fetched_at=timezone.now())

    print(
        f"capacity ({backend()}): libraries log-normal (median {MEDIAN_LIBRARY}, sigma {LIBRARY_SIGMA}), "
        f"Zipf popularity (exponent {args.exponent:g}) over {args.universe:,} films, "
        f"{REQUESTS_PER_FILM} TMDB requests per film looked up, {RATE} requests/s"
    )
    started = time.monotonic()
    requests_since, films_since, users_since = 0.0, 0, 0
    for user, size in enumerate(sizes, start=1):
        library = [film(rank) for rank in draw_library(rng, cdf, int(size))]
        known = remembered(library)
        new = [movie for movie in library if movie.pk not in known]
        FilmMatch.objects.bulk_create(
            [
                FilmMatch(
                    letterboxd_uri=movie.letterboxd_uri,
                    title=movie.title,
                    year=movie.year,
                    outcome=MatchStatus.MATCHED,
                    film=tmdb_film,
                )
                for movie in new
            ],
            batch_size=500,
        )
        requests_since += len(new) * REQUESTS_PER_FILM
        films_since += len(library)
        users_since += 1
        if user in checkpoints:
            per_user = requests_since / users_since
            print(
                f"  after {user:>6,} users: {FilmMatch.objects.count():>7,} films remembered; "
                f"the last {users_since:,} users brought {films_since / users_since:,.0f} films each and cost "
                f"{per_user:,.0f} TMDB requests each ({per_user / REQUESTS_PER_FILM / (films_since / users_since):.0%} "
                f"of their films new): {RATE * SECONDS_PER_DAY / per_user:,.0f} new users a day per key "
                f"({time.monotonic() - started:.0f} s)"
            )
            requests_since, films_since, users_since = 0.0, 0, 0


if __name__ == "__main__":
    main()
