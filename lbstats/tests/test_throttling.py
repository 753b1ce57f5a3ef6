"""Per-client limits: uploads, re-enrichment and corrections through the API and the forms, and admin
login guesses; past a limit the answer is 429 with Retry-After, and other clients are not affected."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions_app.importing import import_upload
from sessions_app.models import Session
from sessions_app.tests.exports import sample_export

pytestmark = pytest.mark.django_db

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def api_upload(client, **extra):
    files = {"files": SimpleUploadedFile("export.zip", sample_export().zip_bytes())}
    return client.post("/api/upload", files, **extra)


def form_upload(client, **extra):
    files = {"files": SimpleUploadedFile("export.zip", sample_export().zip_bytes())}
    return client.post("/", files, **extra)


def test_uploads_past_the_rate_answer_429_with_retry_after_across_the_api_and_the_form(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "uploads": "3/hour"}
    assert [api_upload(client).status_code, form_upload(client).status_code, api_upload(client).status_code] == [
        201,
        302,
        201,
    ]
    refused_api, refused_form = api_upload(client), form_upload(client)
    assert refused_api.status_code == 429 and 3590 <= int(refused_api["Retry-After"]) <= 3600
    assert refused_form.status_code == 429 and 3590 <= int(refused_form["Retry-After"]) <= 3600
    assert "Too many requests from your address" in refused_form.content.decode()
    assert Session.objects.count() == 3  # nothing stored for the refused ones
    assert api_upload(client, **ELSEWHERE).status_code == 201  # another client still may


def test_a_forwarded_for_header_does_not_let_a_client_escape_its_limit(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "uploads": "1/hour"}
    assert api_upload(client).status_code == 201
    assert api_upload(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_reenrichment_and_corrections_are_limited_per_client(client, settings, tmdb_double):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "reenrich": "2/hour", "corrections": "1/hour"}
    session = import_upload(sample_export().zip_upload())
    Session.objects.filter(pk=session.pk).update(status=Session.Status.COMPLETED)
    reenrich = f"/api/session/{session.public_id}/reenrich"
    statuses = [client.post(reenrich, {}, content_type="application/json").status_code for _ in range(3)]
    assert statuses == [202, 200, 429]  # started, then already re-enriching, then over the limit
    movie = f"/api/session/{session.public_id}/movies/{session.movies.first().pk}"
    assert client.patch(movie, {"tmdb_id": 77}, content_type="application/json").status_code == 200
    assert client.patch(movie, {"tmdb_id": 77}, content_type="application/json").status_code == 429
    assert client.get(movie).status_code == 200  # reading is not limited


def test_admin_login_guesses_are_locked_out_with_429(client, settings):
    User.objects.create_superuser("staff", password="right horse battery staple")
    settings.AXES_FAILURE_LIMIT = 3
    guesses = [
        client.post("/admin/login/", {"username": "staff", "password": f"guess {i}"}).status_code for i in range(4)
    ]
    assert guesses == [200, 200, 429, 429]  # the third failure locks the address out
    locked = client.post("/admin/login/", {"username": "staff", "password": "right horse battery staple"})
    assert locked.status_code == 429 and int(locked["Retry-After"]) == 15 * 60
    other = client.post("/admin/login/", {"username": "staff", "password": "right horse battery staple"}, **ELSEWHERE)
    assert other.status_code == 302  # another address logs in
