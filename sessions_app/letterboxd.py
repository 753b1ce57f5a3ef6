"""Reading a Letterboxd export: a ZIP as downloaded (or re-zipped), or loose CSVs.

Pure parsing, no database. `read_export()` turns uploaded files into a `ParsedExport`: one
`FilmRecord` per distinct film with its diary entries, plus warnings and metadata. Anything that
makes the upload unusable raises `ExportError` with a message a person can act on.

The traps this handles (see the export notes): diary and review URIs are the *entry's*, not the
film's, so diary rows attach to films by (Name, Year); many films have no diary row; two films can
share Name and Year; reviews span lines; `deleted/` and `orphaned/` hold rows that must not count.
"""

from __future__ import annotations

import csv
import io
import lzma
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO, Iterable

import pandas as pd
from django.conf import settings

# Columns each file must have (any order, extra columns allowed), by the name used in this module.
REQUIRED_COLUMNS = {
    "watched.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "ratings.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    "diary.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"],
    "reviews.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"],
    "watchlist.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "likes/films.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "profile.csv": ["Username"],
}
ROOT_FILES = {"watched.csv", "ratings.csv", "diary.csv", "reviews.csv", "watchlist.csv", "profile.csv", "comments.csv"}
FILM_FILES = ("watched.csv", "diary.csv", "ratings.csv")  # an export has at least one of these
SKIPPED_FOLDERS = ("deleted", "orphaned")
RATINGS = {Decimal(n) / 2 for n in range(1, 11)}
FIRST_YEAR, LAST_YEAR = 1870, 2200  # from the first films to far enough ahead for announced ones
MAX_STORED_WARNINGS = 500
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportError(Exception):
    """The upload cannot be imported; the message says what is wrong, in which file and line."""


@dataclass
class ViewingRecord:
    entry_uri: str
    watched_date: date | None
    logged_date: date | None
    rating: Decimal | None
    rewatch: bool
    tags: list[str]
    review: str = ""


@dataclass
class FilmRecord:
    title: str
    year: int | None
    uri: str = ""
    watched: bool = False
    watched_date: date | None = None
    rating: Decimal | None = None
    rated_date: date | None = None
    liked: bool = False
    liked_date: date | None = None
    in_watchlist: bool = False
    watchlist_date: date | None = None
    viewings: list[ViewingRecord] = field(default_factory=list)

    @property
    def viewing_count(self) -> int:
        return len(self.viewings) or (1 if self.watched else 0)

    @property
    def rewatch_count(self) -> int:
        return sum(v.rewatch for v in self.viewings)

    @property
    def watched_dates(self) -> list[date]:
        return sorted(v.watched_date for v in self.viewings if v.watched_date)


@dataclass
class ParsedExport:
    films: list[FilmRecord]
    warnings: list[dict]
    metadata: dict
    username: str = ""

    @property
    def viewing_count(self) -> int:
        return sum(len(f.viewings) for f in self.films)


