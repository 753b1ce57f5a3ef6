"""A session that follows its person: newer exports loaded into it, over the service, the API, the page and
the command, with enrichment against the TMDB double."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.test import Client

from enrichment import services
from enrichment.matching import MatchStatus
from enrichment.tests.helpers import enrich_now
from sessions_app.importing import import_upload
from sessions_app.letterboxd import ExportError, read_export
from sessions_app.models import Movie, Session, Viewing
from sessions_app.updating import COMPARED, OlderExport, load, update_from_upload

from .exports import Export, list_text, vintage_export

pytestmark = pytest.mark.django_db

MEMENTO, FIGHT_CLUB, WITCH = (
    ("Memento", "2000", "https://boxd.it/memento"),
    ("Fight Club", "1999", "https://boxd.it/fc"),
    (
        "The Witch",
        "2015",
        "https://boxd.it/witch",
    ),
)
MOONLIGHT, PARASITE = ("Moonlight", "2016", "https://boxd.it/moon"), ("Parasite", "2019", "https://boxd.it/parasite")
CRASH, SPIRITED = ("Crash", "1996", "https://boxd.it/crash"), ("Spirited Away", "2001", "https://boxd.it/spirited")


def export_of(watched: list, ratings: list, diary: list, watchlist: list, lists: dict[str, list], when: str) -> Export:
    """alice's export: films as (name, year, film URI); ratings (film, rating); diary (film, entry code, watched date)."""
    e = Export()
    e.add("watched.csv", *[[when, *film] for film in watched])
    e.add("ratings.csv", *[[when, *film, rating] for film, rating in ratings])
    e.add("diary.csv", *[[day, *film[:2], f"https://boxd.it/{code}", "", "", "", day] for film, code, day in diary])
    e.add("watchlist.csv", *[[when, *film] for film in watchlist])
    e.add("profile.csv", ["2020-01-01", "alice", "", "", "", "", "", "", "", ""])
    for name, films in lists.items():
        e.extra[f"lists/{name}.csv"] = list_text(name, films)
    return e


def january_2024() -> Export:
    return export_of(
        watched=[MEMENTO, FIGHT_CLUB, WITCH, MOONLIGHT],
        ratings=[(MEMENTO, "4"), (FIGHT_CLUB, "3")],
        diary=[(MEMENTO, "e1", "2024-01-05"), (FIGHT_CLUB, "e2", "2024-01-10")],
        watchlist=[PARASITE],
        lists={"favourites": [MEMENTO, MOONLIGHT]},
        when="2024-01-02",
    )


def june_2024() -> Export:
    """Crash watched, Parasite watched (off the watchlist) and rated, Spirited Away on the watchlist; Memento
    rated up, Fight Club down; three diary entries more; Parasite on a list, and a new list with Crash."""
    return export_of(
        watched=[MEMENTO, FIGHT_CLUB, WITCH, MOONLIGHT, CRASH, PARASITE],
        ratings=[(MEMENTO, "4.5"), (FIGHT_CLUB, "2.5"), (PARASITE, "4")],
        diary=[
            (MEMENTO, "e1", "2024-01-05"),
            (FIGHT_CLUB, "e2", "2024-01-10"),
            (CRASH, "e3", "2024-05-01"),
            (PARASITE, "e4", "2024-06-01"),
            (MEMENTO, "e5", "2024-06-02"),
        ],
        watchlist=[SPIRITED],
        lists={"favourites": [MEMENTO, MOONLIGHT, PARASITE], "nineties": [CRASH]},
        when="2024-06-03",
    )


def january_2025() -> Export:
    """Moonlight gone, Fight Club's diary entry deleted, a diary entry for The Witch; Moonlight off the
    favourites, the nineties list deleted. Nothing new to identify."""
    return export_of(
        watched=[MEMENTO, FIGHT_CLUB, WITCH, CRASH, PARASITE],
        ratings=[(MEMENTO, "4.5"), (FIGHT_CLUB, "2.5"), (PARASITE, "4")],
        diary=[
            (MEMENTO, "e1", "2024-01-05"),
            (CRASH, "e3", "2024-05-01"),
            (PARASITE, "e4", "2024-06-01"),
            (MEMENTO, "e5", "2024-06-02"),
            (WITCH, "e6", "2025-01-01"),
        ],
        watchlist=[SPIRITED],
        lists={"favourites": [MEMENTO, PARASITE]},
        when="2025-01-02",
    )


