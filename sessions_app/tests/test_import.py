import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from sessions_app.importing import import_upload, store
from sessions_app.letterboxd import ExportError, read_export
from sessions_app.letterboxd.records import Warnings
from sessions_app.models import Movie, Session, Viewing

from .exports import Export, sample_export, vintage_export

pytestmark = pytest.mark.django_db


def movie(session: Session, title: str, **kwargs) -> Movie:
    return session.movies.get(title=title, **kwargs)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("packaging", ["zip", "nested-zip", "loose"])
def test_it_imports_every_film_viewing_review_rating_like_and_watchlist_flag(newline, packaging):
    export = sample_export(newline)
    uploads = {
        "zip": lambda: export.zip_upload(),
        "nested-zip": lambda: export.zip_upload(folder="letterboxd-alice-2026/"),
        "loose": lambda: export.uploads(),
    }[packaging]()
    session = import_upload(uploads)

    assert session.username == "alice"
    assert session.movies.count() == session.total_movies == 8
    assert Viewing.objects.filter(session=session).count() == 6

    memento = movie(session, "Memento")
    assert (memento.watched, memento.liked, memento.in_watchlist) == (True, True, False)
    assert memento.rating == Decimal("4.5") and memento.rated_date == date(2023, 5, 1)  # ratings.csv wins
    assert memento.letterboxd_uri == "https://boxd.it/memento"  # the film's URI, never a diary entry's
    assert (memento.viewing_count, memento.rewatch_count) == (3, 2)
    assert (memento.first_watched, memento.last_watched) == (date(2022, 1, 4), date(2023, 5, 1))
    first = memento.viewings.get(entry_uri="https://boxd.it/e1")
    assert first.rating == Decimal("3.5") and first.tags == ["nolan", "twisty"]
    assert first.review == 'Backwards "and" forwards.\r\n\r\n<i>Remember Sammy Jankis.</i>'

    fallout = movie(session, "Mission: Impossible – Fallout")
    assert (fallout.viewing_count, fallout.rewatch_count) == (1, 1)  # a first diary entry can be a rewatch

    leon = movie(session, "Léon: The Professional")
    assert (leon.viewing_count, leon.rewatch_count, leon.first_watched) == (1, 0, None)  # watched, no diary

    pta = movie(session, "Planes, Trains and Automobiles")
    review = pta.viewings.get()
    assert review.entry_uri == "https://boxd.it/e6" and review.watched_date is None
    assert review.review == "Those aren't pillows! 🛏️"

    pool = movie(session, "Infinity Pool")
    assert (pool.watched, pool.liked, pool.in_watchlist, pool.viewing_count) == (False, True, True, 0)

    future = movie(session, "Untitled Future Project")
    assert future.year is None and future.in_watchlist and not future.watched


def test_it_keeps_two_films_sharing_a_title_and_year_and_says_which_got_the_diary_entry():
    session = import_upload(sample_export().zip_upload())
    leos = list(session.movies.filter(title="Leo", year=2023).order_by("letterboxd_uri"))
    assert [m.letterboxd_uri for m in leos] == ["https://boxd.it/leo-a", "https://boxd.it/leo-b"]
    assert [m.viewings.count() for m in leos] == [1, 0]
    assert any("two films are called Leo (2023)" in w["message"] and w["file"] == "diary.csv" for w in session.warnings)


def test_it_reads_a_diary_light_export():
    export = Export()
    export.add("watched.csv", *[["2022-08-18", f"Film {i}", "2019", f"https://boxd.it/f{i}"] for i in range(40)])
    export.add("diary.csv", ["2022-08-18", "Film 3", "2019", "https://boxd.it/d3", "5", "", "", "2020-01-01"])
    session = import_upload(export.zip_upload())
    assert session.movies.filter(watched=True).count() == 40
    assert session.movies.filter(viewing_count=1).count() == 40
    assert session.viewings.count() == 1