class Warnings:
    """Collects per-value problems; stores the first few hundred and counts the rest."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.dropped = 0

    def add(self, file: str, line: int | None, message: str) -> None:
        if len(self.items) < MAX_STORED_WARNINGS:
            self.items.append({"file": file, "line": line, "message": message})
        else:
            self.dropped += 1

    def as_list(self) -> list[dict]:
        if self.dropped:
            return self.items + [{"file": None, "line": None, "message": f"… and {self.dropped} more warnings"}]
        return self.items


# ---------------------------------------------------------------------------------------------
# Finding the files: a ZIP or loose CSVs


@dataclass
class ExportFiles:
    texts: dict[str, str]  # logical name ("diary.csv", "likes/films.csv", "lists/x.csv") -> text
    uploaded: list[dict]  # [{name, size}] as uploaded
    skipped: dict[str, int]  # rows in deleted/ and orphaned/, by folder
    nested_zips: list[str] = field(default_factory=list)  # ZIP members that are ZIPs themselves (not opened)


def read_export(uploads: Iterable[tuple[str, BinaryIO, int]]) -> ParsedExport:
    """Read uploaded files [(name, file object, size)] into a ParsedExport, or raise ExportError."""
    files = collect_files(list(uploads))
    return parse_files(files)


def collect_files(uploads: list[tuple[str, BinaryIO, int]]) -> ExportFiles:
    if not uploads:
        raise ExportError("No file was uploaded. Choose your Letterboxd export ZIP, or its CSV files.")
    if len(uploads) > settings.UPLOAD_MAX_FILES:
        raise ExportError(f"Too many files ({len(uploads)}); upload at most {settings.UPLOAD_MAX_FILES}.")
    total = sum(size for _, _, size in uploads)
    if total > settings.UPLOAD_MAX_BYTES:
        raise ExportError(too_large(total))
    uploaded = [{"name": posixpath.basename(name.replace("\\", "/")), "size": size} for name, _, size in uploads]
    zips = [u for u in uploads if _looks_like_zip(u[0], u[1])]
    if zips:
        if len(uploads) > 1:
            raise ExportError("Upload either one ZIP or CSV files, not both or several ZIPs.")
        name, fileobj, _ = zips[0]
        return _files_from_zip(name, fileobj, uploaded)
    return _files_from_csvs(uploads, uploaded)


def too_large(size: int) -> str:
    return f"The upload is {size / 1e6:.1f} MB; the limit is {settings.UPLOAD_MAX_BYTES / 1e6:.0f} MB."


def _looks_like_zip(name: str, fileobj: BinaryIO) -> bool:
    head = fileobj.read(4)
    fileobj.seek(0)
    return head.startswith(b"PK") or name.lower().endswith(".zip")


def _files_from_zip(zip_name: str, fileobj: BinaryIO, uploaded: list[dict]) -> ExportFiles:
    too_many = f"{zip_name} holds more than {settings.ZIP_MAX_MEMBERS} files; a Letterboxd export has far fewer."
    # Checked before zipfile builds an object per directory entry, which takes seconds for a million of them.
    if _declared_member_count(fileobj) > settings.ZIP_MAX_MEMBERS:
        raise ExportError(too_many)
    try:
        archive = zipfile.ZipFile(fileobj)
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, struct.error) as exc:
        raise ExportError(f"{zip_name} is not a readable ZIP archive (it may be truncated or damaged).") from exc
    if len(members) > settings.ZIP_MAX_MEMBERS:  # the end record can understate the directory
        raise ExportError(too_many)

    declared = 0
    candidates: dict[str, tuple[int, zipfile.ZipInfo]] = {}
    skipped_members: list[tuple[str, zipfile.ZipInfo]] = []
    nested_zips: list[str] = []
    for info in members:
        path = info.filename.replace("\\", "/")
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts:
            raise ExportError(f"{zip_name} contains an unsafe path ({info.filename!r}); it was rejected.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ExportError(f"{zip_name} contains a symbolic link ({info.filename!r}); it was rejected.")
        if not parts or info.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("._"):  # is_dir() fails on ""
            continue
        declared += info.file_size
        if declared > settings.ZIP_MAX_UNCOMPRESSED_BYTES:
            raise ExportError(
                f"{zip_name} expands to more than {settings.ZIP_MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB; it was rejected."
            )
        if info.file_size > 1_000_000 and info.file_size > settings.ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise ExportError(
                f"{zip_name}: {info.filename} is compressed more than {settings.ZIP_MAX_RATIO}:1, "
                "which no real export is; it was rejected as a possible ZIP bomb."
            )
        lowered = [p.lower() for p in parts]
        if not lowered[-1].endswith(".csv"):
            if lowered[-1].endswith(".zip"):
                nested_zips.append(info.filename)
            continue
        if any(p in SKIPPED_FOLDERS for p in lowered[:-1]):
            skipped_members.append((next(p for p in lowered[:-1] if p in SKIPPED_FOLDERS), info))
            continue
        logical = _logical_name(lowered)
        if logical is None:
            continue
        depth = len(parts)
        if logical not in candidates or depth < candidates[logical][0]:
            candidates[logical] = (depth, info)

    budget = Budget(zip_name)
    texts = {logical: decode_csv(logical, budget.read(archive, info)) for logical, (_, info) in candidates.items()}
    skipped: dict[str, int] = defaultdict(int)
    for folder, info in skipped_members:
        text = decode_csv(info.filename, budget.read(archive, info))
        skipped[folder] += max(count_records(text) - 1, 0)
    return ExportFiles(texts=texts, uploaded=uploaded, skipped=dict(skipped), nested_zips=nested_zips)


END_RECORD = b"PK\x05\x06"
END_RECORD_SEARCH = 22 + 65_535  # the record, after which a comment of up to 64 KiB may follow


def _declared_member_count(fileobj: BinaryIO) -> int:
    """The entry count in the ZIP's end record (0xFFFF for ZIP64, past any limit); 0 if there is no record."""
    fileobj.seek(0, io.SEEK_END)
    fileobj.seek(max(fileobj.tell() - END_RECORD_SEARCH, 0))
    tail = fileobj.read()
    fileobj.seek(0)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) < at + 12:
        return 0
    return struct.unpack_from("<H", tail, at + 10)[0]


