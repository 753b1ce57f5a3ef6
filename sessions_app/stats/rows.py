"""The rows the statistics read: a session's films and its diary, each in one query, as compact values.

Dates, ratings, flags and tags come as plain text and integers and are turned into Python values
here, in bulk: the ORM's per-value converters (SQLite dates and decimals, JSON, booleans) cost more
than the queries themselves on 30,000 rows. Values that repeat (dates, tag sets) are converted once
per distinct value.

These loaders, with `rankings.facet_rankings` for the TMDB facets, are the whole of what the dashboard
reads: three queries whatever the session's size (tests assert it at 5 and 500 films). A new section
gets its rows from them, never from a query per film or per group:

- a value of each film (TMDB popularity for an obscurity section, a collection id, a budget): add the
  column to `load_movies`'s values_list (through `film__`, joined once) and a field to `MovieRow`;
- a value of each diary entry: add it to `load_diary`'s values_list and a list to `Diary` (columns,
  not an object per entry);
- a new kind of group (keywords, crew jobs, studios): a `FilmFacet.Kind`, stored by enrichment;
  `facet_rankings` ranks every kind in its one grouped query, and the section reads `facets[kind]`;
- every group of a kind rather than the top twenty (all countries, for a map): one grouped query for
  that kind, like `people_index`, constant in the session's size.

Keep each column cheap to fetch: a plain `Field()` output (see `_unconverted`) where Django would
convert every value, text for dates, and only the columns a section reads.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Container
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from itertools import compress
from operator import itemgetter
from typing import cast

from django.db.models import CharField, ExpressionWrapper, F, Field, IntegerField, TextField
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast

from ..letterboxd import RATINGS
from ..models import Movie, Session
from .definitions import DOCUMENTARY

# Ratings are fetched as a count of half stars (an integer needs no per-value converter) and mapped back
# to the Decimal the database holds.
HALF_STAR_VALUES = dict(enumerate(RATINGS, start=1))


@dataclass(slots=True)
class MovieRow:
    id: int
    title: str
    year: int | None
    watched: bool
    rating: Decimal | None
    liked: bool
    in_watchlist: bool
    viewing_count: int
    identified: bool
    runtime: int | None
    language: str | None  # TMDB's original language code
    poster: str | None  # TMDB's poster path
    media_type: str | None  # TMDB's movie or tv
    tv_type: str | None  # TMDB's type of a series: "Miniseries", "Scripted"...
    documentary: bool  # in TMDB's Documentary genre
    vote_average: float | None  # TMDB users' average, 0–10
    vote_count: int | None
    marked: date | None  # when marked watched (watched.csv's date)
    directed_by: str | None  # the film's `DirectedBy`, None until identified
    facet_kinds: str  # the film's `Film.facet_kinds`, "" until identified


@dataclass
class FilmRef:
    """A film named on the dashboard, with the figure shown beside it."""

    id: int  # the Movie's, for its page
    title: str
    year: int | None
    value: object = None
    poster: str = ""  # TMDB's poster path


def film_ref(movie: MovieRow, value: object = None) -> FilmRef:
    return FilmRef(movie.id, movie.title, movie.year, value, movie.poster or "")


@dataclass
class Diary:
    """Diary entries in watched-date order (within a day, the export's own order), one list per column. Thirty thousand entries are then a few lists
    of plain values, not thirty thousand objects that the garbage collector tracks and, once they outlive a
    young collection, re-scans in every full collection of the process (hundreds of ms in a large one)."""

    movie_ids: list[int]
    watched: list[date | None]
    logged: list[date | None]
    ratings: list[Decimal | None]
    rewatches: list[int]  # booleans, or 0 and 1 as SQLite returns them
    tags: list[tuple[str, ...]]
    reviews: list[str]

    def __len__(self) -> int:
        return len(self.movie_ids)

    def of_year(self, year: int) -> Diary:
        within = self._year(year, *self._dated())
        return Diary(*(getattr(self, column.name)[within] for column in fields(self)))

    def films_by_year(self) -> dict[int, set[int]]:
        """The films of each year's dated entries, each year once."""
        start, end = self._dated()
        if start == end:
            return {}
        first, last = self.watched[start], self.watched[end - 1]
        assert first is not None and last is not None
        years = range(first.year, last.year + 1)
        return {year: films for year in years if (films := set(self.movie_ids[self._year(year, start, end)]))}

    def _dated(self) -> tuple[int, int]:
        """Where the dated entries lie: together, in date order, the undated ones before them (SQLite) or after
        them (PostgreSQL)."""
        start = next((i for i, day in enumerate(self.watched) if day is not None), len(self))
        end = next((len(self) - i for i, day in enumerate(reversed(self.watched)) if day is not None), start)
        return start, end

    def _year(self, year: int, start: int, end: int) -> slice:
        """The entries watched in this year: found by bisection among the dated ones (`_dated()`), in date order."""
        dated = cast(list[date], self.watched)
        return slice(
            bisect_left(dated, date(year, 1, 1), start, end), bisect_left(dated, date(year + 1, 1, 1), start, end)
        )

    def only(self, movie_ids: Container[int]) -> Diary:
        """The entries of these films only."""
        return self._kept([movie_id in movie_ids for movie_id in self.movie_ids])

    def _kept(self, keep: list[bool]) -> Diary:
        return Diary(*(list(compress(getattr(self, column.name), keep)) for column in fields(self)))


def _unconverted(expression: Combinable) -> ExpressionWrapper:
    """`expression` as the database driver returns it. A plain `Field` output has no per-value converter:
    Django would otherwise call int() or bool() through its converter chain for every value fetched."""
    return ExpressionWrapper(expression, output_field=Field())


def _half_stars(rating: str) -> ExpressionWrapper:
    return _unconverted(Cast(F(rating) * 2, IntegerField()))


def load_movies(session: Session) -> dict[int, MovieRow]:
    """The session's films with their TMDB runtime and language. Flags and ratings come unconverted, for
    the same reason as in `load_diary()` (flags are 0 or 1 on SQLite)."""
    rows = (
        session.movies.annotate(
            half_stars=_half_stars("rating"),
            watched_flag=_unconverted(F("watched")),
            liked_flag=_unconverted(F("liked")),
            watchlist_flag=_unconverted(F("in_watchlist")),
            genres_text=Cast("film__genres", TextField()),
            marked_text=Cast("watched_date", CharField()),
        )
        .values_list(
            "id",
            "title",
            "year",
            "watched_flag",
            "half_stars",
            "liked_flag",
            "watchlist_flag",
            "viewing_count",
            "match_status",
            "film_id",
            "film__runtime",
            "film__original_language",
            "film__poster_path",
            "film__media_type",
            "film__tv_type",
            "genres_text",
            "film__vote_average",
            "film__vote_count",
            "marked_text",
            "film__directed_by",
            "film__facet_kinds",
        )
        .order_by()
    )
    # The genre's name quoted, as it stands in the JSON list of names (Film.genres) on both databases.
    documentary = json.dumps(DOCUMENTARY)
    # Columns of a few distinct values, each value one object shared by every row (the database gives a new
    # string per row): the sections compare and count them across the library, and 50,000 strings scattered
    # in memory cost them a cache miss each.
    shared: dict[str | None, str | None] = {}
    one = shared.setdefault
    return {
        pk: MovieRow(
            pk,
            title,
            year,
            bool(watched),
            HALF_STAR_VALUES.get(half_stars),
            bool(liked),
            bool(watchlist),
            viewings,
            bool(film_id) and status in Movie.IDENTIFIED,
            runtime,
            one(language, language),
            poster,
            one(media_type, media_type),
            one(tv_type, tv_type),
            bool(genres) and documentary in genres,
            vote_average,
            vote_count,
            date.fromisoformat(marked) if marked else None,
            one(directed_by, directed_by),
            one(facet_kinds, facet_kinds) or "",
        )
        for (
            pk,
            title,
            year,
            watched,
            half_stars,
            liked,
            watchlist,
            viewings,
            status,
            film_id,
            runtime,
            language,
            poster,
            media_type,
            tv_type,
            genres,
            vote_average,
            vote_count,
            marked,
            directed_by,
            facet_kinds,
        ) in rows
    }


def load_diary(session: Session) -> Diary:
    """The session's diary in date order, entries of one day in the export's order. Dates, ratings and tags come as plain text and integers: the
    ORM's per-value converters (SQLite dates and decimals, JSON) cost more than the query on 30,000 rows."""
    rows = (
        session.viewings.annotate(
            watched_text=Cast("watched_date", CharField()),
            logged_text=Cast("logged_date", CharField()),
            half_stars=_half_stars("rating"),
            rewatch_flag=_unconverted(F("rewatch")),
            tags_text=Cast("tags", TextField()),
        )
        .values_list("movie_id", "watched_text", "logged_text", "half_stars", "rewatch_flag", "tags_text", "review")
        .order_by("watched_date", "diary_row", "id")
    )
    # Column by column: zip(*rows) would hold an iterator per row, as many objects again as `Diary` spares.
    movie_ids, watched, logged, half_stars, rewatches, tags, reviews = (
        list(map(itemgetter(i), rows)) for i in range(7)
    )
    # A diary repeats its values (30,000 entries on a few thousand days, with a handful of tag sets):
    # each distinct one is read once.
    days = {text: text and date.fromisoformat(text) for text in {*watched, *logged}}
    tag_sets = {text: tuple(json.loads(text)) if text and text != "[]" else () for text in set(tags)}
    return Diary(
        movie_ids,
        [days[text] for text in watched],
        [days[text] for text in logged],
        [HALF_STAR_VALUES.get(n) for n in half_stars],
        rewatches,
        [tag_sets[text] for text in tags],
        reviews,
    )
