"""Letterboxd exports built by the tests, in the real format (headers, quoting, CRLF, folders)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

HEADERS = {
    "watched.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "ratings.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    "diary.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"],
    "reviews.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"],
    "watchlist.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "likes/films.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "profile.csv": [
        "Date Joined",
        "Username",
        "Given Name",
        "Family Name",
        "Email Address",
        "Location",
        "Website",
        "Bio",
        "Pronoun",
        "Favorite Films",
    ],
}


def csv_text(header: list[str], rows: list[list], newline: str = "\r\n") -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@dataclass
class Export:
    """Rows per export file; `files()` renders them as the export's CSVs."""

    rows: dict[str, list[list]] = field(default_factory=dict)
    newline: str = "\r\n"
    extra: dict[str, str] = field(default_factory=dict)  # path -> raw text (lists, deleted/, ...)

    def add(self, name: str, *rows: list) -> Export:
        self.rows.setdefault(name, []).extend(list(r) for r in rows)
        return self

    def files(self) -> dict[str, bytes]:
        out = {name: csv_text(HEADERS[name], rows, self.newline).encode() for name, rows in self.rows.items()}
        out.update({name: text.encode() for name, text in self.extra.items()})
        return out

    def zip_bytes(self, folder: str = "") -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files().items():
                archive.writestr(f"{folder}{name}", data)
        return buffer.getvalue()

    def uploads(self) -> list[tuple[str, io.BytesIO, int]]:
        """Loose CSVs as the importer takes them: (name, file object, size)."""
        return [(name.split("/")[-1], io.BytesIO(data), len(data)) for name, data in self.files().items()]

    def zip_upload(self, name: str = "letterboxd-alice-2026-01-01-00-00-utc.zip", folder: str = ""):
        data = self.zip_bytes(folder)
        return [(name, io.BytesIO(data), len(data))]


def sample_export(newline: str = "\r\n") -> Export:
    """A small export with every trap: rewatches, multi-line reviews, likes of unwatched films, a watchlist film
    without a year, two films sharing a title and year, rating drift, accents and en dashes."""
    e = Export(newline=newline)
    e.add(
        "watched.csv",
        ["2022-01-01", "Memento", "2000", "https://boxd.it/memento"],
        ["2022-01-01", "Mission: Impossible – Fallout", "2018", "https://boxd.it/mif"],
        ["2022-01-01", "Léon: The Professional", "1994", "https://boxd.it/leon"],
        ["2022-01-02", "Leo", "2023", "https://boxd.it/leo-a"],
        ["2022-01-02", "Leo", "2023", "https://boxd.it/leo-b"],
        ["2022-01-03", "Planes, Trains and Automobiles", "1987", "https://boxd.it/pta"],
    )
    e.add(
        "ratings.csv",
        ["2023-05-01", "Memento", "2000", "https://boxd.it/memento", "4.5"],
        ["2022-01-01", "Mission: Impossible – Fallout", "2018", "https://boxd.it/mif", "4"],
        ["2022-01-03", "Planes, Trains and Automobiles", "1987", "https://boxd.it/pta", "3"],
    )
    e.add(
        "diary.csv",
        ["2022-01-05", "Memento", "2000", "https://boxd.it/e1", "3.5", "", "nolan, twisty", "2022-01-04"],
        ["2023-04-30", "Memento", "2000", "https://boxd.it/e2", "4.5", "Yes", "", "2023-04-29"],
        ["2023-05-01", "Memento", "2000", "https://boxd.it/e3", "4.5", "Yes", "", "2023-05-01"],
        ["2022-02-01", "Mission: Impossible – Fallout", "2018", "https://boxd.it/e4", "4", "Yes", "", "2022-01-31"],
        ["2022-02-02", "Leo", "2023", "https://boxd.it/e5", "", "", "", "2022-02-02"],
    )
    e.add(
        "reviews.csv",
        [
            "2022-01-05",
            "Memento",
            "2000",
            "https://boxd.it/e1",
            "3.5",
            "",
            'Backwards "and" forwards.\r\n\r\n<i>Remember Sammy Jankis.</i>',
            "nolan, twisty",
            "2022-01-04",
        ],
        [
            "2022-03-01",
            "Planes, Trains and Automobiles",
            "1987",
            "https://boxd.it/e6",
            "3",
            "",
            "Those aren't pillows! 🛏️",
            "",
            "",
        ],
    )
    e.add(
        "likes/films.csv",
        ["2022-01-05", "Memento", "2000", "https://boxd.it/memento"],
        ["2022-06-01", "Infinity Pool", "2023", "https://boxd.it/ipool"],
    )
    e.add(
        "watchlist.csv",
        ["2022-06-01", "Infinity Pool", "2023", "https://boxd.it/ipool"],
        ["2022-06-02", "Untitled Future Project", "", "https://boxd.it/future"],
    )
    e.add("profile.csv", ["2020-01-01", "alice", "Alice", "", "", "", "", "", "", ""])
    return e


