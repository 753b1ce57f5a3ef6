"""Year in Review: a year (or all time) told as a story, from the dashboard's own sections.

The headline figures, the month and weekday, and the milestones are the dashboard's (`cached_dashboard`),
so the review and the dashboard cannot disagree. What the dashboard does not have for a year is added
here: its films ranked by your rating, split into that year's releases and older films, and the people,
genres and countries *of that year's diary* (the dashboard ranks those over the whole library). Each of
those counts the films the explorer shows for `scope=diary&watched_in=<year>&<kind>=<key>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max

from enrichment.models import FilmFacet

from ..models import Session
from .cache import cached_beside_dashboard, cached_dashboard
from .definitions import COUNTED_FACETS_Q, Scope
from .rankings import Group
from .rows import MovieRow, load_diary, load_movies
from .sections import Dashboard, FilmRef, Milestone, YearEnd
from .vocabulary import photo

TOP_FILMS = 10  # highest rated films of the review, as posters
TOP_RELEASES = 5  # highest rated new releases, and older films
TOP_PEOPLE = 5  # directors and actors, with their photos
TOP_GROUPS = 8  # genres and countries
MONTHS = ("January February March April May June July August September October November December").split()
WEEKDAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}


@dataclass
class Someone:
    """A director or actor of the review, with their photo."""

    group: Group
    profile_path: str


@dataclass
class Review:
    year: int | None
    dashboard: Dashboard  # overview and time: the figures the dashboard shows for the same year
    top_films: list[FilmRef]  # value = your rating
    new_releases: list[FilmRef] = field(default_factory=list)  # released in the year (a year's review only)
    older: list[FilmRef] = field(default_factory=list)
    directors: list[Someone] = field(default_factory=list)
    actors: list[Someone] = field(default_factory=list)
    genres: list[Group] = field(default_factory=list)
    countries: list[Group] = field(default_factory=list)
    busiest_month: tuple[str, int] | None = None  # ("March 2024", viewings)
    busiest_weekday: tuple[str, int] | None = None  # ("Saturday", viewings), back-filled days left out
    milestones: list[Milestone] = field(default_factory=list)  # the dashboard's, reached in the year
    year_ends: list[YearEnd] = field(default_factory=list)  # the dashboard's: the year's first and last films

    @property
    def basis(self) -> Scope:
        return Scope.LIBRARY if self.year is None else Scope.DIARY

    @property
    def title(self) -> str:
        return "All time" if self.year is None else str(self.year)


def cached_review(session: Session, year: int | None) -> Review:
    """`year_review()`, cached under the dashboard's key (it changes whenever the data can have): a share link
    passed around is read by many people and crawlers, and each costs one aggregate query, not the rows."""
    return cached_beside_dashboard(session, year, "review", lambda: year_review(session, year))


def year_review(session: Session, year: int | None) -> Review:
    d = cached_dashboard(session, year)
    movies = load_movies(session)
    if year is None:
        films = [m for m in movies.values() if m.watched]
    else:
        films = [movies[i] for i in dict.fromkeys(load_diary(session).of_year(year).movie_ids)]
    # Highest rated first; among equals the one watched most, then by title (Parasite before Psycho at 5 stars).
    rated = sorted(
        (m for m in films if m.rating is not None), key=lambda m: (-(m.rating or 0), -m.viewing_count, m.title)
    )
    review = Review(year=year, dashboard=d, top_films=[_rated(m) for m in rated[:TOP_FILMS]])
    groups: dict[str, list[Group]]
    if year is None:
        groups = {
            FilmFacet.Kind.GENRE: d.genres.most_watched,
            FilmFacet.Kind.COUNTRY: d.countries.most_watched,
            FilmFacet.Kind.DIRECTOR: d.directors.most_watched,
            FilmFacet.Kind.ACTOR: d.actors.most_watched,
        }
    else:
        review.new_releases = [_rated(m) for m in rated if m.year == year][:TOP_RELEASES]
        review.older = [_rated(m) for m in rated if m.year and m.year < year][:TOP_RELEASES]
        groups = facets_of_year(session, year)
    review.genres = groups[FilmFacet.Kind.GENRE][:TOP_GROUPS]
    review.countries = groups[FilmFacet.Kind.COUNTRY][:TOP_GROUPS]
    review.directors = [
        Someone(g, photo(session, FilmFacet.Kind.DIRECTOR, g.key)) for g in groups[FilmFacet.Kind.DIRECTOR][:TOP_PEOPLE]
    ]
    review.actors = [
        Someone(g, photo(session, FilmFacet.Kind.ACTOR, g.key)) for g in groups[FilmFacet.Kind.ACTOR][:TOP_PEOPLE]
    ]
    review.busiest_month = _busiest(d.time.per_month, _month_name)
    review.busiest_weekday = _busiest(d.time.per_weekday, WEEKDAYS.__getitem__)
    review.milestones = d.time.milestones  # a year's dashboard holds those reached in the year
    review.year_ends = d.time.year_ends
    return review


def facets_of_year(session: Session, year: int) -> dict[str, list[Group]]:
    """Genres, people and countries of the films in the year's diary, most films first: one query.
    A film counts once however often it was watched that year; its viewings that year are summed."""
    rows = (
        FilmFacet.objects.filter(
            COUNTED_FACETS_Q, film__movies__session=session, film__movies__viewings__watched_date__year=year
        )
        .values("kind", "key")
        .annotate(
            name=Max("name"),
            films=Count("film__movies", distinct=True),
            viewings=Count("film__movies__viewings", distinct=True),
        )
        .order_by("kind", "-films", "-viewings", "name")
    )
    groups: dict[str, list[Group]] = {kind: [] for kind in FilmFacet.Kind.values}
    for row in rows:
        groups[row["kind"]].append(Group(row["key"], row["name"], row["films"], row["viewings"]))
    return groups


def _rated(movie: MovieRow) -> FilmRef:
    return FilmRef(movie.id, movie.title, movie.year, movie.rating, movie.poster or "")


def _month_name(label: str) -> str:
    """ "2024-03" as "March 2024"."""
    year, month = label.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _busiest(rows: list[tuple[str, int]], name) -> tuple[str, int] | None:
    """The first row with the most viewings, named; None when nothing was watched."""
    best = max(rows, key=lambda row: row[1], default=None)  # max keeps the first of equals
    return (name(best[0]), best[1]) if best and best[1] else None
