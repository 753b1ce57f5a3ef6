"""/healthz and /readyz: fast, sessionless, and a 503 naming the part that is not ready."""

import socket
import subprocess
import time

import pytest
import redis
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from ops import health

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(settings):
    """A Redis of this test's own (never the machine's shared one), with broker and cache pointed at it."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": url}
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    yield server
    if server.poll() is None:
        server.kill()
        server.wait()


def test_healthz_answers_ok_without_a_query_a_cookie_or_a_known_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.12")  # a load balancer calls the process by address
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not response.cookies


def test_readyz_is_ready_when_database_migrations_broker_and_cache_answer(client):
    response = client.get("/readyz", HTTP_HOST="10.0.0.12")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "cache": "ok"},
    }
    assert not response.cookies


def test_readyz_names_broker_and_cache_when_redis_stops(client, own_redis):
    assert client.get("/readyz").json()["status"] == "ready"  # with Redis as broker and cache
    own_redis.kill()
    own_redis.wait()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "failing": ["broker", "cache"],
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "broker": "unreachable (ConnectionError)",
            "cache": "unreachable (ConnectionError)",
        },
    }


def test_readyz_names_migrations_not_yet_applied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)  # a process that has not yet seen them all applied
    (app, newest), *_ = MigrationLoader(connection).graph.leaf_nodes("sessions_app")
    MigrationRecorder.Migration.objects.filter(app=app, name=newest).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"].startswith("1 migration not applied")


def test_probes_take_only_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
