"""The unmatched page: search TMDB from the page (the double, over a real socket), one click applies the choice."""

import re

import pytest
from django.test import Client

from enrichment.matching import MatchStatus
from sessions_app.tests.factories import make_movie, make_session

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_it_searches_tmdb_from_the_page_and_applies_a_choice_in_place(client: Client, tmdb_double):
    session = make_session()
    movie = make_movie(session, "Suspiria (remake)", year=2018, match_status=MatchStatus.NOT_FOUND)
    url = f"/s/{session.public_id}/unmatched/"

    results = client.get(url, {"search": str(movie.pk), "q": "Suspiria"}, headers=HX).content.decode()

    found = re.findall(r"<strong>([^<]+)</strong> \((\d{4})\)\s*<span class=\"muted\">([^<]+)</span>", results)
    assert ("Suspiria", "2018", "film, Luca Guadagnino") in found and (
        "Suspiria",
        "1977",
        "film, Dario Argento",
    ) in found
    assert 'value="movie/361292"' in results and f'hx-target="#movie-{movie.pk}"' in results

    done = client.post(url, {"movie": movie.pk, "candidate": "movie/361292"}, headers=HX)

    assert done.status_code == 200
    assert f'<li id="movie-{movie.pk}"' in done.content.decode()
    assert "Suspiria (remake) is now Suspiria (2018), TMDB film 361292." in done.content.decode()
    movie.refresh_from_db()
    assert movie.film is not None and (movie.match_status, movie.film.tmdb_id) == (MatchStatus.MANUAL, 361292)


def test_without_javascript_the_search_shows_on_the_page_and_a_fix_comes_back_to_it(client: Client, tmdb_double):
    session = make_session()
    movie = make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)
    url = f"/s/{session.public_id}/unmatched/"

    page = client.get(url, {"search": str(movie.pk), "q": "Suspiria"}).content.decode()
    assert "<h1>Films to identify</h1>" in page and 'value="movie/361292"' in page

    response = client.post(url, {"movie": movie.pk, "tmdb": "https://www.themoviedb.org/movie/361292", "page": "1"})
    assert response.status_code == 302 and response["Location"] == f"{url}?page=1#movie-{movie.pk}"
    assert "Obscure is now Suspiria (2018), TMDB film 361292." in client.get(response["Location"]).content.decode()


def test_a_bad_reference_in_place_answers_400_with_the_message_in_the_film(client: Client):
    session = make_session()
    movie = make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)

    response = client.post(f"/s/{session.public_id}/unmatched/", {"movie": movie.pk, "tmdb": "nope"}, headers=HX)

    assert response.status_code == 400
    assert re.search(
        rf'<li id="movie-{movie.pk}".*role="alert">Pick one of the suggestions', response.content.decode(), re.S
    )


def test_watched_films_come_first_and_watchlist_ones_last_paginated_with_the_dashboards_count(client: Client):
    session = make_session()
    for i in range(15):
        make_movie(session, f"Wish {i:02}", watched=False, in_watchlist=True, match_status=MatchStatus.NOT_FOUND)
    for i in range(10):
        make_movie(session, f"Seen {i:02}", match_status=MatchStatus.AMBIGUOUS)
    make_movie(session, "Identified", film=None, match_status=MatchStatus.PENDING)
    url = f"/s/{session.public_id}/unmatched/"

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    titles = re.compile(r'<h2><a href="[^"]+">([^<]+)</a>')
    assert titles.findall(first) == [f"Seen {i:02}" for i in range(10)] + [f"Wish {i:02}" for i in range(10)]
    assert titles.findall(second) == [f"Wish {i:02}" for i in range(10, 15)]
    assert 'data-count="25"' in first
    progress = client.get(f"/s/{session.public_id}/progress/").content.decode()
    assert re.search(r"25 unmatched", progress)