def test_it_skips_and_counts_deleted_and_orphaned_rows():
    export = sample_export()
    export.extra["deleted/diary.csv"] = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\r\n" + (
        "2022-01-01,Gone,2001,https://boxd.it/x1,3,,,2022-01-01\r\n" * 2
    )
    export.extra["orphaned/watched.csv"] = "Date,Name,Year,Letterboxd URI\r\n2022-01-01,Orphan,2002,\r\n"
    session = import_upload(export.zip_upload())
    assert session.metadata["skipped"] == {"deleted": 2, "orphaned": 1}
    assert not session.movies.filter(title__in=["Gone", "Orphan"]).exists()


def test_it_takes_the_shallowest_copy_of_a_file():
    export = sample_export()
    export.extra["old/copy/diary.csv"] = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\r\n"
    session = import_upload(export.zip_upload())
    assert session.viewings.count() == 6


def test_it_keeps_rows_with_unreadable_values_and_reports_file_and_line():
    export = Export()
    export.add(
        "diary.csv",
        ["2023-01-01", "Good", "2001", "https://boxd.it/g1", "4", "", "", "2023-01-01"],
        ["2023-01-02", "Seven Stars", "2002", "https://boxd.it/g2", "7", "", "", "2023-13-45"],
    )
    export.add(
        "reviews.csv",
        ["2023-01-01", "Good", "2001", "https://boxd.it/g1", "4", "", "line one\r\nline two", "", "2023-01-01"],
    )
    session = import_upload(export.zip_upload())
    bad = session.movies.get(title="Seven Stars").viewings.get()
    assert bad.rating is None and bad.watched_date is None
    messages = {(w["file"], w["line"], w["message"].split(" ")[0]) for w in session.warnings}
    assert ("diary.csv", 3, "Rating") in messages and ("diary.csv", 3, "Watched") in messages


def test_it_reports_the_physical_line_after_a_multi_line_review():
    export = Export()
    export.add(
        "reviews.csv",
        ["2023-01-01", "A", "2001", "https://boxd.it/a", "4", "", "one\r\ntwo\r\nthree", "", "2023-01-01"],
        ["2023-01-02", "B", "2002", "https://boxd.it/b", "9", "", "fine", "", "2023-01-02"],
    )
    export.add("watched.csv", ["2023-01-01", "A", "2001", "https://boxd.it/film-a"])
    session = import_upload(export.zip_upload())
    assert [(w["file"], w["line"]) for w in session.warnings] == [("reviews.csv", 5)]


@pytest.mark.parametrize(
    "text, line",
    [
        ("H\r\n2023-01-01,A,2001,u1\r\n2023-01-01,B,20x1,u2\r\n", 3),  # a record a line
        ("H\n2023-01-01,A,2001,u1\n\n2023-01-01,B,20x1,u2", 4),  # a blank line, and no newline at the end
        ('H\r\n2023-01-01,"A,\r\nPart Two",2001,u1\r\n2023-01-01,B,20x1,u2\r\n', 4),  # a name on two lines
        ("H\r2023-01-01,A,2001,u1\r2023-01-01,B,20x1,u2\r", 3),  # carriage returns alone end the lines
        ("H\r\n2023-01-01,A,2001,u1\r\n\r\n\r\n2023-01-01,B,20x1,u2\r\n", 5),  # two blank lines
        ("H\r\n2023-01-01,A,2001,u1\r\n   \r\n2023-01-01,B,20x1,u2\r\n", 4),  # a line of spaces, which pandas skips
    ],
)
def test_it_reports_the_physical_line_however_the_file_breaks_its_lines(text, line):
    data = text.replace("H", "Date,Name,Year,Letterboxd URI", 1).encode()
    export = read_export([("watched.csv", io.BytesIO(data), len(data))])
    assert export.warnings == [
        {"file": "watched.csv", "line": line, "message": "Year '20x1' is not a year; left empty."}
    ]


