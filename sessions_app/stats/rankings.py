"""Rankings of the library by a facet (genre, person, country, language) or a bucket (decade, runtime):
the most watched groups, and the highest rated by a Bayesian average."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pycountry
from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from enrichment.models import Film, FilmFacet

from ..models import Session
from .definitions import COUNTED_FACETS_Q, LEFT_OUT_FROM_FACETS, LIBRARY_FROM_FACETS, RUNTIME_BUCKETS, Scope
from .rows import MovieRow

PEOPLE = (FilmFacet.Kind.DIRECTOR, FilmFacet.Kind.ACTOR)  # the rankings drawn with a photo per person
TOP = 20  # rows per ranking on the dashboard; the people index lists the rest
RATED_TOP = 10
# Kinds kept whole: the world map shades every production country, and there are at most the world's 250 or so.
UNCUT = (FilmFacet.Kind.COUNTRY,)
EVERY_ROW = 2**31 - 1
# Highest-rated rankings: a group needs this many rated films, and its average is pulled towards
# the library mean as if it held this many more films rated at the mean (a Bayesian average), so
# one 5-star film does not outrank a director with twelve 4.5s.
MIN_RATED = 3
BAYES_WEIGHT = 3


@dataclass
class Group:
    """Films sharing a genre, person, country, language, decade or runtime bucket."""

    key: str
    name: str
    films: int = 0
    viewings: int = 0
    rated: int = 0
    rating_sum: Decimal = Decimal(0)
    score: float | None = None  # Bayesian average, set by rank()
    picture: str = ""  # a person's TMDB photo (profile path); "" for other groups and people without one

    @property
    def average(self) -> float | None:
        return float(self.rating_sum) / self.rated if self.rated else None

    def add(self, viewings: int, rating: Decimal | None) -> None:
        self.films += 1
        self.viewings += viewings
        if rating is not None:
            self.rated += 1
            self.rating_sum += rating


@dataclass
class Ranking:
    """One grouping of the library: the most watched groups and the highest rated ones."""

    basis: Scope
    groups: list[Group]  # most watched first or in natural order; facets: only the top, cut in SQL (but `UNCUT`)
    most_watched: list[Group]
    shown: list[Group]  # what the page draws: decades and runtimes in their own order, else the most watched
    highest_rated: list[Group]
    filter_name: str = ""  # the film explorer's filter for a group key ("" when it has none)


def bayesian_average(rating_sum: Decimal, rated: int, mean: float) -> float:
    return (BAYES_WEIGHT * mean + float(rating_sum)) / (BAYES_WEIGHT + rated)


def _facets(session: Session, leave_out: bool = False) -> QuerySet:
    """Facets of the session's watched films grouped in SQL: one row per (kind, key); without TV series and
    shorts when `leave_out` (the switch)."""
    facets = FilmFacet.objects.filter(film__movies__session=session, **{LIBRARY_FROM_FACETS: True})
    if leave_out:
        facets = facets.exclude(LEFT_OUT_FROM_FACETS)
    return (
        facets.filter(COUNTED_FACETS_Q)
        .values("kind", "key")
        .annotate(
            name=Max("name"),
            films=Count("film__movies"),
            viewings=Sum("film__movies__viewing_count"),
            rated=Count("film__movies__rating"),
            rating_sum=Sum("film__movies__rating"),
        )
        .order_by()
    )


def _group(row: dict) -> Group:
    return Group(
        row["key"], row["name"], row["films"], row["viewings"], row["rated"], Decimal(str(row["rating_sum"] or 0))
    )


def facet_rankings(session: Session, mean: float | None, leave_out: bool = False) -> dict[str, Ranking]:
    """Every facet kind ranked in one query, cut in SQL by window functions: a large library holds tens
    of thousands of actors and the page shows the most watched twenty and the highest rated ten."""
    score = ExpressionWrapper(
        (Value(BAYES_WEIGHT * (mean or 0.0)) + Cast(Sum("film__movies__rating"), FloatField()))
        / (Value(float(BAYES_WEIGHT)) + Count("film__movies__rating")),
        output_field=FloatField(),
    )
    eligible = Case(When(rated__gte=MIN_RATED, then=score), default=Value(-1.0), output_field=FloatField())
    rows = (
        _facets(session, leave_out)
        .annotate(
            watched_rank=Window(
                RowNumber(), partition_by=F("kind"), order_by=[F("films").desc(), F("viewings").desc(), F("name").asc()]
            ),
            rated_rank=Window(
                RowNumber(), partition_by=F("kind"), order_by=[eligible.desc(), F("rated").desc(), F("name").asc()]
            ),
        )
        # every row of an uncut kind (a condition on the ranks only: Django mixes no window and plain conditions in an OR)
        .filter(
            Q(watched_rank__lte=Case(When(kind__in=UNCUT, then=EVERY_ROW), default=TOP)) | Q(rated_rank__lte=RATED_TOP)
        )
    )
    every: dict[str, list[tuple[int, Group]]] = defaultdict(list)
    rated: dict[str, list[tuple[int, Group]]] = defaultdict(list)
    for row in rows:
        group = _group(row)
        if row["watched_rank"] <= TOP or row["kind"] in UNCUT:
            every[row["kind"]].append((row["watched_rank"], group))
        if row["rated_rank"] <= RATED_TOP and group.rated >= MIN_RATED and mean is not None:
            rated[row["kind"]].append((row["rated_rank"], group))
    rankings = {}
    for kind in FilmFacet.Kind.values:
        groups = [g for _, g in sorted(every[kind], key=lambda t: t[0])]
        top = groups[:TOP]
        best = [g for _, g in sorted(rated[kind], key=lambda t: t[0])]
        _score(groups + best, mean)
        rankings[kind] = Ranking(
            Scope.LIBRARY, groups=groups, most_watched=top, shown=top, highest_rated=best, filter_name=kind
        )
    _add_photos([g for kind in PEOPLE for g in rankings[kind].groups + rankings[kind].highest_rated])
    return rankings


def _add_photos(people: list[Group]) -> None:
    """Each ranked person's photo, as TMDB gave it in a film's credits (the same in all their films): one
    credited film per person, found through the facets, and those films' credit lists: one query, for the
    few dozen people a dashboard shows, whatever the library's size."""
    keys = {g.key for g in people}
    if not keys:
        return
    one_film = (
        FilmFacet.objects.filter(kind__in=PEOPLE, key__in=keys)
        .values("key")
        .annotate(film=Min("film"))
        .values("film")
        .order_by()
    )
    photos: dict[str, str] = {}
    for cast, directors in Film.objects.filter(pk__in=one_film).values_list("cast", "directors"):
        for credit in (cast or []) + (directors or []):
            key = str(credit.get("id"))
            if key in keys and credit.get("profile_path"):
                photos.setdefault(key, credit["profile_path"])
    for g in people:
        g.picture = photos.get(g.key, "")


