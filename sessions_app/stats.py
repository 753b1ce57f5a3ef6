"""Statistics of one upload, computed from its rows: plain functions, no HTTP.

`dashboard(session, year=None)` reads a session with three SQL queries whatever its size (the
films with their TMDB runtime and language, the diary, and the TMDB facets grouped, ranked and cut
in SQL) and aggregates the compact rows in Python. Every section says what it counts: the *library* (every
film marked watched, so a user who never kept a diary still sees statistics) or the *diary*
(dated viewings). A year scopes the diary sections (year in review); library sections stay whole.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import chain, compress
from operator import itemgetter

from django.db.models import (
    Avg, Case, CharField, Count, Expression, ExpressionWrapper, F, Field, FloatField, IntegerField, Max, Q, QuerySet,
    Sum, TextField, Value, When, Window,
)
from django.db.models.functions import Cast, RowNumber

from django.core.cache import cache

from enrichment.models import FilmFacet

from .models import Movie, Session

DASHBOARD_CACHE_SECONDS = 7 * 24 * 3600
DRIFT_SHOWN = 20  # films listed under rating drift
TOP = 20  # rows per ranking on the dashboard; the people index lists the rest
RATED_TOP = 10
# Highest-rated rankings: a group needs this many rated films, and its average is pulled towards
# the library mean as if it held this many more films rated at the mean (a Bayesian average), so
# one 5-star film does not outrank a director with twelve 4.5s.
MIN_RATED = 3
BAYES_WEIGHT = 3
TOP_BILLED = 5  # actors count for a film only when billed this high (cameos are not "your" actors)
# A watched date with this many viewings is a placeholder or a bulk back-fill, not a habit.
BACKFILL_DAY_VIEWINGS = 10
# Or this many viewings sharing one watched date that were all logged together on a later day:
# a batch entered from memory under one guessed date.
BACKFILL_BATCH_VIEWINGS = 5
MILESTONES = (1, 100, 500, 1000)
RUNTIME_BUCKETS = ((0, 40, "under 40 min"), (40, 90, "40–89 min"), (90, 120, "90–119 min"),
                   (120, 150, "120–149 min"), (150, 180, "150–179 min"), (180, None, "3 h or more"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HALF_STARS = tuple(Decimal(n) / 2 for n in range(1, 11))
# Ratings are fetched as a count of half stars (an integer needs no per-value converter) and mapped back
# to the Decimal the database holds, with its one decimal place.
HALF_STAR_VALUES = {n: Decimal(f"{n / 2:.1f}") for n in range(1, 11)}
TAG_RE = re.compile(r"<[^>]*>")


class Basis(StrEnum):
    LIBRARY = "library"  # every film marked watched
    DIARY = "diary"  # dated diary entries


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

    basis: Basis
    groups: list[Group]  # most watched first or in natural order; facets: only the top, cut in SQL
    most_watched: list[Group]
    shown: list[Group]  # what the page draws: decades and runtimes in their own order, else the most watched
    highest_rated: list[Group]
    filter_name: str = ""  # the film explorer's filter for a group key ("" when it has none)


@dataclass
class FilmRef:
    title: str
    year: int | None
    value: object = None


@dataclass
class Overview:
    basis: Basis
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
class Streak:
    days: int
    start: date
    end: date


@dataclass
class Time:
    basis: Basis
    heatmap_year: int | None
    per_year: list[tuple[str, int]]
    per_month: list[tuple[str, int]]
    per_weekday: list[tuple[str, int]]  # without back-filled days
    heatmap: dict[date, int]  # viewings per day of heatmap_year
    backfilled: list[BackfilledDay]  # within the scope
    longest_streak: Streak | None  # back-filled days do not count
    busiest_day: tuple[date, int] | None  # back-filled days do not count
    milestones: list[tuple[int, date, FilmRef]]  # whole diary


@dataclass
class Ratings:
    basis: Basis
    distribution: list[tuple[str, int]]
    average_by_year: list[tuple[str, float]]  # diary ratings, by year watched
    drift: list[tuple[FilmRef, Decimal, Decimal]]  # (film, last diary rating, current rating), the biggest changes
    drift_count: int  # all films that drifted (the list keeps the top DRIFT_SHOWN)
    drift_up: int
    drift_down: int


@dataclass
class Rewatches:
    basis: Basis
    entries: int  # entries flagged rewatch
    films: list[FilmRef]  # value = viewings in scope, two or more


@dataclass
class Reviews:
    basis: Basis
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
    shortest: list[FilmRef] = field(default_factory=list)  # value = runtime in minutes
    longest: list[FilmRef] = field(default_factory=list)


@dataclass(slots=True)
class _Movie:
    id: int
    title: str
    year: int | None
    watched: bool
    rating: Decimal | None
    liked: bool
    in_watchlist: bool
    viewing_count: int
    identified: bool
    runtime: int | None
    language: str | None  # TMDB's original language code


@dataclass
class _Diary:
    """Diary entries in watched-date order, one list per column. Thirty thousand entries are then a few lists
    of plain values, not thirty thousand objects that the garbage collector tracks and, once they outlive a
    young collection, re-scans in every full collection of the process (hundreds of ms in a large one)."""

    movie_ids: list[int]
    watched: list[date | None]
    logged: list[date | None]
    ratings: list[Decimal | None]
    rewatches: list[int]  # booleans, or 0 and 1 as SQLite returns them
    tags: list[tuple[str, ...]]
    reviews: list[str]

    def __len__(self) -> int:
        return len(self.movie_ids)

    def of_year(self, year: int) -> _Diary:
        keep = [day is not None and day.year == year for day in self.watched]
        return _Diary(*(list(compress(getattr(self, column.name), keep)) for column in fields(self)))


def _unconverted(expression: Expression) -> ExpressionWrapper:
    """`expression` as the database driver returns it. A plain `Field` output has no per-value converter:
    Django would otherwise call int() or bool() through its converter chain for every value fetched."""
    return ExpressionWrapper(expression, output_field=Field())


def _half_stars(rating: str) -> ExpressionWrapper:
    return _unconverted(Cast(F(rating) * 2, IntegerField()))


def _movies(session: Session) -> dict[int, _Movie]:
    """The session's films with their TMDB runtime and language. Flags and ratings come unconverted, for
    the same reason as in `_diary()` (flags are 0 or 1 on SQLite)."""
    rows = session.movies.annotate(
        half_stars=_half_stars("rating"),
        watched_flag=_unconverted(F("watched")),
        liked_flag=_unconverted(F("liked")),
        watchlist_flag=_unconverted(F("in_watchlist")),
    ).values_list(
        "id", "title", "year", "watched_flag", "half_stars", "liked_flag", "watchlist_flag", "viewing_count",
        "match_status", "film_id", "film__runtime", "film__original_language",
    ).order_by()
    return {
        pk: _Movie(
            pk, title, year, bool(watched), HALF_STAR_VALUES.get(half_stars), bool(liked), bool(watchlist), viewings,
            bool(film_id) and status in Movie.IDENTIFIED, runtime, language,
        )
        for pk, title, year, watched, half_stars, liked, watchlist, viewings, status, film_id, runtime, language in rows
    }


def _diary(session: Session) -> _Diary:
    """The session's diary in date order. Dates, ratings and tags come as plain text and integers: the
    ORM's per-value converters (SQLite dates and decimals, JSON) cost more than the query on 30,000 rows."""
    rows = (
        session.viewings.annotate(
            watched_text=Cast("watched_date", CharField()),
            logged_text=Cast("logged_date", CharField()),
            half_stars=_half_stars("rating"),
            rewatch_flag=_unconverted(F("rewatch")),
            tags_text=Cast("tags", TextField()),
        )
        .values_list("movie_id", "watched_text", "logged_text", "half_stars", "rewatch_flag", "tags_text", "review")
        .order_by("watched_date", "id")
    )
    # Column by column: zip(*rows) would hold an iterator per row, as many objects again as `_Diary` spares.
    movie_ids, watched, logged, half_stars, rewatches, tags, reviews = (list(map(itemgetter(i), rows)) for i in range(7))
    day = date.fromisoformat
    return _Diary(
        movie_ids,
        [text and day(text) for text in watched],
        [text and day(text) for text in logged],
        [HALF_STAR_VALUES.get(n) for n in half_stars],
        rewatches,
        [tuple(json.loads(text)) if text and text != "[]" else () for text in tags],
        reviews,
    )


