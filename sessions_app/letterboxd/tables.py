"""Reading one export CSV with pandas: values as stripped strings, typed columns with a warning for
each value that cannot be read, and the physical line of every record for messages."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pandas as pd

from .files import REQUIRED_COLUMNS, canonical_column, csv_records, read_header
from .records import DATE_RE, FIRST_YEAR, LAST_YEAR, RATINGS, ExportError, Warnings


def checked_header(name: str, text: str) -> list[str]:
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


class Table:
    """One export CSV read with pandas (all values as stripped strings), plus its line numbers on demand."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        header = checked_header(name, text)
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
        frame.columns = [canonical_column(str(c)) for c in frame.columns]
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
            reader = csv_records(self.text)
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
        for i, (raw, ts) in enumerate(zip(values, parsed, strict=True)):
            if pd.isna(ts) or not DATE_RE.match(raw) or not FIRST_YEAR <= ts.year <= LAST_YEAR:
                if raw:
                    warnings.add(
                        self.name,
                        self.line(i),
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
