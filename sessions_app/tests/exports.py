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