def state(session: Session) -> dict:
    """Everything an upload can change, by film title."""
    return {
        m.title: (m.watched, m.rating, m.in_watchlist, m.viewing_count, m.match_status, m.film and m.film.tmdb_id)
        for m in session.movies.select_related("film")
    }


NONE_COUNTED = {status: 0 for status in MatchStatus.values}


def test_three_successive_exports_of_one_person_follow_in_one_session(tmdb_double):
    session = enrich_now(import_upload(january_2024().zip_upload()))
    assert tmdb_double.stats()["by_kind"] == {"search_movie": 5, "movie": 4}  # The Witch stays ambiguous
    witch = session.movies.get(title="The Witch")
    assert witch.match_status == MatchStatus.AMBIGUOUS
    chosen = witch.match_candidates[1]["tmdb_id"]
    services.set_manual_match(witch, chosen)
    memento_pk = session.movies.get(title="Memento").pk
    sent = tmdb_double.requests
    assert sent == 10  # the manual choice fetched its film: one details request

    record = update_from_upload(session, june_2024().zip_upload())
    session.refresh_from_db()
    assert session.status == Session.Status.PROCESSING  # two new films to identify
    assert session.match_counts() == session.counted_rows()  # the counts beside the session follow the films
    assert session.match_counts()["pending"] == 2
    enrich_now(session)
    assert tmdb_double.requests - sent == 4  # Crash and Spirited Away only: a search and a details request each
    assert state(session) == {
        "Memento": (True, Decimal("4.5"), False, 2, "matched", 77),
        "Fight Club": (True, Decimal("2.5"), False, 1, "matched", 550),
        "The Witch": (True, None, False, 1, "manual", chosen),
        "Moonlight": (True, None, False, 1, "matched", 376867),
        "Crash": (True, None, False, 1, "matched", 884),
        "Parasite": (True, Decimal("4"), False, 1, "matched", 496243),
        "Spirited Away": (False, None, True, 0, "matched", 129),
    }
    assert session.movies.get(title="Memento").pk == memento_pk  # the same row: its identification kept
    assert (session.total_movies, session.viewings.count()) == (7, 5)
    assert record["since_last"] == {
        "films_added": 2,
        "films_removed": 0,
        "films_watched": 2,
        "entries_added": 3,
        "entries_removed": 0,
        "ratings_up": 1,
        "ratings_down": 1,
        "watchlist_added": 1,
        "watchlist_removed": 1,
        "list_entries_added": 2,
        "list_entries_removed": 0,
    }
    assert (record["films"], record["entries"], record["newest_date"], record["replaced"]) == (
        7,
        5,
        "2024-06-03",
        False,
    )

    sent = tmdb_double.requests
    record = update_from_upload(session, january_2025().zip_upload())
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED  # nothing new: enrichment is not even queued
    assert session.match_counts() == session.counted_rows() == {**NONE_COUNTED, "matched": 5, "manual": 1}
    enrich_now(session)
    assert tmdb_double.requests == sent
    assert state(session) == {
        "Memento": (True, Decimal("4.5"), False, 2, "matched", 77),
        "Fight Club": (True, Decimal("2.5"), False, 1, "matched", 550),  # watched, its only entry deleted
        "The Witch": (True, None, False, 1, "manual", chosen),
        "Crash": (True, None, False, 1, "matched", 884),
        "Parasite": (True, Decimal("4"), False, 1, "matched", 496243),
        "Spirited Away": (False, None, True, 0, "matched", 129),
    }
    assert session.movies.get(title="The Witch").viewings.get().watched_date == date(2025, 1, 1)
    assert (session.total_movies, session.viewings.count()) == (6, 5)
    assert record["since_last"] == {
        "films_added": 0,
        "films_removed": 1,
        "films_watched": 0,
        "entries_added": 1,
        "entries_removed": 1,
        "ratings_up": 0,
        "ratings_down": 0,
        "watchlist_added": 0,
        "watchlist_removed": 0,
        "list_entries_added": 0,
        "list_entries_removed": 2,
    }
    assert [(u["films"], u["entries"], u["newest_date"]) for u in session.uploads] == [
        (5, 2, "2024-01-10"),
        (7, 5, "2024-06-03"),
        (6, 5, "2025-01-02"),
    ]
    assert session.metadata["lists"] == [
        {
            "file": "lists/favourites.csv",
            "name": "favourites",
            "entries": 2,
            "films": ["https://boxd.it/memento", "https://boxd.it/parasite"],
            "rows": [[1, "Memento", 2000], [2, "Parasite", 2019]],
        }
    ]
    assert Movie.objects.count() == 6 and Viewing.objects.count() == 5  # nothing left behind


