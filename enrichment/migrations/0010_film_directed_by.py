from django.db import migrations, models

BATCH = 2000


def categorise(apps, schema_editor):
    """Every stored film's category, from the directors it keeps (new films get theirs when stored)."""
    from enrichment.models import DirectedBy

    Film = apps.get_model("enrichment", "Film")
    films = Film.objects.only("id", "directors").order_by("id")
    last = 0
    while batch := list(films.filter(id__gt=last)[:BATCH]):
        for film in batch:
            film.directed_by = DirectedBy.of(film.directors)
        Film.objects.bulk_update(batch, ["directed_by"])
        last = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0009_film_tv_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="film",
            name="directed_by",
            field=models.CharField(
                choices=[
                    ("women", "Directed by a woman"),
                    ("not_women", "No woman among the directors"),
                    ("unknown", "Directors’ gender unknown"),
                ],
                default="unknown",
                max_length=9,
            ),
        ),
        migrations.RunPython(categorise, migrations.RunPython.noop),
    ]