def people_index(session: Session, kind: str, leave_out: bool = False) -> QuerySet:
    """Every director or (top-billed) actor of the library, most watched first: rows for a paginator."""
    return (
        _facets(session, leave_out)
        .filter(kind=kind)
        .annotate(average=Avg("film__movies__rating"))
        .order_by("-films", "-viewings", "name")
    )


def language_name(code: str) -> str:
    """ISO 639-1's English name of a language code, or the code when ISO has none (TMDB's "xx": no language)."""
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def language_groups(library: list[MovieRow], spoken: list[Group]) -> list[Group]:
    """Original languages; their names come from the spoken-language facets (TMDB gives only the code), else
    from ISO 639 (`pycountry`): a Latvian film whose spoken languages TMDB lists without Latvian is "Latvian",
    not "lv"."""
    names = {g.key: g.name for g in spoken}
    groups: dict[str, Group] = {}
    for m in library:
        if m.language:
            if m.language not in groups:  # not setdefault: it would build a Group per film to throw away
                groups[m.language] = Group(m.language, names.get(m.language) or language_name(m.language))
            groups[m.language].add(m.viewing_count, m.rating)
    return list(groups.values())


def decade_groups(library: list[MovieRow]) -> list[Group]:
    groups: dict[int, Group] = {}
    for m in library:
        if m.year:
            decade = m.year // 10 * 10
            if decade not in groups:
                groups[decade] = Group(str(decade), f"{decade}s")
            groups[decade].add(m.viewing_count, m.rating)
    return [groups[d] for d in sorted(groups)]


def runtime_groups(library: list[MovieRow]) -> list[Group]:
    groups = [Group(str(low), label) for low, _, label in RUNTIME_BUCKETS]
    lows = [low for low, _, _ in RUNTIME_BUCKETS]
    for m in library:
        if m.runtime:
            groups[bisect_right(lows, m.runtime) - 1].add(m.viewing_count, m.rating)
    return groups


def _score(groups: list[Group], mean: float | None) -> None:
    for g in groups:
        g.score = bayesian_average(g.rating_sum, g.rated, mean) if mean is not None and g.rated else None


def _best_scored_first(g: Group) -> tuple[float, int, str]:
    assert g.score is not None  # rank() sorts by score only the groups that have one
    return -g.score, -g.rated, g.name


def rank(groups: list[Group], mean: float | None, filter_name: str, ordered: bool = False) -> Ranking:
    _score(groups, mean)
    most = sorted(groups, key=lambda g: (-g.films, -g.viewings, g.name))
    rated = sorted((g for g in groups if g.rated >= MIN_RATED and g.score is not None), key=_best_scored_first)
    most_watched = [g for g in most[:TOP] if g.films]
    return Ranking(
        basis=Scope.LIBRARY,
        groups=groups if ordered else most,
        most_watched=most_watched,
        shown=groups if ordered and most_watched else most_watched,
        highest_rated=rated[:RATED_TOP],
        filter_name=filter_name,
    )