def test_a_short_diary_row_is_warned_about_before_the_rows_of_files_read_earlier():
    # the diary's table is read after the films', yet its short rows come first, as when every table was read first
    export = Export()
    export.add("watched.csv", ["2023-01-01", "Old", "18x0", "https://boxd.it/old"])
    export.add("diary.csv", ["2023-01-02", "Old", "1920", "https://boxd.it/e1", "4", "", ""])
    export = read_export(export.uploads())
    assert [(w["file"], w["line"], w["message"]) for w in export.warnings] == [
        ("diary.csv", 2, "7 fields where the header has 8; the missing ones were left empty."),
        ("watched.csv", 2, "Year '18x0' is not a year; left empty."),
    ]


def test_warnings_found_later_in_a_place_kept_for_them_are_capped_with_the_others():
    warnings = Warnings()
    warnings.add("watched.csv", 2, "first")
    place = warnings.later()
    warnings.add("watched.csv", 3, "after the place")
    for line in range(600):
        place.add("diary.csv", line, "in the place")

    stored = warnings.as_list()
    assert stored[:2] == [
        {"file": "watched.csv", "line": 2, "message": "first"},
        {"file": "diary.csv", "line": 0, "message": "in the place"},
    ]
    assert stored[499] == {"file": "diary.csv", "line": 498, "message": "in the place"}
    assert stored[500:] == [{"file": None, "line": None, "message": "… and 102 more warnings"}]


def test_it_names_loose_browser_copies_and_likes():
    export = sample_export()
    files = export.files()
    uploads = [
        ("diary (1).csv", io.BytesIO(files["diary.csv"]), len(files["diary.csv"])),
        ("films.csv", io.BytesIO(files["likes/films.csv"]), len(files["likes/films.csv"])),
    ]
    session = import_upload(uploads)
    assert session.viewings.count() == 5
    assert session.movies.get(title="Infinity Pool").liked


def test_it_falls_back_to_the_newest_diary_rating_without_ratings_csv():
    export = Export()
    export.add(
        "diary.csv",
        ["2023-01-01", "A", "2001", "https://boxd.it/1", "2", "", "", "2023-01-01"],
        ["2023-06-01", "A", "2001", "https://boxd.it/2", "4", "Yes", "", "2023-06-01"],
    )
    assert import_upload(export.uploads()).movies.get().rating == Decimal("4")


def test_it_imports_the_same_export_twice_as_two_identical_independent_sessions():
    first = import_upload(sample_export().zip_upload())
    second = import_upload(sample_export().zip_upload())
    assert first.public_id != second.public_id

    def content(session):
        return sorted(session.movies.values_list("title", "year", "letterboxd_uri", "rating", "viewing_count", "liked"))

    assert content(first) == content(second)
    assert Movie.objects.count() == 16


def test_it_stores_nothing_when_the_import_fails_half_way():
    parsed = read_export(sample_export().zip_upload())
    # Two viewings with one entry URI break the unique constraint after the session and films are written.
    parsed.films[0].viewings.append(parsed.films[0].viewings[0])
    with pytest.raises(IntegrityError):
        store(parsed)
    assert (Session.objects.count(), Movie.objects.count(), Viewing.objects.count()) == (0, 0, 0)


def test_it_reads_lists_without_breaking_the_import():
    export = sample_export()
    export.extra["lists/favourites.csv"] = (
        "Letterboxd list export v7\r\nDate,Name,Tags,URL,Description\r\n"
        '2020-01-02,Favourites,,https://boxd.it/l1,"Best\r\nfilms"\r\n\r\n'
        "Position,Name,Year,URL,Description\r\n1,Memento,2000,https://boxd.it/memento,\r\n2,Leo,2023,https://boxd.it/leo-a,\r\n"
    )
    export.extra["lists/broken.csv"] = "nothing useful\r\n"
    session = import_upload(export.zip_upload())
    assert session.metadata["lists"] == [
        {
            "file": "lists/favourites.csv",
            "name": "Favourites",
            "entries": 2,
            "films": ["https://boxd.it/memento", "https://boxd.it/leo-a"],
            "rows": [[1, "Memento", 2000], [2, "Leo", 2023]],
        }
    ]
    assert any(w["file"] == "lists/broken.csv" for w in session.warnings)


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> list:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return [("export.zip", io.BytesIO(buffer.getvalue()), len(buffer.getvalue()))]


