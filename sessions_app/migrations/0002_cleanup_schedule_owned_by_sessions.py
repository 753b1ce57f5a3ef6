"""Deleting expired sessions moved from enrichment.tasks to sessions_app.tasks: point the stored
schedule at the new path (schedules keep their function as a dotted path)."""

from django.db import migrations

NAME = "lbstats: delete expired sessions"
OLD, NEW = "enrichment.tasks.cleanup_sessions", "sessions_app.tasks.cleanup_sessions"


def move(apps, schema_editor, old=OLD, new=NEW):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=NAME, func=old).update(func=new)


def move_back(apps, schema_editor):
    move(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0001_initial"),
        ("enrichment", "0003_forget_stale_tmdb_data"),
        ("django_q", "__latest__"),
    ]

    operations = [migrations.RunPython(move, move_back)]
