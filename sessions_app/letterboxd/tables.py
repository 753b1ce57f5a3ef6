"""Reading one export CSV with pandas: values as stripped strings, typed columns with a warning for
each value that cannot be read, and the physical line of every record for messages."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pandas as pd
from pandas.api.types import union_categoricals

from .files import REQUIRED_COLUMNS, canonical_column, csv_records, read_header
from .records import DATE_RE, FIRST_YEAR, LAST_YEAR, RATINGS, ExportError, Warnings

# columns whose few distinct values repeat down a file
REPEATED_COLUMNS = {"Date", "Watched Date", "Year", "Rating", "Rewatch", "Tags"}


def checked_header(name: str, text: bytes) -> list[str]:
    """The file's column names, or ExportError when one is doubled or one the file needs is missing."""
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
    return header


# Rows read at a time: each chunk's repeated columns become categories before the next is read, so a large
# file's values are never all strings at once (a 300,000-entry diary's were 130 MB while it was read whole).
CHUNK_ROWS = 50_000


def _with_categories(chunk: pd.DataFrame) -> pd.DataFrame:
    """A chunk read as strings, its columns named as Letterboxd does and its repeated ones as categories."""
    chunk.columns = [canonical_column(str(c)) for c in chunk.columns]
    chunk = chunk.fillna("")
    # Columns whose values repeat are kept as categories: one string per distinct value rather than one
    # per row (a 300,000-entry diary's dates were 50 MB of strings, held until the parse ends). Not
    # read as categories: read_csv turns all-numeric ones into numbers, and "02001" into 2001.
    for column in REPEATED_COLUMNS.intersection(chunk.columns):
        chunk[column] = chunk[column].astype("category")
    return chunk


class Table:
    """One export CSV read with pandas (all values as stripped strings), plus its line numbers on demand."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data  # for the rare line number a warning needs
        header = checked_header(name, data)
        try:
            reader = pd.read_csv(
                # UTF-8 bytes, which the C parser reads as they are: from a StringIO it reads a copy of four
                # bytes a character (96 MB for a 300,000-entry diary), which it encodes again to UTF-8.
                io.BytesIO(data),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=True,
                engine="c",
                chunksize=CHUNK_ROWS,
            )
            with reader:
                chunks = [_with_categories(chunk) for chunk in reader]
        except pd.errors.EmptyDataError:
            chunks = [_with_categories(pd.DataFrame(columns=header))]
        except pd.errors.ParserError as exc:
            raise ExportError(f"{name}: the CSV cannot be read: {_pandas_message(exc)}") from exc
        frame = chunks[0]
        if len(chunks) > 1:
            frame = pd.DataFrame(
                {
                    column: union_categoricals([c[column] for c in chunks])
                    if isinstance(frame[column].dtype, pd.CategoricalDtype)
                    else pd.concat([c[column] for c in chunks], ignore_index=True)
                    for column in frame.columns
                }
            )
        del chunks
        self.frame = frame
        self._columns: dict[str, list[str]] = {}
        self._lines: list[int] | None = None
        self._widths: list[int] = []

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> list[str]:
        """A column's values, stripped (read once: the parser asks for some columns twice)."""
        if name not in self._columns:
            present = name in self.frame.columns
            self._columns[name] = list(map(str.strip, self.frame[name].tolist())) if present else [""] * len(self)
        return self._columns[name]

    def _scan(self) -> list[int]:
        """One csv pass for what pandas does not tell: where each record starts, and how many fields it has."""
        if self._lines is None:
            reader = csv_records(self.data)
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

    # An export repeats its values: 30,000 diary rows hold a few thousand days, ten ratings and a
    # century of years. Each column is read once per distinct value, then looked up row by row.

    def dates(self, column: str, warnings: Warnings) -> list[date | None]:
        values = self.column(column)
        distinct = list(set(values))
        parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d", errors="coerce")
        read: dict[str, date | None] = {
            raw: None if pd.isna(ts) or not DATE_RE.match(raw) or not FIRST_YEAR <= ts.year <= LAST_YEAR else ts.date()
            for raw, ts in zip(distinct, parsed, strict=True)
        }
        problem = f" is not a date (YYYY-MM-DD, {FIRST_YEAR} to {LAST_YEAR}); left empty."
        return self._looked_up(values, read, warnings, lambda raw: f"{column} {raw!r}{problem}")

    def years(self, warnings: Warnings) -> list[int | None]:
        values = self.column("Year")
        read = {
            raw: int(raw) if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR else None
            for raw in set(values)
        }
        return self._looked_up(values, read, warnings, lambda raw: f"Year {raw!r} is not a year; left empty.")

    def ratings(self, warnings: Warnings) -> list[Decimal | None]:
        values = self.column("Rating")
        read = {raw: _rating(raw) for raw in set(values)}
        return self._looked_up(
            values, read, warnings, lambda raw: f"Rating {raw!r} is not a rating (0.5 to 5 in half stars); left empty."
        )

    def _looked_up(self, values: list[str], read: dict, warnings: Warnings, problem: Callable[[str], str]) -> list:
        """Each row's value as `read` gives it, with a warning (in row order) for every non-empty one it could not read."""
        if any(raw and value is None for raw, value in read.items()):
            for i, raw in enumerate(values):
                if raw and read[raw] is None:
                    warnings.add(self.name, self.line(i), problem(raw))
        return [read[raw] for raw in values]


def _rating(raw: str) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except ArithmeticError:
        return None
    return value if value.is_finite() and value in RATINGS else None  # sNaN cannot be hashed


def _pandas_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1]
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        expected, line, saw = match.groups()
        return f"line {line} has {saw} fields where the header has {expected} (a stray comma or quote?)."
    if "EOF inside string" in text:
        return "a quoted value is never closed (the file may be cut short)."
    return text
