"""Names for what the explorer filters by, in a person's words: genres, countries and languages by name (not TMDB
ids or ISO codes), one person by their name, and the films of one person or one film's own facts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Max, QuerySet

from enrichment.models import FilmFacet

from ..models import Movie, Session
from .definitions import RUNTIME_BUCKETS, Scope, facet_q, scope_q
from .rankings import language_name


def facet_choices(session: Session, kind: str) -> list[tuple[str, str]]:
    """(key, name) of every genre, country or spoken language among the upload's films, by name."""
    films = session.movies.exclude(film=None).values("film")  # a subquery: no join through every movie row
    rows = FilmFacet.objects.filter(kind=kind, film__in=films).values("key").annotate(name=Max("name")).order_by("name")
    return [(row["key"], row["name"]) for row in rows]


def language_choices(session: Session) -> list[tuple[str, str]]:
    """Original languages of the upload's films, named as TMDB names them among spoken languages (else by ISO 639,
    as the dashboard names them: `rankings.language_name`)."""
    languages = session.movies.filter(film__isnull=False).exclude(film__original_language="")
    codes = set(languages.values_list("film__original_language", flat=True))
    spoken = FilmFacet.objects.filter(kind=FilmFacet.Kind.LANGUAGE, key__in=codes)
    names = {row["key"]: row["name"] for row in spoken.values("key").annotate(name=Max("name")).order_by()}
    return sorted(((code, names.get(code) or language_name(code)) for code in codes), key=lambda choice: choice[1])


def facet_name(kind: str, key: str) -> str:
    """A genre's, person's, country's or language's name from its TMDB id or code (the key itself if unknown)."""
    name = FilmFacet.objects.filter(kind=kind, key=key).values_list("name", flat=True).first()
    return name or key


def runtime_label(low: int) -> str:
    return next((label for start, _, label in RUNTIME_BUCKETS if start == low), str(low))


@dataclass
class Person:
    kind: str
    key: str
    name: str
    films: QuerySet  # the library's films with them, as the dashboard counts them
    count: int
    average: float | None
    profile_path: str  # TMDB's photo, "" when it has none


def person(session: Session, kind: str, key: str) -> Person | None:
    """A director or actor of the upload's library (actors: top-billed, as every figure counts them)."""
    name = FilmFacet.objects.filter(kind=kind, key=key).values_list("name", flat=True).first()
    if name is None:
        return None
    films = session.movies.filter(scope_q(Scope.LIBRARY), facet_q(kind, key)).select_related("film")
    films = films.order_by("-year", "title")
    summary = films.aggregate(average=Avg("rating"))
    average = summary["average"]
    return Person(
        kind,
        key,
        name,
        films,
        films.count(),
        float(average) if average is not None else None,
        photo(session, kind, key),
    )


def photo(session: Session, kind: str, key: str) -> str:
    """The person's photo as TMDB gave it in a credit of one of the library's films (the same for every film)."""
    films = session.movies.filter(scope_q(Scope.LIBRARY), facet_q(kind, key))
    for cast, directors in films.values_list("film__cast", "film__directors")[:20]:
        for credit in (cast or []) + (directors or []):
            if str(credit.get("id")) == key and credit.get("profile_path"):
                return credit["profile_path"]
    return ""


def movie_of(session: Session, movie_id: int) -> Movie | None:
    return session.movies.select_related("film").filter(pk=movie_id).first()
