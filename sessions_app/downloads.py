"""Your enriched library to take elsewhere: every film with what the export and TMDB say of it, and every
diary entry, as CSV (two files: films and diary) or as one JSON document (each film with its entries).

Each is produced as a sequence of text chunks, one per batch of `BATCH` films (or entries), read by
keyset pagination: a 50,000-film session is never held in memory at once, and each query stands
alone, so the chunks can be read from any thread (an ASGI server reads them one by one from its event
loop). Nothing here carries a secret: no token, no key, no session address.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from enrichment.models import Film

from .models import Movie, Session, Viewing

BATCH = 500

# The export's side of a film, as the Movie holds it (the API's movies show the same, `serializers`); then TMDB's
# side, from its Film (empty until identified).
MOVIE_FIELDS = [*Movie.EXPORT_FIELDS, "match_status"]
TMDB_FIELDS = [
    "tmdb_id",
    "media_type",
    "tmdb_title",
    "original_title",
    "release_date",
    "runtime",
    "genres",
    "directors",
    "cast",
    "production_countries",
    "spoken_languages",
    "original_language",
    "imdb_id",
    "poster_path",
    "vote_average",
    "vote_count",
    "popularity",
    "budget",
    "revenue",
]
FILM_COLUMNS = ["film_id", *MOVIE_FIELDS, *TMDB_FIELDS]
# A diary entry's own fields, as the Viewing holds them (the API's viewings show the same, `serializers`).
# A diary entry as the export says it; its row in the export orders a day's entries and is not shown.
VIEWING_FIELDS = [name for name in Viewing.EXPORT_FIELDS if name != "diary_row"]
DIARY_COLUMNS = ["film_id", "title", "year", "letterboxd_uri", *VIEWING_FIELDS]
LIST_SEPARATOR = "; "  # names within one CSV cell: "Drama; Thriller"


def _value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _tmdb(film: Film | None) -> dict[str, object]:
    """TMDB's fields of a film, as lists of names where TMDB gives lists; None for each when unidentified."""
    if film is None:
        return dict.fromkeys(TMDB_FIELDS)
    return {
        "tmdb_id": film.tmdb_id,
        "media_type": film.media_type,
        "tmdb_title": film.title,
        "original_title": film.original_title,
        "release_date": _value(film.release_date),
        "runtime": film.runtime,
        "genres": list(film.genres),
        "directors": [p["name"] for p in film.directors],
        "cast": [p["name"] for p in film.cast],
        "production_countries": [c["name"] for c in film.production_countries],
        "spoken_languages": [lang["name"] for lang in film.spoken_languages],
        "original_language": film.original_language,
        "imdb_id": film.imdb_id,
        "poster_path": film.poster_path,
        "vote_average": film.vote_average,
        "vote_count": film.vote_count,
        "popularity": film.popularity,
        "budget": film.budget,
        "revenue": film.revenue,
    }


def film_record(movie: Movie) -> dict[str, object]:
    """One film as the downloads give it: the export's fields, then TMDB's (only for an identified film)."""
    record: dict[str, object] = {"film_id": movie.pk}
    record.update({name: _value(getattr(movie, name)) for name in MOVIE_FIELDS})
    record.update(_tmdb(movie.film if movie.is_identified else None))
    return record


def entry_record(viewing: Viewing) -> dict[str, object]:
    return {
        "entry_uri": viewing.entry_uri,
        "watched_date": _value(viewing.watched_date),
        "logged_date": _value(viewing.logged_date),
        "rating": _value(viewing.rating),
        "rewatch": viewing.rewatch,
        "tags": list(viewing.tags),
        "review": viewing.review,
    }


def _film_batches(session: Session) -> Iterator[list[Movie]]:
    last = 0
    while True:
        batch = list(session.movies.select_related("film").filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _entry_batches(session: Session) -> Iterator[list[Viewing]]:
    last = 0
    while True:
        batch = list(session.viewings.select_related("movie").filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _cell(value: object) -> object:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(map(str, value))
    return "" if value is None else value


def _csv_chunk(rows: list[dict[str, object]], columns: list[str], header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    writer.writerows([_cell(row[c]) for c in columns] for row in rows)
    return out.getvalue()


def films_csv(session: Session) -> Iterator[str]:
    """Every film of the session, one CSV row each (a header first, even with no film)."""
    yield _csv_chunk([], FILM_COLUMNS, header=True)
    for batch in _film_batches(session):
        yield _csv_chunk([film_record(m) for m in batch], FILM_COLUMNS, header=False)


def diary_csv(session: Session) -> Iterator[str]:
    """Every diary entry, one CSV row each, naming its film (and the film's row in films.csv by film_id)."""
    yield _csv_chunk([], DIARY_COLUMNS, header=True)
    for batch in _entry_batches(session):
        rows = [
            {
                "film_id": v.movie_id,
                "title": v.movie.title,
                "year": v.movie.year,
                "letterboxd_uri": v.movie.letterboxd_uri,
                **entry_record(v),
            }
            for v in batch
        ]
        yield _csv_chunk(rows, DIARY_COLUMNS, header=False)


def library_json(session: Session) -> Iterator[str]:
    """`{"username": ..., "films": [{...film, "diary": [{...entry}]}]}`, written a batch of films at a time."""
    yield '{"username": ' + json.dumps(session.username) + ', "films": ['
    first = True
    for batch in _film_batches(session):
        entries: dict[int, list[dict]] = defaultdict(list)
        for viewing in Viewing.objects.filter(movie__in=[m.pk for m in batch]).order_by("watched_date", "pk"):
            entries[viewing.movie_id].append(entry_record(viewing))
        parts = [json.dumps({**film_record(m), "diary": entries[m.pk]}, ensure_ascii=False) for m in batch]
        yield ("" if first else ", ") + ", ".join(parts)
        first = False
    yield "]}"