def list_text(name: str, films: list[tuple[str, str, str]], banner: bool = True) -> str:
    """A lists/<slug>.csv: the banner (absent before 2021), the list's own row, a blank line, the entry table."""
    head = "Letterboxd list export v7\r\n" if banner else ""
    rows = "".join(f"{i},{title},{year},{uri},\r\n" for i, (title, year, uri) in enumerate(films, start=1))
    return (
        f"{head}Date,Name,Tags,URL,Description\r\n2020-01-02,{name},,https://boxd.it/list-{name},\r\n\r\n"
        f"Position,Name,Year,URL,Description\r\n{rows}"
    )


def vintage_export(vintage: str) -> Export:
    """An export as Letterboxd wrote it before 2021 ("old") or since ("new"), with the rows both keep:

    - two films called The Haunted Castle (1897), each with one diary entry;
    - Lost Film (1931), gone from Letterboxd: watched, diary and review rows with an empty URI (its first
      entry reviewed, its second not);
    - Paris, Texas: a review without a diary row, and without a watched date;
    - deleted/: two diary rows and a list of three films (with its banner in the new form, without in the old).

    Old-form URIs spell the film's slug (`https://letterboxd.com/film/<slug>/`, entries
    `https://letterboxd.com/alice/film/<slug>/` and `.../<slug>/1/`), which tells the two castles apart."""
    old = vintage == "old"

    def film(slug: str, code: str) -> str:
        return f"https://letterboxd.com/film/{slug}/" if old else f"https://boxd.it/{code}"

    def entry(slug: str, n: int, code: str) -> str:
        return f"https://letterboxd.com/alice/film/{slug}/{f'{n}/' if n else ''}" if old else f"https://boxd.it/{code}"

    e = Export()
    e.add(
        "watched.csv",
        ["2019-01-10", "Memento", "2000", film("memento", "memento")],
        ["2019-01-10", "The Haunted Castle", "1897", film("the-haunted-castle", "hc-a")],
        ["2019-01-10", "The Haunted Castle", "1897", film("the-haunted-castle-1897", "hc-b")],
        ["2019-01-11", "Lost Film", "1931", ""],
        ["2019-01-12", "Paris, Texas", "1984", film("paris-texas", "paris")],
    )
    e.add(
        "ratings.csv",
        ["2019-06-02", "Memento", "2000", film("memento", "memento"), "4.5"],
        ["2019-02-02", "Lost Film", "1931", "", "3"],
    )
    e.add(
        "diary.csv",
        ["2019-03-02", "Memento", "2000", entry("memento", 0, "e1"), "4", "", "", "2019-03-01"],
        ["2019-06-02", "Memento", "2000", entry("memento", 1, "e2"), "4.5", "Yes", "", "2019-06-01"],
        [
            "2019-04-02",
            "The Haunted Castle",
            "1897",
            entry("the-haunted-castle-1897", 0, "e3"),
            "3",
            "",
            "",
            "2019-04-01",
        ],
        ["2019-05-02", "The Haunted Castle", "1897", entry("the-haunted-castle", 0, "e4"), "2", "", "", "2019-05-01"],
        ["2019-02-02", "Lost Film", "1931", "", "3", "", "silent", "2019-02-01"],
        ["2019-07-02", "Lost Film", "1931", "", "3.5", "Yes", "", "2019-07-01"],
    )
    e.add(
        "reviews.csv",
        ["2019-03-02", "Memento", "2000", entry("memento", 0, "e1"), "4", "", "Backwards.", "", "2019-03-01"],
        ["2019-02-02", "Lost Film", "1931", "", "3", "", "Lost, then found.", "silent", "2019-02-01"],
        ["2019-08-01", "Paris, Texas", "1984", entry("paris-texas", 0, "e9"), "", "", "Dean Stockwell!", "", ""],
    )
    if not old:  # older exports have no likes/ folder
        e.add("likes/films.csv", ["2019-01-10", "Memento", "2000", film("memento", "memento")])
    e.add("profile.csv", ["2018-01-01", "alice", "Alice", "", "", "", "", "", "", ""])
    e.extra["deleted/diary.csv"] = csv_text(
        HEADERS["diary.csv"],
        [
            ["2019-01-05", "Gone", "2001", entry("gone", 0, "x1"), "3", "", "", "2019-01-05"],
            ["2019-01-06", "Gone", "2001", entry("gone", 1, "x2"), "3", "Yes", "", "2019-01-06"],
        ],
    )
    e.extra["deleted/lists/old-favourites.csv"] = list_text(
        "Old favourites",
        [
            ("Gone", "2001", film("gone", "gone")),
            ("Memento", "2000", film("memento", "memento")),
            ("Alien", "1979", ""),
        ],
        banner=not old,
    )
    e.extra["lists/castles.csv"] = list_text(
        "Castles",
        [
            ("The Haunted Castle", "1897", film("the-haunted-castle", "hc-a")),
            ("The Haunted Castle", "1897", film("the-haunted-castle-1897", "hc-b")),
        ],
        banner=not old,
    )
    return e
