"""The movie filters shared by the API and the film explorer page, so both filter identically."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from enrichment.matching import MatchStatus
from enrichment.models import FilmFacet

from .models import Movie


def _facet_filter(kind: str):
    """Filter on a FilmFacet row (works on SQLite and PostgreSQL alike): by TMDB id/ISO code or by name."""

    def apply(queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        facets = FilmFacet.objects.filter(film=OuterRef("film"), kind=kind)
        match = Q(key__iexact=value) | Q(name__iexact=value)
        return queryset.filter(Exists(facets.filter(match)))

    return apply


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Films without a value (no rating, no runtime) sort last either way, on SQLite and PostgreSQL alike."""

    def get_ordering_value(self, param: str):
        value = super().get_ordering_value(param)
        descending = value.startswith("-")
        field = F(value.lstrip("-"))
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


class MovieFilter(django_filters.FilterSet):
    genre = django_filters.CharFilter(method=_facet_filter(FilmFacet.Kind.GENRE), label="Genre (name or TMDB id)")
    director = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.DIRECTOR), label="Director (name or TMDB id)"
    )
    actor = django_filters.CharFilter(method=_facet_filter(FilmFacet.Kind.ACTOR), label="Actor (name or TMDB id)")
    country = django_filters.CharFilter(
        method=_facet_filter(FilmFacet.Kind.COUNTRY), label="Production country (ISO code or name)"
    )
    language = django_filters.CharFilter(
        field_name="film__original_language", lookup_expr="iexact", label="Original language (ISO 639-1 code)"
    )
    decade = django_filters.NumberFilter(method="filter_decade", label="Decade of release (e.g. 1990)")
    year = django_filters.NumberFilter(field_name="year", label="Release year")
    rating = django_filters.NumberFilter(field_name="rating", label="Current rating (0.5 to 5)")
    rating_min = django_filters.NumberFilter(field_name="rating", lookup_expr="gte", label="Lowest rating")
    rating_max = django_filters.NumberFilter(field_name="rating", lookup_expr="lte", label="Highest rating")
    match_status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    watched = django_filters.BooleanFilter(field_name="watched")
    liked = django_filters.BooleanFilter(field_name="liked")
    in_watchlist = django_filters.BooleanFilter(field_name="in_watchlist")
    rewatched = django_filters.BooleanFilter(method="filter_rewatched", label="Rewatched at least once")
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

    def filter_decade(self, queryset: QuerySet, name: str, value) -> QuerySet:
        start = int(value) // 10 * 10
        return queryset.filter(year__gte=start, year__lte=start + 9)

    def filter_rewatched(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(rewatch_count__gt=0) if value else queryset.filter(rewatch_count=0)

    def filter_title(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(film__title__icontains=value) | Q(film__original_title__icontains=value)
        )