def test_the_same_export_again_changes_nothing_and_reaches_tmdb_zero_times(tmdb_double):
    session = enrich_now(import_upload(june_2024().zip_upload()))
    before, sent = state(session), tmdb_double.requests
    record = update_from_upload(session, june_2024().zip_upload())
    session.refresh_from_db()
    assert state(session) == before and tmdb_double.requests == sent
    assert set(record["since_last"].values()) == {0}


def content(session: Session) -> tuple:
    session.refresh_from_db()
    return (
        sorted(session.movies.values_list("id", "title", "rating", "in_watchlist", "viewing_count")),
        sorted(session.viewings.values_list("id", "entry_uri", "watched_date")),
        session.uploads,
        session.metadata,
        session.status,
    )


def test_an_older_export_is_refused_unless_asked_to_replace_anyway():
    session = import_upload(june_2024().zip_upload())
    before = content(session)
    with pytest.raises(
        OlderExport,
        match="older than the one already here: its newest diary or watched date is 2024-01-10, and the session's is 2024-06-03",
    ):
        update_from_upload(session, january_2024().zip_upload())
    assert content(session) == before

    record = update_from_upload(session, january_2024().zip_upload(), replace=True)
    session.refresh_from_db()
    assert record["replaced"] is True and record["since_last"]["films_removed"] == 2
    assert (session.total_movies, session.viewings.count()) == (5, 2)


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        ([], "No file was uploaded"),
        ([("x.zip", io.BytesIO(b"PK\x03\x04broken"), 10)], "not a readable ZIP"),
        ([("notes.txt", io.BytesIO(b"hello"), 5)], "neither a ZIP nor a CSV"),
    ],
)
def test_a_bad_upload_changes_nothing(uploads, message):
    session = import_upload(january_2024().zip_upload())
    before = content(session)
    with pytest.raises(ExportError, match=message):
        update_from_upload(session, uploads)
    assert content(session) == before


def test_an_update_that_fails_half_way_changes_nothing():
    session = import_upload(january_2024().zip_upload())
    before = content(session)
    parsed = read_export(june_2024().zip_upload())
    # Two entries with one URI break the unique constraint after the films have been written.
    parsed.films[0].viewings.append(parsed.films[0].viewings[0])
    with pytest.raises(IntegrityError):
        load(session, parsed)
    assert content(session) == before


def test_films_of_either_uri_vintage_stay_the_same_films_and_namesakes_stay_apart():
    """A 2020 export then a 2026 one: film URIs change form, so name and year pair the films; the two
    Haunted Castles each keep their row (the old URIs told their diaries apart)."""
    session = import_upload(vintage_export("old").zip_upload())
    before = dict(session.movies.values_list("letterboxd_uri", "id"))
    newer = vintage_export("new")
    newer.add("diary.csv", ["2026-01-02", "Memento", "2000", "https://boxd.it/e10", "5", "Yes", "", "2026-01-01"])
    record = update_from_upload(session, newer.zip_upload())
    after = dict(session.movies.values_list("letterboxd_uri", "id"))
    assert sorted(after.values()) == sorted(before.values())  # every film kept its row
    assert after["https://boxd.it/memento"] == before["https://letterboxd.com/film/memento/"]
    assert {after["https://boxd.it/hc-a"], after["https://boxd.it/hc-b"]} == {
        before["https://letterboxd.com/film/the-haunted-castle/"],
        before["https://letterboxd.com/film/the-haunted-castle-1897/"],
    }
    assert (record["since_last"]["films_added"], record["since_last"]["films_removed"]) == (0, 0)
    assert session.viewings.count() == 8