class Budget:
    """Reads ZIP members without trusting their declared sizes: stops past the configured total."""

    def __init__(self, zip_name: str) -> None:
        self.zip_name = zip_name
        self.left = settings.ZIP_MAX_UNCOMPRESSED_BYTES

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        if info.flag_bits & 0x1:
            raise ExportError(
                f"{self.zip_name}: {info.filename} is password-protected. Upload the export as Letterboxd made it."
            )
        try:
            with archive.open(info) as member:
                data = member.read(self.left + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error, lzma.LZMAError) as exc:
            raise ExportError(f"{self.zip_name}: {info.filename} cannot be read ({exc}).") from exc
        if len(data) > self.left:
            raise ExportError(
                f"{self.zip_name} expands to more than {settings.ZIP_MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB; it was rejected."
            )
        self.left -= len(data)
        return data


def _logical_name(lowered_parts: list[str]) -> str | None:
    name = lowered_parts[-1]
    parent = lowered_parts[-2] if len(lowered_parts) > 1 else ""
    if parent == "likes":
        return "likes/films.csv" if name == "films.csv" else None  # likes of reviews and lists: not used
    if parent == "lists":
        return f"lists/{name}"
    return name if name in ROOT_FILES else None


LOOSE_NAME_RE = re.compile(r"^(?P<stem>.+?)(?:\s*\(\d+\)|-\d+)?\.csv$")


def _files_from_csvs(uploads: list[tuple[str, BinaryIO, int]], uploaded: list[dict]) -> ExportFiles:
    texts: dict[str, str] = {}
    for (_, fileobj, _), meta in zip(uploads, uploaded):
        base = meta["name"]
        if not base.lower().endswith(".csv"):
            raise ExportError(f"{base} is neither a ZIP nor a CSV file. Upload your Letterboxd export ZIP or its CSVs.")
        text = decode_csv(base, fileobj.read())
        logical = _loose_logical_name(base, text)
        if logical in texts:
            raise ExportError(f"Two uploaded files are both {logical}; upload each export file once.")
        texts[logical] = text
    return ExportFiles(texts=texts, uploaded=uploaded, skipped={})


def _loose_logical_name(base: str, text: str) -> str:
    """Name a loose CSV by its file name (browser copies like 'diary (1).csv' included), else by its header."""
    match = LOOSE_NAME_RE.match(base.lower())
    stem = match.group("stem") if match else base.lower()
    if stem in ("films", "likes"):
        return "likes/films.csv"
    if f"{stem}.csv" in ROOT_FILES:
        return f"{stem}.csv"
    header = set(read_header(base, text))
    if {"Position", "URL"} <= header or text.startswith("Letterboxd list export"):
        return f"lists/{base.lower()}"
    for logical in ("reviews.csv", "diary.csv", "ratings.csv", "profile.csv"):
        if set(REQUIRED_COLUMNS[logical]) <= header:
            return logical
    raise ExportError(
        f"{base}: cannot tell which Letterboxd file this is. Keep the export's file names "
        "(watched.csv, diary.csv, ratings.csv, reviews.csv, watchlist.csv, films.csv)."
    )


