"""What each figure counts, once: the films behind every number on the dashboard, as SQL conditions on Movie.

The dashboard, the film explorer, the API's movie filters and the people index all read these, so a
figure and the list of films it links to cannot disagree. The dashboard computes most figures in Python
from compact rows (`rows`, for speed); those computations mirror the conditions below one for one, and
`sessions_app/tests/test_figures.py` follows every count on every page to the explorer to prove it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Trim

from enrichment.models import FilmFacet, Gender

from ..models import Movie, Viewing

TOP_BILLED = 5  # actors count for a film only when billed this high (cameos are not "your" actors)
RUNTIME_BUCKETS = (
    (0, 40, "under 40 min"),
    (40, 90, "40–89 min"),
    (90, 120, "90–119 min"),
    (120, 150, "120–149 min"),
    (150, 180, "150–179 min"),
    (180, None, "3 h or more"),
)


class Scope(StrEnum):
    """Which of an upload's films a figure (or the explorer) counts: a dashboard section's basis."""

    LIBRARY = "library"  # every film marked watched: the dashboard's library sections
    DIARY = "diary"  # films with a diary entry (in a year, when one is given)
    WATCHLIST = "watchlist"
    LIKED = "liked"  # every liked film, watched or not
    ALL = "all"  # every film of the upload, whatever the export says of it

    @property
    def label(self) -> str:
        """The explorer's name for it, as a choice."""
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.LIBRARY: "Films you watched",
    Scope.DIARY: "Films in your diary",
    Scope.WATCHLIST: "Your watchlist",
    Scope.LIKED: "Films you liked",
    Scope.ALL: "Every film in your export",
}


@dataclass(frozen=True)
class DiaryCondition:
    """Films with at least one diary entry meeting every given condition at once (the same entry)."""

    year: int | None = None  # watched in this year
    rating: Decimal | None = None  # rated this in the entry
    reviewed: bool = False  # with a review (not blank)

    def __bool__(self) -> bool:
        return self.year is not None or self.rating is not None or self.reviewed


SCOPE_SENTENCES = {
    Scope.LIBRARY: "Your library: every film you marked watched",
    Scope.DIARY: "Your diary: films with a diary entry",
    Scope.WATCHLIST: "Your watchlist",
    Scope.LIKED: "Films you liked, watched or not",
    Scope.ALL: "Every film your export mentions, watchlist included",
}


def scope_sentence(scope: Scope, condition: DiaryCondition) -> str:
    """What the explorer shows, in words: the scope, and which diary entries when some are asked for."""
    parts = []
    if condition.year is not None:
        parts.append(f"watched in {condition.year}")
    if condition.rating is not None:
        parts.append(f"rated {stars(condition.rating)} at the time")
    if condition.reviewed:
        parts.append("reviewed")
    entries = f" ({', '.join(parts)})" if parts else ""
    if parts and scope != Scope.DIARY:
        return f"{SCOPE_SENTENCES[scope]}, with a diary entry{entries}"
    return f"{SCOPE_SENTENCES[scope]}{entries}"


def stars(rating: Decimal) -> str:
    return "★" * int(rating) + ("½" if rating % 1 else "")


def scope_q(scope: Scope) -> Q:
    """The films a scope holds. The diary scope is completed by `diary_q()` (which year, which entries)."""
    return {
        Scope.LIBRARY: Q(watched=True),
        Scope.DIARY: Q(Exists(Viewing.objects.filter(movie=OuterRef("pk")))),
        Scope.WATCHLIST: Q(in_watchlist=True),
        Scope.LIKED: Q(liked=True),
        Scope.ALL: Q(),
    }[scope]


def diary_q(condition: DiaryCondition) -> Q:
    entries = Viewing.objects.filter(movie=OuterRef("pk"))
    if condition.year is not None:
        entries = entries.filter(watched_date__year=condition.year)
    if condition.rating is not None:
        entries = entries.filter(rating=condition.rating)
    if condition.reviewed:
        entries = entries.annotate(review_text=Trim("review")).exclude(review_text="")
    return Q(Exists(entries))


# The facet rows that count for a film: every genre, director, country and language; actors only when
# top-billed. A condition on FilmFacet: the rankings and the people index group these rows. (A person is one
# facet per film however many roles they play: see Film.build_facets.)
COUNTED_FACETS_Q = ~Q(kind=FilmFacet.Kind.ACTOR) | Q(position__lt=TOP_BILLED)
# The library scope (`scope_q(Scope.LIBRARY)`) seen from the facets.
LIBRARY_FROM_FACETS = "film__movies__watched"