def dashboard_key(session: Session, year: int | None = None) -> str:
    """A cache key that changes whenever anything the dashboard shows can have changed.

    An export never changes after import; only identification does (enrichment, re-runs, manual
    corrections), and each of those moves the films' latest `enriched_at` or their counts. While a
    session is enriching, the key moves in steps of a twentieth of the films rather than on every
    film: the live progress bar carries the exact count, and a page view does not pay for a full
    recomputation each time a film arrives."""
    state = session.movies.aggregate(
        last=Max("enriched_at"),
        identified=Count("id", filter=Q(film__isnull=False)),
        pending=Count("id", filter=Q(match_status=Movie.MatchStatus.PENDING)),
        total=Count("id"),
    )
    if session.status == Session.Status.ENRICHING and state["pending"]:
        done = state["total"] - state["pending"]
        version = f"enriching:{20 * done // max(state['total'], 1)}"
    else:
        # the status too: the page words empty sections differently while films are still coming
        last = state["last"].timestamp() if state["last"] else 0
        version = f"{session.status}:{last}:{state['identified']}:{state['pending']}"
    return f"lbstats:dashboard:{session.public_id}:{year}:{version}"


def cached_dashboard(session: Session, year: int | None = None, key: str | None = None) -> Dashboard:
    """`dashboard()`, kept in the cache under `dashboard_key()`. Enrichment warms it when it completes."""
    key = key or dashboard_key(session, year)
    latest_key = f"lbstats:dashboard:{session.public_id}:{year}:latest"
    result = cache.get(key)
    if result is not None:
        return result
    # One request recomputes; while it does, views of an enriching session get the previous step's
    # dashboard instead of all recomputing at once (on two cores, a pile-up of those starves every page).
    if session.status == Session.Status.ENRICHING and not cache.add(f"{key}:computing", 1, timeout=60):
        result = cache.get(latest_key)
        if result is not None:
            return result
    result = dashboard(session, year)
    cache.set(key, result, timeout=DASHBOARD_CACHE_SECONDS)
    if session.status == Session.Status.ENRICHING:  # only read while enriching
        cache.set(latest_key, result, timeout=DASHBOARD_CACHE_SECONDS)
    return result


