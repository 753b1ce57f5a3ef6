"""Helpers shared by the tests of both apps: an export of given films, imported, then enriched in this process."""

from enrichment import services, worker
from sessions_app.importing import import_upload
from sessions_app.models import Session
from sessions_app.tests.exports import Export


def export_of(rows, uri_prefix="https://boxd.it/film") -> Export:
    export = Export()
    export.add(
        "watched.csv",
        *[
            ["2024-01-01", title, "" if year is None else str(year), f"{uri_prefix}{i}"]
            for i, (title, year) in enumerate(rows)
        ],
    )
    return export


def imported(rows, **kwargs) -> Session:
    return import_upload(export_of(rows, **kwargs).zip_upload())


def enrich_now(session: Session) -> Session:
    """What the queued task does, run in this process until the session settles."""
    services.start(session, enqueue=False)
    while worker.run(session.pk, budget=5):
        pass
    session.refresh_from_db()
    return session
