"""A database connection that dies while a page is being answered costs a retry, not a 500 (PostgreSQL)."""

import psycopg
import pytest
from django.core.signals import request_started
from django.db import connection

from sessions_app.importing import import_upload
from sessions_app.tests.exports import sample_export

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connection_cut_once():
    """At the next request's start, the server ends this process's database connection (as a restart
    or failover does), after any check Django made of it."""
    if connection.vendor != "postgresql":
        pytest.skip("a server that ends connections needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    cut = []

    def terminate(**kwargs: object) -> None:
        if cut:
            return
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        settings = connection.settings_dict
        dsn = f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} user={settings['USER']} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        cut.append(pid)

    request_started.connect(terminate)
    yield cut
    request_started.disconnect(terminate)
    connection.close()  # the next user opens a fresh one (an unretried request leaves this one dead)


@pytest.mark.parametrize("path", ["/s/{id}/", "/api/session/{id}/status", "/api/session/{id}/movies"])
def test_a_safe_request_whose_connection_dies_is_answered_from_a_fresh_one(client, connection_cut_once, path):
    session = import_upload(sample_export().zip_upload())
    response = client.get(path.format(id=session.public_id))
    assert connection_cut_once  # the connection was cut under the request
    assert response.status_code == 200


def test_an_unsafe_request_is_not_retried(client, connection_cut_once):
    session = import_upload(sample_export().zip_upload())
    with pytest.raises(Exception, match="terminat|closed|connection"):
        client.post(f"/api/session/{session.public_id}/reenrich", {}, content_type="application/json")
    assert connection_cut_once
