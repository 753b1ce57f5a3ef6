"""The dashboard's sections, from the rows: how much, when, how well, what again, and in whose words.

Every section says what it counts: the *library* (every film marked watched, so a user who never
kept a diary still sees statistics) or the *diary* (dated viewings). A year scopes the diary
sections (year in review); library sections stay whole.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import chain
from operator import attrgetter

from django.utils import timezone

from enrichment.models import FilmFacet

from ..letterboxd import RATINGS
from ..models import Session
from .definitions import Scope, stars
from .depth import Depth, depth, is_left_out
from .people_and_places import PeopleAndPlaces, people_and_places
from .rankings import (
    TOP,
    Ranking,
    decade_groups,
    facet_rankings,
    language_groups,
    rank,
    runtime_groups,
)
from .rows import Diary, FilmRef, MovieRow, film_ref, load_diary, load_movies

DRIFT_SHOWN = 20  # films listed under rating drift
FAVOURITES_SHOWN = 12  # highest rated films, as posters, on the all-time page
POSTERS_SHOWN = 120  # a year's films as posters
# A watched date with this many viewings is a placeholder or a bulk back-fill, not a habit.
BACKFILL_DAY_VIEWINGS = 10
# Or this many viewings sharing one watched date that were all logged together on a later day:
# a batch entered from memory under one guessed date.
BACKFILL_BATCH_VIEWINGS = 5
MILESTONE_EVERY = 100  # the diary's 1st distinct film, then its 100th, 200th, 300th...
MIN_DAYS = 2  # dated days (not back-filled) a diary needs before it has a busiest day or a streak
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TAG_RE = re.compile(r"<[^>]*>")


@dataclass
class Overview:
    basis: Scope
    films: int
    entries: int
    minutes: int
    films_without_runtime: int
    average_rating: float | None
    rated: int
    liked: int
    reviewed: int
    watchlist: int
    identified: int

    @property
    def hours(self) -> int:
        return round(self.minutes / 60)

    @property
    def identified_percent(self) -> float:
        return round(100 * self.identified / self.films, 1) if self.films else 0.0


@dataclass
class BackfilledDay:
    day: date
    viewings: int
    reason: str


@dataclass
class Milestone:
    number: int  # the diary's nth distinct film
    day: date
    film: FilmRef
    backfilled: bool  # the day is a back-fill: the date is a placeholder, not when the film was seen


@dataclass
class YearEnd:
    """A year's first or last diary entry: the film that opened or closed the year (a rewatch too)."""

    which: str  # "first" or "last"
    day: date
    film: FilmRef
    backfilled: bool  # as for a milestone


@dataclass
class Streak:
    days: int
    start: date
    end: date


@dataclass
class Time:
    basis: Scope
    heatmap_year: int | None
    per_year: list[tuple[str, int]]
    per_month: list[tuple[str, int]]
    per_weekday: list[tuple[str, int]]  # without back-filled days
    heatmap: dict[date, int]  # viewings per day of heatmap_year
    backfilled: list[BackfilledDay]  # within the scope
    longest_streak: Streak | None  # back-filled days do not count
    busiest_day: tuple[date, int] | None  # back-filled days do not count
    milestones: list[Milestone]  # numbered in the whole diary; on a year page, those reached in the year
    year_ends: list[YearEnd]  # a year page's first and last diary entries (one when the year has one entry)


@dataclass
class Ratings:
    basis: Scope
    distribution: list[tuple[str, int]]
    average_by_year: list[tuple[str, float]]  # diary ratings, by year watched
    drift: list[tuple[FilmRef, Decimal, Decimal]]  # (film, last diary rating, current rating), the biggest changes
    drift_count: int  # all films that drifted (the list keeps the top DRIFT_SHOWN)
    drift_up: int
    drift_down: int


@dataclass
class Rewatches:
    basis: Scope
    entries: int  # entries flagged rewatch
    films: list[FilmRef]  # value = viewings in scope, two or more


@dataclass
class Reviews:
    basis: Scope
    count: int
    words: int
    tags: list[tuple[str, int]]
    latest: list[tuple[FilmRef, date | None, str]]  # (film, watched date, review HTML as exported), newest first


