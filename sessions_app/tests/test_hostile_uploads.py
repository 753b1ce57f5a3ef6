"""Malformed and hostile uploads through POST /api/upload: each one is refused with a message that says what is
wrong (and where), or imported with warnings. None may crash the server or leave rows behind."""

from __future__ import annotations

import io
import stat
import struct
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions_app.letterboxd import ExportError, read_export
from sessions_app.models import Movie, Session, Viewing

from .exports import HEADERS, csv_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning"),  # zipfile, writing the same member twice
]

Files = list[tuple[str, bytes]]


def csv_of(name: str, *rows: list, header: list[str] | None = None) -> bytes:
    return csv_text(header or HEADERS[name], list(rows)).encode()


WATCHED = csv_of("watched.csv", ["2022-01-01", "Memento", "2000", "https://boxd.it/memento"])


def diary(*rows: list) -> bytes:
    return csv_of("diary.csv", *rows)


def entry(
    title: str,
    *,
    year: str = "2000",
    uri: str = "https://boxd.it/e1",
    rating: str = "4",
    tags: str = "",
    watched: str = "2022-01-01",
    logged: str = "2022-01-02",
) -> list:
    return [logged, title, year, uri, rating, "", tags, watched]


def reviewed(title: str, review: str, tags: str = "") -> Files:
    """A diary entry and its review, as loose diary.csv and reviews.csv."""
    row = entry(title, tags=tags)
    return [("diary.csv", diary(row)), ("reviews.csv", csv_of("reviews.csv", [*row[:6], review, *row[6:]]))]


