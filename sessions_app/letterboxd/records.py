"""What an export says, as plain records: films, their diary entries, warnings, and the error that
refuses an upload. No parsing here, and no database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import chain, islice
from operator import attrgetter

# Letterboxd's rating scale, half a star to five stars, with the one decimal place the database keeps.
RATINGS = tuple(Decimal(f"{n / 2:.1f}") for n in range(1, 11))
FIRST_YEAR, LAST_YEAR = 1870, 2200  # from the first films to far enough ahead for announced ones
MAX_STORED_WARNINGS = 500
# The widest URI or username the database stores (Movie.letterboxd_uri, Viewing.entry_uri, Session.username).
# Letterboxd's are far shorter (https://boxd.it/2bcA, a 15-character username); longer is a file edited by hand.
MAX_TEXT_ID = 200
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportError(Exception):
    """The upload cannot be imported; the message says what is wrong, in which file and line."""


# slots: an export's 300,000 entries take a third less memory without a __dict__ each
@dataclass(slots=True)
class ViewingRecord:
    entry_uri: str
    watched_date: date | None
    logged_date: date | None
    rating: Decimal | None
    rewatch: bool
    tags: list[str]
    review: str = ""
    # The entry's place in the export: its row in diary.csv, then reviews.csv. Letterboxd writes entries in
    # the order they were logged, so this breaks ties between entries watched on one day.
    row: int = 0


@dataclass(slots=True)
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
        return sum(map(_rewatch, self.viewings))

    @property
    def watched_dates(self) -> list[date]:
        return sorted(filter(None, map(_watched_date, self.viewings)))  # a date is never false


# C-level readers of records' attributes: an export has hundreds of thousands of entries to read them from
_rewatch, _watched_date, _entry_dates = (
    attrgetter("rewatch"),
    attrgetter("watched_date"),
    attrgetter("watched_date", "logged_date"),
)


@dataclass
class ParsedExport:
    films: list[FilmRecord]
    warnings: list[dict]
    metadata: dict
    username: str = ""

    @property
    def viewing_count(self) -> int:
        return sum(len(f.viewings) for f in self.films)

    @cached_property
    def newest_date(self) -> date | None:
        """Its newest diary date (watched or logged) or watched.csv date: what tells a later export of the same
        person from an older one."""
        entries = chain.from_iterable(f.viewings for f in self.films)
        days = chain(map(_watched_date, self.films), chain.from_iterable(map(_entry_dates, entries)))
        return max(filter(None, days), default=None)  # a date is never false


class Warnings:
    """Collects per-value problems in the order met, or in a place kept for them beforehand (`later`); stores
    the first few hundred and counts the rest."""

    def __init__(self) -> None:
        self.items: list[dict | Warnings] = []
        self.added = 0  # by `add` here, stored or not

    def add(self, file: str | None, line: int | None, message: str) -> None:
        self.added += 1
        # Each place keeps its own first few hundred: the export's first few hundred are among them.
        if self.added <= MAX_STORED_WARNINGS:
            self.items.append({"file": file, "line": line, "message": message})

    def later(self) -> Warnings:
        """A place, here in the order, for warnings found later."""
        place = Warnings()
        self.items.append(place)
        return place

    def _all(self) -> Iterator[dict]:
        for item in self.items:
            if isinstance(item, Warnings):
                yield from item._all()
            else:
                yield item

    def _count(self) -> int:
        return self.added + sum(item._count() for item in self.items if isinstance(item, Warnings))

    def as_list(self) -> list[dict]:
        stored = list(islice(self._all(), MAX_STORED_WARNINGS))
        dropped = self._count() - len(stored)
        if dropped:
            return stored + [{"file": None, "line": None, "message": f"… and {dropped} more warnings"}]
        return stored
