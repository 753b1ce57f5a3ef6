from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from sessions_app import stats
from sessions_app.importing import import_upload
from sessions_app.models import Session
from sessions_app.tests.exports import Export
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db


def test_it_counts_the_library_of_a_user_without_a_diary():
    session = make_session()
    make_movie(session, "Alien", year=1979, rating=4.5, liked=True, film=make_film(runtime=117, genres=["Horror"]))
    make_movie(session, "Heat", year=1995, rating=4, film=make_film(runtime=170, genres=["Crime"]))
    make_movie(session, "Mystery", year=2001)  # not identified: no runtime
    make_movie(session, "Dune", year=2021, watched=False, in_watchlist=True)

    d = stats.dashboard(session)

    assert d.overview.basis == stats.Scope.LIBRARY
    assert (d.overview.films, d.overview.entries, d.overview.watchlist) == (3, 0, 1)
    assert d.overview.minutes == 117 + 170
    assert d.overview.films_without_runtime == 1
    assert d.overview.average_rating == pytest.approx(4.25)
    assert (d.overview.rated, d.overview.liked, d.overview.identified) == (2, 1, 2)
    assert d.overview.identified_percent == pytest.approx(66.7)
    assert [(g.name, g.films) for g in d.decades.groups] == [("1970s", 1), ("1990s", 1), ("2000s", 1)]
    assert {g.name for g in d.genres.most_watched} == {"Horror", "Crime"}
    assert d.time.per_year == [] and d.time.longest_streak is None and d.years == []
    assert dict(d.ratings.distribution)["★★★★½"] == 1


def test_it_counts_hours_as_runtime_times_viewings():
    session = make_session()
    movie = make_movie(session, "Heat", film=make_film(runtime=170))
    make_viewing(movie, date(2020, 1, 1))
    make_viewing(movie, date(2021, 1, 1), rewatch=True)

    assert stats.dashboard(session).overview.minutes == 340
    year = stats.dashboard(session, 2021).overview
    assert (year.basis, year.films, year.entries, year.minutes) == (stats.Scope.DIARY, 1, 1, 170)


def test_it_detects_back_filled_days_and_keeps_them_out_of_habits():
    session = make_session()
    placeholder = date(2020, 1, 1)
    for i in range(stats.BACKFILL_DAY_VIEWINGS):
        make_viewing(make_movie(session, f"Old {i}"), placeholder)
    batch_day, logged = date(2021, 3, 6), date(2022, 5, 1)  # a Saturday, logged a year later all at once
    for i in range(stats.BACKFILL_BATCH_VIEWINGS):
        make_viewing(make_movie(session, f"Memory {i}"), batch_day, logged_date=logged)
    for i in range(3):  # a real three-film Monday, logged the same evening
        make_viewing(make_movie(session, f"Real {i}"), date(2021, 3, 8))
    make_viewing(make_movie(session, "Midweek"), date(2021, 3, 10))  # a second real day: "busiest" needs two

    d = stats.dashboard(session)

    assert [(b.day, b.viewings) for b in d.time.backfilled] == [(placeholder, 10), (batch_day, 5)]
    assert "logged together on 2022-05-01" in d.time.backfilled[1].reason
    assert d.time.busiest_day == (date(2021, 3, 8), 3)
    assert dict(d.time.per_weekday) == {"Mon": 3, "Tue": 0, "Wed": 1, "Thu": 0, "Fri": 0, "Sat": 0, "Sun": 0}
    assert d.time.per_year == [("2020", 10), ("2021", 9)]  # still viewings, only not habits


def test_it_does_not_flag_a_real_festival_day():
    session = make_session()
    for i in range(stats.BACKFILL_BATCH_VIEWINGS):
        make_viewing(make_movie(session, f"Festival {i}"), date(2023, 5, 20))  # logged the same day

    assert stats.dashboard(session).time.backfilled == []


def test_it_finds_the_longest_streak_of_days():
    session = make_session()
    movie = make_movie(session, "Daily")
    for start, length in ((date(2022, 1, 1), 3), (date(2022, 2, 10), 5), (date(2022, 3, 1), 4)):
        for i in range(length):
            make_viewing(movie, start + timedelta(days=i))

    streak = stats.dashboard(session).time.longest_streak
    assert (streak.days, streak.start, streak.end) == (5, date(2022, 2, 10), date(2022, 2, 14))


def test_a_single_dated_day_makes_no_streak_and_no_busiest_day():
    session = make_session()
    for i in range(3):
        make_viewing(make_movie(session, f"Logged {i}"), date(2022, 1, 1))  # one placeholder date, under the bulk mark

    time = stats.dashboard(session).time
    assert (time.longest_streak, time.busiest_day) == (None, None)
    assert time.per_month == [("2022-01", 3)]  # the viewings still count; only the day-based facts wait


