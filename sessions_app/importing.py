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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice, repeat
from operator import attrgetter
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
    # The collector is held off from the parse to the end of the store, and the records are dropped before it
    # resumes: resumed in between, its first pass walked every record of the export (a quarter of a second
    # for 100,000 films), all of them freed by reference counting moments later anyway.
    with cyclic_gc_paused():
        export = read_export(uploads)
        with transaction.atomic():
            session = store(export)
            # robust: a broker that is down must not turn a stored upload into an error; the recovery
            # schedule queues the session's work once the broker is back.
            transaction.on_commit(lambda: enrichment.enqueue(session), robust=True)
        films, entries = len(export.films), export.viewing_count
        del export
    metrics.count_import(time.monotonic() - started, films, entries)
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
        # Ids taken before the rows are written, in the films' order: the diary names its films by them
        # without reading them back (reading 100,000 ids back was a tenth of the import).
        movie_ids = allocate_ids(Movie, len(export.films))
        insert_rows(Movie, ("id", "session_id", *Movie.EXPORT_FIELDS), _movie_rows(session, export, movie_ids))
        insert_rows(
            Viewing, ("session_id", "movie_id", *Viewing.EXPORT_FIELDS), _viewing_rows(session, export, movie_ids)
        )
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


def movie_values(f: FilmRecord) -> tuple:
    """What the export says of a film, as the values of Movie.EXPORT_FIELDS (identification is enrichment's)."""
    dates = f.watched_dates  # sorted on every access: read once
    return (
        f.title,
        f.year,
        f.uri,
        f.watched,
        f.watched_date,
        f.rating,
        f.rated_date,
        f.liked,
        f.liked_date,
        f.in_watchlist,
        f.watchlist_date,
        f.viewing_count,
        f.rewatch_count,
        dates[0] if dates else None,
        dates[-1] if dates else None,
    )


def movie_fields(f: FilmRecord) -> dict:
    """What the export says of a film, as Movie columns."""
    return dict(zip(Movie.EXPORT_FIELDS, movie_values(f), strict=True))


# A diary entry as the values of Viewing.EXPORT_FIELDS (the record's attributes, `row` being its diary_row).
viewing_values = attrgetter(*Viewing.EXPORT_FIELDS[:-1], "row")


def _movie_rows(session: Session, export: ParsedExport, movie_ids: list[int]) -> Iterator[tuple]:
    session_id = session.pk  # read once: a model's pk is a property
    for movie_id, f in zip(movie_ids, export.films, strict=True):
        yield (movie_id, session_id, *movie_values(f))


