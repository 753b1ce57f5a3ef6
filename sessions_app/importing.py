"""Importing an upload: parse it, store it as a new session in one transaction, and once that has
committed, hand the session to enrichment.

An upload past IMPORT_BACKGROUND_BYTES is checked in the request (what can be told without reading
its rows: a clear 400 at once), kept in the database and imported by a worker (`import_stored`), so
no web request waits for half a million films; the session shows where its import stands meanwhile."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DataError, IntegrityError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_q.tasks import async_task

from enrichment import services as enrichment
from lbstats import metrics

from .letterboxd import (
    ExportError,
    FilmRecord,
    ParsedExport,
    ViewingRecord,
    check_export,
    cyclic_gc_paused,
    read_export,
)
from .models import Movie, Session, UploadBlob, Viewing

log = logging.getLogger(__name__)

IMPORT_TASK = "sessions_app.tasks.import_session"  # stored in queued tasks: renaming it strands them
Phase = Session.ImportPhase

Upload = tuple[str, IO[bytes], int]


def import_upload(uploads: Iterable[Upload]) -> Session:
    """Parse uploaded files [(name, file object, size)] and store them as a new session, queued for
    enrichment once committed; past IMPORT_BACKGROUND_BYTES, check them and queue their import instead
    (the session is returned `processing`). Raises letterboxd.ExportError, and then stores nothing."""
    uploads = list(uploads)
    if sum(size for _, _, size in uploads) > settings.IMPORT_BACKGROUND_BYTES:
        return queue_import(uploads)
    started = time.monotonic()
    export = read_export(uploads)
    with transaction.atomic():
        session = store(export)
        # robust: a broker that is down must not turn a stored upload into an error; the recovery
        # schedule queues the session's work once the broker is back.
        transaction.on_commit(lambda: enrichment.enqueue(session), robust=True)
    metrics.count_import(time.monotonic() - started, len(export.films), export.viewing_count)
    return session


def queue_import(uploads: list[Upload]) -> Session:
    """A new session holding the uploaded bytes, its import queued: after the checks that need no row
    read (not a ZIP or a CSV, no film file, missing columns: ExportError at once, nothing stored)."""
    files = check_export(uploads)
    with transaction.atomic():
        session = Session.objects.create(import_phase=Phase.QUEUED, metadata={"files": files})
        for name, fileobj, size in uploads:
            fileobj.seek(0)
            UploadBlob.objects.create(session=session, name=name, size=size, data=fileobj.read())
        # robust, as above: the recovery schedule queues an import the broker missed
        transaction.on_commit(lambda: async_task(IMPORT_TASK, session.pk), robust=True)
    return session


def import_stored(session_id: int) -> str:
    """A worker's import of a session's kept upload: read it, store every row in one transaction (and
    drop the kept bytes in it), then hand the session to enrichment. Rows that turn out bad fail the
    session with the parser's message and store nothing. Safe to run twice: the second finds no bytes."""
    session = Session.objects.filter(pk=session_id, status=Session.Status.PROCESSING).exclude(import_phase="").first()
    if session is None or not session.upload_blobs.exists():
        return "nothing to import"
    started = time.monotonic()
    _set_phase(session, Phase.READING)
    blobs = session.upload_blobs.order_by("id").values_list("name", "data", "size")
    try:
        export = read_export([(name, io.BytesIO(data), size) for name, data, size in blobs.iterator()])
    except ExportError as exc:
        _fail(session, str(exc))
        return "refused"
    _set_phase(session, Phase.STORING)
    try:
        with transaction.atomic():
            # the session row first: a second run of this task waits here, then finds the bytes gone
            if not Session.objects.select_for_update().filter(pk=session_id).exclude(import_phase="").exists():
                return "imported by another run"
            store(export, into=session)
            session.upload_blobs.all().delete()
            transaction.on_commit(lambda: enrichment.enqueue(session), robust=True)
    except (DataError, IntegrityError) as exc:  # a value the database refuses: no retry will change it
        log.exception("background import of session %s could not be stored", session.pk)
        _fail(session, f"The export could not be stored ({type(exc).__name__}); nothing of it was kept.")
        return "refused"
    metrics.count_import(time.monotonic() - started, len(export.films), export.viewing_count)
    return "imported"