def facet_rows(kind: str) -> Q:
    return Q(kind=kind) & COUNTED_FACETS_Q


def facet_q(kind: str, value: str) -> Q:
    """Films with this genre, person, country or spoken language, by TMDB id or ISO code (as the dashboard
    links them) or by name (as a person types it)."""
    facets = FilmFacet.objects.filter(facet_rows(kind), film=OuterRef("film"))
    return Q(Exists(facets.filter(Q(key__iexact=value) | Q(name__iexact=value))))


def language_q(code: str) -> Q:
    """Films by TMDB's original language (the dashboard's "original languages")."""
    return Q(film__original_language__iexact=code)


def decade_q(decade: int) -> Q:
    start = decade // 10 * 10
    return Q(year__gte=start, year__lte=start + 9)


def runtime_bucket(runtime: int) -> int:
    """The lower bound of the runtime bucket a runtime falls in."""
    return max(low for low, _, _ in RUNTIME_BUCKETS if runtime >= low)


def runtime_q(low: int) -> Q:
    """Films whose TMDB runtime falls in the bucket starting at `low` (a film without a runtime in none)."""
    high = next(high for start, high, _ in RUNTIME_BUCKETS if start == low)
    condition = Q(film__runtime__gte=max(low, 1))
    return condition & Q(film__runtime__lt=high) if high is not None else condition


IDENTIFIED_Q = Q(film__isnull=False, match_status__in=Movie.IDENTIFIED)
RATED_Q = Q(rating__isnull=False)

# What only TMDB's details carry, which films identified before lbstats asked for it lack until re-enriched:
# a film can have no keyword, writer or studio on TMDB too (Love, Death & Robots names no writer).
DETAIL_KINDS = (
    FilmFacet.Kind.KEYWORD,
    FilmFacet.Kind.WRITER,
    FilmFacet.Kind.COMPOSER,
    FilmFacet.Kind.CINEMATOGRAPHER,
    FilmFacet.Kind.EDITOR,
    FilmFacet.Kind.STUDIO,
)

# the explorer's "TMDB gave no ..." filter: the detail kinds, production countries (the map) and collections
MISSING_KINDS = (*DETAIL_KINDS, FilmFacet.Kind.COUNTRY, FilmFacet.Kind.COLLECTION)


def missing_q(kind: str) -> Q:
    """Identified films with no facet of this kind: the "N films without this data" of a section."""
    return IDENTIFIED_Q & ~Q(Exists(FilmFacet.objects.filter(kind=kind, film=OuterRef("film"))))


class DirectedBy(StrEnum):
    """Who directed a film, from TMDB's gender of its directors (a series': its creators). Never guessed: a film
    with a director TMDB has no gender for, and no woman among the others, is unknown, as is one naming nobody."""

    WOMEN = "women"  # at least one director is a woman: Everything Everywhere All at Once would not count,
    # Portrait of a Lady on Fire (Céline Sciamma) does
    NOT_WOMEN = "not_women"  # every director known, none a woman
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            DirectedBy.WOMEN: "Directed by a woman",
            DirectedBy.NOT_WOMEN: "No woman among the directors",
            DirectedBy.UNKNOWN: "Directors’ gender unknown",
        }[self]


def directed_by(directors: int, women: int, unknown: int) -> DirectedBy:
    """The category of an identified film from how many directors it has, how many of them are women and how many
    TMDB gives no gender for (the dashboard's side of `directed_by_q`)."""
    if women:
        return DirectedBy.WOMEN
    if not directors or unknown:
        return DirectedBy.UNKNOWN
    return DirectedBy.NOT_WOMEN


def directed_by_q(category: DirectedBy) -> Q:
    directors = FilmFacet.objects.filter(kind=FilmFacet.Kind.DIRECTOR, film=OuterRef("film"))
    women = Q(Exists(directors.filter(gender=Gender.FEMALE)))
    unknown = ~Q(Exists(directors)) | Q(Exists(directors.filter(gender=Gender.UNKNOWN)))
    if category == DirectedBy.WOMEN:
        return IDENTIFIED_Q & women
    if category == DirectedBy.UNKNOWN:
        return IDENTIFIED_Q & ~women & unknown
    return IDENTIFIED_Q & ~women & ~unknown


def explorer_query(scope: str, *pairs: object) -> str:
    """The explorer's query string for a figure: its scope, then filter name and value pairs."""
    params = [("scope", scope)] + [(str(pairs[i]), str(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    return urlencode(params)
