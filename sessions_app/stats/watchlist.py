"""Your watchlist, analysed, and what to watch next from it.

The analysis counts every film of the watchlist (the explorer's `watchlist` scope, as the dashboard's
Watchlist figure does). The picks rank the watchlist films you have not watched by the rating
`sessions_app.recommend` predicts from your own ratings, each with its reasons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from enrichment.models import FilmFacet

from ..models import Movie, Session
from ..recommend import Check, Feature, Rated, check, fit
from .definitions import COUNTED_FACETS_Q, Scope
from .rankings import TOP, Group
from .sections import FilmRef

OLDEST_SHOWN = 10
PICKS_SHOWN = 20
# What the model learns from: the facets of a film that say something of taste (spoken languages mostly
# repeat the country), plus the decade of the export's year.
MODEL_KINDS = (FilmFacet.Kind.GENRE, FilmFacet.Kind.DIRECTOR, FilmFacet.Kind.ACTOR, FilmFacet.Kind.COUNTRY)
# Where a group of the watchlist leads in the explorer (scope watchlist, then this filter and the group's key).
GROUP_FILTERS = {"decade": "decade", FilmFacet.Kind.GENRE: "genre", FilmFacet.Kind.COUNTRY: "country"}


@dataclass
class Pick:
    film: FilmRef  # no value: a tile's stars are your own rating, and this film has none
    predicted: float  # the rating the model predicts, in stars
    reasons: list[str]


@dataclass
class Watchlist:
    basis: Scope
    films: int
    minutes: int  # of the films with a known runtime
    films_without_runtime: int
    decades: list[Group]  # in order
    genres: list[Group]  # most films first, the top TOP
    countries: list[Group]
    oldest_added: list[FilmRef]  # value = the date added
    oldest_released: list[FilmRef]  # value = the year
    picks: list[Pick] = field(default_factory=list)  # unwatched watchlist films, most liked first
    rated: int = 0  # films rated, that the picks learn from
    check: Check | None = None  # the held-back check of the model on your own ratings

    @property
    def hours(self) -> int:
        return round(self.minutes / 60)


@dataclass(slots=True)
class _Film:
    id: int
    title: str
    year: int | None
    watched: bool
    rating: float | None
    in_watchlist: bool
    added: date | None
    film_id: int | None
    runtime: int | None
    poster: str


def _films(session: Session) -> list[_Film]:
    rows = session.movies.values_list(
        "id",
        "title",
        "year",
        "watched",
        "rating",
        "in_watchlist",
        "watchlist_date",
        "film_id",
        "match_status",
        "film__runtime",
        "film__poster_path",
    ).order_by("id")
    return [
        _Film(
            pk,
            title,
            year,
            watched,
            float(rating) if rating is not None else None,
            in_watchlist,
            added,
            film_id if status in Movie.IDENTIFIED else None,
            runtime if status in Movie.IDENTIFIED else None,
            (poster or "") if status in Movie.IDENTIFIED else "",
        )
        for pk, title, year, watched, rating, in_watchlist, added, film_id, status, runtime, poster in rows
    ]


def _features(session: Session) -> dict[int, set[Feature]]:
    """The counted facets of the session's identified films, by TMDB film: one query."""
    films = session.movies.filter(film__isnull=False, match_status__in=Movie.IDENTIFIED).values("film_id")
    rows = (
        FilmFacet.objects.filter(COUNTED_FACETS_Q, film__in=films, kind__in=MODEL_KINDS)
        .values_list("film_id", "kind", "key", "name")
        .order_by()
    )
    by_film: dict[int, set[Feature]] = defaultdict(set)
    for film_id, kind, key, name in rows:
        by_film[film_id].add(Feature(kind, key, name))
    return by_film


def _decade(year: int | None) -> Feature | None:
    if not year:
        return None
    decade = year // 10 * 10
    return Feature("decade", str(decade), f"{decade}s")


def _film_features(film: _Film, facets: dict[int, set[Feature]]) -> frozenset[Feature]:
    decade = _decade(film.year)
    own = facets.get(film.film_id, set()) if film.film_id else set()
    return frozenset(own | ({decade} if decade else set()))


def _ref(film: _Film, value: object = None) -> FilmRef:
    return FilmRef(film.id, film.title, film.year, value, film.poster)


def _groups(films: list[_Film], facets: dict[int, set[Feature]], kind: str) -> list[Group]:
    groups: dict[str, Group] = {}
    for film in films:
        for f in _film_features(film, facets):
            if f.kind == kind:
                groups.setdefault(f.key, Group(f.key, f.name)).add(0, None)
    if kind == "decade":
        return [groups[k] for k in sorted(groups, key=int)]
    return sorted(groups.values(), key=lambda g: (-g.films, g.name))[:TOP]


def watchlist(session: Session) -> Watchlist:
    films = _films(session)
    facets = _features(session)
    listed = [f for f in films if f.in_watchlist]
    added = sorted((f for f in listed if f.added), key=lambda f: (f.added, f.title))
    released = sorted((f for f in listed if f.year), key=lambda f: (f.year, f.title))

    rated = [Rated(f.id, f.rating, _film_features(f, facets)) for f in films if f.watched and f.rating is not None]
    picks: list[Pick] = []
    if rated:
        model = fit(rated)
        predicted = [(model.predict(_film_features(f, facets)), f) for f in listed if not f.watched]
        predicted.sort(key=lambda p: (-p[0].rating, p[1].title, p[1].id))
        picks = [Pick(_ref(f), round(p.rating, 2), [r.text for r in p.reasons]) for p, f in predicted[:PICKS_SHOWN]]
    return Watchlist(
        basis=Scope.WATCHLIST,
        films=len(listed),
        minutes=sum(f.runtime for f in listed if f.runtime),
        films_without_runtime=sum(1 for f in listed if not f.runtime),
        decades=_groups(listed, facets, "decade"),
        genres=_groups(listed, facets, FilmFacet.Kind.GENRE),
        countries=_groups(listed, facets, FilmFacet.Kind.COUNTRY),
        oldest_added=[_ref(f, f.added) for f in added[:OLDEST_SHOWN]],
        oldest_released=[_ref(f, f.year) for f in released[:OLDEST_SHOWN]],
        picks=picks,
        rated=len(rated),
        check=check(rated) if rated else None,
    )