def requeue_lost_imports(cutoff) -> int:
    """Large uploads whose import the broker never got (it was down when they committed): queued again by
    the recovery schedule. Only ones no worker has begun: one reading or storing is the queue's to retry."""
    lost = list(
        Session.objects.filter(
            status=Session.Status.PROCESSING, import_phase=Phase.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in lost:
        async_task(IMPORT_TASK, pk)
    return len(lost)


def _set_phase(session: Session, phase: str) -> None:
    Session.objects.filter(pk=session.pk).update(import_phase=phase)


def _fail(session: Session, message: str) -> None:
    with transaction.atomic():
        session.upload_blobs.all().delete()
        Session.objects.filter(pk=session.pk).update(
            status=Session.Status.FAILED, import_phase=Phase.FAILED, error_message=message
        )
    log.info("background import of session %s refused: %s", session.pk, message)


def uploaded(file: UploadedFile) -> tuple[str, IO[bytes], int]:
    """A file of a request, as `import_upload` takes it: (name, file, size)."""
    # Django's multipart parser drops a file part without a filename, and its upload handlers size every file.
    assert file.name is not None and file.size is not None
    return file.name, file, file.size


def store(export: ParsedExport, into: Session | None = None) -> Session:
    """Store a parsed export as a new session (or into the one its background import made): all of it
    or, on any error, nothing."""
    fields = {
        "total_movies": len(export.films),
        "pending_count": len(export.films),  # every film starts pending (Movie's default)
        "username": export.username,
        "metadata": export.metadata,
        "warnings": export.warnings,
        "uploads": [upload_record(export)],
    }
    with transaction.atomic():
        if into is None:
            session = Session.objects.create(**fields)
        else:
            session = into
            Session.objects.filter(pk=session.pk).update(import_phase="", **fields)
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


def bulk_insert(model: type[models.Model], rows: Iterable[dict], batch_size: int = 5000) -> None:
    """INSERT rows (dicts of attname → value; model defaults fill the rest) in bulk: COPY on PostgreSQL,
    one prepared statement run many times elsewhere.

    Values are prepared exactly as the ORM would (`get_db_prep_save`), but a column at a time and
    once per distinct value: an export's 40,000 rows hold a few thousand dates, ten ratings and two
    booleans, and preparing all 600,000 values one by one was most of the import's time. No model
    instance is built and no SQL is compiled per row."""
    db = connections[router.db_for_write(model)]  # the wrapper itself: the `connection` proxy costs a lookup per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = db.ops.quote_name
    # Django calls a field concrete exactly when it has a column, so no f.column here is None.
    table, columns = quote(model._meta.db_table), ", ".join(quote(cast(str, f.column)) for f in fields)
    preparers = [_column_preparer(f, db) for f in fields]
    with cyclic_gc_paused(), db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY streams the rows in one statement, several times faster than row-by-row INSERTs.
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for batch in _batches(rows, batch_size):
                    for values in _prepared_rows(batch, preparers):
                        copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for batch in _batches(rows, batch_size):
            cursor.executemany(sql, _prepared_rows(batch, preparers))


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


Preparer = Callable[[list[dict]], list]


def _column_preparer(field: models.Field, db: BaseDatabaseWrapper) -> Preparer:
    """A function from a batch of rows to their database values for one column."""
    name, default, prep = field.attname, field.get_default(), field.get_db_prep_save

    def values(batch: list[dict]) -> list:
        return [row.get(name, default) for row in batch]

    if isinstance(field, (models.CharField, models.TextField)):
        # A str is its own database value for a text column (to_python of a str is the str).
        return lambda batch: [v if v.__class__ is str else prep(v, db) for v in values(batch)]
    if isinstance(field, (models.IntegerField, models.ForeignKey)):
        # An int is its own database value for an integer column, and ids are all distinct.
        return lambda batch: [v if v.__class__ is int else prep(v, db) for v in values(batch)]
    if isinstance(field, models.JSONField):
        # JSON text, as the ORM sends it to SQLite and as PostgreSQL's COPY reads jsonb (the ORM's psycopg
        # Jsonb wrapper would serialise again per row). Lists and dicts cannot be dict keys; their repr can
        # (it tells JSON values apart: [] from [""], 1 from 1.0 and True), and most are alike (`[]`: no tags).
        encoder = field.encoder

        def json_once(batch: list[dict]) -> list:
            column = values(batch)
            prepared: dict[str, str | None] = {}
            for v in column:
                if (r := repr(v)) not in prepared:  # None is SQL NULL, as the ORM saves it
                    prepared[r] = None if v is None else json.dumps(v, cls=encoder)
            return [prepared[repr(v)] for v in column]

        return json_once

    def distinct_once(batch: list[dict]) -> list:
        # Within one column, values that compare equal are stored alike (a date, a Decimal("4") and a
        # Decimal("4.0"), an id), so each distinct value is prepared once per batch.
        column = values(batch)
        try:
            prepared = {v: prep(v, db) for v in set(column)}
        except TypeError:  # a value that cannot be a dict key: each prepared on its own
            return [prep(v, db) for v in column]
        return [prepared[v] for v in column]

    return distinct_once


def _prepared_rows(batch: list[dict], preparers: list[Preparer]) -> list[tuple]:
    return list(zip(*(prepare(batch) for prepare in preparers), strict=True))
