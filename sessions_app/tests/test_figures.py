"""Every count on every page links to the film explorer, and the explorer (and the API) lists exactly that many films."""

import html
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from enrichment.matching import MatchStatus
from sessions_app.models import Session
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db

COUNT_LINK = re.compile(r'<a class="count" href="([^"]+)">(\d+)</a>')
EXPLORER_COUNT = re.compile(r'<p class="count" data-count="(\d+)">')


def a_library_with_every_trap() -> Session:
    """Watched, liked-but-unwatched and watchlist-only films sharing genres and people; an actor billed twice in one
    film, sixth in another; diary entries over two years, an undated review, a blank review; an unidentified film."""
    session = make_session()
    two_roles = make_film(
        "Two Roles",
        genres=["Science Fiction", "Drama"],
        directors=["Mann"],
        cast=["Lead", "Lead", "Second", "Third", "Fourth", "Fifth", "Cameo"],
        countries=["US"],
        original_language="en",
        runtime=125,
    )
    sixth = make_film(
        "Sixth Billed",
        genres=["Drama"],
        directors=["Carpenter"],
        cast=["A", "B", "C", "D", "E", "Lead"],
        countries=["US", "FR"],
        original_language="fr",
        runtime=95,
    )
    starring = make_film(
        "Starring",
        genres=["Science Fiction"],
        directors=["Mann"],
        cast=["Lead"],
        countries=["FR"],
        original_language="fr",
        runtime=30,
    )
    epic = make_film("Epic", genres=["Drama"], directors=["Mann"], cast=["Second"], runtime=200, original_language="en")
    wanted = make_film("Wanted", genres=["Science Fiction", "Drama"], directors=["Mann"], cast=["Lead"], runtime=100)
    loved = make_film("Loved", genres=["Drama"], directors=["Carpenter"], cast=["Lead"], runtime=100)

    a = make_movie(session, "Two Roles", year=1995, rating=4.5, liked=True, film=two_roles)
    b = make_movie(session, "Sixth Billed", year=1998, rating=3, film=sixth)
    c = make_movie(session, "Starring", year=2001, rating=4.5, liked=True, film=starring)
    d = make_movie(session, "Epic", year=1962, film=epic, in_watchlist=True)  # watched, and still on the watchlist
    make_movie(session, "Unknown", year=1999, rating=2, match_status=MatchStatus.NOT_FOUND)
    make_movie(session, "Wanted", year=1996, watched=False, in_watchlist=True, film=wanted)
    make_movie(session, "Loved", year=1993, watched=False, liked=True, film=loved)
    make_movie(session, "Also Wanted", year=1994, watched=False, in_watchlist=True)

    make_viewing(a, date(2020, 3, 1), rating=4, review="Great.")
    make_viewing(a, date(2021, 3, 1), rating=4.5, rewatch=True)
    make_viewing(b, date(2020, 5, 2), rating=3, review="   ")
    make_viewing(b, date(2020, 5, 3), rating=3, rewatch=True)
    make_viewing(c, date(2021, 7, 4), rating=4.5, review="<i>Fine</i>")
    make_viewing(d, None, review="Remembered, not dated.")
    return session


def count_links(client: Client, url: str) -> list[tuple[str, int]]:
    response = client.get(url)
    assert response.status_code == 200
    return [(html.unescape(href), int(n)) for href, n in COUNT_LINK.findall(response.content.decode())]


def explorer_count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    found = EXPLORER_COUNT.search(response.content.decode())
    assert found, url
    return int(found[1])


def test_every_count_on_every_page_is_the_number_of_films_its_link_lists(client, tmdb_double):
    """With enrichment on (the double), so that every TMDB section and its counts are on the page."""
    session = a_library_with_every_trap()
    cache.clear()
    base = f"/s/{session.public_id}/"
    pages = [base, f"{base}?year=2020", f"{base}?year=2021", f"{base}people/director/", f"{base}people/actor/"]
    pages += [f"{base}people/actor/Lead/", f"{base}people/director/Mann/"]

    links = {page: count_links(client, page) for page in pages}

    checked = 0
    for page, page_links in links.items():
        assert page_links, f"{page} shows no linked count"
        for href, figure in page_links:
            assert href.startswith(f"{base}films/?scope="), href
            assert explorer_count(client, href) == figure, f"{page}: {href} shows {figure}"
            query = href.split("?", 1)[1]
            api = client.get(f"/api/session/{session.public_id}/movies?{query}").json()
            assert api["count"] == figure, f"API {query}"
            checked += 1
    assert checked == sum(len(page_links) for page_links in links.values()) >= 60


def test_the_figures_count_watched_films_and_top_billed_actors_once(client, tmdb_double):
    session = a_library_with_every_trap()
    base = f"/s/{session.public_id}/"
    figures = dict((href.split("?", 1)[1], n) for href, n in count_links(client, base))
    actors = dict((href.split("?", 1)[1], n) for href, n in count_links(client, f"{base}people/actor/"))

    assert figures["scope=library"] == 5  # not the watchlist-only or liked-but-unwatched films
    assert figures["scope=library&genre=Drama"] == 3
    assert figures["scope=library&genre=Science+Fiction"] == 2
    assert figures["scope=library&liked=true"] == 2
    assert figures["scope=watchlist"] == 3
    assert figures["scope=diary&reviewed=true"] == 3  # a blank review is none; an undated one counts
    assert figures["scope=library&identified=true"] == 4
    assert figures["scope=library&runtime=120"] == 1
    assert actors["scope=library&actor=Lead"] == 2  # billed twice in one film, sixth in another: two films
    assert "scope=library&actor=Cameo" not in actors
    year = dict((href.split("?", 1)[1], n) for href, n in count_links(client, f"{base}?year=2020"))
    assert year["scope=diary&watched_in=2020"] == 2
    assert year["scope=diary&watched_in=2020&diary_rating=3.0"] == 1  # rated 3 twice in 2020: one film


def test_the_explorer_shows_the_films_you_watched_unless_asked_and_says_so(client):
    session = a_library_with_every_trap()
    films = f"/s/{session.public_id}/films/"

    default = client.get(films).content.decode()
    assert "Your library: every film you marked watched" in default
    assert 'data-count="5"' in default
    assert explorer_count(client, f"{films}?scope=all") == 8
    assert explorer_count(client, f"{films}?scope=liked") == 3
    diary = client.get(f"{films}?scope=diary&watched_in=2021&diary_rating=4.5").content.decode()
    assert "Your diary: films with a diary entry (watched in 2021, rated ★★★★½ at the time)" in diary
    assert 'data-count="2"' in diary
    # the API lists every film of the upload unless a scope is asked for
    assert client.get(f"/api/session/{session.public_id}/movies").json()["count"] == 8