def test_one_film_a_day_on_days_apart_makes_no_streak_and_no_busiest_day():
    session = make_session()
    for i in range(5):
        make_viewing(make_movie(session, f"Weekly {i}"), date(2022, 1, 3) + timedelta(days=7 * i))

    time = stats.dashboard(session).time
    assert (time.longest_streak, time.busiest_day) == (None, None)  # not "1 day in a row", not "1 film"
    assert sum(n for _, n in time.per_weekday) == 5


def test_it_breaks_a_streak_at_a_back_filled_day():
    session = make_session()
    for i in range(stats.BACKFILL_DAY_VIEWINGS):
        make_viewing(make_movie(session, f"Bulk {i}"), date(2022, 1, 3))
    daily = make_movie(session, "Daily")
    for day in (1, 2, 4):
        make_viewing(daily, date(2022, 1, day))

    assert stats.dashboard(session).time.longest_streak.days == 2


def test_milestones_are_the_first_film_and_every_hundredth_and_a_year_page_shows_its_own_first_and_last():
    session = make_session()
    start = date(2019, 11, 1)  # 250 films, one a day: Film 060 on 31 December 2019, Film 249 on 7 July 2020
    movies = [make_movie(session, f"Film {i:03}") for i in range(250)]
    for i, movie in enumerate(movies):
        make_viewing(movie, start + timedelta(days=i))
    make_viewing(movies[0], date(2019, 12, 31), rewatch=True)  # logged after Film 060: it closes 2019
    make_viewing(movies[1], date(2020, 3, 1), rewatch=True)  # a rewatch is not a new film

    milestones = stats.dashboard(session).time.milestones
    assert [(m.number, m.day, m.film.title) for m in milestones] == [
        (1, date(2019, 11, 1), "Film 000"),
        (100, date(2020, 2, 8), "Film 099"),
        (200, date(2020, 5, 18), "Film 199"),
    ]
    assert stats.dashboard(session).time.year_ends == []  # the all-time page has no year to open or close
    y2019, y2020 = stats.dashboard(session, 2019).time, stats.dashboard(session, 2020).time
    assert [m.number for m in y2019.milestones] == [1]
    assert [m.number for m in y2020.milestones] == [100, 200]  # still numbered in the whole diary
    assert [(e.which, e.day, e.film.title, e.backfilled) for e in y2019.year_ends] == [
        ("first", date(2019, 11, 1), "Film 000", False),
        ("last", date(2019, 12, 31), "Film 000", False),  # the rewatch, logged after Film 060 that day
    ]
    assert [(e.which, e.day, e.film.title) for e in y2020.year_ends] == [
        ("first", date(2020, 1, 1), "Film 061"),
        ("last", date(2020, 7, 7), "Film 249"),
    ]


def test_a_year_of_one_diary_entry_has_a_first_film_and_no_last():
    session = make_session()
    make_viewing(make_movie(session, "Heat"), date(2021, 6, 1))

    assert [(e.which, e.film.title) for e in stats.dashboard(session, 2021).time.year_ends] == [("first", "Heat")]


def test_milestones_on_one_day_follow_the_diarys_own_order_and_say_when_the_day_was_back_filled(client):
    # Logged in the order Zodiac, Alien, Memento on one evening; watched.csv (and the titles) order them otherwise.
    first_day, placeholder = date(2019, 1, 1), date(2020, 1, 1)
    export = Export()
    export.add(
        "watched.csv", *[["2019-01-01", t, 2000, f"https://boxd.it/{t}"] for t in ("Alien", "Memento", "Zodiac")]
    )
    export.add(
        "diary.csv",
        *[
            ["2019-01-01", t, 2000, f"https://boxd.it/e-{t}", "", "", "", first_day]
            for t in ("Zodiac", "Alien", "Memento")
        ],
    )
    for i in range(86):  # films 4 to 89, one a day
        day = first_day + timedelta(days=1 + i)
        export.add("diary.csv", [day, f"Daily {i:02}", 2001, f"https://boxd.it/d{i}", "", "", "", day])
    # Twelve films entered from memory under one placeholder date, logged in the order Batch 11 … Batch 00:
    # the 100th distinct film is the eleventh of them, Batch 01.
    for i in reversed(range(12)):
        export.add("diary.csv", ["2020-02-01", f"Batch {i:02}", 2002, f"https://boxd.it/b{i}", "", "", "", placeholder])
    session = import_upload(export.zip_upload())

    milestones = stats.dashboard(session).time.milestones
    assert [(m.number, m.day, m.film.title, m.backfilled) for m in milestones] == [
        (1, first_day, "Zodiac", False),
        (100, placeholder, "Batch 01", True),
    ]
    # 2020's diary is the batch alone: logged first Batch 11, last Batch 00, on a back-filled day
    year = stats.dashboard(session, 2020).time
    assert [(e.which, e.film.title, e.backfilled) for e in year.year_ends] == [
        ("first", "Batch 11", True),
        ("last", "Batch 00", True),
    ]
    assert [(m.number, m.film.title) for m in year.milestones] == [(100, "Batch 01")]
    page = client.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()
    assert page.count("a back-filled day: the date is when the diary was filled in") == 1
    year_page = client.get(reverse("sessions_app:session", args=[session.public_id]), {"year": 2020}).content.decode()
    assert "<strong>First film of 2020</strong>" in year_page and "<strong>Last film of 2020</strong>" in year_page
    assert year_page.count("a back-filled day: the date is when the diary was filled in") == 3  # first, last, 100th