def zip_of(members: Sequence[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def relabelled(data: bytes, *, flags: int = 0, method: int | None = None) -> bytes:
    """A one-member ZIP with its headers rewritten: general-purpose flags (bit 0: encrypted, which zipfile cannot
    write) and the compression method (99 is WinZip AES)."""
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    patched = bytearray(data)
    for at in (local + 6, central + 8):
        patched[at : at + 2] = struct.pack("<H", struct.unpack_from("<H", data, at)[0] | flags)
    if method is not None:
        for at in (local + 8, central + 10):
            patched[at : at + 2] = struct.pack("<H", method)
    return bytes(patched)


def overwritten(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def stored_with_bad_crc() -> bytes:
    data = zip_of([("watched.csv", WATCHED)], zipfile.ZIP_STORED)
    return overwritten(data, data.index(b"Memento"), b"X")


def tiny_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"{i:x}", b"")
    return buffer.getvalue()


def zip64_placeholders(data: bytes) -> bytes:
    """The same ZIP with a ZIP64 end record, the plain end record holding the 0xFFFF placeholders for its
    counts, as `zip -fz` and Go's archive/zip write."""
    end = data.rindex(b"PK\x05\x06")
    entries, size, offset = struct.unpack_from("<HII", data, end + 10)
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    plain_end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, size, offset, 0)
    return data[:end] + zip64_end + locator + plain_end


def one_film(title: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        assert list(session.movies.values_list("title", flat=True)) == [title]
        assert session.viewings.count() == 1

    return check


LONG_URI = "https://letterboxd.com/film/" + "x" * 200 + "/"


def post(client, files: Files, field: str = "files"):
    return client.post("/api/upload", {field: [SimpleUploadedFile(name, data) for name, data in files]})


BOUNDARY = "lbstats-test-boundary"


def multipart(files: Files, closed: bool = True) -> bytes:
    """The multipart body a browser sends for these files in the field `files`; `closed=False` leaves out
    the closing boundary, as a body cut short after its last file's bytes does."""
    parts = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in files
    )
    return parts + (f"--{BOUNDARY}--\r\n".encode() if closed else b"")


@dataclass
class Case:
    id: str
    files: Callable[[], Files]
    refused: str | None = None  # the message's substring when the upload must be refused
    check: Callable[[Session, dict], None] | None = None  # what must hold of an accepted upload
    field: str = "files"
    # the raw multipart body instead of the files, and how many bytes it claims past what it holds
    body: Callable[[], bytes] | None = None
    declared_extra: int = 0

    def param(self):
        return pytest.param(self, id=self.id)

    def send(self, client):
        if self.body is None:
            return post(client, self.files(), self.field)
        body = self.body()
        return client.generic(
            "POST",
            "/api/upload",
            body,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            CONTENT_LENGTH=str(len(body) + self.declared_extra),
            # a server's stream: at its end it answers no more bytes (the test client's would fail the read)
            **{"wsgi.input": io.BytesIO(body)},
        )


def warned(*fragments: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        messages = [f"{w['file']}:{w['line']}: {w['message']}" for w in body["warnings"]]
        for fragment in fragments:
            assert any(fragment in m for m in messages), (fragment, messages)
        assert body["warnings"] == session.warnings

    return check


def titles_kept(*titles: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        assert sorted(session.movies.values_list("title", flat=True)) == sorted(titles)

    return check


def reviews_kept(*reviews: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        assert sorted(session.viewings.values_list("review", flat=True)) == sorted(reviews)

    return check


def all_empty(rows: str, field: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        values = getattr(session, rows).values_list(field, flat=True)
        assert values and set(values) == {None}

    return check


def no_warnings(session: Session, body: dict) -> None:
    assert body["warnings"] == session.warnings == []


def all_of(*checks: Callable[[Session, dict], None]) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        for one in checks:
            one(session, body)

    return check


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]
SCRIPT = '<script>alert("x")</script>'
ZALGO = "Z" + "\u0301\u0316\u0337" * 1500 + "algo " + "x" * 130  # thousands of combining marks, 4,600+ chars
BIG_REVIEW = "word " * 200_000  # a 1 MB field


def script_everywhere(session: Session, body: dict) -> None:
    viewing = session.viewings.get()
    assert viewing.movie.title == SCRIPT and viewing.tags == [SCRIPT, "<b>bold</b>"]
    assert viewing.review == f"<img src=x onerror=alert(1)>{SCRIPT}"


def zalgo_whole(session: Session, body: dict) -> None:
    title = session.movies.get().title
    assert title == ZALGO and len(title) == len(ZALGO) > 4_600


def huge_review(session: Session, body: dict) -> None:
    assert session.viewings.get().review == BIG_REVIEW.strip()


def skipped_rows(count: int, *fragments: str) -> Callable[[Session, dict], None]:
    def check(session: Session, body: dict) -> None:
        assert sum(w["message"] == "no film name; row skipped." for w in body["warnings"]) == count
        warned(*fragments)(session, body)

    return check


def capped_warnings(session: Session, body: dict) -> None:
    assert len(body["warnings"]) == 501 and body["warnings"][-1]["message"] == "… and 100 more warnings"
    assert session.movies.count() == 600 and not session.movies.exclude(rating=None).exists()


CASES = [
    # ZIP containers
    Case(
        "truncated-zip",
        lambda: [("export.zip", zip_of([("watched.csv", WATCHED)])[:-30])],
        refused="export.zip is not a readable ZIP archive",
    ),
    Case(
        "zip-bomb-ratio",
        lambda: [("export.zip", zip_of([("watched.csv", WATCHED), ("diary.csv", b"0" * 20_000_000)]))],
        refused="export.zip: diary.csv is compressed more than 100:1",
    ),
    Case(
        "zip-bomb-many-members",
        lambda: [
            ("export.zip", zip_of([("watched.csv", WATCHED)] + [(f"x/{i}.csv", b"0" * 999_999) for i in range(210)]))
        ],
        refused="export.zip expands to more than 210 MB",
    ),
    Case(
        "dot-dot-path",
        lambda: [("export.zip", zip_of([("../../watched.csv", WATCHED)]))],
        refused="export.zip contains an unsafe path ('../../watched.csv')",
    ),
    Case(
        "absolute-path",
        lambda: [("export.zip", zip_of([("/etc/watched.csv", WATCHED)]))],
        refused="unsafe path ('/etc/watched.csv')",
    ),
    Case(
        "windows-drive-path",
        lambda: [("export.zip", zip_of([("C:\\Users\\x\\watched.csv", WATCHED)]))],
        refused="unsafe path ('C:\\\\Users\\\\x\\\\watched.csv')",
    ),
    Case(
        "backslash-traversal",
        lambda: [("export.zip", zip_of([("..\\..\\watched.csv", WATCHED)]))],
        refused="unsafe path",
    ),
    Case(
        "backslash-folders-import",
        lambda: [("export.zip", zip_of([("letterboxd-alice\\watched.csv", WATCHED)]))],
        check=titles_kept("Memento"),
    ),
    Case(
        "symlink-member",
        lambda: [("export.zip", zip_of([(symlink("watched.csv"), b"/etc/passwd")]))],
        refused="export.zip contains a symbolic link ('watched.csv')",
    ),
    Case(
        "zip-inside-zip-only",
        lambda: [("outer.zip", zip_of([("export.zip", zip_of([("watched.csv", WATCHED)]))]))],
        refused="export.zip is itself a ZIP",
    ),
    Case(
        "zip-inside-zip-beside-csvs",
        lambda: [("outer.zip", zip_of([("watched.csv", WATCHED), ("old.zip", zip_of([("watched.csv", WATCHED)]))]))],
        check=all_of(titles_kept("Memento"), warned("old.zip: ZIP files inside the ZIP are not opened")),
    ),
    Case(
        "100000-tiny-members",
        lambda: [("export.zip", tiny_members(100_000))],
        refused="export.zip holds more than 2000 files",
    ),
    Case(
        "encrypted-member",
        lambda: [("export.zip", relabelled(zip_of([("watched.csv", WATCHED)]), flags=0x1))],
        refused="export.zip: watched.csv is password-protected",
    ),
    Case(
        "unsupported-compression",
        lambda: [("export.zip", relabelled(zip_of([("watched.csv", WATCHED)], zipfile.ZIP_STORED), method=99))],
        refused="export.zip: watched.csv cannot be read",
    ),
    Case(
        "corrupted-member",
        lambda: [("export.zip", stored_with_bad_crc())],
        refused="export.zip: watched.csv cannot be read (Bad CRC-32",
    ),
    Case(
        "corrupted-deflate-stream",
        # the first byte of the compressed data, 30 header bytes and the name in: block type 3 does not exist
        lambda: [("export.zip", overwritten(zip_of([("watched.csv", WATCHED)]), 30 + len("watched.csv"), b"\xff"))],
        refused="export.zip: watched.csv cannot be read (Error -3 while decompressing data",
    ),
    Case(
        "directory-only-zip",
        lambda: [("export.zip", zip_of([("letterboxd/", b""), ("letterboxd/lists/", b"")]))],
        refused="This is not a Letterboxd export: it has no watched.csv, diary.csv or ratings.csv (found no CSV files)",
    ),
    Case(
        "deleted-only",
        lambda: [("export.zip", zip_of([("deleted/diary.csv", diary(entry("Gone")))]))],
        refused="only deleted/ or orphaned/ files",
    ),
    Case(
        "same-member-twice",
        lambda: [("export.zip", zip_of([("watched.csv", WATCHED), ("watched.csv", WATCHED)]))],
        check=titles_kept("Memento"),
    ),
    # Encodings and bytes
    Case(
        "nul-bytes",
        lambda: [("watched.csv", WATCHED + b"2022-01-02,Null\x00Film,2001,x\r\n")],
        refused="watched.csv line 3: contains NUL bytes",
    ),
    Case(
        "utf-16-bom", lambda: [("watched.csv", WATCHED.decode().encode("utf-16"))], refused="watched.csv is UTF-16 text"
    ),
    Case("utf-8-bom", lambda: [("watched.csv", b"\xef\xbb\xbf" + WATCHED)], check=titles_kept("Memento")),
    Case(
        "latin-1",
        lambda: [("watched.csv", WATCHED + "2022-01-02,Amélie,2001,x\r\n".encode("latin-1"))],
        refused="watched.csv line 3: not UTF-8 text",
    ),
    Case(
        "png-named-csv",
        lambda: [("watched.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))],
        refused="watched.csv line 3: contains NUL bytes, so it is not a CSV text file",
    ),
    Case("empty-file", lambda: [("watched.csv", b"")], refused="watched.csv is empty"),
    Case("cr-only-newlines", lambda: [("watched.csv", WATCHED.replace(b"\r\n", b"\r"))], check=titles_kept("Memento")),
    # Values that must be stored verbatim
    Case(
        "formula-titles",
        lambda: [
            (
                "watched.csv",
                csv_of(
                    "watched.csv", *[["2022-01-01", f, "2000", f"https://boxd.it/f{i}"] for i, f in enumerate(FORMULAS)]
                ),
            )
        ],
        check=titles_kept(*FORMULAS),
    ),
    Case(
        "html-and-script",
        lambda: reviewed(SCRIPT, f"<img src=x onerror=alert(1)>{SCRIPT}", f"{SCRIPT}, <b>bold</b>"),
        check=script_everywhere,
    ),
    Case("1mb-field", lambda: reviewed("Long", BIG_REVIEW), check=huge_review),
    Case(
        "combining-marks-title",
        lambda: [("watched.csv", csv_of("watched.csv", ["2022-01-01", ZALGO, "2000", "x"]))],
        check=zalgo_whole,
    ),
    Case(
        "whitespace-only-names",
        lambda: [("diary.csv", diary(entry("   "), entry("\t", uri="https://boxd.it/e2"), entry("Kept", uri="e3")))],
        check=all_of(titles_kept("Kept"), skipped_rows(2, "diary.csv:2: no film name", "diary.csv:3: no film name")),
    ),
    # Values out of range: warnings, the rows kept
    Case(
        "dates-out-of-range",
        lambda: [
            (
                "diary.csv",
                diary(
                    entry("A", watched="2023-02-30"),
                    entry("B", uri="e2", watched="9999-12-31"),
                    entry("C", uri="e3", logged="0000-01-01"),
                    entry("D", uri="e4", watched="yesterday"),
                ),
            )
        ],
        check=all_of(
            titles_kept("A", "B", "C", "D"),
            warned(
                "diary.csv:2: Watched Date '2023-02-30' is not a date",
                "diary.csv:3: Watched Date '9999-12-31' is not a date (YYYY-MM-DD, 1870 to 2200)",
                "diary.csv:4: Date '0000-01-01'",
                "diary.csv:5: Watched Date 'yesterday'",
            ),
        ),
    ),
    Case(
        "ratings-out-of-range",
        lambda: [
            (
                "diary.csv",
                diary(
                    *[
                        entry(f"F{i}", uri=f"e{i}", rating=r)
                        for i, r in enumerate(["6", "0", "4.3", "-1", "sNaN", "NaN", "Infinity", "1e999", "½"])
                    ]
                ),
            )
        ],
        check=all_of(
            warned(*[f"Rating '{r}' is not a rating" for r in ["6", "0", "4.3", "-1", "sNaN", "NaN", "Infinity"]]),
            all_empty("viewings", "rating"),
        ),
    ),
    Case(
        "huge-and-odd-years",
        lambda: [
            (
                "watched.csv",
                csv_of(
                    "watched.csv",
                    *[
                        ["2022-01-01", f"F{i}", y, f"u{i}"]
                        for i, y in enumerate(["99999999999999999999", "²", "٢٠٢٠", "-2000", "1e3"])
                    ],
                ),
            )
        ],
        check=all_of(
            warned(
                "watched.csv:2: Year '99999999999999999999' is not a year",
                "Year '²'",
                "Year '٢٠٢٠'",
                "Year '-2000'",
                "Year '1e3'",
            ),
            all_empty("movies", "year"),
        ),
    ),
    Case(
        "thousands-of-warnings",
        lambda: [
            ("ratings.csv", csv_of("ratings.csv", *[["2022-01-01", f"F{i}", "2000", f"u{i}", "9"] for i in range(600)]))
        ],
        check=capped_warnings,
    ),
    # Headers and CSV structure
    Case(
        "wrong-headers",
        lambda: [("watched.csv", b"Title,When,Where\r\nMemento,2000,x\r\n")],
        refused="watched.csv line 1: missing the columns Date, Name, Year, Letterboxd URI",
    ),
    Case(
        "duplicated-headers",
        lambda: [("watched.csv", b"Date,Name,Year,Name,Letterboxd URI\r\n2022-01-01,A,2000,B,x\r\n")],
        refused="watched.csv line 1: the column Name appears twice",
    ),
    Case(
        "header-only",
        lambda: [("watched.csv", csv_of("watched.csv")), ("diary.csv", diary())],
        refused="This export has no films: diary.csv and watched.csv hold no row with a film name",
    ),
    Case(
        "extra-unknown-columns",
        lambda: [
            (
                "watched.csv",
                csv_of(
                    "watched.csv",
                    ["2022-01-01", "Memento", "2000", "u", "extra", "=1+1"],
                    header=HEADERS["watched.csv"] + ["Mood", "Formula"],
                ),
            )
        ],
        check=all_of(titles_kept("Memento"), no_warnings),
    ),
    Case(
        "unclosed-quote",
        lambda: [("watched.csv", WATCHED + b'2022-01-02,"Never closed,2001,x\r\n')],
        refused="watched.csv: the CSV cannot be read: a quoted value is never closed",
    ),
    Case(
        "too-many-fields",
        lambda: [("watched.csv", WATCHED + b"2022-01-02,A,2001,x,y,z\r\n")],
        refused="watched.csv: the CSV cannot be read: line 3 has 6 fields where the header has 4",
    ),
    Case(
        "too-few-fields",
        lambda: [("watched.csv", WATCHED + b"2022-01-02,Short\r\n")],
        check=all_of(
            titles_kept("Memento", "Short"),
            warned("watched.csv:3: 2 fields where the header has 4; the missing ones were left empty"),
        ),
    ),
    # Loose files
    Case(
        "same-csv-twice",
        lambda: [("watched.csv", WATCHED), ("watched.csv", WATCHED)],
        refused="Two uploaded files are both watched.csv",
    ),
    Case(
        "oddly-named-diary",
        lambda: [("My Export FINAL (2).CSV", diary(entry("Memento")))],
        check=titles_kept("Memento"),
    ),
    Case(
        "oddly-named-unknown",
        lambda: [("notes.csv", b"a,b\r\n1,2\r\n")],
        refused="notes.csv: cannot tell which Letterboxd file this is",
    ),
    Case("wrong-field-name", lambda: [("watched.csv", WATCHED)], field="file", refused="No file was uploaded"),
    # Multipart bodies that end before their last file does (Django's parser drops that file)
    Case(
        "multipart-without-closing-boundary",
        lambda: [],
        body=lambda: multipart([("watched.csv", WATCHED)], closed=False),
        refused="The upload is incomplete: the request ended before its last file did",
    ),
    Case(
        "multipart-cut-short",
        lambda: [],
        body=lambda: multipart([("diary.csv", diary(entry("Memento"))), ("watched.csv", WATCHED)])[:-60],
        declared_extra=60,  # Content-Length says what was meant to come; the connection ended first
        refused="The upload is incomplete: the request ended before its last file did",
    ),
    Case(
        "multipart-whole",  # the same framing, complete: the two cases above fail on the cut alone
        lambda: [],
        body=lambda: multipart([("diary.csv", diary(entry("Memento"))), ("watched.csv", WATCHED)]),
        check=one_film("Memento"),
    ),
    # Odd but honest
    Case(
        "composed-and-decomposed-accents",
        lambda: [
            ("watched.csv", csv_of("watched.csv", ["2022-01-01", "Am\u00e9lie", "2001", "https://boxd.it/amelie"])),
            ("diary.csv", diary(entry("Ame\u0301lie", year="2001"))),
        ],
        check=one_film("Am\u00e9lie"),
    ),
    Case(
        "header-case-and-spaces",
        lambda: [
            (
                "watched.csv",
                csv_of(
                    "watched.csv",
                    ["2022-01-01", "Memento", "2000", "https://boxd.it/memento"],
                    header=[" date", "NAME ", "year", "letterboxd uri"],
                ),
            )
        ],
        check=all_of(titles_kept("Memento"), no_warnings),
    ),
    Case(
        "files-from-different-folders",
        lambda: [("export.zip", zip_of([("a/watched.csv", WATCHED), ("b/c/diary.csv", diary(entry("Memento")))]))],
        check=all_of(
            titles_kept("Memento"),
            warned("the files come from different folders of the ZIP (a/ and b/c/)"),
        ),
    ),
    Case(
        "zip64-end-record",
        lambda: [("export.zip", zip64_placeholders(zip_of([("watched.csv", WATCHED)])))],
        check=all_of(titles_kept("Memento"), no_warnings),
    ),
    Case(
        "uri-past-the-database-width",
        lambda: [("watched.csv", csv_of("watched.csv", ["2022-01-01", "Memento", "2000", LONG_URI]))],
        refused="watched.csv line 2: the Letterboxd URI is 229 characters long",
    ),
    Case(
        "entry-uri-past-the-database-width",
        lambda: [("diary.csv", diary(entry("Memento", uri=LONG_URI)))],
        refused="diary.csv line 2: the Letterboxd URI is 229 characters long",
    ),
    Case(
        "username-past-the-database-width",
        lambda: [("watched.csv", WATCHED), ("profile.csv", csv_text(["Username"], [["u" * 201]]).encode())],
        refused="profile.csv line 2: the username is 201 characters long",
    ),
]


def test_the_corpus_holds_every_case_named_once():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) == 56
    print(f"hostile upload corpus: {len(ids)} cases through POST /api/upload, none may answer 5xx")


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_it_refuses_or_imports_each_hostile_upload_and_never_crashes(client, case: Case):
    response = case.send(client)
    assert response.status_code < 500, response.content[:500]
    body = response.json()
    if case.refused:
        assert response.status_code == 400, body
        assert case.refused in body["detail"], body["detail"]
        assert (Session.objects.count(), Movie.objects.count(), Viewing.objects.count()) == (0, 0, 0)
    else:
        assert response.status_code == 201, body
        session = Session.objects.get(public_id=body["session_id"])
        assert case.check is not None, case.id  # every case is either refused or says what must hold once accepted
        case.check(session, body)


def test_it_refuses_a_zip_of_many_members_from_its_end_record_without_reading_the_directory():
    data = tiny_members(100_000)
    started = time.perf_counter()
    with pytest.raises(ExportError, match="holds more than 2000 files"):
        read_export([("export.zip", io.BytesIO(data), len(data))])
    refused_in = time.perf_counter() - started
    started = time.perf_counter()
    zipfile.ZipFile(io.BytesIO(data)).infolist()
    # An object per directory entry costs about half a second here; the count in the end record costs nothing.
    assert refused_in < (time.perf_counter() - started) / 20


def test_the_upload_form_refuses_hostile_uploads_too(client):
    response = client.post("/", {"files": [SimpleUploadedFile("export.zip", zip_of([("../watched.csv", WATCHED)]))]})
    assert response.status_code == 400 and b"unsafe path" in response.content
    assert Session.objects.count() == 0
