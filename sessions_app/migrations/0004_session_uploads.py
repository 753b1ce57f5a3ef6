"""A session keeps the history of the exports loaded into it. Sessions imported before this have one
upload, their first: recorded from what they hold, so a newer export can be compared with it."""

from django.db import migrations, models
from django.db.models import Max


def record_first_upload(apps, schema_editor):
    Session = apps.get_model("sessions_app", "Session")
    for session in Session.objects.iterator():
        if session.uploads:
            continue
        days = [
            *session.viewings.aggregate(Max("watched_date"), Max("logged_date")).values(),
            session.movies.aggregate(Max("watched_date"))["watched_date__max"],
        ]
        newest = max((d for d in days if d), default=None)
        session.uploads = [
            {
                "at": session.created_at.isoformat(),
                "files": (session.metadata or {}).get("files", []),
                "films": session.movies.count(),
                "entries": session.viewings.count(),
                "newest_date": newest.isoformat() if newest else None,
                "replaced": False,
                "since_last": None,
            }
        ]
        session.save(update_fields=["uploads"])


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0003_match_counts_beside_the_session"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="uploads",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(record_first_upload, migrations.RunPython.noop),
    ]
