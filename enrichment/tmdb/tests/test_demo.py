"""The double in demo mode: any title it does not know gets a made-up film of that title and year."""

import requests

from enrichment.tmdb.catalogue import DEMO_IDS_FROM
from enrichment.tmdb.double import TmdbDouble

from .test_double import get, search


def test_in_demo_mode_an_unknown_title_gets_the_same_made_up_film_every_time_with_every_field(tmdb_double):
    tmdb_double.configure(demo=True)
    first = search(tmdb_double, "movie", "The Quiet Orchard of Vlaibru", primary_release_year=1987)
    again = search(tmdb_double, "movie", "The Quiet Orchard of Vlaibru", primary_release_year=1987)

    assert first == again and len(first) == 1
    item = first[0]
    assert (item["title"], item["release_date"][:4]) == ("The Quiet Orchard of Vlaibru", "1987")
    assert item["id"] >= DEMO_IDS_FROM and item["vote_count"] >= 200 and item["poster_path"].endswith(".jpg")
    details = get(tmdb_double, f"/movie/{item['id']}", append_to_response="credits").json()
    assert details == get(tmdb_double, f"/movie/{item['id']}", append_to_response="credits").json()
    assert 75 <= details["runtime"] <= 180 and 4 <= details["vote_average"] <= 8.8 and details["popularity"] > 0
    assert 1 <= len(details["genres"]) <= 3
    assert details["production_countries"] and details["spoken_languages"]
    directors = [p for p in details["credits"]["crew"] if p["job"] == "Director"]
    assert directors and all(p["profile_path"] for p in directors)
    assert 4 <= len(details["credits"]["cast"]) <= 8
    poster = requests.get(f"{tmdb_double.image_base}w185{item['poster_path']}", timeout=5)
    assert poster.status_code == 200 and poster.content.startswith(b"\x89PNG")


def test_another_year_is_another_film_and_a_restarted_double_makes_the_same_one(tmdb_double):
    tmdb_double.configure(demo=True)
    (remake,) = search(tmdb_double, "movie", "Vlaibru", primary_release_year=2019)
    (original,) = search(tmdb_double, "movie", "Vlaibru", primary_release_year=1962)
    assert remake["id"] != original["id"]
    with TmdbDouble(demo=True) as other:
        assert search(other, "movie", "Vlaibru", primary_release_year=2019) == [remake]


def test_without_demo_mode_an_unknown_title_finds_nothing_and_known_titles_keep_their_answers(tmdb_double):
    assert search(tmdb_double, "movie", "The Quiet Orchard of Vlaibru", primary_release_year=1987) == []
    tmdb_double.configure(demo=True)
    # Memento is in the catalogue (2000): a search in another year finds nothing rather than a made-up Memento
    assert search(tmdb_double, "movie", "Memento", primary_release_year=2001) == []
    assert [m["id"] for m in search(tmdb_double, "movie", "Memento", primary_release_year=2000)] == [77]