WATCHED = b"Date,Name,Year,Letterboxd URI\r\n2022-01-01,A,2001,https://boxd.it/a\r\n"


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        ([], "No file was uploaded"),
        ([("notes.txt", io.BytesIO(b"hello"), 5)], "neither a ZIP nor a CSV"),
        ([("x.zip", io.BytesIO(b"PK\x03\x04broken"), 10)], "not a readable ZIP"),
        (zip_of({"../watched.csv": WATCHED}), "unsafe path"),
        (zip_of({"/etc/watched.csv": WATCHED}), "unsafe path"),
        (zip_of({"watched.csv": WATCHED, "bomb.csv": b"0" * 5_000_000}), "ZIP bomb"),
        (zip_of({"profile.csv": b"Date Joined,Username\r\n2020-01-01,alice\r\n"}), "not a Letterboxd export"),
        ([("watched.csv", io.BytesIO(b"Title,When\r\nA,2020\r\n"), 19)], "missing the columns"),
        (
            [("watched.csv", io.BytesIO(b"Date,Name,Year,Letterboxd URI\r\n2022-01-01,Am\xe9lie,2001,x\r\n"), 50)],
            "watched.csv line 2: not UTF-8",
        ),
        ([("watched.csv", io.BytesIO("Date,Name".encode("utf-16")), 20)], "UTF-16"),
        ([("watched.csv", io.BytesIO(WATCHED), len(WATCHED)), ("x.zip", io.BytesIO(b"PK\x03\x04"), 4)], "not both"),
        (
            [("watched.csv", io.BytesIO(b'Date,Name,Year,Letterboxd URI\r\n2022-01-01,"A,2001,x\r\n'), 48)],
            "never closed",
        ),
        ([("watched.csv", io.BytesIO(b"Date,Name,Name,Year,Letterboxd URI\r\n"), 36)], "appears twice"),
    ],
)
def test_it_rejects_bad_uploads_with_a_clear_message_and_stores_nothing(uploads, message):
    with pytest.raises(ExportError, match=message):
        import_upload(uploads)
    assert Session.objects.count() == 0 and Movie.objects.count() == 0


def test_it_rejects_an_upload_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    data = sample_export().zip_bytes()
    with pytest.raises(ExportError, match="the limit is"):
        import_upload([("export.zip", io.BytesIO(data), len(data))])


def test_it_rejects_too_many_files(settings):
    settings.UPLOAD_MAX_FILES = 2
    with pytest.raises(ExportError, match="Too many files"):
        import_upload([(f"{i}.csv", io.BytesIO(WATCHED), len(WATCHED)) for i in range(3)])


def test_it_rejects_a_zip_whose_members_expand_past_the_limit(settings):
    settings.ZIP_MAX_UNCOMPRESSED_BYTES = 100
    with pytest.raises(ExportError, match="expands to more than"):
        import_upload(zip_of({"watched.csv": WATCHED * 3}))


