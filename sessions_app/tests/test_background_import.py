"""A large upload is checked in its request and imported by a worker: the session exists at once,
`processing`, with its import's phase on the page and at /status; rows that turn out bad fail it with the
parser's message and store nothing; small uploads still answer in one round trip with their counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_q.models import OrmQ

from enrichment import tasks as enrichment_tasks
from sessions_app import tasks
from sessions_app.models import Movie, Session, UploadBlob, Viewing

from .test_hostile_uploads import LONG_URI, WATCHED, csv_of, diary, entry

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
DIARY = diary(entry("Memento"), entry("Heat", year="1995", uri="https://boxd.it/e2", watched="2022-02-01"))
LARGE = len(WATCHED) + len(DIARY) - 1  # the threshold: these two files together are past it


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_BYTES = LARGE
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""  # enrichment off: an import ends completed


def upload(client, *files: tuple[str, bytes], path: str = "/api/upload"):
    return client.post(path, {"files": [SimpleUploadedFile(name, data) for name, data in files]})


def queued_imports() -> list[int]:
    return [q.task["args"][0] for q in OrmQ.objects.all() if q.func() == "sessions_app.tasks.import_session"]


def stored(session: Session) -> tuple[int, int, int]:
    """The session's films, diary entries and kept upload files."""
    return (
        Movie.objects.filter(session=session).count(),
        Viewing.objects.filter(session=session).count(),
        UploadBlob.objects.filter(session=session).count(),
    )


def test_a_large_upload_is_accepted_at_once_and_imported_by_a_worker(
    client, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ("watched.csv", WATCHED), ("diary.csv", DIARY))

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["import_phase"], body["total_movies"]) == ("processing", "queued", 0)
    session = Session.objects.get(public_id=body["session_id"])
    assert stored(session) == (0, 0, 2) and queued_imports() == [session.pk]
    status = client.get(f"/api/session/{session.public_id}/status").json()
    assert (status["status"], status["import_phase"]) == ("processing", "queued")
    assert status["import_progress"] == "Importing your export: waiting for a worker."
    page = client.get(f"/s/{session.public_id}/").content.decode()
    assert "Importing your export: waiting for a worker." in page and 'id="overview"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.import_session(session.pk) == "imported"

    session.refresh_from_db()
    assert (session.status, session.import_phase, session.total_movies) == ("completed", "", 2)
    assert stored(session) == (2, 2, 0)  # the kept bytes went with the import
    assert sorted(session.movies.values_list("title", flat=True)) == ["Heat", "Memento"]
    assert session.metadata["files"] == [
        {"name": "watched.csv", "size": len(WATCHED)},
        {"name": "diary.csv", "size": len(DIARY)},
    ]
    assert tasks.import_session(session.pk) == "nothing to import"  # a task delivered twice changes nothing
    assert stored(session) == (2, 2, 0)


def test_the_polling_page_swaps_in_the_dashboard_once_the_import_is_in(
    client, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = Session.objects.get(
            public_id=upload(client, ("watched.csv", WATCHED), ("diary.csv", DIARY)).json()["session_id"]
        )
    url = f"/s/{session.public_id}/progress/?importing=1"
    waiting = client.get(url, headers=HX)
    assert "Importing your export" in waiting.content.decode() and "HX-Retarget" not in waiting

    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_session(session.pk)

    done = client.get(url, headers=HX)
    assert done["HX-Retarget"] == "main" and 'id="overview"' in done.content.decode()


def test_the_upload_form_takes_a_large_upload_to_its_importing_page(client, background):
    response = upload(client, ("watched.csv", WATCHED), ("diary.csv", DIARY), path="/")
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{session.public_id}/"
    assert session.import_phase == "queued"


@pytest.mark.parametrize(
    "files, message",
    [
        ([("watched.csv", b"Title,When\r\n" + b"x,y\r\n" * 200)], "watched.csv line 1: missing the columns"),
        ([("export.zip", b"PK\x03\x04" + b"\x00" * 400)], "export.zip is not a readable ZIP archive"),
        ([("notes.csv", b"a,b\r\n" + b"1,2\r\n" * 200)], "notes.csv: cannot tell which Letterboxd file this is"),
    ],
    ids=["missing-columns", "not-a-zip", "not-an-export-file"],
)
def test_a_large_upload_malformed_in_its_structure_is_refused_in_the_request(client, settings, files, message):
    settings.IMPORT_BACKGROUND_BYTES = 100
    response = upload(client, *files)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert (Session.objects.count(), UploadBlob.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "watched, message",
    [
        (
            csv_of("watched.csv", ["2022-01-01", "Memento", "2000", LONG_URI]),
            "watched.csv line 2: the Letterboxd URI is 229 characters long",
        ),
        (
            WATCHED + b'2022-01-02,"Never closed,2001,x\r\n',
            "watched.csv: the CSV cannot be read: a quoted value is never closed",
        ),
    ],
    ids=["uri-past-the-database-width", "unclosed-quote"],
)
def test_rows_that_turn_out_bad_fail_the_session_with_the_message_and_store_nothing(
    client, background, watched, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ("watched.csv", watched), ("diary.csv", DIARY))
    assert response.status_code == 202
    session = Session.objects.get(public_id=response.json()["session_id"])

    assert tasks.import_session(session.pk) == "refused"

    session.refresh_from_db()
    assert (session.status, session.import_phase) == ("failed", "failed") and message in session.error_message
    assert stored(session) == (0, 0, 0)
    status = client.get(f"/api/session/{session.public_id}/status").json()
    assert status["status"] == "failed" and message in status["error_message"]
    page = client.get(f"/s/{session.public_id}/").content.decode()
    assert "Your export could not be imported" in page and 'id="overview"' not in page


def test_a_failed_import_is_not_re_enriched_into_an_empty_session(client, settings, tmdb_double):
    settings.IMPORT_BACKGROUND_BYTES = LARGE
    response = upload(client, ("watched.csv", WATCHED + b'2022-01-02,"Never closed,2001,x\r\n'), ("diary.csv", DIARY))
    session = Session.objects.get(public_id=response.json()["session_id"])
    tasks.import_session(session.pk)

    answer = client.post(f"/api/session/{session.public_id}/reenrich", {"all": True}, content_type="application/json")

    assert answer.status_code == 200
    assert answer.json()["detail"] == "This upload could not be imported, so it has no films to identify."
    session.refresh_from_db()
    assert (session.status, session.import_phase) == ("failed", "failed")


def test_a_small_upload_still_answers_with_its_counts_in_one_round_trip(client, background):
    response = upload(client, ("watched.csv", WATCHED))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["import_phase"], body["total_movies"]) == ("processing", "", 1)
    assert UploadBlob.objects.count() == 0 and queued_imports() == []


def test_the_recovery_schedule_queues_an_import_the_broker_missed(client, background):
    response = upload(client, ("watched.csv", WATCHED), ("diary.csv", DIARY))  # no commit: nothing queued
    session = Session.objects.get(public_id=response.json()["session_id"])
    assert queued_imports() == []
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(hours=1))

    enrichment_tasks.recover()

    assert queued_imports() == [session.pk]
    session.refresh_from_db()
    assert (session.status, session.import_phase) == ("processing", "queued")  # not enriched empty