@dataclass
class Dashboard:
    year: int | None
    years: list[int]  # years with dated viewings, for the year-in-review links
    overview: Overview
    time: Time
    ratings: Ratings
    rewatches: Rewatches
    reviews: Reviews
    genres: Ranking
    countries: Ranking
    languages: Ranking
    decades: Ranking
    runtimes: Ranking
    directors: Ranking
    actors: Ranking
    depth: Depth
    shortest: list[FilmRef] = field(default_factory=list)  # value = runtime in minutes
    longest: list[FilmRef] = field(default_factory=list)
    # all time: your highest rated films (value = rating); a year: every film of the year's diary, first seen first
    posters: list[FilmRef] = field(default_factory=list)
    people_and_places: PeopleAndPlaces | None = None  # the sections from TMDB's details


Rankings = dict[str, Ranking]  # by facet kind


def _computed(compute: Callable[[], Rankings]) -> Rankings:
    return compute()


def dashboard(
    session: Session, year: int | None = None, keep_rankings: Callable[[Callable[[], Rankings]], Rankings] = _computed
) -> Dashboard:
    """The session's statistics; TV series and shorts left out of every figure when its switch says so.

    The facet rankings are the library's, the same on every year's page: `keep_rankings(compute)` may keep them
    for the other pages (`cache.cached_dashboard` does)."""
    leave_out = session.leave_out_tv_shorts
    movies = load_movies(session)
    diary = load_diary(session)
    if leave_out:
        movies = {i: m for i, m in movies.items() if not is_left_out(m)}
        diary = diary.only(movies)
    library = [m for m in movies.values() if m.watched]
    mean = _mean([m.rating for m in library if m.rating is not None])
    facets = keep_rankings(lambda: facet_rankings(session, mean, leave_out))
    # Viewings per watched date, in date order: the time sections count days, months and weekdays from
    # these few thousand dates rather than from every viewing.
    days = Counter(day for day in diary.watched if day)
    backfilled = backfilled_days(diary, days)
    years = sorted({day.year for day in days})
    scoped = diary if year is None else diary.of_year(year)
    timed = [m for m in library if m.runtime]
    by_runtime = attrgetter("runtime", "title")

    return Dashboard(
        year=year,
        years=years,
        overview=_overview(movies, library, scoped, year),
        time=_time(diary, days, backfilled, movies, year, years),
        ratings=_ratings(library, diary, scoped, movies, year),
        rewatches=_rewatches(scoped, movies),
        reviews=_reviews(scoped, movies),
        genres=facets[FilmFacet.Kind.GENRE],
        countries=facets[FilmFacet.Kind.COUNTRY],
        languages=rank(language_groups(library, facets[FilmFacet.Kind.LANGUAGE].groups), mean, "language"),
        decades=rank(decade_groups(library), mean, "decade", ordered=True),
        runtimes=rank(runtime_groups(library), mean, "runtime", ordered=True),
        directors=facets[FilmFacet.Kind.DIRECTOR],
        actors=facets[FilmFacet.Kind.ACTOR],
        depth=depth(movies, diary, library, year, mean, leave_out),
        # the five at each end, not a sort of the whole library
        shortest=[film_ref(m, m.runtime) for m in heapq.nsmallest(5, timed, key=by_runtime)],
        longest=[film_ref(m, m.runtime) for m in heapq.nlargest(5, timed, key=by_runtime)],
        posters=_posters(library, scoped, movies, year),
        people_and_places=people_and_places(session, facets, movies, diary, timezone.localdate(), leave_out),
    )


def _posters(library: list[MovieRow], scoped: Diary, movies: dict[int, MovieRow], year: int | None) -> list[FilmRef]:
    if year is not None:
        return [film_ref(movies[i], movies[i].rating) for i in dict.fromkeys(scoped.movie_ids)][:POSTERS_SHOWN]
    rated = heapq.nsmallest(
        FAVOURITES_SHOWN,
        ((m.rating, m) for m in library if m.rating is not None),
        key=lambda r: (-r[0], -r[1].viewing_count, r[1].title),
    )
    return [film_ref(m, rating) for rating, m in rated]


def backfilled_days(diary: Diary, per_day: Counter[date]) -> dict[date, BackfilledDay]:
    """Watched dates that record a bulk back-fill rather than a day of watching (see the thresholds above).
    `per_day` counts the diary's viewings per watched date."""
    batches = Counter(zip(diary.watched, diary.logged, strict=True))
    days = {
        day: BackfilledDay(day, n, f"{n} viewings on one day")
        for day, n in per_day.items()
        if n >= BACKFILL_DAY_VIEWINGS
    }
    for (day, logged), n in batches.items():
        if n >= BACKFILL_BATCH_VIEWINGS and day and logged and logged > day and day not in days:
            days[day] = BackfilledDay(day, per_day[day], f"{n} entries logged together on {logged.isoformat()}")
    return days


