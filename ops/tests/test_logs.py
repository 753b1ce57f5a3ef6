"""Structured logs: with LOG_JSON on, one JSON line per request and per enrichment run, and never a secret."""

import io
import json
import logging

import pytest

from lbstats.logs import JsonFormatter

from .helpers import enrich, export_of, upload


@pytest.fixture
def json_lines(settings):
    """What the console handler writes with LOG_JSON=1, as parsed lines."""
    settings.LOG_JSON = True
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    lines: list[dict] = []

    def read() -> list[dict]:
        lines[:] = [json.loads(line) for line in stream.getvalue().splitlines()]
        return lines

    yield read
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.django_db(transaction=True)  # a run's counts are taken as its transactions commit
def test_a_request_and_an_enrichment_run_each_log_one_json_line_without_secrets(
    client, tmdb_double, settings, json_lines, django_capture_on_commit_callbacks
):
    settings.METRICS_TOKEN = "scrape-secret"
    session = upload(
        client,
        export_of([("Memento", 2000), ("Chernobyl", 2019), ("Sunday Tapes from Ostrava", 2017)]),
        django_capture_on_commit_callbacks,
    )
    enrich(session, django_capture_on_commit_callbacks)
    client.get(f"/api/session/{session.public_id}/status?page=2")
    client.get("/healthz")  # probes are not logged: every few seconds, they would drown the rest
    lines = json_lines()

    requests = [line for line in lines if line.get("event") == "http_request"]
    assert [(r["method"], r["route"], r["status"], r["view"]) for r in requests] == [
        ("POST", "/api/upload", 201, "api:upload"),
        ("GET", "/api/session/<uuid:session_id>/status", 200, "api:session-status"),
    ]
    assert all(r["level"] == "INFO" and r["logger"] == "lbstats.requests" and r["seconds"] >= 0 for r in requests)
    runs = [line for line in lines if line.get("event") == "enrichment_run"]
    assert [(r["session_id"], r["claimed"], r["settled"], r["verdicts"]) for r in runs] == [
        (session.pk, 3, 3, {"matched": 2, "not_found": 1}),
    ]
    assert runs[0]["seconds"] > 0
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in (
        tmdb_double.config.read_token,
        tmdb_double.config.api_key,
        settings.SECRET_KEY,
        "scrape-secret",
        str(session.public_id),
        "page=2",
    ):
        assert secret not in text


def test_without_log_json_no_request_line_is_written(client, settings, caplog):
    settings.LOG_JSON = False
    caplog.set_level(logging.INFO, logger="lbstats.requests")
    client.get("/")
    assert [r for r in caplog.records if r.name == "lbstats.requests"] == []


def test_a_request_object_attached_by_django_is_left_out(rf):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad Request", (), None)
    record.request, record.status_code = rf.get("/s/0b7c51a5-5a8b-4d5e-9d39-1c2f2f0f8a11/?q=1"), 400
    line = json.loads(JsonFormatter().format(record))
    assert line["status_code"] == 400 and "request" not in line and "0b7c51a5" not in json.dumps(line)


def test_a_secret_that_reaches_a_log_line_anyway_is_redacted(settings):
    settings.TMDB_API_KEY = "v3-key-1234"
    record = logging.LogRecord(
        "urllib3", logging.DEBUG, __file__, 1, "GET /3/movie/77?api_key=%s", ("v3-key-1234",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /3/movie/77?api_key=[redacted]" and line["logger"] == "urllib3"
