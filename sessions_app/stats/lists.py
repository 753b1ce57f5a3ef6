"""Your Letterboxd lists (`lists/*.csv`, kept in the session's metadata by the importer): how much of each
you have watched, what is left, and what it holds.

A list entry is one of your films when the export names it elsewhere too (watched, rated, on the
watchlist): joined by the film URI, else by name and year, as the importer keys it. A film only on a
list is not one of the upload's films, so it was never looked up on TMDB; when another upload has
identified its URI, TMDB's answer (`FilmMatch`) still gives its poster, runtime and genres.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from enrichment.models import Film, FilmFacet, FilmMatch

from ..models import Movie, Session
from .rankings import TOP, Group


@dataclass
class ListEntry:
    position: int
    title: str
    year: int | None
    uri: str  # the film's Letterboxd address, when the list gives one
    movie_id: int | None  # the upload's film, for its page
    watched: bool
    poster: str
    runtime: int | None


@dataclass
class ListSummary:
    slug: str  # the file's name without lists/ and .csv: the page's address
    name: str
    films: int
    watched: int

    @property
    def left(self) -> int:
        return self.films - self.watched


@dataclass
class FilmList:
    slug: str
    name: str
    films: int
    watched: int
    minutes: int  # of the films with a known runtime
    minutes_left: int  # of those not watched
    films_without_runtime: int
    entries: list[ListEntry]  # in the list's order
    decades: list[Group] = field(default_factory=list)
    genres: list[Group] = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.films - self.watched

    @property
    def watched_percent(self) -> float:
        return round(100 * self.watched / self.films, 1) if self.films else 0.0

    @property
    def hours(self) -> int:
        return round(self.minutes / 60)

    @property
    def hours_left(self) -> int:
        return round(self.minutes_left / 60)


def _slug(held: dict) -> str:
    return held["file"].removeprefix("lists/").removesuffix(".csv")


def _rows(held: dict) -> list[list]:
    """[position, name, year] per entry; lists imported before the names were kept give their keys."""
    return held.get("rows") or [[i, key, None] for i, key in enumerate(held["films"], start=1)]


def _library(session: Session) -> tuple[dict[str, dict], dict[tuple[str, int | None], dict]]:
    """The upload's films by URI and by (name, year), each with what a list page shows of it."""
    rows = session.movies.values(
        "id",
        "title",
        "year",
        "letterboxd_uri",
        "watched",
        "match_status",
        "film_id",
        "film__runtime",
        "film__poster_path",
    )
    by_uri: dict[str, dict] = {}
    by_key: dict[tuple[str, int | None], dict] = {}
    for row in rows:
        identified = row["match_status"] in Movie.IDENTIFIED and row["film_id"]
        film = {
            "movie_id": row["id"],
            "watched": row["watched"],
            "film_id": row["film_id"] if identified else None,
            "runtime": row["film__runtime"] if identified else None,
            "poster": (row["film__poster_path"] or "") if identified else "",
        }
        if row["letterboxd_uri"]:
            by_uri[row["letterboxd_uri"]] = film
        by_key.setdefault((row["title"], row["year"]), film)
    return by_uri, by_key


def _mine(key: str, title: str, year: int | None, by_uri: dict, by_key: dict) -> dict | None:
    """The upload's film a list entry names: by URI when the list gives one (a URI not in the upload is
    another film, even one sharing a name and year with yours: the two Haunted Castles of 1897), else
    by name and year."""
    return by_uri.get(key) if "://" in key else by_key.get((title, year))


def _known_elsewhere(uris: Iterable[str]) -> dict[str, Film]:
    """TMDB films that identifications of other uploads found for these film URIs."""
    matches = FilmMatch.objects.filter(letterboxd_uri__in=list(uris), film__isnull=False).select_related("film")
    return {m.letterboxd_uri: m.film for m in matches if m.film is not None}


def lists(session: Session) -> list[ListSummary]:
    by_uri, by_key = _library(session)
    summaries = []
    for held in session.metadata.get("lists", []):
        watched = 0
        for key, (_, title, year) in zip(held["films"], _rows(held), strict=False):
            film = _mine(key, title, year, by_uri, by_key)
            watched += bool(film and film["watched"])
        summaries.append(ListSummary(_slug(held), held["name"], held["entries"], watched))
    return summaries


def film_list(session: Session, slug: str) -> FilmList | None:
    held = next((x for x in session.metadata.get("lists", []) if _slug(x) == slug), None)
    if held is None:
        return None
    by_uri, by_key = _library(session)
    elsewhere = _known_elsewhere(k for k in held["films"] if k not in by_uri and "://" in k)
    entries, film_ids = [], []
    for key, (position, title, year) in zip(held["films"], _rows(held), strict=False):
        mine = _mine(key, title, year, by_uri, by_key)
        other = elsewhere.get(key)
        uri = key if "://" in key else ""
        if mine is not None:
            entry = ListEntry(
                position, title, year, uri, mine["movie_id"], mine["watched"], mine["poster"], mine["runtime"]
            )
            film_ids.append(mine["film_id"])
        elif other is not None:
            entry = ListEntry(position, title, year, uri, None, False, other.poster_path, other.runtime)
            film_ids.append(other.pk)
        else:
            entry = ListEntry(position, title, year, uri, None, False, "", None)
            film_ids.append(None)
        entries.append(entry)

    genres: dict[str, Group] = {}
    names = FilmFacet.objects.filter(film__in={i for i in film_ids if i}, kind=FilmFacet.Kind.GENRE)
    genres_of: dict[int, list[tuple[str, str]]] = {}
    for film_id, key, name in names.values_list("film_id", "key", "name"):
        genres_of.setdefault(film_id, []).append((key, name))
    for film_id in film_ids:
        for key, name in genres_of.get(film_id, []) if film_id else []:
            genres.setdefault(key, Group(key, name)).add(0, None)
    decades: dict[int, Group] = {}
    for e in entries:
        if e.year:
            decade = e.year // 10 * 10
            decades.setdefault(decade, Group(str(decade), f"{decade}s")).add(0, None)

    return FilmList(
        slug=slug,
        name=held["name"],
        films=len(entries),
        watched=sum(1 for e in entries if e.watched),
        minutes=sum(e.runtime for e in entries if e.runtime),
        minutes_left=sum(e.runtime for e in entries if e.runtime and not e.watched),
        films_without_runtime=sum(1 for e in entries if not e.runtime),
        entries=entries,
        decades=[decades[d] for d in sorted(decades)],
        genres=sorted(genres.values(), key=lambda g: (-g.films, g.name))[:TOP],
    )
