"""Reading one export CSV with pandas: values as stripped strings, typed columns with a warning for
each value that cannot be read, and the physical line of every record for messages."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pandas as pd

from .files import REQUIRED_COLUMNS, canonical_column, csv_records, read_header
from .records import DATE_RE, FIRST_YEAR, LAST_YEAR, RATINGS, ExportError, Warnings

# columns whose few distinct values repeat down a file
REPEATED_COLUMNS = {"Date", "Watched Date", "Year", "Rating", "Rewatch", "Tags"}
# files of entries, where a film's name repeats for each of its entries (30 MB of titles in a 300,000-entry diary)
ENTRY_FILES = {"diary.csv", "reviews.csv"}


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


class Tables:
    """An export's tables, each read when first asked for, so that only the ones in use are held (a diary's
    table is not read while the films are, nor the reviews' while the diary is). The headers are all
    checked at once, and the warnings about each file's short records keep their place before every row's,
    as if every table were read first."""

    def __init__(self, texts: dict[str, bytes], warnings: Warnings) -> None:
        # the texts of the tables leave `texts`; each is dropped once its table is read
        self._texts = {name: texts.pop(name) for name in REQUIRED_COLUMNS if name in texts}
        self._headers = {name: checked_header(name, data) for name, data in self._texts.items()}
        self.names = list(self._texts)
        self._short_rows = {name: warnings.later() for name in self.names}
        self._read: dict[str, Table] = {}
        self._rows: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._texts or name in self._read

    def __getitem__(self, name: str) -> Table:
        if name not in self._read:
            table = self._read[name] = Table(name, self._texts.pop(name), self._headers.pop(name))
            self._rows[name] = len(table)
            table.warn_short_rows(self._short_rows.pop(name))
        return self._read[name]

    def pop(self, name: str) -> Table:
        """The table, no longer held here."""
        table = self[name]
        del self._read[name]
        return table

    def rows(self) -> dict[str, int]:
        """Each file's record count (in the order of REQUIRED_COLUMNS), reading the tables not read yet."""
        for name in self.names:
            if name in self._texts:
                self[name]
        return {name: self._rows[name] for name in self.names}


class Table:
    """One export CSV read with pandas (all values as stripped strings), plus its line numbers on demand."""

    def __init__(self, name: str, data: bytes, header: list[str]) -> None:
        """`header`: the file's column names, as `checked_header` gave them."""
        self.name = name
        try:
            frame = pd.read_csv(
                # UTF-8 bytes, which the C parser reads as they are: from a StringIO it reads a copy of four
                # bytes a character (96 MB for a 300,000-entry diary), which it encodes again to UTF-8.
                io.BytesIO(data),
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
        frame.columns = [canonical_column(str(c)) for c in frame.columns]
        frame = frame.fillna("")
        # Columns whose values repeat are kept as categories: one string per distinct value rather than one
        # per row (a 300,000-entry diary's dates were 50 MB of strings, held until the parse ends). Not
        # read as categories: read_csv turns all-numeric ones into numbers, and "02001" into 2001.
        repeated = REPEATED_COLUMNS | ({"Name"} if name in ENTRY_FILES else set())
        for column in repeated.intersection(frame.columns):
            # in the order met, unsorted: astype("category") sorts them, which for a diary's 95,000 titles took
            # half the conversion
            codes, distinct = pd.factorize(frame[column])
            frame[column] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(distinct))
        self.frame = frame
        # The bytes are kept for the csv pass below, unless it cannot be needed: every record on a line of its own
        # (record i on line i + 2) and no short record. A 300,000-entry diary's are 24 MB.
        self.data: bytes | None = None if _one_record_a_line(data, len(frame)) and not self._may_be_short() else data
        self._lines: list[int] | None = None
        self._widths: list[int] = []

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> list[str]:
        """A column's values, stripped (a list made at each call: the typed readers below drop theirs once read)."""
        return list(map(str.strip, self.frame[name].tolist())) if name in self.frame.columns else [""] * len(self)

    def _scan(self) -> list[int]:
        """One csv pass for what pandas does not tell: where each record starts, and how many fields it has."""
        if self._lines is None:
            if self.data is None:
                self._lines, self._widths = [], []  # then record `index` is on line index + 2
                return self._lines
            reader = csv_records(self.data)
            lines, widths = [], []
            start = 1
            for row in reader:
                if row and not (len(row) == 1 and row[0].isspace()):  # pandas skips a line of spaces as blank
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
        if not self._may_be_short():
            return []
        self._scan()
        width = len(self.frame.columns)
        return [(i, n) for i, n in enumerate(self._widths) if n < width]

    def warn_short_rows(self, warnings: Warnings) -> None:
        header_width = len(self.frame.columns)
        for i, width in self.short_rows():
            warnings.add(
                self.name,
                self.line(i),
                f"{width} field{'s' if width != 1 else ''} where the header has {header_width}; "
                "the missing ones were left empty.",
            )

    def _may_be_short(self) -> bool:
        # A short record ends in an empty last column; only then is the csv pass worth its time.
        return not self.frame.empty and bool((self.frame.iloc[:, -1] == "").any())

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


def _one_record_a_line(data: bytes, records: int) -> bool:
    """Whether each of a CSV's records (`records` of them, as pandas read them) lies on one line of its own after
    the header's: no blank line, no lone carriage return, and one line per record and the header."""
    if data.count(b"\n") + (not data.endswith(b"\n")) != records + 1 or data[:1] in (b"\n", b"\r"):
        return False
    lone_returns = b"\r" in data and data.count(b"\r") != data.count(b"\r\n")
    return not lone_returns and b"\n\n" not in data and b"\n\r\n" not in data


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
