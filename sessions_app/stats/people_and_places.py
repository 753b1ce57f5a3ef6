"""The sections TMDB's details make possible: the people beyond directors and actors, studios, themes (TMDB
keywords), who directs the films, where they are made (the world map) and the collections (franchises) started.

One query of their own whatever the library's size (the collections) beside the dashboard's: the rankings and the
map's countries come from its one facet query (`rankings.facet_rankings`), which ranks every facet kind; who directs
and the films without each detail from the films' rows.
Films identified before lbstats asked TMDB for these details have none of them until re-enriched: every section
says how many identified films it lacks data for (`definitions.missing_q`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from enrichment.models import Collection, DirectedBy, FilmFacet

from ..models import Movie, Session
from .definitions import (
    DETAIL_KINDS,
    LEFT_OUT_FROM_FACETS,
    LIBRARY_FROM_FACETS,
    Scope,
    lacking,
)
from .rankings import Group, Ranking
from .rows import Diary, MovieRow

Kind = FilmFacet.Kind
CREW_KINDS = (Kind.WRITER, Kind.COMPOSER, Kind.CINEMATOGRAPHER, Kind.EDITOR)
CREW_TITLES = {
    Kind.WRITER: ("Writers", "Writer"),
    Kind.COMPOSER: ("Composers", "Composer"),
    Kind.CINEMATOGRAPHER: ("Cinematographers", "Cinematographer"),
    Kind.EDITOR: ("Editors", "Editor"),
}


@dataclass
class Share:
    """Films by who directed them (`DirectedBy`); the share counts only films whose directors are known."""

    women: int = 0
    not_women: int = 0
    unknown: int = 0

    @classmethod
    def of(cls, categories: Iterable[str | None]) -> Share:
        """The share of identified films of these categories (their `Film.directed_by`)."""
        counted = Counter(categories)
        women, not_women = counted[DirectedBy.WOMEN], counted[DirectedBy.NOT_WOMEN]
        return cls(women, not_women, counted.total() - women - not_women)

    @property
    def films(self) -> int:
        return self.known + self.unknown

    @property
    def known(self) -> int:
        return self.women + self.not_women

    @property
    def percent(self) -> float | None:
        return round(100 * self.women / self.known, 1) if self.known else None


@dataclass
class WhoDirects:
    library: Share  # every identified film you watched
    by_year: list[tuple[int, Share]]  # identified films in each year's diary, each counted once a year

    @property
    def percent_by_year(self) -> list[tuple[str, float]]:
        """The share by women of each year whose films' directors are known at all, for the chart."""
        return [(str(year), share.percent) for year, share in self.by_year if share.percent is not None]


@dataclass
class CollectionProgress:
    """A collection you have started: how many of its released parts you watched."""

    key: str  # TMDB collection id
    name: str
    poster: str
    films: int  # films of your library in it (the explorer's count)
    seen: int  # of its released parts, how many you watched (all of your films in it until its details are fetched)
    released: int | None  # parts out today; None until its details are fetched
    parts: list[dict] = field(default_factory=list)  # the released parts, with `seen` set

    @property
    def percent(self) -> int | None:
        return round(100 * self.seen / self.released) if self.released else None


@dataclass
class PeopleAndPlaces:
    basis: Scope
    identified: int  # identified films of the library: what "without data" counts against
    without: dict[str, int]  # per detail kind and country: identified films of the library TMDB gave none of
    crew: list[tuple[Ranking, str, str]]  # (ranking, title, column) for writers, composers, cinematographers, editors
    studios: Ranking
    keywords: Ranking
    directed: WhoDirects
    countries: list[Group]  # every production country of the library, most watched first (the map)
    collections: list[CollectionProgress]
    without_collection: int  # identified films of the library in no collection


def people_and_places(
    session: Session,
    rankings: dict[str, Ranking],
    movies: dict[int, MovieRow],
    diary: Diary,
    today: date,
    leave_out: bool = False,
) -> PeopleAndPlaces:
    """TV series and shorts left out when `leave_out` (the session's switch), as in every other figure."""
    library = [m for m in movies.values() if m.watched and m.identified]
    collections = _collections(session, today, leave_out)
    return PeopleAndPlaces(
        basis=Scope.LIBRARY,
        identified=len(library),
        without=_without(library),
        crew=[(rankings[kind], *CREW_TITLES[kind]) for kind in CREW_KINDS],
        studios=rankings[Kind.STUDIO],
        keywords=rankings[Kind.KEYWORD],
        directed=_who_directs(movies, diary),
        countries=rankings[Kind.COUNTRY].groups,
        collections=collections,
        without_collection=len(library) - sum(c.films for c in collections),
    )


def _without(library: list[MovieRow]) -> dict[str, int]:
    """Identified films of the library TMDB gave no facet of each detail kind or no production country (`lacking`,
    the explorer's `definitions.missing_q`)."""
    facet_kinds = [m.facet_kinds for m in library]
    return {kind: lacking(facet_kinds, kind) for kind in (*DETAIL_KINDS, Kind.COUNTRY)}


def _who_directs(movies: dict[int, MovieRow], diary: Diary) -> WhoDirects:
    directed_by = {i: m.directed_by for i, m in movies.items() if m.identified}
    library = Share.of(directed_by[m.id] for m in movies.values() if m.watched and m.identified)
    years = (
        (year, Share.of(map(directed_by.get, films & directed_by.keys())))
        for year, films in sorted(diary.films_by_year().items())
    )
    return WhoDirects(library, [(year, share) for year, share in years if share.films])


def _collections(session: Session, today: date, leave_out: bool) -> list[CollectionProgress]:
    """Collections of the library's films, with their released parts once fetched (`worker.fetch_collections`)."""
    # one filter() call, so every condition is on the same Movie: this session's, watched and identified
    facets = FilmFacet.objects.filter(
        kind=Kind.COLLECTION,
        film__movies__session=session,
        film__movies__match_status__in=Movie.IDENTIFIED,
        **{LIBRARY_FROM_FACETS: True},
    )
    if leave_out:
        facets = facets.exclude(LEFT_OUT_FROM_FACETS)
    rows = facets.values_list("key", "name", "image_path", "film__tmdb_id", "film__movies__id").order_by()
    seen: dict[str, set[int]] = defaultdict(set)
    films: dict[str, set[int]] = defaultdict(set)
    named: dict[str, tuple[str, str]] = {}
    for key, name, poster, tmdb_id, movie_id in rows:
        seen[key].add(tmdb_id)
        films[key].add(movie_id)
        named[key] = (name, poster)
    fetched = {
        str(c.tmdb_id): c
        for c in Collection.objects.filter(tmdb_id__in=[int(k) for k in seen], fetched_at__isnull=False)
    }
    found = []
    for key, ids in seen.items():
        collection = fetched.get(key)
        released = collection.released_parts(today) if collection else None
        name, poster = named[key]
        if released is not None:
            ids = ids & {part["id"] for part in released}
        found.append(
            CollectionProgress(
                key,
                name,
                poster,
                films=len(films[key]),
                seen=len(ids),
                released=len(released) if released is not None else None,
                parts=[{**part, "seen": part["id"] in ids} for part in released or []],
            )
        )
    # closest to complete first, then the most watched
    return sorted(found, key=lambda c: (-(c.percent or 0), -c.seen, c.name))