def longest_streak(days: set[date]) -> Streak | None:
    best: Streak | None = None
    for day in sorted(days):
        if day - timedelta(days=1) in days:
            continue  # not the start of a run
        end = day
        while end + timedelta(days=1) in days:
            end += timedelta(days=1)
        length = (end - day).days + 1
        if best is None or length > best.days:
            best = Streak(length, day, end)
    return best


def _mean(values: list[Decimal]) -> float | None:
    return float(sum(values)) / len(values) if values else None


def _overview(movies: dict[int, MovieRow], library: list[MovieRow], scoped: Diary, year: int | None) -> Overview:
    if year is None:
        films = library
        minutes = sum(m.runtime * m.viewing_count for m in films if m.runtime)
        ratings = [m.rating for m in films if m.rating is not None]
    else:
        films = [movies[i] for i in dict.fromkeys(scoped.movie_ids)]
        minutes = sum(movies[i].runtime or 0 for i in scoped.movie_ids)
        ratings = [r for r in scoped.ratings if r is not None]
    return Overview(
        basis=Scope.LIBRARY if year is None else Scope.DIARY,
        films=len(films),
        entries=len(scoped),
        minutes=minutes,
        films_without_runtime=sum(1 for m in films if not m.runtime),
        average_rating=_mean(ratings),
        rated=len(ratings),
        liked=sum(1 for m in films if m.liked),
        reviewed=len({i for i, review in zip(scoped.movie_ids, scoped.reviews, strict=True) if review.strip()}),
        watchlist=sum(1 for m in movies.values() if m.in_watchlist),
        identified=sum(1 for m in films if m.identified),
    )


def _time(
    diary: Diary,
    days: Counter[date],
    backfilled: dict[date, BackfilledDay],
    movies: dict[int, MovieRow],
    year: int | None,
    years: list[int],
) -> Time:
    per_day = days if year is None else {day: n for day, n in days.items() if day.year == year}
    habitual = {day: n for day, n in per_day.items() if day not in backfilled}
    per_month: Counter[tuple[int, int]] = Counter()
    for day, n in per_day.items():
        per_month[day.year, day.month] += n
    months = []
    if per_day:
        first, last = (date(year, 1, 1), date(year, 12, 1)) if year else (min(per_day), max(per_day))
        # Months counted from year 0, so consecutive months are consecutive integers.
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month):
            y, m = divmod(index, 12)
            months.append((f"{y}-{m + 1:02d}", per_month[y, m + 1]))
    weekday: Counter[int] = Counter()
    for day, n in habitual.items():
        weekday[day.weekday()] += n
    heatmap_year = year or (years[-1] if years else None)
    # One dated day (a placeholder date, or a diary begun yesterday) makes neither a busiest day nor a streak;
    # nor does a diary of one film a day make its first day the "busiest", or a lone day a "1-day streak".
    busiest = min(habitual.items(), key=lambda item: (-item[1], item[0])) if len(habitual) >= MIN_DAYS else None
    if busiest and busiest[1] < 2:
        busiest = None
    streak = longest_streak(set(habitual)) if len(habitual) >= MIN_DAYS else None
    if streak and streak.days < 2:
        streak = None

    # The diary comes in watched-date order and, within a day, in the export's own order of entries: of
    # three films logged on one evening, the first logged is the earlier milestone, whatever its title.
    milestones: list[Milestone] = []
    seen: set[int] = set()
    in_year: list[tuple[int, date]] = []  # the year's entries: index in the diary, day watched
    for index, (movie_id, watched) in enumerate(zip(diary.movie_ids, diary.watched, strict=True)):
        if not watched:
            continue
        if watched.year == year:
            in_year.append((index, watched))
        if movie_id not in seen:
            seen.add(movie_id)
            if (len(seen) == 1 or len(seen) % MILESTONE_EVERY == 0) and (year is None or watched.year == year):
                milestones.append(Milestone(len(seen), watched, film_ref(movies[movie_id]), watched in backfilled))
    # The year's first and last entries, also in the diary's own order: of two films logged on 31 December,
    # the one logged later closes the year. A year of one entry has only a first.
    ends = [("first", in_year[0]), ("last", in_year[-1])] if len(in_year) > 1 else [("first", i) for i in in_year]
    year_ends = [
        YearEnd(which, watched, film_ref(movies[diary.movie_ids[i]]), watched in backfilled)
        for which, (i, watched) in ends
    ]

    per_year: Counter[int] = Counter()
    for day, n in days.items():
        per_year[day.year] += n
    return Time(
        basis=Scope.DIARY,
        heatmap_year=heatmap_year,
        per_year=[(str(y), per_year[y]) for y in years],
        per_month=months,
        per_weekday=[(name, weekday[i]) for i, name in enumerate(WEEKDAYS)],
        heatmap={day: n for day, n in days.items() if day.year == heatmap_year},
        backfilled=sorted((b for b in backfilled.values() if b.day in per_day), key=lambda b: b.day),
        longest_streak=streak,
        busiest_day=busiest,
        milestones=milestones,
        year_ends=year_ends,
    )


