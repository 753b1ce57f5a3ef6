from django.db import migrations

SCHEDULES = [
    # Restart sessions whose workers went quiet (a crash), retry failed films, start lost imports.
    {"name": "lbstats: recover enrichment", "func": "enrichment.tasks.recover", "schedule_type": "I", "minutes": 1},
    # Delete sessions 30 days after their last access.
    {"name": "lbstats: delete expired sessions", "func": "sessions_app.tasks.cleanup_sessions", "schedule_type": "D"},
]


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for fields in SCHEDULES:
        Schedule.objects.update_or_create(name=fields["name"], defaults={**fields, "repeats": -1})


def delete_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s["name"] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0001_initial"),
        ("django_q", "__latest__"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