def test_it_counts_rewatches_and_most_rewatched_films():
    session = make_session()
    heat, alien = make_movie(session, "Heat"), make_movie(session, "Alien")
    for year in (2019, 2020, 2021):
        make_viewing(heat, date(year, 6, 1), rewatch=year > 2019)
    make_viewing(alien, date(2021, 7, 1))
    make_viewing(alien, date(2021, 8, 1), rewatch=True)

    d = stats.dashboard(session)
    assert d.rewatches.entries == 3
    assert [(f.title, f.value) for f in d.rewatches.films] == [("Heat", 3), ("Alien", 2)]
    in_2021 = stats.dashboard(session, 2021).rewatches
    assert [(f.title, f.value) for f in in_2021.films] == [("Alien", 2)]


def test_it_lists_rating_drift_against_the_last_diary_rating():
    session = make_session()
    up = make_movie(session, "Grew on me", rating=4.5)
    make_viewing(up, date(2020, 1, 1), rating=2)
    make_viewing(up, date(2021, 1, 1), rating=3.5)
    down = make_movie(session, "Aged badly", rating=2)
    make_viewing(down, date(2020, 2, 1), rating=4)
    same = make_movie(session, "Steady", rating=4)
    make_viewing(same, date(2020, 3, 1), rating=4)

    r = stats.dashboard(session).ratings
    assert [(f.title, given, now) for f, given, now in r.drift] == [
        ("Aged badly", Decimal("4.0"), Decimal("2.0")),
        ("Grew on me", Decimal("3.5"), Decimal("4.5")),
    ]
    assert (r.drift_count, r.drift_up, r.drift_down) == (2, 1, 1)
    assert r.average_by_year == [("2020", pytest.approx(10 / 3, abs=0.01)), ("2021", 3.5)]


def test_it_keeps_the_biggest_drifts_and_counts_them_all():
    session = make_session()
    for i in range(stats.DRIFT_SHOWN + 5):
        movie = make_movie(session, f"Film {i:02d}", rating=5 if i < 3 else 3)
        make_viewing(movie, date(2020, 1, 1), rating=1)
    r = stats.dashboard(session).ratings
    assert r.drift_count == r.drift_up == stats.DRIFT_SHOWN + 5
    assert len(r.drift) == stats.DRIFT_SHOWN
    assert [f.title for f, _, _ in r.drift[:3]] == ["Film 00", "Film 01", "Film 02"]  # biggest change first


def test_it_shows_nothing_dated_for_a_year_without_viewings():
    session = make_session()
    make_viewing(make_movie(session, "Heat", rating=4), date(2020, 5, 1), tags=["cinema"], review="Great.")

    d = stats.dashboard(session, 2019)

    assert d.years == [2020]
    assert (d.overview.films, d.overview.entries, d.overview.rated) == (0, 0, 0)
    assert d.time.per_month == [] and d.time.busiest_day is None and d.time.heatmap == {}
    assert d.reviews.count == 0 and d.reviews.tags == []
    assert sum(n for _, n in d.ratings.distribution) == 0
    assert d.time.per_year == [("2020", 1)]  # the per-year overview stays whole


def test_it_scopes_months_and_heatmap_to_the_year():
    session = make_session()
    movie = make_movie(session, "Heat")
    make_viewing(movie, date(2020, 12, 31))
    make_viewing(movie, date(2021, 2, 14))
    make_viewing(movie, date(2021, 2, 14))

    t = stats.dashboard(session, 2021).time
    assert len(t.per_month) == 12 and t.per_month[1] == ("2021-02", 2)
    assert t.heatmap == {date(2021, 2, 14): 2} and t.heatmap_year == 2021
    assert [m for m, _ in stats.dashboard(session).time.per_month] == ["2020-12", "2021-01", "2021-02"]