def dashboard(session: Session, year: int | None = None) -> Dashboard:
    movies = _movies(session)
    diary = _diary(session)
    library = [m for m in movies.values() if m.watched]
    mean = _mean([m.rating for m in library if m.rating is not None])
    facets = _facet_rankings(session, mean)
    # Viewings per watched date, in date order: the time sections count days, months and weekdays from
    # these few thousand dates rather than from every viewing.
    days = Counter(day for day in diary.watched if day)
    backfilled = backfilled_days(diary, days)
    years = sorted({day.year for day in days})
    scoped = diary if year is None else diary.of_year(year)
    timed = sorted((m for m in library if m.runtime), key=lambda m: (m.runtime, m.title))

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
        languages=_ranking(_languages(library, facets[FilmFacet.Kind.LANGUAGE].groups), mean, "language"),
        decades=_ranking(_decades(library), mean, "decade", ordered=True),
        runtimes=_ranking(_runtimes(library), mean, "", ordered=True),
        directors=facets[FilmFacet.Kind.DIRECTOR],
        actors=facets[FilmFacet.Kind.ACTOR],
        shortest=[_ref(m, m.runtime) for m in timed[:5]],
        longest=[_ref(m, m.runtime) for m in timed[::-1][:5]],
    )


def backfilled_days(diary: _Diary, per_day: Counter[date]) -> dict[date, BackfilledDay]:
    """Watched dates that record a bulk back-fill rather than a day of watching (see the thresholds above).
    `per_day` counts the diary's viewings per watched date."""
    batches = Counter(zip(diary.watched, diary.logged))
    days = {
        day: BackfilledDay(day, n, f"{n} viewings on one day")
        for day, n in per_day.items()
        if n >= BACKFILL_DAY_VIEWINGS
    }
    for (day, logged), n in batches.items():
        if n >= BACKFILL_BATCH_VIEWINGS and day and logged and logged > day and day not in days:
            days[day] = BackfilledDay(day, per_day[day], f"{n} entries logged together on {logged.isoformat()}")
    return days