def test_a_namesake_with_another_uri_of_the_same_vintage_is_another_film():
    leo_a = ("Leo", "2023", "https://boxd.it/leo-a")
    leo_b = ("Leo", "2023", "https://boxd.it/leo-b")
    session = import_upload(export_of([leo_a], [], [], [], {}, "2024-01-01").zip_upload())
    kept = session.movies.get().pk
    record = update_from_upload(session, export_of([leo_b], [], [], [], {}, "2024-02-01").zip_upload())
    assert session.movies.get().pk != kept
    assert (record["since_last"]["films_added"], record["since_last"]["films_removed"]) == (1, 1)


def test_the_api_loads_a_newer_export_into_a_session(client, django_capture_on_commit_callbacks):
    session = import_upload(january_2024().zip_upload())
    url = f"/api/session/{session.public_id}/upload"

    def post(export: Export, **data):
        return client.post(url, {"files": [SimpleUploadedFile("export.zip", export.zip_bytes())], **data})

    with django_capture_on_commit_callbacks(execute=True):  # enrichment is off: the new films settle at once
        response = post(june_2024())
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["session_id"], body["total_movies"]) == (str(session.public_id), 7)
    assert client.get(f"/api/session/{session.public_id}").json()["status"] == "completed"
    assert body["upload"]["since_last"]["entries_added"] == 3 and body["upload"]["newest_date"] == "2024-06-03"

    older = post(january_2024())
    assert older.status_code == 409 and "older than the one already here" in older.json()["detail"]
    assert post(january_2024(), replace="true").status_code == 200
    assert client.get(f"/api/session/{session.public_id}").json()["total_movies"] == 5

    bad = client.post(url, {"files": [SimpleUploadedFile("x.zip", b"PK\x03\x04broken")]})
    assert bad.status_code == 400 and "not a readable ZIP" in bad.json()["detail"]
    assert client.post("/api/session/00000000-0000-0000-0000-000000000000/upload").status_code == 404
    assert len(client.get(f"/api/session/{session.public_id}").json()["uploads"]) == 3


def test_the_dashboard_takes_a_newer_export_and_shows_what_changed(client):
    session = import_upload(january_2024().zip_upload())
    page = f"/s/{session.public_id}/"
    assert f'action="/s/{session.public_id}/upload/#uploads"' in client.get(page).content.decode()
    assert "Since your last upload" not in client.get(page).content.decode()

    upload = SimpleUploadedFile("letterboxd-alice-2024-06-03.zip", june_2024().zip_bytes())
    response = client.post(f"/s/{session.public_id}/upload/", {"files": upload})
    assert response.status_code == 302 and response["Location"] == page + "#uploads"
    html = client.get(page).content.decode()
    assert "Your new export is in." in html and "Since your last upload" in html
    assert "<dt>Diary entries added</dt><dd>3</dd>" in html
    assert '<dt>Ratings changed</dt><dd>2</dd><dd class="note">1 up, 1 down</dd>' in html
    assert "letterboxd-alice-2024-06-03.zip" in html
    assert "<dt>Average rating</dt><dd>3.67</dd>" in html  # the dashboard is of the new export, not a cached old one

    older = client.post(
        f"/s/{session.public_id}/upload/", {"files": SimpleUploadedFile("old.zip", january_2024().zip_bytes())}
    )
    assert older.status_code == 409 and "older than the one already here" in older.content.decode()
    empty = client.post(f"/s/{session.public_id}/upload/", {})
    assert empty.status_code == 400 and "Choose your newer Letterboxd export first." in empty.content.decode()
    broken = client.post(f"/s/{session.public_id}/upload/", {"files": SimpleUploadedFile("x.zip", b"PK\x03\x04broken")})
    assert broken.status_code == 400 and "not a readable ZIP" in broken.content.decode()
    assert len(Session.objects.get().uploads) == 2


