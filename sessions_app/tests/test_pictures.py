"""Posters and headshots come from the image base TMDB's configuration names: here the double's, over a real socket."""

import re
from datetime import date

import pytest
import requests
from django.test import Client

from enrichment.tests.helpers import enrich_now, imported
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db


def test_posters_and_headshots_load_from_the_image_base_tmdbs_configuration_gives(client: Client, tmdb_double):
    session = enrich_now(imported([("Suspiria", 2018)]))
    movie = session.movies.get()
    base = tmdb_double.image_base

    film_page = client.get(f"/s/{session.public_id}/films/{movie.pk}/")
    html = film_page.content.decode()

    poster = re.search(r'<img class="poster large" src="([^"]+)" srcset="([^"]+)"', html)
    assert poster and poster[1].startswith(f"{base}w185/") and poster[1].endswith(".jpg")
    assert f"{base}w92/" in poster[2] and "342w" in poster[2]
    assert 'alt="Poster of Suspiria" loading="lazy"' in html
    headshots = re.findall(r'<img class="headshot" src="([^"]+)"[^>]*alt="Photo of ([^"]+)"', html)
    assert [name for _, name in headshots] == ["Dakota Johnson", "Tilda Swinton", "Mia Goth"]
    host = base.removesuffix("/t/p/")
    assert f"img-src 'self' data: {host};" in film_page["Content-Security-Policy"]

    image = requests.get(poster[1], timeout=5)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG") and image.content == requests.get(poster[1], timeout=5).content
    assert tmdb_double.stats()["by_kind"].get("configuration") == 1  # asked once, then cached


def test_a_film_without_a_poster_gets_a_placeholder_with_its_initial(client: Client):
    session = make_session()
    movie = make_movie(session, "Obscure")
    html = client.get(f"/s/{session.public_id}/films/{movie.pk}/").content.decode()
    assert '<span class="poster placeholder large" aria-hidden="true">O</span>' in html


def test_the_dashboard_shows_your_highest_rated_and_each_year_as_posters(client: Client, settings):
    settings.TMDB_IMAGE_BASE_URL = "https://images.example/t/p/"
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
    session = make_session()
    heat = make_movie(session, "Heat", rating=5, film=make_film(poster_path="/heat.jpg"))
    alien = make_movie(session, "Alien", rating=4)
    make_movie(session, "Unrated")
    make_viewing(alien, date(2021, 2, 1))
    make_viewing(heat, date(2021, 3, 1))

    all_time = client.get(f"/s/{session.public_id}/").content.decode()
    year = client.get(f"/s/{session.public_id}/?year=2021").content.decode()

    tiles = re.compile(r'<span class="tile-title">([^<]+)')
    assert "Your highest rated" in all_time and [t.strip() for t in tiles.findall(all_time)] == ["Heat", "Alien"]
    assert 'src="https://images.example/t/p/w185/heat.jpg"' in all_time and 'alt="Poster of Heat"' in all_time
    assert "Your 2021 in posters" in year and [t.strip() for t in tiles.findall(year)] == ["Alien", "Heat"]


def test_the_dashboards_people_rankings_show_each_persons_photo(client: Client, tmdb_double):
    session = enrich_now(imported([("Suspiria", 2018)]))
    html = client.get(f"/s/{session.public_id}/").content.decode()

    def photos(anchor: str) -> list[tuple[str, str, str]]:
        section = html.split(f'id="{anchor}"')[1].split("</section>")[0]
        return re.findall(
            r'<img class="headshot" src="([^"]+)" srcset="([^"]+)"[^>]*alt="Photo of ([^"]+)" loading="lazy"', section
        )

    base = tmdb_double.image_base
    assert [name for _, _, name in photos("directors")] == ["Luca Guadagnino"]
    assert [name for _, _, name in photos("actors")] == [
        "Dakota Johnson",
        "Mia Goth",
        "Tilda Swinton",
    ]  # one film each: by name
    src, srcset, _ = photos("directors")[0]
    assert src.startswith(f"{base}w185/") and f"{base}w45/" in srcset and "185w" in srcset


def test_a_ranked_person_without_a_photo_gets_a_placeholder_with_their_initial(client: Client, settings):
    settings.TMDB_READ_TOKEN = "token"  # enrichment on: the people section is shown
    session = make_session()
    make_movie(session, "Obscure", film=make_film(directors=["Zelda Nobody"]))
    html = client.get(f"/s/{session.public_id}/").content.decode()
    section = html.split('id="directors"')[1].split("</section>")[0]
    assert '<span class="headshot placeholder" aria-hidden="true">Z</span>' in section
    assert "<img" not in section
