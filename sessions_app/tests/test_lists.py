"""Lists: each list of the export with what you watched of it, what is left (with posters), and its figures."""

import re

import pytest
from django.urls import reverse

from enrichment.matching import MatchStatus
from enrichment.models import FilmMatch
from sessions_app.importing import import_upload
from sessions_app.stats.lists import film_list, lists
from sessions_app.tests.exports import list_text, sample_export
from sessions_app.tests.factories import make_film

pytestmark = pytest.mark.django_db


def identify(session, uri: str, film) -> None:
    session.movies.filter(letterboxd_uri=uri).update(film=film, match_status=MatchStatus.MATCHED)


def build_session_with_a_ranked_list():
    """A ranked list, not in title order: a film only on the list that another upload identified, a film you
    watched, a film on your watchlist, and a film nobody identified."""
    export = sample_export()
    export.extra["lists/best-of.csv"] = list_text(
        "Best of",
        [
            ("Zodiac", "2007", "https://boxd.it/zodiac"),
            ("Memento", "2000", "https://boxd.it/memento"),
            ("Infinity Pool", "2023", "https://boxd.it/ipool"),
            ("Some Obscure Short", "1901", "https://boxd.it/obscure"),
        ],
    )
    export.extra["lists/empty-ish.csv"] = list_text("Seen it all", [("Memento", "2000", "https://boxd.it/memento")])
    session = import_upload(export.zip_upload())
    identify(
        session, "https://boxd.it/memento", make_film("Memento", runtime=113, genres=["Thriller"], poster_path="/m.jpg")
    )
    identify(
        session,
        "https://boxd.it/ipool",
        make_film("Infinity Pool", runtime=117, genres=["Horror"], poster_path="/i.jpg"),
    )
    zodiac = make_film("Zodiac", runtime=157, genres=["Crime"], poster_path="/z.jpg")
    FilmMatch.objects.create(
        letterboxd_uri="https://boxd.it/zodiac", title="Zodiac", year=2007, outcome=MatchStatus.MATCHED, film=zodiac
    )
    return session


def test_a_list_says_what_you_watched_what_is_left_and_what_it_holds():
    best = film_list(build_session_with_a_ranked_list(), "best-of")

    assert best is not None
    assert [(e.position, e.title, e.watched) for e in best.entries] == [
        (1, "Zodiac", False),
        (2, "Memento", True),
        (3, "Infinity Pool", False),
        (4, "Some Obscure Short", False),
    ]
    assert [e.poster for e in best.entries] == ["/z.jpg", "/m.jpg", "/i.jpg", ""]
    assert (best.films, best.watched, best.left, best.watched_percent) == (4, 1, 3, 25.0)
    assert (best.minutes, best.hours, best.minutes_left, best.hours_left) == (387, 6, 274, 5)
    assert best.films_without_runtime == 1
    assert [(g.name, g.films) for g in best.decades] == [("1900s", 1), ("2000s", 2), ("2020s", 1)]
    assert [(g.name, g.films) for g in best.genres] == [("Crime", 1), ("Horror", 1), ("Thriller", 1)]


def test_the_index_counts_each_list():
    summaries = lists(build_session_with_a_ranked_list())

    assert [(s.slug, s.name, s.films, s.watched, s.left) for s in summaries] == [
        ("best-of", "Best of", 4, 1, 3),
        ("empty-ish", "Seen it all", 1, 1, 0),
    ]


def test_the_list_page_shows_what_is_left_in_the_lists_order_with_posters(client):
    session = build_session_with_a_ranked_list()

    page = client.get(reverse("sessions_app:list", args=[session.public_id, "best-of"]))

    text = page.content.decode()
    assert page.status_code == 200
    left = text[text.index('id="left"') : text.index('id="what"')]
    assert re.findall(r'<li value="(\d+)">', left) == ["1", "3", "4"]
    assert 'alt="Poster of Zodiac"' in left and 'alt="Poster of Infinity Pool"' in left
    assert "Memento" not in left
    assert "<dt>Hours left</dt><dd>5</dd>" in text and "1 film of unknown runtime not counted" in text


def test_the_dashboard_links_the_index_and_the_index_links_each_list(client):
    session = build_session_with_a_ranked_list()

    dashboard = client.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()
    index = client.get(reverse("sessions_app:lists", args=[session.public_id])).content.decode()

    assert reverse("sessions_app:lists", args=[session.public_id]) in dashboard
    assert reverse("sessions_app:list", args=[session.public_id, "best-of"]) in index
    assert "<td>Best of</td>" not in index and ">Best of</a></td><td>4</td><td>1</td><td>3</td>" in index


def test_an_unknown_list_is_a_404(client):
    session = build_session_with_a_ranked_list()

    assert client.get(reverse("sessions_app:list", args=[session.public_id, "nope"])).status_code == 404