def _ratings(
    library: list[MovieRow], diary: Diary, scoped: Diary, movies: dict[int, MovieRow], year: int | None
) -> Ratings:
    if year is None:
        counts = Counter(m.rating for m in library if m.rating is not None)
    else:
        # films given each rating in the year's diary (a film rated twice alike counts once)
        pairs = set(zip(scoped.movie_ids, scoped.ratings, strict=True))
        counts = Counter(r for _, r in pairs if r is not None)
    # Ten ratings a year: summing them per year from their counts spares a Decimal addition per viewing.
    by_year = Counter(
        (day.year, r) for day, r in zip(diary.watched, diary.ratings, strict=True) if day and r is not None
    )
    sums: dict[int, tuple[Decimal, int]] = {}
    for (y, rating), n in sorted(by_year.items()):
        total, rated = sums.get(y, (Decimal(0), 0))
        sums[y] = (total + rating * n, rated + n)

    last_given: dict[int, Decimal] = {}  # diary is ordered by watched date: the last one wins
    for movie_id, given in zip(scoped.movie_ids, scoped.ratings, strict=True):
        if given is not None:
            last_given[movie_id] = given
    drifted: list[tuple[MovieRow, Decimal, Decimal]] = []
    for movie_id, given in last_given.items():
        now = movies[movie_id].rating
        if now is not None and now != given:
            drifted.append((movies[movie_id], given, now))
    # Only the biggest changes are kept: the page shows them, and the cached result stays small.
    biggest = heapq.nsmallest(DRIFT_SHOWN, drifted, key=lambda d: (-abs(d[2] - d[1]), d[0].title))
    return Ratings(
        basis=Scope.LIBRARY if year is None else Scope.DIARY,
        distribution=[(stars(r), counts[r]) for r in RATINGS],
        average_by_year=[(str(y), round(float(total) / rated, 2)) for y, (total, rated) in sums.items()],
        drift=[(film_ref(movie), given, now) for movie, given, now in biggest],
        drift_count=len(drifted),
        drift_up=sum(1 for _, given, now in drifted if now > given),
        drift_down=sum(1 for _, given, now in drifted if now < given),
    )


def _rewatches(scoped: Diary, movies: dict[int, MovieRow]) -> Rewatches:
    viewings = Counter(scoped.movie_ids)
    most = heapq.nsmallest(
        TOP, ((n, movies[i].title, i) for i, n in viewings.items() if n > 1), key=lambda t: (-t[0], t[1])
    )
    return Rewatches(
        basis=Scope.DIARY,
        entries=sum(1 for rewatch in scoped.rewatches if rewatch),
        films=[film_ref(movies[i], n) for n, _, i in most],
    )


def _reviews(scoped: Diary, movies: dict[int, MovieRow]) -> Reviews:
    reviewed = [i for i, review in enumerate(scoped.reviews) if review.strip()]
    tags = Counter(chain.from_iterable(scoped.tags))
    return Reviews(
        basis=Scope.DIARY,
        count=len(reviewed),
        words=sum(len(TAG_RE.sub(" ", scoped.reviews[i]).split()) for i in reviewed),
        tags=sorted(tags.items(), key=lambda t: (-t[1], t[0]))[:TOP],
        latest=[
            (film_ref(movies[scoped.movie_ids[i]]), scoped.watched[i], scoped.reviews[i])
            for i in reversed(reviewed[-3:])
        ],
    )
