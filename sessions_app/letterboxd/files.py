"""Finding an export's files in an upload: a ZIP as downloaded (or re-zipped), or loose CSVs, each
checked to be UTF-8 text and kept under its logical name. The guards against ZIP bombs, unsafe paths and floods are here."""

from __future__ import annotations

import codecs
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
from typing import IO, TYPE_CHECKING

from django.conf import settings

from .records import ExportError

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns (it has line_num); the csv module does not export it

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


@dataclass
class ExportFiles:
    # logical name ("diary.csv", "likes/films.csv", "lists/x.csv") -> its UTF-8 text (checked, without a BOM), as
    # bytes: half the size of a str once one character is past Latin-1, and what pandas reads without a copy
    texts: dict[str, bytes]
    uploaded: list[dict]  # [{name, size}] as uploaded
    skipped: dict[str, int]  # rows in deleted/ and orphaned/, by folder
    nested_zips: list[str] = field(default_factory=list)  # ZIP members that are ZIPs themselves (not opened)
    folders: list[str] = field(default_factory=list)  # the ZIP folders the files were taken from, when several


def collect_files(uploads: list[tuple[str, IO[bytes], int]]) -> ExportFiles:
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


def _expands_too_far(zip_name: str) -> str:
    return f"{zip_name} expands to more than {settings.ZIP_MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB; it was rejected."


def _looks_like_zip(name: str, fileobj: IO[bytes]) -> bool:
    head = fileobj.read(4)
    fileobj.seek(0)
    return head.startswith(b"PK") or name.lower().endswith(".zip")


def _files_from_zip(zip_name: str, fileobj: IO[bytes], uploaded: list[dict]) -> ExportFiles:
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
    roots: dict[str, str] = {}  # the export folder each chosen file lies in
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
            raise ExportError(_expands_too_far(zip_name))
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
            roots[logical] = _export_folder(parts)

    budget = Budget(zip_name)
    texts = {logical: checked_csv(logical, budget.read(archive, info)) for logical, (_, info) in candidates.items()}
    skipped: dict[str, int] = defaultdict(int)
    for folder, info in skipped_members:
        skipped[folder] += count_data_rows(checked_csv(info.filename, budget.read(archive, info)))
    folders = sorted(set(roots.values()))
    return ExportFiles(
        texts=texts,
        uploaded=uploaded,
        skipped=dict(skipped),
        nested_zips=nested_zips,
        folders=folders if len(folders) > 1 else [],
    )


def _export_folder(parts: list[str]) -> str:
    """The folder of the export a member belongs to: its own, or its parent's for likes/ and lists/."""
    folder = parts[:-1]
    if folder and folder[-1].lower() in ("likes", "lists"):
        folder = folder[:-1]
    return "/".join(folder) + "/" if folder else "the top of the ZIP"


END_RECORD = b"PK\x05\x06"
END_RECORD_SEARCH = 22 + 65_535  # the record, after which a comment of up to 64 KiB may follow
ZIP64_PLACEHOLDER = 0xFFFF  # "see the ZIP64 end record" in the end record's entry count
ZIP64_LOCATOR, ZIP64_LOCATOR_SIZE = b"PK\x06\x07", 20  # just before the end record: where the ZIP64 one is
ZIP64_RECORD, ZIP64_RECORD_SIZE = b"PK\x06\x06", 56  # its total entry count is at offset 32


def _declared_member_count(fileobj: IO[bytes]) -> int:
    """The entry count in the ZIP's end record, or in its ZIP64 end record when the first holds the
    0xFFFF placeholder (as `zip -fz` and Go's archive/zip write); 0 if there is no record."""
    fileobj.seek(0, io.SEEK_END)
    fileobj.seek(max(fileobj.tell() - END_RECORD_SEARCH, 0))
    tail = fileobj.read()
    fileobj.seek(0)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) < at + 12:
        return 0
    count = struct.unpack_from("<H", tail, at + 10)[0]
    locator = at - ZIP64_LOCATOR_SIZE
    if count != ZIP64_PLACEHOLDER or locator < 0 or tail[locator : locator + 4] != ZIP64_LOCATOR:
        return count
    record_offset = struct.unpack_from("<Q", tail, locator + 8)[0]
    fileobj.seek(record_offset)
    record = fileobj.read(ZIP64_RECORD_SIZE)
    fileobj.seek(0)
    if len(record) < ZIP64_RECORD_SIZE or record[:4] != ZIP64_RECORD:
        return count  # no readable ZIP64 record: the placeholder counts, and zipfile decides
    return struct.unpack_from("<Q", record, 32)[0]


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
        except (
            zipfile.BadZipFile,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            zlib.error,
            lzma.LZMAError,
        ) as exc:
            raise ExportError(f"{self.zip_name}: {info.filename} cannot be read ({exc}).") from exc
        if len(data) > self.left:
            raise ExportError(_expands_too_far(self.zip_name))
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


