"""Shared by the ops tests: upload through the API, enrich as the queued task does, read /metrics.

Everything goes through edges that stay put (the upload API, the queue's task), so these tests do
not depend on where the importer and the worker live inside their apps.
"""

from __future__ import annotations

import io

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from enrichment import tasks
from sessions_app.models import Session
from sessions_app.tests.exports import Export

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def export_of(
    rows: list[tuple[str, int | None]], uri_prefix: str = "https://boxd.it/ops", diary: bool = False
) -> Export:
    """Films as watched.csv rows; with `diary`, each also logged once in diary.csv."""
    export = Export()
    export.add(
        "watched.csv", *[["2024-01-01", t, "" if y is None else y, f"{uri_prefix}{i}"] for i, (t, y) in enumerate(rows)]
    )
    if diary:
        export.add(
            "diary.csv",
            *[
                ["2024-01-02", t, "" if y is None else y, f"{uri_prefix}-entry{i}", "4", "", "", "2024-01-01"]
                for i, (t, y) in enumerate(rows)
            ],
        )
    return export


def upload(client: Client, export: Export, capture) -> Session:
    """POST /api/upload, with the commit's callbacks (which queue the enrichment) run."""
    with capture(execute=True):
        response = client.post("/api/upload", {"files": [_named(export)]})
    assert response.status_code == 201, response.content
    return Session.objects.get(public_id=response.json()["session_id"])


def _named(export: Export) -> io.BytesIO:
    data = io.BytesIO(export.zip_bytes())
    data.name = "letterboxd-ops-2026-01-01-00-00-utc.zip"
    return data


def enrich(session: Session, capture) -> Session:
    """What the queue does for a session, in this process: the task, run until it says it is done."""
    with capture(execute=True):
        while tasks.enrich_session(session.pk) == "more to do":
            pass
    session.refresh_from_db()
    return session


def scrape(client: Client, **headers) -> Samples:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def changes(before: Samples, after: Samples, name: str) -> dict[tuple[str, ...], float]:
    """How much each series of `name` grew between two scrapes, keyed by its label values; unchanged ones left out."""
    grown = {}
    for (sample, labels), value in after.items():
        if sample == name and value != before.get((sample, labels), 0):
            grown[tuple(v for _, v in labels)] = value - before.get((sample, labels), 0)
    return grown


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0)
