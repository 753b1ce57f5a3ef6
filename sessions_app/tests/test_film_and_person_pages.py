"""A film's page, a person's page, and the explorer's form in a person's words."""

import re
from datetime import date

import pytest
from django.test import Client

from enrichment.matching import MatchStatus
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db


def test_a_film_page_shows_your_viewings_and_what_tmdb_says(client: Client, settings):
    settings.TMDB_IMAGE_BASE_URL = "https://images.example/t/p/"
    session = make_session()
    film = make_film(
        "Heat",
        genres=["Crime", "Drama"],
        directors=["Michael Mann"],
        cast=["Al Pacino", "Robert De Niro"],
        runtime=170,
        poster_path="/heat.jpg",
        media_type="movie",
        tmdb_id=949,
    )
    heat = make_movie(
        session, "Heat", year=1995, rating=4.5, liked=True, film=film, letterboxd_uri="https://boxd.it/2aJa"
    )
    make_viewing(heat, date(2020, 1, 5), rating=4, tags=["cinema"], review="<b>Superb</b> heist.")
    make_viewing(heat, date(2021, 6, 1), rating=4.5, rewatch=True)

    html = client.get(f"/s/{session.public_id}/films/{heat.pk}/").content.decode()

    assert '<h1>Heat <span class="muted">1995</span></h1>' in html
    assert 'watched it 2 times, <span class="liked">liked it ♥</span>' in html
    assert "5 Jan 2020" in html and "1 Jun 2021" in html and "<b>Superb</b> heist." in html
    assert "<li>cinema</li>" in html and "rewatch" in html
    assert "170 min" in html and "Crime, Drama" in html
    assert 'href="https://boxd.it/2aJa"' in html and 'href="https://www.themoviedb.org/movie/949"' in html
    assert f'href="/s/{session.public_id}/people/director/Michael%20Mann/">Michael Mann</a>' in html
    assert 'srcset="https://images.example/t/p/w92/heat.jpg 92w' in html and 'alt="Poster of Heat"' in html


def test_a_film_of_another_upload_or_none_is_a_404(client: Client):
    session, other = make_session(), make_session()
    theirs = make_movie(other, "Theirs")
    assert client.get(f"/s/{session.public_id}/films/{theirs.pk}/").status_code == 404
    assert client.get(f"/s/{session.public_id}/films/999999/").status_code == 404


def test_a_person_page_counts_your_films_with_them_as_the_dashboard_does(client: Client):
    session = make_session()
    make_movie(session, "Heat", year=1995, rating=5, film=make_film(cast=["Al Pacino", "Al Pacino"]))
    make_movie(session, "Serpico", year=1973, rating=4, film=make_film(cast=["Al Pacino"]))
    make_movie(session, "Cameo", rating=1, film=make_film(cast=["A", "B", "C", "D", "E", "Al Pacino"]))
    make_movie(session, "Wanted", watched=False, in_watchlist=True, film=make_film(cast=["Al Pacino"]))

    html = client.get(f"/s/{session.public_id}/people/actor/Al%20Pacino/").content.decode()

    assert "<h1>Al Pacino</h1>" in html
    assert re.search(r'<a class="count" href="[^"]+\?scope=library&amp;actor=Al\+Pacino">2</a>', html)
    assert "4.50" in html  # your average over the two
    titles = re.findall(r'<span class="tile-title">([^<]+)', html)
    assert [t.strip() for t in titles] == ["Heat", "Serpico"]
    assert client.get(f"/s/{session.public_id}/people/actor/Nobody/").status_code == 404
    assert client.get(f"/s/{session.public_id}/people/writer/Al%20Pacino/").status_code == 404


def test_the_explorer_form_speaks_in_names_with_chips_for_active_filters(client: Client):
    session = make_session()
    film = make_film(genres=["Science Fiction"], countries=["FR"], directors=["Agnès Varda"])
    film.facets.filter(kind="genre").update(key="878")
    film.facets.filter(kind="country").update(name="France")
    make_movie(session, "Le Film", year=1962, film=film)
    make_movie(session, "Lost", match_status=MatchStatus.NOT_FOUND)

    html = client.get(
        f"/s/{session.public_id}/films/", {"genre": "878", "liked": "false", "ordering": "-rating"}
    ).content.decode()

    assert '<option value="878" selected>Science Fiction</option>' in html
    assert '<option value="FR">France</option>' in html
    assert '<option value="1960">1960s</option>' in html
    assert '<option value="" selected>any</option>' in html and "Unknown" not in html
    assert '<option value="-rating" selected>Your rating, highest first</option>' in html
    chips = re.findall(r"<span>([^<]+): <strong>([^<]+)</strong></span>", html)
    assert chips == [("Genre", "Science Fiction"), ("Liked", "no"), ("Sorted by", "Your rating, highest first")]
    assert 'href="?liked=false&amp;ordering=-rating" aria-label="Remove Genre filter"' in html


def test_the_explorer_form_keeps_the_filters_it_has_no_field_for(client: Client):
    session = make_session()

    html = client.get(
        f"/s/{session.public_id}/films/",
        {"genre": "878", "tag": "cinema", "no_tv_shorts": "true", "watched_in": "2024", "page": "2"},
    ).content.decode()

    form = html[html.index('<form method="get" class="filter-form">') : html.index("</form>")]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert hidden == [("tag", "cinema"), ("no_tv_shorts", "true"), ("watched_in", "2024")]
