"""Reading a Letterboxd export: a ZIP as downloaded (or re-zipped), or loose CSVs.

Pure parsing, no database. `read_export()` turns uploaded files into a `ParsedExport`: one
`FilmRecord` per distinct film with its diary entries, plus warnings and metadata. Anything that
makes the upload unusable raises `ExportError` with a message a person can act on.

- `records`: what an export says, as plain records, and the error;
- `files`: finding the files in a ZIP or among loose CSVs, with the guards against hostile archives;
- `tables`: reading one CSV into typed columns, warning about each value that cannot be read;
- `films`: from files to films, joining the diary to its films.
"""

from collections.abc import Iterable
from typing import IO

from .files import collect_files, too_large
from .films import film_slug, parse_files
from .records import FIRST_YEAR, LAST_YEAR, MAX_TEXT_ID, RATINGS, ExportError, FilmRecord, ParsedExport, ViewingRecord

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_TEXT_ID",
    "RATINGS",
    "ExportError",
    "FilmRecord",
    "ParsedExport",
    "ViewingRecord",
    "film_slug",
    "read_export",
    "too_large",
]


def read_export(uploads: Iterable[tuple[str, IO[bytes], int]]) -> ParsedExport:
    """Read uploaded files [(name, file object, size)] into a ParsedExport, or raise ExportError."""
    return parse_files(collect_files(list(uploads)))
