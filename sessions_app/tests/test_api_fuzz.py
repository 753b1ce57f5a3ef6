"""Schema fuzzing: schemathesis generates requests from /api/schema/ and sends them to the WSGI app in-process.
No operation may answer with a 5xx, whatever it is sent, and what it answers matches the schema. Runs in the normal
suite, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from lbstats.wsgi import application
from sessions_app.importing import import_upload
from sessions_app.models import Session

from .exports import sample_export

# Loaded at import: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fuzz_session() -> Iterator[Session]:
    """A real session for the generated requests to reach, in the test's transaction.

    Django's test client keeps a request from closing the test's connection at its end; this WSGI app is called
    directly, so do the same, or the first request would end the transaction that holds the session."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield import_upload(sample_export().zip_upload())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(params=["tmdb-off", "tmdb-double"])
def tmdb(request, settings):
    """Enrichment paths (manual matches, re-enrichment) answer differently with and without TMDB credentials."""
    if request.param == "tmdb-off":
        settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
        return None
    return request.getfixturevalue("tmdb_double")


@schema.parametrize()
@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case, fuzz_session: Session, tmdb):
    movie_ids = sorted(fuzz_session.movies.values_list("pk", flat=True))
    if "session_id" in case.path_parameters:
        case.path_parameters["session_id"] = str(fuzz_session.public_id)
    if "movie_id" in case.path_parameters:
        # Half the generated ids are moved onto a real film, so the film's own code runs, not only the 404.
        generated = case.path_parameters["movie_id"]
        if isinstance(generated, int) and generated % 2 == 0:
            case.path_parameters["movie_id"] = movie_ids[generated // 2 % len(movie_ids)]
    # Status codes are not checked against the schema: an undocumented 404 or 405 is no failure, a 5xx is.
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance, content_type_conformance])
