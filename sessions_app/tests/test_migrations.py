"""Moving code must not strand what the database stores by name: schedules keep their function as a path."""

import importlib

import pytest
from django.apps import apps
from django.utils.module_loading import import_string
from django_q.models import Schedule

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
