"""Properties of the export parser (pure, no database): a valid export written with the csv module reads back
value for value, whatever the text; and no byte string makes it raise anything but ExportError."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app.letterboxd import ExportError, ParsedExport, read_export

from .exports import HEADERS, Export

# Modest counts keep the file within seconds; deadline=None because the first example pays for imports.
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any character a UTF-8 file can hold except NUL (refused: it marks a binary file).
CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00")
# Values are read stripped and a film needs a name, so those are what a writer can round-trip.
NAMES = st.text(CHARACTERS, min_size=1, max_size=40).map(str.strip).filter(bool)
# Quotes, commas and line breaks of every kind are the CSV traps; mix them in often.
TRAPS = st.sampled_from(['"', ",", "\r\n", "\n", "\r", '""', " , ", "=1+1", "<b>", "\u2028"])
TITLES = st.one_of(
    NAMES, st.lists(st.one_of(TRAPS, NAMES), min_size=1, max_size=6).map("".join).map(str.strip).filter(bool)
)
TAGS = st.lists(
    st.text(CHARACTERS.filter(lambda c: c != ","), min_size=1, max_size=12).map(str.strip).filter(bool), max_size=4
)
REVIEWS = st.lists(st.one_of(TRAPS, st.text(CHARACTERS, max_size=30)), max_size=8).map("".join).map(str.strip)
YEARS = st.one_of(st.none(), st.integers(1870, 2200))
DATES = st.one_of(st.none(), st.dates(date(1870, 1, 1), date(2200, 12, 31)))
RATINGS = st.one_of(st.none(), st.integers(1, 10).map(lambda n: Decimal(n) / 2))


@dataclass
class Film:
    title: str
    year: int | None
    rating: Decimal | None


@dataclass
class Entry:
    key: tuple[str, int | None]
    watched: date | None
    logged: date | None
    rating: Decimal | None
    rewatch: bool
    tags: list[str]
    review: str | None  # None: no reviews.csv row


def cell(value) -> str:
    return "" if value is None else str(value)


@st.composite
def exports(draw) -> tuple[list[Film], list[Entry]]:
    # A small title pool makes namesakes (same Name and Year, different films) and diary-only films common.
    pool: list[tuple[str, int | None]] = draw(st.lists(st.tuples(TITLES, YEARS), min_size=1, max_size=6))
    rated_keys = draw(st.lists(st.tuples(st.sampled_from(pool), RATINGS), max_size=8))
    films = [Film(title, year, rating) for (title, year), rating in rated_keys]
    entries = draw(
        st.lists(
            st.builds(
                Entry, st.sampled_from(pool), DATES, DATES, RATINGS, st.booleans(), TAGS, st.one_of(st.none(), REVIEWS)
            ),
            max_size=8,
        )
    )
    if not films and not entries:
        films = [Film(*pool[0], None)]
    return films, entries


def csv_file(name: str, rows: list[list[str]], newline: str) -> str:
    # Python 3.11's writer leaves a lone CR unquoted when the line ends in LF alone, which no reader can take back;
    # quoting every field keeps such a file valid (Letterboxd's own files end lines in CRLF).
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL if newline == "\n" else csv.QUOTE_MINIMAL)
    writer.writerows([HEADERS[name], *rows])
    return out.getvalue()


def written(films: list[Film], entries: list[Entry], newline: str, entry_uris: bool = True) -> Export:
    watched = [["2020-01-01", f.title, cell(f.year), f"https://boxd.it/f{i}"] for i, f in enumerate(films)]
    ratings = [
        ["2020-01-02", f.title, cell(f.year), f"https://boxd.it/f{i}", cell(f.rating)]
        for i, f in enumerate(films)
        if f.rating is not None
    ]
    diary = []
    reviews = []
    for i, e in enumerate(entries):
        common = [
            cell(e.logged),
            e.key[0],
            cell(e.key[1]),
            f"https://boxd.it/e{i}" if entry_uris else "",
            cell(e.rating),
            "Yes" if e.rewatch else "",
        ]
        diary.append([*common, ", ".join(e.tags), cell(e.watched)])
        if e.review is not None:
            reviews.append([*common, e.review, ", ".join(e.tags), cell(e.watched)])
    tables = {"watched.csv": watched, "ratings.csv": ratings, "diary.csv": diary, "reviews.csv": reviews}
    return Export(extra={name: csv_file(name, rows, newline) for name, rows in tables.items()})


@PROPERTY_SETTINGS
@given(exports(), st.sampled_from(["\r\n", "\n"]), st.sampled_from(["zip", "loose"]))
def test_it_reads_back_every_value_of_a_valid_export(generated, newline, packaging):
    films, entries = generated
    export = written(films, entries, newline)
    parsed = read_export(export.zip_upload() if packaging == "zip" else export.uploads())

    # Every watched.csv row is a film (its URI tells namesakes apart); a diary key no film has is one more film.
    keys = [(f.title, f.year) for f in films]
    diary_only = list(dict.fromkeys(e.key for e in entries if e.key not in keys))
    assert [(f.title, f.year, f.uri) for f in parsed.films] == [
        *[(f.title, f.year, f"https://boxd.it/f{i}") for i, f in enumerate(films)],
        *[(title, year, "") for title, year in diary_only],
    ]
    assert [f.rating for f in parsed.films] == [f.rating for f in films] + [None] * len(diary_only)

    # A diary entry belongs to the first film with its Name and Year.
    owner = {key: parsed.films[(keys + diary_only).index(key)] for key in set(keys + diary_only)}
    assert parsed.viewing_count == len(entries)
    for i, e in enumerate(entries):
        viewing = next(v for v in owner[e.key].viewings if v.entry_uri == f"https://boxd.it/e{i}")
        assert (viewing.watched_date, viewing.logged_date, viewing.rating, viewing.rewatch, viewing.tags) == (
            e.watched,
            e.logged,
            e.rating,
            e.rewatch,
            e.tags,
        )
        assert viewing.review == (e.review or "")

    # The only warnings: which namesake got each entry (its review row follows the entry, so says nothing).
    namesakes = {key for key in keys if keys.count(key) > 1}
    assert len(parsed.warnings) == sum(e.key in namesakes for e in entries)
    assert all(w["message"].startswith("two films are called") for w in parsed.warnings)


@PROPERTY_SETTINGS
@given(exports(), st.sampled_from(["\r\n", "\n"]))
def test_entries_without_uris_read_back_with_each_review_joined_to_its_diary_row(generated, newline):
    """Older exports keep the entries of films gone from Letterboxd with empty URIs: a review row joins a
    diary row on what they share, so no entry is counted twice and every value comes back."""
    films, entries = generated
    parsed = read_export(written(films, entries, newline, entry_uris=False).uploads())
    keys = [(f.title, f.year) for f in films]
    diary_only = list(dict.fromkeys(e.key for e in entries if e.key not in keys))
    owners = {key: parsed.films[(keys + diary_only).index(key)] for key in set(keys + diary_only)}
    assert parsed.viewing_count == len(entries) and parsed.metadata["reviews_without_diary"] == 0
    for key, owner in owners.items():
        read = sorted(
            (repr(v.watched_date), repr(v.logged_date), repr(v.rating), v.rewatch, v.tags, v.review)
            for v in owner.viewings
        )
        expected = sorted(
            (repr(e.watched), repr(e.logged), repr(e.rating), e.rewatch, e.tags, e.review or "")
            for e in entries
            if e.key == key
        )
        assert read == expected


def refused_or_read(uploads: list[tuple[str, io.BytesIO, int]]) -> None:
    try:
        assert isinstance(read_export(uploads), ParsedExport)
    except ExportError as exc:
        assert str(exc)  # a message to show


def upload(name: str, data: bytes) -> list[tuple[str, io.BytesIO, int]]:
    return [(name, io.BytesIO(data), len(data))]


HEADER = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\r\n"
CSV_NOISE = st.text(st.one_of(st.sampled_from(list(',"\r\n\t 0123456789-.Yes')), CHARACTERS), max_size=300)


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["diary.csv", "export.zip", "mystery.csv", "notes.txt"]))
def test_no_bytes_make_it_raise_anything_but_export_error(data, name):
    refused_or_read(upload(name, data))


@PROPERTY_SETTINGS
@given(CSV_NOISE, st.sampled_from(["diary.csv", "reviews.csv", "watched.csv", "list.csv"]))
def test_no_text_after_a_real_header_makes_it_raise_anything_but_export_error(noise, name):
    refused_or_read(upload(name, (HEADER + noise).encode("utf-8")))


SAMPLE_ZIP = (
    Export()
    .add("diary.csv", ["2022-01-01", "Memento", "2000", "https://boxd.it/e1", "4", "", "a, b", "2022-01-01"])
    .zip_bytes()
)


@PROPERTY_SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, len(SAMPLE_ZIP) - 1), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, len(SAMPLE_ZIP)),
)
def test_no_damage_to_a_zip_makes_it_raise_anything_but_export_error(flips, cut):
    data = bytearray(SAMPLE_ZIP)
    for at, value in flips:
        data[at] = value
    refused_or_read(upload("export.zip", bytes(data[:cut])))
    refused_or_read(upload("export.zip", bytes(data)))


def test_the_damaged_zip_property_starts_from_a_zip_that_reads():
    assert zipfile.ZipFile(io.BytesIO(SAMPLE_ZIP)).namelist() == ["diary.csv"]
    assert read_export(upload("export.zip", SAMPLE_ZIP)).films[0].viewings[0].tags == ["a", "b"]
