"""The film explorer's form in a person's words: choices by name (not TMDB ids or ISO codes), "any" for a filter
not set, a chip for each active filter (with its own "remove" link) and sort orders by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from django.http import QueryDict

from enrichment.models import FilmFacet

from . import stats
from .letterboxd import RATINGS
from .models import Session
from .stats import RUNTIME_BUCKETS, Scope, stars, vocabulary
from .stats.definitions import DETAIL_KINDS, DirectedBy

SORTS = (
    ("", "Title, A to Z"),
    ("-title", "Title, Z to A"),
    ("-rating", "Your rating, highest first"),
    ("rating", "Your rating, lowest first"),
    ("-last_watched", "Last watched, most recent first"),
    ("-viewings", "Most viewings first"),
    ("-year", "Release year, newest first"),
    ("year", "Release year, oldest first"),
    ("-runtime", "Longest first"),
    ("runtime", "Shortest first"),
    ("-tmdb_rating", "TMDB users’ rating, highest first"),
    ("-popularity", "Most popular on TMDB first"),
)
TMDB_SORTS = {"-runtime", "runtime", "-tmdb_rating", "-popularity"}  # orders only TMDB's data gives
YES_NO = (("", "any"), ("true", "yes"), ("false", "no"))
FLAGS = (
    ("liked", "Liked"),
    ("rewatched", "Rewatched"),
    ("in_watchlist", "On your watchlist"),
    ("rated", "Rated"),
    ("identified", "Identified on TMDB"),
    ("reviewed", "Reviewed"),
)
KIND_LABELS = {kind.value: kind.label for kind in stats.MediaKind}
# The filters the form has a field for; any other filter a link set (a tag, a writer, a kind, the TV-and-shorts
# switch...) rides along as a hidden field, so changing the form keeps the films the link chose.
FORM_FIELDS = {
    "scope", "q", "genre", "director", "actor", "country", "language", "decade", "runtime",
    "rating_min", "rating_max", "ordering", *(name for name, _ in FLAGS),
}  # fmt: skip
RATING_CHOICES = [(str(r), stars(r)) for r in RATINGS]


@dataclass
class Chip:
    label: str
    value: str
    remove: str  # the query string without this filter


def _rating(text: str) -> str:
    try:
        return stars(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


def choices(session: Session) -> tuple[list, list, list, list[int]]:
    """Genres, countries, original languages and decades present in this upload, cached under the dashboard's
    key (which moves whenever identification changes what the films are)."""
    return stats.cached_beside_dashboard(session, None, "explorer-choices", lambda: _choices(session))


def _choices(session: Session) -> tuple[list, list, list, list[int]]:
    years = session.movies.exclude(year=None).values_list("year", flat=True)
    return (
        vocabulary.facet_choices(session, FilmFacet.Kind.GENRE),
        vocabulary.facet_choices(session, FilmFacet.Kind.COUNTRY),
        vocabulary.language_choices(session),
        sorted({year // 10 * 10 for year in years if year is not None}),
    )


def form_context(session: Session, query: QueryDict, tmdb_known: bool = True) -> dict:
    """Everything the explorer's form shows: the choices present in this upload, by name, and the active chips.
    Without enrichment (`tmdb_known` false) no choice offers what only TMDB can tell: no film would ever be
    "identified", and sorting by runtime or TMDB's figures would sort nothing."""
    genres, countries, languages, decades = choices(session)
    return {
        "scopes": [(scope.value, scope.label) for scope in Scope],
        "genres": genres,
        "countries": countries,
        "languages": languages,
        "decades": [(str(d), f"{d}s") for d in decades],
        "runtimes": [(str(low), label) for low, _, label in RUNTIME_BUCKETS],
        "ratings": RATING_CHOICES,
        "sorts": SORTS if tmdb_known else [(value, label) for value, label in SORTS if value not in TMDB_SORTS],
        "yes_no": YES_NO,
        "flags": FLAGS if tmdb_known else [(name, label) for name, label in FLAGS if name != "identified"],
        "chips": chips(query, dict(genres), dict(countries), dict(languages)),
        "values": query,
        "kept": [
            (name, value) for name, value in query.items() if name not in FORM_FIELDS and name != "page" and value
        ],
    }


def chips(query: QueryDict, genres: dict, countries: dict, languages: dict) -> list[Chip]:
    """One chip per filter the person set, named as they would say it."""
    named: dict[str, tuple[str, Callable[[str], str]]] = {
        "genre": ("Genre", lambda v: genres.get(v, v)),
        "country": ("Country", lambda v: countries.get(v, v)),
        "language": ("Original language", lambda v: languages.get(v, v)),
        "director": ("Director", lambda v: vocabulary.facet_name(FilmFacet.Kind.DIRECTOR, v)),
        "actor": ("Actor", lambda v: vocabulary.facet_name(FilmFacet.Kind.ACTOR, v)),
        **{
            kind: (FilmFacet.Kind(kind).label, partial(vocabulary.facet_name, kind))
            for kind in (*DETAIL_KINDS, FilmFacet.Kind.COLLECTION)
        },
        "directed_by": ("Directors", lambda v: DirectedBy(v).label if v in set(DirectedBy) else v),
        "missing": ("TMDB gave no", lambda v: FilmFacet.Kind(v).label if v in FilmFacet.Kind.values else v),
        "decade": ("Decade", lambda v: f"{v}s"),
        "runtime": ("Runtime", lambda v: vocabulary.runtime_label(int(v)) if v.isdigit() else v),
        "year": ("Released in", str),
        "year_min": ("Released in or after", str),
        "year_max": ("Released in or before", str),
        "runtime_min": ("Runtime at least", lambda v: f"{v} min"),
        "runtime_max": ("Runtime at most", lambda v: f"{v} min"),
        "kind": ("Kind", lambda v: KIND_LABELS.get(v, v)),
        "no_tv_shorts": ("TV series and shorts", lambda v: {"true": "left out"}.get(v, "kept")),
        "votes_min": ("TMDB votes at least", str),
        "rewatch_detected": ("Seen more than once", lambda v: {"true": "yes", "false": "no"}.get(v, v)),
        "tag": ("Tagged", lambda v: f"“{v}”"),
        "rating": ("Your rating", _rating),
        "rating_min": ("Rated at least", _rating),
        "rating_max": ("Rated at most", _rating),
        "watched_in": ("Watched in", str),
        "diary_rating": ("Rated at the time", _rating),
        **{name: (label, lambda v: {"true": "yes", "false": "no"}.get(v, v)) for name, label in FLAGS},
        "q": ("Title", lambda v: f"“{v}”"),
        "ordering": ("Sorted by", lambda v: dict(SORTS).get(v, v)),
    }
    found = []
    for name, (label, say) in named.items():
        value = query.get(name, "").strip()
        if value:
            rest = query.copy()
            rest.pop(name, None)
            rest.pop("page", None)
            found.append(Chip(label, say(value), rest.urlencode()))
    return found
