"""Demo mode (LBSTATS_DEMO, set by `make demo`): every page says the data is made up, and the home page
imports the bundled sample export in one click."""

import re

import pytest
from django.test import Client

from enrichment.matching import MatchStatus
from enrichment.tests.helpers import enrich_now, imported
from sessions_app.models import Session
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing

pytestmark = pytest.mark.django_db

BANNER = '<p class="demo-banner" role="note"><strong>Demo:</strong> the film data on these pages is made up.'


def every_page(client: Client) -> dict[str, str]:
    """The HTML of each kind of page the site serves, for a small identified session."""
    session = make_session()
    heat = make_movie(session, "Heat", year=1995, film=make_film(directors=["Michael Mann"], runtime=170))
    make_viewing(heat, None)
    make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)
    base = f"/s/{session.public_id}/"
    paths = {
        "home": "/",
        "about": "/about/",
        "dashboard": base,
        "year": f"{base}?year=2020",
        "explorer": f"{base}films/",
        "film": f"{base}films/{heat.pk}/",
        "people": f"{base}people/director/",
        "person": f"{base}people/director/Michael%20Mann/",
        "unmatched": f"{base}unmatched/",
        "not found": "/no/such/page/",
    }
    pages = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not found" else 200), name
        pages[name] = response.content.decode()
    return pages


def test_in_demo_mode_every_page_says_the_data_is_demo_data(client, settings):
    settings.LBSTATS_DEMO = True
    pages = every_page(client)
    assert {name: html.count(BANNER) for name, html in pages.items()} == dict.fromkeys(pages, 1)


def test_outside_demo_mode_no_page_mentions_a_demo(client, settings):
    settings.LBSTATS_DEMO = False
    pages = every_page(client)
    assert {name: "demo" in html.lower() for name, html in pages.items()} == dict.fromkeys(pages, False)


def test_the_demo_home_page_imports_the_bundled_sample_export_in_one_click(client, settings):
    settings.LBSTATS_DEMO = True
    home = client.get("/").content.decode()
    form = re.search(r'<form class="upload sample" method="post" action="([^"]+)">', home)
    assert form and form[1] == "/demo/sample/"

    response = client.post(form[1])

    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{session.public_id}/"
    assert (session.username, session.total_movies) == ("demo_viewer", 63)
    assert session.movies.filter(watched=True).count() == 52
    assert session.viewings.count() == 83
    assert session.viewings.exclude(review="").count() == 12
    assert session.movies.filter(in_watchlist=True).count() == 11
    assert session.warnings == []
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200 and BANNER in dashboard.content.decode()


def test_outside_demo_mode_there_is_no_sample_to_import(client, settings):
    settings.LBSTATS_DEMO = False
    assert "sample" not in client.get("/").content.decode()
    assert client.post("/demo/sample/").status_code == 404
    assert not Session.objects.exists()


def test_the_sample_export_is_identified_entirely_by_the_demo_double(client, settings, tmdb_double):
    settings.LBSTATS_DEMO = True
    tmdb_double.configure(demo=True)
    client.post("/demo/sample/")

    session = enrich_now(Session.objects.get())

    statuses = dict(session.movies.values_list("title", "match_status"))
    assert [title for title, status in statuses.items() if status != MatchStatus.MATCHED] == []
    assert session.movies.filter(film__runtime__isnull=False).count() == 63


def test_a_demo_session_of_unknown_titles_is_identified_entirely_with_one_search_per_film(tmdb_double):
    tmdb_double.configure(demo=True)
    titles = [(f"Demo Title {word}", 1990 + i) for i, word in enumerate(["Ash", "Birch", "Cedar", "Elm", "Fir"])]
    session = enrich_now(imported([*titles, ("Untitled Home Movie", None)]))

    movies = list(session.movies.select_related("film"))
    assert session.movies.count() == 6
    assert [m.match_status for m in movies] == [MatchStatus.MATCHED] * 6
    assert all(m.film.runtime and m.film.genres and m.film.directors and m.film.poster_path for m in movies)
    assert tmdb_double.stats()["by_kind"]["search_movie"] == 6