def test_the_import_command_prints_the_session_and_cleanup_deletes_expired_sessions(tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_bytes(sample_export().zip_bytes())
    call_command("import_letterboxd", str(path))
    session = Session.objects.get()
    out = capsys.readouterr().out
    assert str(session.public_id) in out and "8 films, 6 diary entries" in out

    with pytest.raises(CommandError, match="not a readable ZIP"):
        bad = tmp_path / "bad.zip"
        bad.write_bytes(b"PK\x03\x04nope")
        call_command("import_letterboxd", str(bad))

    Session.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("cleanup_sessions")
    assert "1 expired sessions deleted" in capsys.readouterr().out
    assert (Session.objects.count(), Movie.objects.count(), Viewing.objects.count()) == (0, 0, 0)


def entries(film: Movie) -> list[tuple]:
    """A film's diary: (watched date, rating, rewatch, review), in date order."""
    return [(v.watched_date, v.rating, v.rewatch, v.review) for v in film.viewings.order_by("watched_date", "id")]


@pytest.mark.parametrize("vintage", ["old", "new"])
def test_it_imports_exports_of_both_uri_vintages_exactly(vintage):
    session = import_upload(vintage_export(vintage).zip_upload())

    assert session.movies.count() == 5 and session.viewings.count() == 7
    memento = movie(session, "Memento")
    assert entries(memento) == [
        (date(2019, 3, 1), Decimal("4"), False, "Backwards."),
        (date(2019, 6, 1), Decimal("4.5"), True, ""),
    ]
    assert memento.liked is (vintage == "new")
    paris = movie(session, "Paris, Texas")
    assert entries(paris) == [(None, None, False, "Dean Stockwell!")]
    assert session.metadata["reviews_without_diary"] == 1
    assert session.metadata["skipped"] == {"deleted": 5}  # two diary rows and a list's three films
    assert session.metadata["lists"] == [
        {
            "file": "lists/castles.csv",
            "name": "Castles",
            "entries": 2,
            "films": [castle.letterboxd_uri for castle in session.movies.filter(title="The Haunted Castle")],
            "rows": [[1, "The Haunted Castle", 1897], [2, "The Haunted Castle", 1897]],
        }
    ]


@pytest.mark.parametrize("vintage", ["old", "new"])
def test_it_joins_a_review_without_a_uri_to_its_diary_row_by_what_they_share(vintage):
    session = import_upload(vintage_export(vintage).zip_upload())
    lost = movie(session, "Lost Film")
    assert (lost.letterboxd_uri, lost.viewing_count, lost.rewatch_count, lost.rating) == ("", 2, 1, Decimal("3"))
    assert entries(lost) == [
        (date(2019, 2, 1), Decimal("3"), False, "Lost, then found."),
        (date(2019, 7, 1), Decimal("3.5"), True, ""),
    ]
    assert lost.viewings.get(watched_date=date(2019, 2, 1)).tags == ["silent"]


def test_it_tells_two_films_sharing_name_and_year_apart_by_the_slug_of_old_uris():
    session = import_upload(vintage_export("old").zip_upload())
    castles = {m.letterboxd_uri: entries(m) for m in session.movies.filter(title="The Haunted Castle")}
    assert castles == {
        "https://letterboxd.com/film/the-haunted-castle/": [(date(2019, 5, 1), Decimal("2"), False, "")],
        "https://letterboxd.com/film/the-haunted-castle-1897/": [(date(2019, 4, 1), Decimal("3"), False, "")],
    }
    assert session.warnings == []


def test_it_attaches_both_castles_entries_to_one_with_a_warning_when_nothing_tells_them_apart():
    session = import_upload(vintage_export("new").zip_upload())
    castles = {m.letterboxd_uri: m.viewings.count() for m in session.movies.filter(title="The Haunted Castle")}
    assert castles == {"https://boxd.it/hc-a": 2, "https://boxd.it/hc-b": 0}
    assert [(w["file"], w["line"]) for w in session.warnings] == [("diary.csv", 4), ("diary.csv", 5)]
    assert all("two films are called The Haunted Castle (1897)" in w["message"] for w in session.warnings)


def test_an_old_entry_uri_whose_film_is_in_no_film_file_gives_the_film_its_slug_uri():
    export = Export()
    export.add(
        "diary.csv",
        ["2019-01-02", "Nosferatu", "1922", "https://letterboxd.com/bob/film/nosferatu/", "5", "", "", "2019-01-01"],
        [
            "2019-02-02",
            "Nosferatu",
            "1922",
            "https://letterboxd.com/bob/film/nosferatu/1/",
            "4",
            "Yes",
            "",
            "2019-02-01",
        ],
    )
    session = import_upload(export.uploads())
    nosferatu = session.movies.get()
    assert (nosferatu.letterboxd_uri, nosferatu.viewing_count) == ("https://letterboxd.com/film/nosferatu/", 2)
