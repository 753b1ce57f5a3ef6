from django.db import migrations

SCHEDULE = {
    # TMDB's terms allow cached content for six months at most.
    "name": "lbstats: forget stale TMDB data",
    "func": "enrichment.tasks.forget_stale_tmdb_data",
    "schedule_type": "D",
}


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=SCHEDULE["name"], defaults={**SCHEDULE, "repeats": -1})


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0002_schedules")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