def test_the_import_command_loads_an_export_into_a_session(tmp_path, capsys):
    session = import_upload(january_2024().zip_upload())
    newer, older = tmp_path / "newer.zip", tmp_path / "older.zip"
    newer.write_bytes(june_2024().zip_bytes())
    older.write_bytes(january_2024().zip_bytes())
    call_command("import_letterboxd", str(newer), "--into", str(session.public_id))
    out = capsys.readouterr().out
    assert f"{session.public_id} updated: 7 films, 5 diary entries, 0 warnings" in out
    assert "entries added 3" in out and "ratings up 1" in out
    with pytest.raises(CommandError, match="older than the one already here"):
        call_command("import_letterboxd", str(older), "--into", str(session.public_id))
    call_command("import_letterboxd", str(older), "--into", str(session.public_id), "--replace")
    assert Session.objects.get().total_movies == 5
    with pytest.raises(CommandError, match="No live session nope"):
        call_command("import_letterboxd", str(newer), "--into", "nope")


def test_the_dashboard_shows_the_new_export_and_not_the_one_it_cached(client):
    session = import_upload(january_2024().zip_upload())
    Session.objects.filter(pk=session.pk).update(status=Session.Status.COMPLETED)
    page = f"/s/{session.public_id}/"
    assert "<dt>Average rating</dt><dd>3.50</dd>" in client.get(page).content.decode()  # 4 and 3, now cached
    rerated = january_2024()
    rerated.rows["ratings.csv"][0] = ["2024-02-01", *MEMENTO, "5"]
    update_from_upload(session, rerated.zip_upload())
    assert "<dt>Average rating</dt><dd>4.00</dd>" in client.get(page).content.decode()


def test_edited_diary_entries_are_rewritten_and_untouched_ones_stay_as_they_are():
    session = import_upload(vintage_export("new").zip_upload())
    before = set(session.viewings.values_list("id", flat=True))
    edited = vintage_export("new")
    diary = edited.rows["diary.csv"]
    diary[0][4], diary[0][6] = "5", "nolan, again"  # Memento's first entry: rated 5, tagged
    edited.rows["reviews.csv"][0][4] = "5"
    edited.rows["reviews.csv"][0][6] = "Backwards, and better."
    record = update_from_upload(session, edited.zip_upload())
    first = session.viewings.get(entry_uri="https://boxd.it/e1")
    assert (first.rating, first.tags, first.review) == (Decimal("5"), ["nolan", "again"], "Backwards, and better.")
    after = set(session.viewings.values_list("id", flat=True))
    assert after - before == {first.pk}  # only the edited entry was written afresh: the six others,
    assert len(before - after) == 1 and len(after) == 7  # the URI-less ones of Lost Film too, kept their rows
    assert (record["since_last"]["entries_added"], record["since_last"]["entries_removed"]) == (0, 0)


def test_entries_are_compared_on_every_column_an_export_sets():
    # All but the entry's row in the export: where it sits is not what it says. An entry kept across exports
    # keeps its row; Letterboxd appends new entries, so theirs come after it.
    exported = {"movie_id", *Viewing.EXPORT_FIELDS}
    assert set(COMPARED) == exported - {"diary_row"}


def test_the_dashboard_form_refuses_a_post_without_a_csrf_token():
    session = import_upload(january_2024().zip_upload())
    browser = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in browser.get(f"/s/{session.public_id}/").content.decode()
    upload = SimpleUploadedFile("newer.zip", june_2024().zip_bytes())
    assert browser.post(f"/s/{session.public_id}/upload/", {"files": upload}).status_code == 403
    assert len(Session.objects.get().uploads) == 1 and Session.objects.get().total_movies == 5