def bayesian_average(rating_sum: Decimal, rated: int, mean: float) -> float:
    return (BAYES_WEIGHT * mean + float(rating_sum)) / (BAYES_WEIGHT + rated)


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


def _ref(movie: _Movie, value: object = None) -> FilmRef:
    return FilmRef(movie.title, movie.year, value)


def _overview(movies: dict[int, _Movie], library: list[_Movie], scoped: _Diary, year: int | None) -> Overview:
    if year is None:
        films = library
        minutes = sum(m.runtime * m.viewing_count for m in films if m.runtime)
        ratings = [m.rating for m in films if m.rating is not None]
    else:
        films = [movies[i] for i in dict.fromkeys(scoped.movie_ids)]
        minutes = sum(movies[i].runtime or 0 for i in scoped.movie_ids)
        ratings = [r for r in scoped.ratings if r is not None]
    return Overview(
        basis=Basis.LIBRARY if year is None else Basis.DIARY,
        films=len(films),
        entries=len(scoped),
        minutes=minutes,
        films_without_runtime=sum(1 for m in films if not m.runtime),
        average_rating=_mean(ratings),
        rated=len(ratings),
        liked=sum(1 for m in films if m.liked),
        reviewed=len({i for i, review in zip(scoped.movie_ids, scoped.reviews) if review.strip()}),
        watchlist=sum(1 for m in movies.values() if m.in_watchlist),
        identified=sum(1 for m in films if m.identified),
    )


