"""Moving code must not strand what the database stores by name: schedules keep their function as a path."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.utils.module_loading import import_string
from django_q.models import Schedule

from sessions_app.models import Session

from .factories import make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db

MOVE = importlib.import_module("sessions_app.migrations.0002_cleanup_schedule_owned_by_sessions")


def test_a_database_with_the_old_cleanup_schedule_runs_the_new_task_after_migrating():
    Schedule.objects.filter(name=MOVE.NAME).update(func="enrichment.tasks.cleanup_sessions")
    MOVE.move(apps, None)
    schedule = Schedule.objects.get(name=MOVE.NAME)
    assert schedule.func == "sessions_app.tasks.cleanup_sessions"
    assert import_string(schedule.func)() == 0


def test_every_stored_schedule_names_a_function_that_exists():
    funcs = sorted(Schedule.objects.values_list("func", flat=True))
    assert funcs == [
        "enrichment.tasks.forget_stale_tmdb_data",
        "enrichment.tasks.recover",
        "sessions_app.tasks.cleanup_sessions",
    ]
    for func in funcs:
        assert callable(import_string(func))


UPLOADS = importlib.import_module("sessions_app.migrations.0004_session_uploads")


def test_a_session_imported_before_upload_histories_gets_its_first_upload_recorded():
    session = make_session(metadata={"files": [{"name": "export.zip", "size": 10}]})
    make_viewing(
        make_movie(session, "A", watched_date=date(2024, 3, 1)), date(2024, 2, 1), logged_date=date(2024, 2, 5)
    )
    make_movie(session, "B")
    UPLOADS.record_first_upload(apps, None)
    assert Session.objects.get().uploads == [
        {
            "at": session.created_at.isoformat(),
            "files": [{"name": "export.zip", "size": 10}],
            "films": 2,
            "entries": 1,
            "newest_date": "2024-03-01",
            "replaced": False,
            "since_last": None,
        }
    ]
