"""Reading a Letterboxd export: a ZIP as downloaded (or re-zipped), or loose CSVs.

Pure parsing, no database. `read_export()` turns uploaded files into a `ParsedExport`: one
`FilmRecord` per distinct film with its diary entries, plus warnings and metadata. Anything that
makes the upload unusable raises `ExportError` with a message a person can act on.

- `records`: what an export says, as plain records, and the error;
- `files`: finding the files in a ZIP or among loose CSVs, with the guards against hostile archives;
- `tables`: reading one CSV into typed columns, warning about each value that cannot be read;
- `films`: from files to films, joining the diary to its films.
"""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from .files import REQUIRED_COLUMNS, collect_files, too_large
from .films import _usable_texts, film_slug, parse_files
from .records import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_TEXT_ID,
    RATINGS,
    ExportError,
    FilmRecord,
    ParsedExport,
    ViewingRecord,
    Warnings,
)
from .tables import checked_header

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_TEXT_ID",
    "RATINGS",
    "ExportError",
    "FilmRecord",
    "ParsedExport",
    "ViewingRecord",
    "check_export",
    "cyclic_gc_paused",
    "film_slug",
    "read_export",
    "too_large",
]


def read_export(uploads: Iterable[tuple[str, IO[bytes], int]]) -> ParsedExport:
    """Read uploaded files [(name, file object, size)] into a ParsedExport, or raise ExportError."""
    with cyclic_gc_paused():
        return parse_files(collect_files(list(uploads)))


def check_export(uploads: Iterable[tuple[str, IO[bytes], int]]) -> list[dict]:
    """What can be told of an upload without reading its rows, as fast as the files can be opened: that it
    is a ZIP or CSVs of a Letterboxd export within the limits, with a film file and the columns each file
    needs. Raises ExportError as `read_export` would; returns the files as uploaded [{name, size}]."""
    files = collect_files(list(uploads))
    texts = _usable_texts(files, Warnings())
    for name in REQUIRED_COLUMNS:
        if name in texts:
            checked_header(name, texts[name])
    return files.uploaded


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a bulk of acyclic records is built (or stored).

    It runs every 700 allocations and walks every young object, then ever older ones: building an
    export's records (a 30,000-entry diary is 100,000 objects, none in a cycle) it took a third of
    the parse. Reference counting still frees everything; a run that was already paused (another
    thread's parse) is left to that one to resume."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