def test_it_ranks_highest_rated_by_bayesian_average():
    session = make_session()
    # Library mean 3.0 from filler films; one perfect film must not beat a long run of 4.5s.
    for i in range(6):
        make_movie(session, f"Filler {i}", rating=2, film=make_film(directors=["Filler"]))
    for i in range(3):
        make_movie(session, f"Lucky {i}", rating=5 if i == 0 else 4, film=make_film(directors=["Lucky"]))
    for i in range(10):
        make_movie(session, f"Steady {i}", rating=4.5, film=make_film(directors=["Steady"]))
    make_movie(session, "One hit", rating=5, film=make_film(directors=["One hit"]))

    ranking = stats.dashboard(session).directors

    assert [g.name for g in ranking.highest_rated] == ["Steady", "Lucky", "Filler"]  # One hit: too few rated
    mean = (6 * 2 + 5 + 4 + 4 + 10 * 4.5 + 5) / 20
    assert ranking.highest_rated[0].score == pytest.approx((3 * mean + 45) / 13)
    assert [g.name for g in ranking.most_watched][:2] == ["Steady", "Filler"]


def test_it_counts_top_billed_actors_only():
    session = make_session()
    cast = ["Lead", "Second", "Third", "Fourth", "Fifth", "Cameo"]
    make_movie(session, "Ensemble", film=make_film(cast=cast))
    make_movie(session, "Sequel", film=make_film(cast=["Lead"]))

    actors = stats.dashboard(session).actors
    assert [(g.name, g.films) for g in actors.most_watched][:1] == [("Lead", 2)]
    assert "Cameo" not in {g.name for g in actors.groups}
    index = stats.people_index(session, "actor")
    assert [(p["name"], p["films"]) for p in index] == [
        ("Lead", 2),
        ("Fifth", 1),
        ("Fourth", 1),
        ("Second", 1),
        ("Third", 1),
    ]


def test_it_groups_languages_runtimes_and_extremes():
    session = make_session()
    make_movie(session, "Short", film=make_film(runtime=12, original_language="fr", languages=["fr"]))
    make_movie(session, "Feature", film=make_film(runtime=95, original_language="en"))
    make_movie(session, "Epic", film=make_film(runtime=229, original_language="en"))
    make_movie(session, "Flow", film=make_film(runtime=85, original_language="lv", languages=["xx"]))

    d = stats.dashboard(session)
    # named by the spoken-language facets ("fr" here), else by ISO 639 (no facet names English or Latvian)
    assert [(g.key, g.name, g.films) for g in d.languages.most_watched] == [
        ("en", "English", 2),
        ("lv", "Latvian", 1),
        ("fr", "fr", 1),
    ]
    assert [(g.name, g.films) for g in d.runtimes.groups if g.films] == [
        ("under 40 min", 1),
        ("40–89 min", 1),
        ("90–119 min", 1),
        ("3 h or more", 1),
    ]
    assert [f.title for f in d.shortest] == ["Short", "Flow", "Feature", "Epic"]
    assert [(f.title, f.value) for f in d.longest][:1] == [("Epic", 229)]


def test_it_counts_tags_and_review_words():
    session = make_session()
    movie = make_movie(session, "Heat")
    make_viewing(movie, date(2020, 1, 1), tags=["cinema", "35mm"], review="<i>Great</i> heist<br>film.")
    make_viewing(movie, date(2020, 2, 1), tags=["cinema"])

    reviews = stats.dashboard(session).reviews
    assert (reviews.count, reviews.words) == (1, 3)
    assert reviews.tags == [("cinema", 2), ("35mm", 1)]
    assert stats.dashboard(session).overview.reviewed == 1


def test_it_uses_the_same_queries_for_5_films_as_for_500(django_assert_num_queries):
    def build(films: int) -> Session:
        session = make_session()
        for i in range(films):
            film = make_film(genres=["Drama"], directors=[f"D{i % 3}"], cast=[f"A{i % 7}"], countries=["FR"])
            movie = make_movie(session, f"Film {i}", rating=3, film=film)
            make_viewing(movie, date(2020, 1, 1) + timedelta(days=i), tags=["cinema"], review="Fine.")
        return session

    for session in (build(5), build(500)):
        for year in (None, 2020):
            # films, diary, facets, the ranked people's photos, and the collections (their rows only when in one)
            with django_assert_num_queries(5):
                stats.dashboard(session, year)
