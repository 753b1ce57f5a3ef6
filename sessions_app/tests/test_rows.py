"""The diary as the statistics read it: a year's entries and each year's films, found by bisection in date order."""

from datetime import date

import pytest

from sessions_app.stats.rows import Diary, load_diary
from sessions_app.tests.factories import make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db

DATED = [
    (1, date(2019, 12, 31)),
    (2, date(2020, 1, 1)),
    (1, date(2020, 6, 1)),
    (3, date(2020, 12, 31)),
    (4, date(2022, 1, 1)),
]
UNDATED = [(5, None), (6, None)]


def diary_of(entries: list[tuple[int, date | None]]) -> Diary:
    n = len(entries)
    return Diary([i for i, _ in entries], [d for _, d in entries], [None] * n, [None] * n, [0] * n, [()] * n, [""] * n)


@pytest.mark.parametrize(
    "entries",
    [UNDATED + DATED, DATED + UNDATED],
    ids=["undated first, as SQLite orders", "undated last, as PostgreSQL"],
)
def test_a_years_entries_and_each_years_films_leave_the_undated_entries_out(entries):
    diary = diary_of(entries)

    assert diary.of_year(2020).movie_ids == [2, 1, 3]
    assert diary.of_year(2020).watched == [date(2020, 1, 1), date(2020, 6, 1), date(2020, 12, 31)]
    assert len(diary.of_year(2021)) == 0
    assert diary.films_by_year() == {2019: {1}, 2020: {1, 2, 3}, 2022: {4}}


def test_a_diary_with_no_dated_entry_has_no_year():
    assert diary_of(UNDATED).films_by_year() == {}
    assert diary_of([]).films_by_year() == {}


def test_the_loaded_diary_is_in_date_order_whatever_the_database_does_with_undated_entries():
    session = make_session()
    seen, undated, later = (make_movie(session, title) for title in ("Seen", "Undated", "Later"))
    make_viewing(later, date(2021, 5, 1))
    make_viewing(undated, None)
    make_viewing(seen, date(2020, 3, 1))
    make_viewing(seen, date(2021, 1, 1))

    diary = load_diary(session)
    assert diary.films_by_year() == {2020: {seen.pk}, 2021: {seen.pk, later.pk}}
    assert diary.of_year(2021).movie_ids == [seen.pk, later.pk]
