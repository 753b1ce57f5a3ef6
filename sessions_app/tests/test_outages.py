"""While Redis (the broker and the cache) is down, an upload is still stored and answered with its
address, its work is queued by the recovery schedule once Redis is back, and pages answer without
their cache."""

import socket
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from enrichment import services
from sessions_app.models import Session

from .exports import sample_export

pytestmark = pytest.mark.django_db


def refused_url() -> str:
    """A Redis address where nothing listens: connections are refused, as while Redis is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_down(settings, monkeypatch, tmdb_double) -> None:
    url = refused_url()
    down = {
        "BACKEND": "lbstats.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    settings.CACHES = {"default": down, "throttle": {**down, "KEY_PREFIX": "throttle"}}
    monkeypatch.setattr(Conf, "ORM", None)  # django-q2 reads its broker from Conf: Redis, at the same address
    monkeypatch.setattr(Conf, "REDIS", url)


def test_an_upload_during_a_redis_outage_is_stored_and_answered_with_its_address(
    client, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/upload", {"files": SimpleUploadedFile("export.zip", sample_export().zip_bytes())})
    assert response.status_code == 201
    session = Session.objects.get(public_id=response.json()["session_id"])
    assert session.movies.count() == 8
    assert client.get(f"/s/{session.public_id}/").status_code == 200  # the dashboard, computed without its cache
    assert client.get(f"/api/session/{session.public_id}/status").status_code == 200


def test_the_recovery_schedule_queues_the_work_once_redis_is_back(
    client, redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/upload", {"files": SimpleUploadedFile("export.zip", sample_export().zip_bytes())})
    session = Session.objects.get(public_id=response.json()["session_id"])
    monkeypatch.setattr(Conf, "ORM", "default")  # the broker is back
    Session.objects.filter(pk=session.pk).update(enrichment_heartbeat=timezone.now() - timedelta(hours=1))
    assert services.recover()["restarted"] == 1
    assert OrmQ.objects.count() == 1
