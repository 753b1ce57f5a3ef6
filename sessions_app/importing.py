"""Importing an upload: parse it, store it as a new session in one transaction, and once that has
committed, hand the session to enrichment."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import IO, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import connections, models, router, transaction
from django.utils import timezone

from enrichment import services as enrichment
from lbstats import metrics

from .letterboxd import FilmRecord, ParsedExport, ViewingRecord, read_export
from .models import Movie, Session, Viewing


def import_upload(uploads: Iterable[tuple[str, IO[bytes], int]]) -> Session:
    """Parse uploaded files [(name, file object, size)] and store them as a new session, queued for
    enrichment once committed. Raises letterboxd.ExportError, and then stores nothing."""
    started = time.monotonic()
    export = read_export(uploads)
    with transaction.atomic():
        session = store(export)
        # robust: a broker that is down must not turn a stored upload into an error; the recovery
        # schedule queues the session's work once the broker is back.
        transaction.on_commit(lambda: enrichment.enqueue(session), robust=True)
    metrics.count_import(time.monotonic() - started, len(export.films), export.viewing_count)
    return session


def uploaded(file: UploadedFile) -> tuple[str, IO[bytes], int]:
    """A file of a request, as `import_upload` takes it: (name, file, size)."""
    # Django's multipart parser drops a file part without a filename, and its upload handlers size every file.
    assert file.name is not None and file.size is not None
    return file.name, file, file.size


def store(export: ParsedExport) -> Session:
    """Store a parsed export as a new session: all of it or, on any error, nothing."""
    with transaction.atomic():
        session = Session.objects.create(
            total_movies=len(export.films),
            pending_count=len(export.films),  # every film starts pending (Movie's default)
            username=export.username,
            metadata=export.metadata,
            warnings=export.warnings,
            uploads=[upload_record(export)],
        )
        bulk_insert(Movie, _movie_rows(session, export))
        # Ids grow in insertion order within the transaction, even with other imports interleaved.
        # A list, read before the COPY below starts: PostgreSQL cannot answer a query on a connection
        # that is in the middle of a COPY (a lazy queryset read inside it hangs the import).
        movie_ids = list(session.movies.order_by("id").values_list("id", flat=True))
        bulk_insert(Viewing, _viewing_rows(session, export, movie_ids))
    return session


def upload_record(export: ParsedExport, since_last: dict | None = None, replaced: bool = False) -> dict:
    """One entry of a session's upload history (`Session.uploads`)."""
    newest = export.newest_date
    return {
        "at": timezone.now().isoformat(),
        "files": export.metadata["files"],
        "films": len(export.films),
        "entries": export.viewing_count,
        "newest_date": newest.isoformat() if newest else None,
        "replaced": replaced,
        "since_last": since_last,
    }


def movie_fields(f: FilmRecord) -> dict:
    """What the export says of a film, as Movie columns (identification is enrichment's)."""
    dates = f.watched_dates  # sorted on every access: read once
    return {
        "title": f.title,
        "year": f.year,
        "letterboxd_uri": f.uri,
        "watched": f.watched,
        "watched_date": f.watched_date,
        "rating": f.rating,
        "rated_date": f.rated_date,
        "liked": f.liked,
        "liked_date": f.liked_date,
        "in_watchlist": f.in_watchlist,
        "watchlist_date": f.watchlist_date,
        "viewing_count": f.viewing_count,
        "rewatch_count": f.rewatch_count,
        "first_watched": dates[0] if dates else None,
        "last_watched": dates[-1] if dates else None,
    }


def viewing_fields(v: ViewingRecord) -> dict:
    return {
        "entry_uri": v.entry_uri,
        "watched_date": v.watched_date,
        "logged_date": v.logged_date,
        "rating": v.rating,
        "rewatch": v.rewatch,
        "tags": v.tags,
        "review": v.review,
        "diary_row": v.row,
    }


def _movie_rows(session: Session, export: ParsedExport) -> Iterator[dict]:
    for f in export.films:
        yield {"session_id": session.pk, **movie_fields(f)}


def _viewing_rows(session: Session, export: ParsedExport, movie_ids: Iterable[int]) -> Iterator[dict]:
    for movie_id, f in zip(movie_ids, export.films, strict=True):
        for v in f.viewings:
            yield {"session_id": session.pk, "movie_id": movie_id, **viewing_fields(v)}


def bulk_insert(model: type[models.Model], rows, batch_size: int = 5000) -> None:
    """INSERT rows (dicts of attname → value; model defaults fill the rest) in bulk: COPY on PostgreSQL,
    one prepared statement run many times elsewhere.

    Values are prepared per column exactly as the ORM would, but without building a model instance
    and compiling SQL for every row: for an export's 40,000 rows that was most of the import's time."""
    db = connections[router.db_for_write(model)]  # the wrapper itself: the `connection` proxy costs a lookup per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = db.ops.quote_name
    # Django calls a field concrete exactly when it has a column, so no f.column here is None.
    table, columns = quote(model._meta.db_table), ", ".join(quote(cast(str, f.column)) for f in fields)
    prepare = [(f.attname, f.get_db_prep_save) for f in fields]
    prepared = ([prep(row.get(name, defaults[name]), db) for name, prep in prepare] for row in rows)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY streams the rows in one statement, several times faster than row-by-row INSERTs.
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch: list[list] = []
        for values in prepared:
            batch.append(values)
            if len(batch) == batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
