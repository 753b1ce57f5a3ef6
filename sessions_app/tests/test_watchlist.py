"""The watchlist analysed and what to watch next, on sessions the tests build."""

import random
from datetime import date

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from sessions_app.recommend import held_out
from sessions_app.stats.watchlist import watchlist
from sessions_app.tests.factories import make_film, make_movie, make_session

pytestmark = pytest.mark.django_db


def build_watchlist_session():
    session = make_session()
    villeneuve = dict(directors=["Denis Villeneuve"], genres=["Science Fiction"], countries=["US"])
    for i, rating in enumerate([4.5, 5, 4.5, 4, 4.5, 5]):
        make_movie(session, f"Villeneuve {i}", year=2010 + i, rating=rating, film=make_film(runtime=150, **villeneuve))
    for i, rating in enumerate([2, 1.5, 2.5, 2]):
        make_movie(
            session,
            f"Bay {i}",
            year=2000 + i,
            rating=rating,
            film=make_film(runtime=140, directors=["Michael Bay"], genres=["Action"], countries=["US"]),
        )
    make_movie(
        session,
        "Dune: Part Two",
        year=2024,
        watched=False,
        in_watchlist=True,
        watchlist_date=date(2023, 5, 1),
        film=make_film(runtime=166, **villeneuve),
    )
    make_movie(
        session,
        "Transformers",
        year=2007,
        watched=False,
        in_watchlist=True,
        watchlist_date=date(2021, 2, 1),
        film=make_film(runtime=144, directors=["Michael Bay"], genres=["Action"], countries=["US"]),
    )
    make_movie(
        session,
        "Le Samouraï",
        year=1967,
        watched=False,
        in_watchlist=True,
        watchlist_date=date(2022, 8, 9),
        film=make_film(runtime=105, genres=["Crime"], countries=["FR"]),
    )
    make_movie(session, "Lost Reel", year=1931, watched=False, in_watchlist=True)  # not identified: no runtime
    return session


def test_the_watchlist_counts_hours_decades_genres_countries_and_its_oldest_entries():
    w = watchlist(build_watchlist_session())

    assert (w.films, w.minutes, w.hours, w.films_without_runtime) == (4, 166 + 144 + 105, 7, 1)
    assert [(g.name, g.films) for g in w.decades] == [("1930s", 1), ("1960s", 1), ("2000s", 1), ("2020s", 1)]
    assert [(g.name, g.films) for g in w.genres] == [("Action", 1), ("Crime", 1), ("Science Fiction", 1)]
    assert [(g.key, g.films) for g in w.countries] == [("US", 2), ("FR", 1)]
    assert [(f.title, f.value) for f in w.oldest_added] == [
        ("Transformers", date(2021, 2, 1)),
        ("Le Samouraï", date(2022, 8, 9)),
        ("Dune: Part Two", date(2023, 5, 1)),
    ]
    assert [f.title for f in w.oldest_released] == ["Lost Reel", "Le Samouraï", "Transformers", "Dune: Part Two"]


def test_the_picks_rank_the_watchlist_by_your_taste_and_say_why():
    w = watchlist(build_watchlist_session())

    assert [p.film.title for p in w.picks][0] == "Dune: Part Two"
    assert [p.film.title for p in w.picks][-1] == "Transformers"
    assert w.rated == 10
    dune = w.picks[0]
    assert dune.predicted > 3.55 > w.picks[-1].predicted  # 3.55: your average over the ten rated films
    assert "you rate Denis Villeneuve 4.6 on average (6 films)" in dune.reasons


def build_planted_taste_session(films: int = 120):
    """Ratings driven by the director (a planted taste) plus noise."""
    rng = random.Random(10)
    session = make_session()
    directors = [f"Director {i}" for i in range(12)]
    taste = {name: rng.choice([-1.5, -0.75, 0, 0.75, 1.5]) for name in directors}
    for i in range(films):
        director = directors[i % len(directors)]
        rating = min(5.0, max(0.5, round((3 + taste[director] + rng.gauss(0, 0.4)) * 2) / 2))
        make_movie(session, f"Film {i}", year=1990 + i % 30, rating=rating, film=make_film(directors=[director]))
    return session


def test_the_held_back_check_beats_your_average_on_an_export_with_planted_taste():
    session = build_planted_taste_session()

    check = watchlist(session).check

    rated = session.movies.filter(rating__isnull=False).count()
    assert check is not None and check.held_out == rated // 5 == len(held_out([m.pk for m in session.movies.all()]))
    assert check.error < check.baseline_error


def test_too_few_rated_films_make_no_check(client):
    session = build_watchlist_session()

    page = client.get(reverse("sessions_app:watchlist", args=[session.public_id]))

    assert watchlist(session).check is None  # ten rated films hide too few
    assert "Too few rated films to test the model" in page.content.decode()


def test_the_watchlist_page_shows_the_figures_the_picks_and_the_models_error(client):
    session = build_watchlist_session()

    page = client.get(reverse("sessions_app:watchlist", args=[session.public_id]))
    dashboard = client.get(reverse("sessions_app:session", args=[session.public_id]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "<dt>Hours</dt><dd>7</dd>" in text and "1 film of unknown runtime not counted" in text
    assert "you rate Denis Villeneuve 4.6 on average (6 films)" in text
    assert "scope=watchlist&amp;genre=Action" in text
    assert reverse("sessions_app:watchlist", args=[session.public_id]) in dashboard.content.decode()


def test_the_page_reports_the_models_error_against_your_average(client):
    session = build_planted_taste_session()
    make_movie(session, "Unseen", year=2001, watched=False, in_watchlist=True, film=make_film(directors=["Director 3"]))
    check = watchlist(session).check
    assert check is not None

    page = client.get(reverse("sessions_app:watchlist", args=[session.public_id]))

    # rounded as the page rounds: floatformat takes a half up (1.125 to 1.13), Python's format to even (1.12)
    assert (
        f"On your own films, the model’s error is <strong>{floatformat(check.error, 2)} stars</strong> vs "
        f"{floatformat(check.baseline_error, 2)} for always guessing your average ({check.held_out} rated films hidden"
    ) in page.content.decode()
