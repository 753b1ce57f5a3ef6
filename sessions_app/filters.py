"""The movie filters shared by the API and the film explorer page, so both filter identically.

Every condition is the figure's own definition (`sessions_app.stats.definitions`): a count on the dashboard
and the films this filter lists for the same query are the same films."""

import django_filters
from django.db.models import F, Q, QuerySet

from enrichment.matching import MatchStatus
from enrichment.models import FilmFacet

from .letterboxd import FIRST_YEAR, LAST_YEAR
from .models import Movie
from .stats import definitions
from .stats.definitions import DiaryCondition, Scope


def _facet_filter(kind: str):
    """Filter on a FilmFacet row (works on SQLite and PostgreSQL alike): by TMDB id/ISO code or by name."""

    def apply(queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(definitions.facet_q(kind, value)) if value else queryset

    return apply


def _diary_part(queryset: QuerySet, name: str, value) -> QuerySet:
    # The scope and the diary conditions are applied together, in MovieFilter.filter_queryset: one diary entry
    # must meet every diary condition at once (watched in 2021 *and* rated 4 there, not in two entries).
    return queryset


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Films without a value (no rating, no runtime) sort last either way, on SQLite and PostgreSQL alike."""

    def get_ordering_value(self, param: str):
        value = super().get_ordering_value(param)
        descending = value.startswith("-")
        field = F(value.lstrip("-"))
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


class MovieFilter(django_filters.FilterSet):
    # The API lists every film of the upload unless asked; the explorer starts from the films watched.
    default_scope = Scope.ALL

    scope = django_filters.ChoiceFilter(
        choices=[(scope.value, scope.label) for scope in Scope], method=_diary_part, label="Films"
    )
    genre = django_filters.CharFilter(method=_facet_filter(FilmFacet.Kind.GENRE), label="Genre (name or TMDB id)")
    director = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.DIRECTOR), label="Director (name or TMDB id)"
    )
    actor = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.ACTOR),
        label=f"Actor billed in the top {definitions.TOP_BILLED} (name or TMDB id)",
    )
    country = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.COUNTRY), label="Production country (ISO code or name)"
    )
    writer = django_filters.CharFilter(method=_facet_filter(FilmFacet.Kind.WRITER), label="Writer (name or TMDB id)")
    composer = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.COMPOSER), label="Composer (name or TMDB id)"
    )
    cinematographer = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.CINEMATOGRAPHER), label="Cinematographer (name or TMDB id)"
    )
    editor = django_filters.CharFilter(method=_facet_filter(FilmFacet.Kind.EDITOR), label="Editor (name or TMDB id)")
    studio = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.STUDIO), label="Production company (name or TMDB id)"
    )
    keyword = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.KEYWORD), label="TMDB keyword (name or TMDB id)"
    )
    collection = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.COLLECTION), label="Collection (name or TMDB id)"
    )
    directed_by = django_filters.ChoiceFilter(
        choices=[(c.value, c.label) for c in definitions.DirectedBy],
        method="filter_directed_by",
        label="Directors (TMDB's gender)",
    )
    missing = django_filters.ChoiceFilter(
        choices=[(kind, FilmFacet.Kind(kind).label) for kind in definitions.MISSING_KINDS],
        method="filter_missing",
        label="Identified, but TMDB gave no",
    )
    language = django_filters.CharFilter(method="filter_language", label="Original language (ISO 639-1 code)")
    decade = django_filters.NumberFilter(method="filter_decade", label="Decade of release (e.g. 1990)")
    runtime = django_filters.TypedChoiceFilter(
        choices=[(low, label) for low, _, label in definitions.RUNTIME_BUCKETS],
        coerce=int,
        method="filter_runtime",
        label="Runtime",
    )
    year = django_filters.NumberFilter(field_name="year", label="Release year")
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte", label="Released in or after")
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label="Released in or before")
    runtime_min = django_filters.NumberFilter(
        field_name="film__runtime", lookup_expr="gte", label="Runtime at least (minutes)"
    )
    runtime_max = django_filters.NumberFilter(
        field_name="film__runtime", lookup_expr="lte", label="Runtime at most (minutes)"
    )
    kind = django_filters.ChoiceFilter(
        choices=[(kind.value, kind.label) for kind in definitions.MediaKind], method="filter_kind", label="Kind"
    )
    no_tv_shorts = django_filters.BooleanFilter(method="filter_no_tv_shorts", label="Leave TV series and shorts out")
    votes_min = django_filters.NumberFilter(
        method="filter_votes_min", label="At least this many TMDB votes", min_value=0
    )
    rating = django_filters.NumberFilter(field_name="rating", label="Current rating (0.5 to 5)")
    rating_min = django_filters.NumberFilter(field_name="rating", lookup_expr="gte", label="Lowest rating")
    rating_max = django_filters.NumberFilter(field_name="rating", lookup_expr="lte", label="Highest rating")
    rated = django_filters.BooleanFilter(method="filter_rated", label="Rated")
    identified = django_filters.BooleanFilter(method="filter_identified", label="Identified on TMDB")
    match_status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    watched = django_filters.BooleanFilter(field_name="watched")
    liked = django_filters.BooleanFilter(field_name="liked")
    in_watchlist = django_filters.BooleanFilter(field_name="in_watchlist")
    rewatched = django_filters.BooleanFilter(method="filter_rewatched", label="Rewatched at least once")
    rewatch_detected = django_filters.BooleanFilter(
        method="filter_rewatch_detected", label="Seen more than once (several entries, or marked watched before)"
    )
    watched_in = django_filters.NumberFilter(
        method=_diary_part, label="Diary: watched in the year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    diary_rating = django_filters.NumberFilter(method=_diary_part, label="Diary: rated this in the entry")
    reviewed = django_filters.BooleanFilter(method=_diary_part, label="Diary: reviewed")
    tag = django_filters.CharFilter(method=_diary_part, label="Diary: tagged (your Letterboxd tag)")
    q = django_filters.CharFilter(method="filter_title", label="Title search")
    ordering = NullsLastOrderingFilter(
        fields=(
            ("title", "title"),
            ("year", "year"),
            ("rating", "rating"),
            ("viewing_count", "viewings"),
            ("last_watched", "last_watched"),
            ("watched_date", "watched_date"),
            ("film__runtime", "runtime"),
            ("film__vote_average", "tmdb_rating"),
            ("film__popularity", "popularity"),
        )
    )

    class Meta:
        model = Movie
        fields: list[str] = []

    def chosen_scope(self) -> Scope:
        """The scope asked for, else this filter's default (also when the form could not be read)."""
        value = self.form.cleaned_data.get("scope") if self.form.is_valid() else None
        return Scope(value) if value else self.default_scope

    def diary_condition(self) -> DiaryCondition:
        data = self.form.cleaned_data if self.form.is_valid() else {}
        year, rating = data.get("watched_in"), data.get("diary_rating")
        return DiaryCondition(
            year=int(year) if year is not None else None,
            rating=rating,
            reviewed=data.get("reviewed"),
            tag=(data.get("tag") or "").strip(),
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset).filter(definitions.scope_q(self.chosen_scope()))
        condition = self.diary_condition()
        return queryset.filter(definitions.diary_q(condition)) if condition else queryset

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(definitions.language_q(value)) if value else queryset

    def filter_directed_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(definitions.directed_by_q(definitions.DirectedBy(value))) if value else queryset

    def filter_missing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(definitions.missing_q(value)) if value else queryset

    def filter_decade(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(definitions.decade_q(int(value)))

    def filter_runtime(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(definitions.runtime_q(value))

    def filter_rated(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(definitions.RATED_Q) if value else queryset.exclude(definitions.RATED_Q)

    def filter_identified(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(definitions.IDENTIFIED_Q) if value else queryset.exclude(definitions.IDENTIFIED_Q)

    def filter_rewatched(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(rewatch_count__gt=0) if value else queryset.filter(rewatch_count=0)

    def filter_rewatch_detected(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        detected = definitions.REWATCH_DETECTED_Q
        return queryset.filter(detected) if value else queryset.exclude(detected)

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(definitions.media_kind_q(definitions.MediaKind(value)))

    def filter_no_tv_shorts(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(definitions.switch_q()) if value else queryset

    def filter_votes_min(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(definitions.votes_q(int(value)))

    def filter_title(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(film__title__icontains=value) | Q(film__original_title__icontains=value)
        )


class ExplorerFilter(MovieFilter):
    """The film explorer's filters: a person exploring their films starts from the films they watched."""

    default_scope = Scope.LIBRARY
