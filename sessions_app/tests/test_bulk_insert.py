from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from sessions_app.importing import allocate_ids, bulk_insert, insert_rows
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


def test_allocated_ids_come_after_every_id_ever_given_even_a_deleted_one():
    session = make_session()
    Movie.objects.create(session=session, title="Kept")
    last = Movie.objects.create(session=session, title="Deleted").pk
    Movie.objects.filter(pk=last).delete()
    with transaction.atomic():
        ids = allocate_ids(Movie, 3)
        insert_rows(Movie, ("id", "session_id", "title"), [(pk, session.pk, f"Film {pk}") for pk in ids])

    assert ids == [last + 1, last + 2, last + 3]
    # the next film the ORM makes follows them
    assert Movie.objects.create(session=session, title="Next").pk == last + 4


def test_insert_rows_gives_every_field_not_named_its_default():
    session = make_session()
    with transaction.atomic():
        insert_rows(Movie, ("session_id", "title", "year"), [(session.pk, "Amélie", 2001), (session.pk, "Heat", None)])

    assert list(
        session.movies.order_by("id").values_list(
            "title", "year", "watched", "match_status", "match_candidates", "film"
        )
    ) == [("Amélie", 2001, False, "pending", [], None), ("Heat", None, False, "pending", [], None)]
