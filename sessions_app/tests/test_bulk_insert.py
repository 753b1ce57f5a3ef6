from datetime import date
from decimal import Decimal

import pytest

from sessions_app.importing import bulk_insert
from sessions_app.models import Movie, Viewing
from sessions_app.tests.factories import make_session

pytestmark = pytest.mark.django_db

# What an import stores, with the values a column-at-a-time, once-per-distinct-value preparation
# could confuse: equal ratings spelt differently, a repeated date, tags that differ only in kind.
ENTRIES = [
    {"entry_uri": "https://boxd.it/a", "watched_date": date(2024, 2, 29), "rating": Decimal("4"), "tags": []},
    {"entry_uri": "https://boxd.it/b", "watched_date": date(2024, 2, 29), "rating": Decimal("4.0"), "tags": [""]},
    {"entry_uri": "https://boxd.it/c", "watched_date": None, "rating": None, "tags": ["Amélie", "京都"]},
    {"entry_uri": "https://boxd.it/d", "watched_date": date(1895, 12, 28), "rating": Decimal("0.5"), "rewatch": True},
]
COLUMNS = ("entry_uri", "watched_date", "logged_date", "rating", "rewatch", "tags", "review")


def stored(session) -> list[tuple]:
    return list(session.viewings.order_by("entry_uri").values_list(*COLUMNS))


def test_bulk_insert_stores_every_value_as_the_orm_saves_it():
    by_orm, in_bulk = make_session(), make_session()
    for session in (by_orm, in_bulk):
        movie = Movie.objects.create(session=session, title="Amélie", year=2001)
        rows = [{"session_id": session.pk, "movie_id": movie.pk, **entry} for entry in ENTRIES]
        if session is by_orm:
            for row in rows:
                Viewing.objects.create(**row)
        else:
            bulk_insert(Viewing, rows, batch_size=3)  # two batches: a value repeated across them as well

    assert stored(in_bulk) == stored(by_orm)
    assert stored(in_bulk) == [
        ("https://boxd.it/a", date(2024, 2, 29), None, Decimal("4.0"), False, [], ""),
        ("https://boxd.it/b", date(2024, 2, 29), None, Decimal("4.0"), False, [""], ""),
        ("https://boxd.it/c", None, None, None, False, ["Amélie", "京都"], ""),
        ("https://boxd.it/d", date(1895, 12, 28), None, Decimal("0.5"), True, [], ""),
    ]