def _viewing_rows(session: Session, export: ParsedExport, movie_ids: list[int]) -> Iterator[tuple]:
    session_id = session.pk
    for movie_id, f in zip(movie_ids, export.films, strict=True):
        for v in f.viewings:
            yield (session_id, movie_id, *viewing_values(v))


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for rows of `model` about to be inserted with them, increasing, unused by any
    row past or present. Inside a transaction: on SQLite it holds the database's write lock from its start
    (transaction_mode IMMEDIATE), so no other writer takes these ids meanwhile; on PostgreSQL they come
    from the table's own sequence, which never hands an id out twice."""
    db = connections[router.db_for_write(model)]
    assert db.in_atomic_block, "ids are allocated inside the transaction that inserts the rows"
    table, key = model._meta.db_table, cast(str, model._meta.pk.column)  # a primary key always has a column
    if count == 0:
        return []
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # the sequence's name looked up once: looked up in each nextval it was four fifths of the time
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return sorted(pk for (pk,) in cursor.fetchall())
        # An AUTOINCREMENT key (Django's on SQLite) is never reused: the next one follows both the largest
        # id present and the largest ever given (sqlite_sequence), and inserting these moves the latter.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX({db.ops.quote_name(key)}) FROM {db.ops.quote_name(table)}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def bulk_insert(model: type[models.Model], rows: Iterable[dict], batch_size: int = 5000) -> None:
    """INSERT rows (dicts of attname → value; model defaults fill the rest) in bulk, as `insert_rows`."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names, defaults = [f.attname for f in fields], [f.get_default() for f in fields]
    insert_rows(model, names, (tuple(map(row.get, names, defaults)) for row in rows), batch_size)


# Pages of database file SQLite keeps in memory while it inserts in bulk (negative: KiB, here 32 MiB). Its
# default, 2 MiB, is less than the indexes a 100,000-film import writes into, and every insert then read
# their pages back from the file: a third of the time of storing one.
SQLITE_BULK_CACHE_SIZE = -32 * 1024


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[tuple], batch_size: int = 5000) -> None:
    """INSERT rows given as tuples of the values of the fields `names` (attnames) in bulk; every other field
    takes its default, the same for every row. COPY on PostgreSQL, one prepared statement run many times
    elsewhere.

    Values are prepared exactly as the ORM would (`get_db_prep_save`), but a column at a time and
    once per distinct value: an export's 400,000 rows hold a few thousand dates, ten ratings and two
    booleans, and preparing every value one by one was most of the import's time. No model
    instance is built and no SQL is compiled per row."""
    db = connections[router.db_for_write(model)]  # the wrapper itself: the `connection` proxy costs a lookup per use
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_name[name] for name in names]
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in names]
    quote = db.ops.quote_name
    # Django calls a field concrete exactly when it has a column, so no f.column here is None.
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(cast(str, f.column)) for f in [*given, *rest])
    preparers = [_column_preparer(f, db) for f in given]
    constants = [repeat(_column_preparer(f, db)([f.get_default()])[0]) for f in rest]

    def prepared(batch: list[tuple]) -> Iterator[tuple]:
        given_columns = [prepare(column) for prepare, column in zip(preparers, zip(*batch, strict=True), strict=True)]
        return zip(*given_columns, *constants, strict=False)  # the constants repeat without end

    with cyclic_gc_paused(), db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY streams the rows in one statement, several times faster than row-by-row INSERTs.
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for batch in _batches(rows, batch_size):
                    for values in prepared(batch):
                        copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(given) + len(rest)))})"
        with _sqlite_cache_size(cursor, SQLITE_BULK_CACHE_SIZE):
            for batch in _batches(rows, batch_size):
                cursor.executemany(sql, list(prepared(batch)))


@contextmanager
def _sqlite_cache_size(cursor, size: int) -> Iterator[None]:
    cursor.execute("PRAGMA cache_size")
    (before,) = cursor.fetchone()
    cursor.execute(f"PRAGMA cache_size = {int(size)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


Preparer = Callable[[Sequence], list]


def _column_preparer(field: models.Field, db: BaseDatabaseWrapper) -> Preparer:
    """A function from one column's values, a batch at a time, to their database values. Values prepared
    once are remembered across batches (the preparer lives for one insert)."""
    prep = field.get_db_prep_save

    if isinstance(field, (models.CharField, models.TextField)):
        # A str is its own database value for a text column (to_python of a str is the str).
        return lambda column: [v if v.__class__ is str else prep(v, db) for v in column]
    if isinstance(field, (models.IntegerField, models.ForeignKey)):
        # An int is its own database value for an integer column, and ids are all distinct.
        return lambda column: [v if v.__class__ is int else prep(v, db) for v in column]
    if isinstance(field, models.JSONField):
        # JSON text, as the ORM sends it to SQLite and as PostgreSQL's COPY reads jsonb (the ORM's psycopg
        # Jsonb wrapper would serialise again per row). Lists and dicts cannot be dict keys; their repr can
        # (it tells JSON values apart: [] from [""], 1 from 1.0 and True), and most are alike (`[]`: no tags).
        encoder = field.encoder
        as_json: dict[str, str | None] = {}

        def json_once(column: Sequence) -> list:
            keys = list(map(repr, column))
            for r, v in zip(keys, column, strict=True):
                if r not in as_json:  # None is SQL NULL, as the ORM saves it
                    as_json[r] = None if v is None else json.dumps(v, cls=encoder)
            return list(map(as_json.__getitem__, keys))

        return json_once

    known: dict = {}

    def distinct_once(column: Sequence) -> list:
        # Within one column, values that compare equal are stored alike (a date, a Decimal("4") and a
        # Decimal("4.0"), an id), so each distinct value is prepared once.
        try:
            for v in set(column).difference(known):
                known[v] = prep(v, db)
        except TypeError:  # a value that cannot be a dict key: each prepared on its own
            return [prep(v, db) for v in column]
        return list(map(known.__getitem__, column))

    return distinct_once