def _files_from_csvs(uploads: list[tuple[str, IO[bytes], int]], uploaded: list[dict]) -> ExportFiles:
    texts: dict[str, bytes] = {}
    for (_, fileobj, _), meta in zip(uploads, uploaded, strict=True):
        base = meta["name"]
        if not base.lower().endswith(".csv"):
            raise ExportError(f"{base} is neither a ZIP nor a CSV file. Upload your Letterboxd export ZIP or its CSVs.")
        text = checked_csv(base, fileobj.read())
        logical = _loose_logical_name(base, text)
        if logical in texts:
            raise ExportError(f"Two uploaded files are both {logical}; upload each export file once.")
        texts[logical] = text
    return ExportFiles(texts=texts, uploaded=uploaded, skipped={})


def _loose_logical_name(base: str, text: bytes) -> str:
    """Name a loose CSV by its file name (browser copies like 'diary (1).csv' included), else by its header."""
    match = LOOSE_NAME_RE.match(base.lower())
    stem = match.group("stem") if match else base.lower()
    if stem in ("films", "likes"):
        return "likes/films.csv"
    if f"{stem}.csv" in ROOT_FILES:
        return f"{stem}.csv"
    header = set(read_header(base, text))
    if {"Position", "URL"} <= header or text.startswith(b"Letterboxd list export"):
        return f"lists/{base.lower()}"
    for logical in ("reviews.csv", "diary.csv", "ratings.csv", "profile.csv"):
        if set(REQUIRED_COLUMNS[logical]) <= header:
            return logical
    raise ExportError(
        f"{base}: cannot tell which Letterboxd file this is. Keep the export's file names "
        "(watched.csv, diary.csv, ratings.csv, reviews.csv, watchlist.csv, films.csv)."
    )


KNOWN_COLUMNS = {column.lower(): column for columns in REQUIRED_COLUMNS.values() for column in columns}


def canonical_column(name: str) -> str:
    name = name.strip()
    return KNOWN_COLUMNS.get(name.lower(), name)


def checked_csv(name: str, data: bytes) -> bytes:
    """The file's bytes without a UTF-8 byte-order mark, or ExportError when they are not UTF-8 text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError(f"{name} is UTF-16 text; Letterboxd exports are UTF-8. Export it again, or save it as UTF-8.")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ExportError(f"{name} line {line}: contains NUL bytes, so it is not a CSV text file.")
    try:
        data.decode("utf-8-sig")  # the check alone: the text is read from the bytes where it is needed
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExportError(
            f"{name} line {line}: not UTF-8 text. Letterboxd exports are UTF-8; export it again or save it as UTF-8."
        ) from exc
    return data.removeprefix(codecs.BOM_UTF8)


def read_header(name: str, data: bytes) -> list[str]:
    """The column names, as Letterboxd spells them when only their case or surrounding spaces differ."""
    try:
        # decoded as far as the header goes, not the whole file
        return [
            canonical_column(h) for h in next(csv.reader(io.TextIOWrapper(io.BytesIO(data), "utf-8", newline="")), [])
        ]
    except csv.Error as exc:
        raise ExportError(f"{name} line 1: the header cannot be read as CSV ({exc}).") from exc


LIST_TABLE_HEADER = ["Position", "Name", "Year", "URL"]


def list_table_start(rows: list[list[str]]) -> int | None:
    """Where a list file's entry table begins (the row after its `Position,Name,Year,URL` header), found by
    scanning: a banner line and the list's own metadata rows come first, and older exports have no banner."""
    for i, row in enumerate(rows):
        if [c.strip() for c in row[:4]] == LIST_TABLE_HEADER:
            return i + 1
    return None


def count_data_rows(data: bytes) -> int:
    """Rows of data in a CSV: a list file's entries (not its banner and metadata), else all but the header."""
    rows = [row for row in csv_records(data) if row]
    start = list_table_start(rows)
    return len(rows) - (1 if start is None else start) if rows else 0


def csv_records(data: bytes) -> Reader:
    csv.field_size_limit(max(settings.UPLOAD_MAX_BYTES, 131072))
    return csv.reader(io.StringIO(data.decode(), newline=""))


def is_blank(data: bytes) -> bool:
    """Whether a file holds nothing but whitespace (as str.strip sees it), decoded only when its first byte
    past ASCII whitespace does not already say so."""
    rest = data.lstrip()
    if rest and rest[0] < 0x80 and not chr(rest[0]).isspace():
        return False
    return not data.decode().strip()