def _time(
    diary: _Diary, days: Counter[date], backfilled: dict[date, BackfilledDay], movies: dict[int, _Movie],
    year: int | None, years: list[int],
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
    busiest = min(habitual.items(), key=lambda item: (-item[1], item[0])) if habitual else None

    milestones, seen = [], set()
    for movie_id, day in zip(diary.movie_ids, diary.watched):
        if day and movie_id not in seen:
            seen.add(movie_id)
            if len(seen) in MILESTONES:
                milestones.append((len(seen), day, _ref(movies[movie_id])))
                if len(seen) == MILESTONES[-1]:
                    break

    per_year: Counter[int] = Counter()
    for day, n in days.items():
        per_year[day.year] += n
    return Time(
        basis=Basis.DIARY,
        heatmap_year=heatmap_year,
        per_year=[(str(y), per_year[y]) for y in years],
        per_month=months,
        per_weekday=[(name, weekday[i]) for i, name in enumerate(WEEKDAYS)],
        heatmap={day: n for day, n in days.items() if day.year == heatmap_year},
        backfilled=sorted((b for b in backfilled.values() if b.day in per_day), key=lambda b: b.day),
        longest_streak=longest_streak(set(habitual)),
        busiest_day=busiest,
        milestones=milestones,
    )


def _ratings(
    library: list[_Movie], diary: _Diary, scoped: _Diary, movies: dict[int, _Movie], year: int | None
) -> Ratings:
    if year is None:
        counts = Counter(m.rating for m in library if m.rating is not None)
    else:
        counts = Counter(r for r in scoped.ratings if r is not None)
    # Ten ratings a year: summing them per year from their counts spares a Decimal addition per viewing.
    by_year = Counter((day.year, r) for day, r in zip(diary.watched, diary.ratings) if day and r is not None)
    sums: dict[int, tuple[Decimal, int]] = {}
    for (y, rating), n in sorted(by_year.items()):
        total, rated = sums.get(y, (Decimal(0), 0))
        sums[y] = (total + rating * n, rated + n)

    last_given: dict[int, Decimal] = {}  # diary is ordered by watched date: the last one wins
    for movie_id, rating in zip(scoped.movie_ids, scoped.ratings):
        if rating is not None:
            last_given[movie_id] = rating
    drifted = [
        (movies[movie_id], given, movies[movie_id].rating)
        for movie_id, given in last_given.items()
        if movies[movie_id].rating is not None and movies[movie_id].rating != given
    ]
    drifted.sort(key=lambda d: (-abs(d[2] - d[1]), d[0].title))
    return Ratings(
        basis=Basis.LIBRARY if year is None else Basis.DIARY,
        distribution=[(stars(r), counts[r]) for r in HALF_STARS],
        average_by_year=[(str(y), round(float(total) / rated, 2)) for y, (total, rated) in sums.items()],
        # Only the biggest changes are kept: the page shows them, and the cached result stays small.
        drift=[(_ref(movie), given, now) for movie, given, now in drifted[:DRIFT_SHOWN]],
        drift_count=len(drifted),
        drift_up=sum(1 for _, given, now in drifted if now > given),
        drift_down=sum(1 for _, given, now in drifted if now < given),
    )


def stars(rating: Decimal) -> str:
    return "★" * int(rating) + ("½" if rating % 1 else "")


def _rewatches(scoped: _Diary, movies: dict[int, _Movie]) -> Rewatches:
    viewings = Counter(scoped.movie_ids)
    most = sorted(((n, movies[i].title, i) for i, n in viewings.items() if n > 1), key=lambda t: (-t[0], t[1]))
    return Rewatches(
        basis=Basis.DIARY,
        entries=sum(1 for rewatch in scoped.rewatches if rewatch),
        films=[_ref(movies[i], n) for n, _, i in most[:TOP]],
    )


def _reviews(scoped: _Diary, movies: dict[int, _Movie]) -> Reviews:
    reviewed = [i for i, review in enumerate(scoped.reviews) if review.strip()]
    tags = Counter(chain.from_iterable(scoped.tags))
    return Reviews(
        basis=Basis.DIARY,
        count=len(reviewed),
        words=sum(len(TAG_RE.sub(" ", scoped.reviews[i]).split()) for i in reviewed),
        tags=sorted(tags.items(), key=lambda t: (-t[1], t[0]))[:TOP],
        latest=[
            (_ref(movies[scoped.movie_ids[i]]), scoped.watched[i], scoped.reviews[i]) for i in reversed(reviewed[-3:])
        ],
    )


def _facets(session: Session) -> QuerySet:
    """Facets of the session's watched films grouped in SQL: one row per (kind, key)."""
    return (
        FilmFacet.objects.filter(film__movies__session=session, film__movies__watched=True)
        .filter(~Q(kind=FilmFacet.Kind.ACTOR) | Q(position__lt=TOP_BILLED))
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
    return Group(row["key"], row["name"], row["films"], row["viewings"], row["rated"], Decimal(str(row["rating_sum"] or 0)))


def _facet_rankings(session: Session, mean: float | None) -> dict[str, Ranking]:
    """Every facet kind ranked in one query, cut in SQL by window functions: a large library holds tens
    of thousands of actors and the page shows the most watched twenty and the highest rated ten."""
    score = ExpressionWrapper(
        (Value(BAYES_WEIGHT * (mean or 0.0)) + Cast(Sum("film__movies__rating"), FloatField()))
        / (Value(float(BAYES_WEIGHT)) + Count("film__movies__rating")),
        output_field=FloatField(),
    )
    eligible = Case(When(rated__gte=MIN_RATED, then=score), default=Value(-1.0), output_field=FloatField())
    rows = (
        _facets(session)
        .annotate(
            watched_rank=Window(
                RowNumber(), partition_by=F("kind"), order_by=[F("films").desc(), F("viewings").desc(), F("name").asc()]
            ),
            rated_rank=Window(
                RowNumber(), partition_by=F("kind"), order_by=[eligible.desc(), F("rated").desc(), F("name").asc()]
            ),
        )
        .filter(Q(watched_rank__lte=TOP) | Q(rated_rank__lte=RATED_TOP))
    )
    most: dict[str, list[tuple[int, Group]]] = defaultdict(list)
    rated: dict[str, list[tuple[int, Group]]] = defaultdict(list)
    for row in rows:
        group = _group(row)
        if row["watched_rank"] <= TOP:
            most[row["kind"]].append((row["watched_rank"], group))
        if row["rated_rank"] <= RATED_TOP and group.rated >= MIN_RATED and mean is not None:
            rated[row["kind"]].append((row["rated_rank"], group))
    rankings = {}
    for kind in FilmFacet.Kind.values:
        top = [g for _, g in sorted(most[kind], key=lambda t: t[0])]
        best = [g for _, g in sorted(rated[kind], key=lambda t: t[0])]
        _score(top + best, mean)
        rankings[kind] = Ranking(Basis.LIBRARY, groups=top, most_watched=top, shown=top, highest_rated=best, filter_name=kind)
    return rankings


def people_index(session: Session, kind: str) -> QuerySet:
    """Every director or (top-billed) actor of the library, most watched first: rows for a paginator."""
    return (
        _facets(session)
        .filter(kind=kind)
        .annotate(average=Avg("film__movies__rating"))
        .order_by("-films", "-viewings", "name")
    )


def _languages(library: list[_Movie], spoken: list[Group]) -> list[Group]:
    """Original languages; their names come from the spoken-language facets (TMDB gives only the code)."""
    names = {g.key: g.name for g in spoken}
    groups: dict[str, Group] = {}
    for m in library:
        if m.language:
            groups.setdefault(m.language, Group(m.language, names.get(m.language, m.language))).add(m.viewing_count, m.rating)
    return list(groups.values())


def _decades(library: list[_Movie]) -> list[Group]:
    groups: dict[int, Group] = {}
    for m in library:
        if m.year:
            decade = m.year // 10 * 10
            groups.setdefault(decade, Group(str(decade), f"{decade}s")).add(m.viewing_count, m.rating)
    return [groups[d] for d in sorted(groups)]


def _runtimes(library: list[_Movie]) -> list[Group]:
    groups = [Group(str(low), label) for low, _, label in RUNTIME_BUCKETS]
    lows = [low for low, _, _ in RUNTIME_BUCKETS]
    for m in library:
        if m.runtime:
            groups[bisect_right(lows, m.runtime) - 1].add(m.viewing_count, m.rating)
    return groups


def _score(groups: list[Group], mean: float | None) -> None:
    for g in groups:
        g.score = bayesian_average(g.rating_sum, g.rated, mean) if mean is not None and g.rated else None


def _ranking(groups: list[Group], mean: float | None, filter_name: str, ordered: bool = False) -> Ranking:
    _score(groups, mean)
    most = sorted(groups, key=lambda g: (-g.films, -g.viewings, g.name))
    rated = sorted((g for g in groups if g.rated >= MIN_RATED and g.score is not None), key=lambda g: (-g.score, -g.rated, g.name))
    most_watched = [g for g in most[:TOP] if g.films]
    return Ranking(
        basis=Basis.LIBRARY,
        groups=groups if ordered else most,
        most_watched=most_watched,
        shown=groups if ordered and most_watched else most_watched,
        highest_rated=rated[:RATED_TOP],
        filter_name=filter_name,
    )
