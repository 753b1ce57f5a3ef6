"""An actor billed twice in one film (two roles) had two facet rows, and was counted twice: keep the first."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def keep_first_billing(apps, schema_editor):
    FilmFacet = apps.get_model("enrichment", "FilmFacet")
    earlier = FilmFacet.objects.filter(
        film=OuterRef("film"), kind=OuterRef("kind"), key=OuterRef("key"), position__lte=OuterRef("position")
    ).exclude(pk__gte=OuterRef("pk"), position=OuterRef("position"))
    FilmFacet.objects.filter(Exists(earlier)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0005_film_lookup_claims"),
    ]

    operations = [migrations.RunPython(keep_first_billing, migrations.RunPython.noop)]