def decode_csv(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError(f"{name} is UTF-16 text; Letterboxd exports are UTF-8. Export it again, or save it as UTF-8.")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ExportError(f"{name} line {line}: contains NUL bytes, so it is not a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportError(
            f"{name} line {line}: not UTF-8 text. Letterboxd exports are UTF-8; export it again or save it as UTF-8."
        ) from exc


def read_header(name: str, text: str) -> list[str]:
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")), [])]
    except csv.Error as exc:
        raise ExportError(f"{name} line 1: the header cannot be read as CSV ({exc}).") from exc


def count_records(text: str) -> int:
    return sum(1 for row in _csv_records(text) if row)


def _csv_records(text: str):
    csv.field_size_limit(max(settings.UPLOAD_MAX_BYTES, 131072))
    return csv.reader(io.StringIO(text, newline=""))


# ---------------------------------------------------------------------------------------------
# Reading one CSV


class Table:
    """One export CSV read with pandas (all values as stripped strings), plus its line numbers on demand."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        header = read_header(name, text)
        duplicated = sorted({h for h in header if header.count(h) > 1 and h})
        if duplicated:
            raise ExportError(f"{name} line 1: the column {', '.join(duplicated)} appears twice.")
        missing = [c for c in REQUIRED_COLUMNS.get(name, []) if c not in header]
        if missing:
            raise ExportError(
                f"{name} line 1: missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                f"Is this the {name} of a Letterboxd export?"
            )
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=True,
                engine="c",
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame(columns=header)
        except pd.errors.ParserError as exc:
            raise ExportError(f"{name}: the CSV cannot be read: {_pandas_message(exc)}") from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        self.frame = frame.fillna("")
        self._lines: list[int] | None = None
        self._widths: list[int] = []

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> list[str]:
        if name not in self.frame.columns:
            return [""] * len(self.frame)
        return [v.strip() for v in self.frame[name].tolist()]

    def _scan(self) -> list[int]:
        """One csv pass for what pandas does not tell: where each record starts, and how many fields it has."""
        if self._lines is None:
            reader = _csv_records(self.text)
            lines, widths = [], []
            start = 1
            for row in reader:
                if row:
                    lines.append(start)
                    widths.append(len(row))
                start = reader.line_num + 1
            self._lines, self._widths = lines[1:], widths[1:]
        return self._lines

    def line(self, index: int) -> int:
        """The physical line on which record `index` starts (reviews span lines, so not index + 2)."""
        lines = self._scan()
        return lines[index] if index < len(lines) else index + 2

    def short_rows(self) -> list[tuple[int, int]]:
        """(index, field count) of records with fewer fields than the header, which pandas pads silently."""
        # A short record ends in an empty last column; only then is the csv pass worth its time.
        if self.frame.empty or not (self.frame.iloc[:, -1] == "").any():
            return []
        self._scan()
        width = len(self.frame.columns)
        return [(i, n) for i, n in enumerate(self._widths) if n < width]

    def dates(self, column: str, warnings: Warnings) -> list[date | None]:
        values = self.column(column)
        parsed = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d", errors="coerce")
        out: list[date | None] = []
        for i, (raw, ts) in enumerate(zip(values, parsed)):
            if pd.isna(ts) or not DATE_RE.match(raw) or not FIRST_YEAR <= ts.year <= LAST_YEAR:
                if raw:
                    warnings.add(
                        self.name, self.line(i),
                        f"{column} {raw!r} is not a date (YYYY-MM-DD, {FIRST_YEAR} to {LAST_YEAR}); left empty.",
                    )
                out.append(None)
            else:
                out.append(ts.date())
        return out

    def years(self, warnings: Warnings) -> list[int | None]:
        out: list[int | None] = []
        for i, raw in enumerate(self.column("Year")):
            if not raw:
                out.append(None)
            elif raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
                out.append(int(raw))
            else:
                warnings.add(self.name, self.line(i), f"Year {raw!r} is not a year; left empty.")
                out.append(None)
        return out

    def ratings(self, warnings: Warnings) -> list[Decimal | None]:
        out: list[Decimal | None] = []
        for i, raw in enumerate(self.column("Rating")):
            value = None
            if raw:
                try:
                    value = Decimal(raw)
                except ArithmeticError:
                    value = None
                if value is None or not value.is_finite() or value not in RATINGS:  # sNaN cannot be hashed
                    warnings.add(
                        self.name, self.line(i), f"Rating {raw!r} is not a rating (0.5 to 5 in half stars); left empty."
                    )
                    value = None
            out.append(value)
        return out


def _pandas_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1]
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        expected, line, saw = match.groups()
        return f"line {line} has {saw} fields where the header has {expected} (a stray comma or quote?)."
    if "EOF inside string" in text:
        return "a quoted value is never closed (the file may be cut short)."
    return text


# ---------------------------------------------------------------------------------------------
# From files to films


class FilmIndex:
    """The films of one export, identified by film URI where a file has one, else by (Name, Year)."""

    def __init__(self) -> None:
        self.films: list[FilmRecord] = []
        self.by_uri: dict[str, FilmRecord] = {}
        self.by_key: dict[tuple[str, int | None], list[FilmRecord]] = defaultdict(list)

    def _new(self, title: str, year: int | None, uri: str) -> FilmRecord:
        film = FilmRecord(title=title, year=year, uri=uri)
        self.films.append(film)
        self.by_key[(title, year)].append(film)
        if uri:
            self.by_uri[uri] = film
        return film

    def by_film_uri(self, title: str, year: int | None, uri: str) -> FilmRecord:
        """For files whose URI is the film's: two URIs under one (Name, Year) are two films."""
        if uri and uri in self.by_uri:
            return self.by_uri[uri]
        same = self.by_key.get((title, year), [])
        if not uri:
            return same[0] if same else self._new(title, year, "")
        for film in same:
            if not film.uri:
                film.uri = uri
                self.by_uri[uri] = film
                return film
        return self._new(title, year, uri)

    def by_entry(self, title: str, year: int | None) -> tuple[FilmRecord, bool]:
        """For diary and review rows (their URI is the entry's). Returns the film and whether it was ambiguous."""
        same = self.by_key.get((title, year), [])
        if not same:
            return self._new(title, year, ""), False
        return same[0], len(same) > 1


def parse_files(files: ExportFiles) -> ParsedExport:
    warnings = Warnings()
    empty = sorted(name for name, text in files.texts.items() if not text.strip())
    for name in empty:
        warnings.add(name, None, "the file is empty; skipped.")
    texts = {name: text for name, text in files.texts.items() if name not in empty}
    if not any(name in texts for name in FILM_FILES):
        raise ExportError(_not_an_export(files, empty))
    for name in files.nested_zips:
        warnings.add(None, None, f"{name}: ZIP files inside the ZIP are not opened.")
    tables = {name: Table(name, texts[name]) for name in REQUIRED_COLUMNS if name in texts}
    for name, table in tables.items():
        header_width = len(table.frame.columns)
        for i, width in table.short_rows():
            warnings.add(
                name, table.line(i),
                f"{width} field{'s' if width != 1 else ''} where the header has {header_width}; "
                "the missing ones were left empty.",
            )
    index = FilmIndex()

    def film_rows(table: Table):
        titles = table.column("Name")
        uris = table.column("Letterboxd URI")
        for i, (title, year, uri, when) in enumerate(zip(titles, table.years(warnings), uris, table.dates("Date", warnings))):
            if not title:
                warnings.add(table.name, table.line(i), "no film name; row skipped.")
                continue
            yield i, title, year, uri, when

    if "watched.csv" in tables:
        for _, title, year, uri, when in film_rows(tables["watched.csv"]):
            film = index.by_film_uri(title, year, uri)
            film.watched, film.watched_date = True, when
    if "ratings.csv" in tables:
        ratings = tables["ratings.csv"].ratings(warnings)
        for i, title, year, uri, when in film_rows(tables["ratings.csv"]):
            film = index.by_film_uri(title, year, uri)
            film.watched = True  # rating a film on Letterboxd marks it watched
            film.rating, film.rated_date = ratings[i], when
    if "likes/films.csv" in tables:
        for _, title, year, uri, when in film_rows(tables["likes/films.csv"]):
            film = index.by_film_uri(title, year, uri)
            film.liked, film.liked_date = True, when
    if "watchlist.csv" in tables:
        for _, title, year, uri, when in film_rows(tables["watchlist.csv"]):
            film = index.by_film_uri(title, year, uri)
            film.in_watchlist, film.watchlist_date = True, when

    entries: dict[str, ViewingRecord] = {}
    for name in ("diary.csv", "reviews.csv"):
        if name not in tables:
            continue
        table = tables[name]
        watched_dates = table.dates("Watched Date", warnings)
        ratings = table.ratings(warnings)
        rewatches = table.column("Rewatch")
        tags = table.column("Tags")
        reviews = table.column("Review")
        for i, title, year, uri, logged in film_rows(table):
            if name == "reviews.csv" and uri and uri in entries:
                entries[uri].review = reviews[i]
                continue
            if uri and uri in entries:
                warnings.add(name, table.line(i), f"entry {uri} appears twice; the second row was skipped.")
                continue
            film, ambiguous = index.by_entry(title, year)
            if ambiguous:
                warnings.add(
                    name, table.line(i),
                    f"two films are called {title} ({year}); this entry was attached to the first ({film.uri}).",
                )
            viewing = ViewingRecord(
                entry_uri=uri,
                watched_date=watched_dates[i],
                logged_date=logged,
                rating=ratings[i],
                rewatch=rewatches[i].lower() == "yes",
                tags=[t.strip() for t in tags[i].split(",") if t.strip()],
                review=reviews[i] if name == "reviews.csv" else "",
            )
            film.viewings.append(viewing)
            film.watched = True
            if uri:
                entries[uri] = viewing

    if not index.films:
        raise ExportError(
            f"This export has no films: {_and(sorted(tables))} {'hold' if len(tables) > 1 else 'holds'} no row "
            "with a film name. Log a film on Letterboxd, then export again."
        )

    if "ratings.csv" not in tables:
        # Without ratings.csv the newest diary rating is the best knowledge of the current one.
        for film in index.films:
            rated = [v for v in film.viewings if v.rating is not None]
            if rated:
                latest = max(rated, key=lambda v: (v.watched_date or date.min, v.logged_date or date.min))
                film.rating, film.rated_date = latest.rating, latest.logged_date

    username = ""
    if "profile.csv" in tables:
        usernames = tables["profile.csv"].column("Username")
        username = usernames[0] if usernames else ""

    metadata = {
        "files": files.uploaded,
        "rows": {name: len(table) for name, table in tables.items()},
        "skipped": files.skipped,
        "lists": _parse_lists(texts, warnings),
    }
    return ParsedExport(films=index.films, warnings=warnings.as_list(), metadata=metadata, username=username)


def _not_an_export(files: ExportFiles, empty: list[str]) -> str:
    """Why an upload without watched.csv, diary.csv or ratings.csv is refused, in the words that help most."""
    if files.nested_zips:
        return (
            f"This is not a Letterboxd export: {_and(files.nested_zips)} {'is itself a ZIP' if len(files.nested_zips) == 1 else 'are ZIPs'}, "
            "and ZIPs inside a ZIP are not opened. Unzip the outer one and upload the export ZIP itself."
        )
    film_files = [name for name in empty if name in FILM_FILES]
    if film_files:
        return f"{_and(film_files)} {'is' if len(film_files) == 1 else 'are'} empty. Upload the export as Letterboxd made it."
    if files.skipped and not files.texts:
        return (
            "This is not a Letterboxd export: it has only deleted/ or orphaned/ files, which hold entries removed from "
            "a profile. Upload the whole export ZIP."
        )
    present = ", ".join(sorted(files.texts)) or "no CSV files"
    return f"This is not a Letterboxd export: it has no watched.csv, diary.csv or ratings.csv (found {present})."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _parse_lists(texts: dict[str, str], warnings: Warnings) -> list[dict]:
    """lists/<slug>.csv: a banner, the list's own row, a blank line, then the entry table found by its header."""
    lists = []
    for name in sorted(n for n in texts if n.startswith("lists/")):
        try:
            rows = list(_csv_records(texts[name]))
        except csv.Error as exc:
            warnings.add(name, None, f"list not read ({exc}).")
            continue
        title = ""
        entries = None
        for i, row in enumerate(rows):
            cells = [c.strip() for c in row]
            if cells[:2] == ["Date", "Name"] and i + 1 < len(rows) and len(rows[i + 1]) > 1:
                title = rows[i + 1][1]
            if cells[:4] == ["Position", "Name", "Year", "URL"]:
                entries = sum(1 for r in rows[i + 1 :] if r)
                break
        if entries is None:
            warnings.add(name, None, "no Position,Name,Year,URL table found; list skipped.")
            continue
        lists.append({"file": name, "name": title or name[6:-4], "entries": entries})
    return lists
