"""The dashboard's deeper sections, from the rows already loaded (no query of their own): release years, kinds of
film and runtimes, your taste against TMDB's voters, rewatches the export's flag misses, new against old, and
your tags.

Every count is a `Figure`: the number and the explorer query listing exactly those films, built from the filters
of `definitions`, so the page links each count to its films and `test_figures` can follow it.
"""

from __future__ import annotations

import heapq
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from .definitions import (
    LEFT_OUT_BY_SWITCH,
    MIN_VOTES,
    RUNTIME_BIN_MINUTES,
    TASTE_SCALE,
    MediaKind,
    Scope,
    explorer_query,
    media_kind,
    obscurity,
    runtime_bin,
)
from .rankings import Group as RankedGroup
from .rankings import Ranking, rank
from .rows import Diary, FilmRef, MovieRow, film_ref

SHOWN = 5  # films listed at each end (differ most, most and least known)
TAGS_SHOWN = 30
RUNTIME_LAST_BIN = 241  # runtimes of 241 minutes or more share the histogram's last bar


@dataclass
class Figure:
    """A count of films and the explorer query (`scope=...&filter=value`) that lists exactly them."""

    count: int
    query: str


@dataclass
class Where:
    """Where the figures of a section come from: the whole library, or a year's diary."""

    basis: Scope
    pairs: tuple[object, ...]  # the explorer filters every figure of the section shares (the year, the switch)

    def figure(self, count: int, *pairs: object) -> Figure:
        return Figure(count, explorer_query(self.basis, *self.pairs, *pairs))


@dataclass
class Released:
    basis: Scope
    weeks: list[tuple[str, int]]  # a year's viewings per week (week 1 is 1–7 January); empty on the all-time page
    years: list[tuple[str, Figure]]  # films per release year, every year from the oldest to the newest
    highest_rated: Ranking  # release years, Bayesian as for genres (the library)


@dataclass
class Kinds:
    basis: Scope
    kinds: list[tuple[str, Figure]]  # features, shorts, documentaries, TV; then films not identified
    runtimes: list[tuple[str, Figure]]  # films per ten minutes of runtime, every bar from the shortest film's on
    without_runtime: int

    @property
    def runtime_bars(self) -> list[tuple[str, Figure]]:
        """The bars named by their last minute ("20" for 11–20 min), short enough to fit under them."""
        return [(label.split("–")[-1], figure) for label, figure in self.runtimes]


@dataclass
class Taste:
    basis: Scope
    compared: Figure  # films you rated that at least MIN_VOTES people voted on at TMDB
    correlation: float | None  # Pearson's r of your stars (doubled) and TMDB's average
    your_average: float | None  # on TMDB's 0–10 scale
    tmdb_average: float | None
    higher: list[FilmRef]  # you rated them above TMDB's voters; value = (yours on 0–10, TMDB's)
    lower: list[FilmRef]
    known: Figure  # films whose TMDB vote count is known
    average_obscurity: float | None
    most_known: list[FilmRef]  # value = (votes, obscurity)
    least_known: list[FilmRef]
    by_year: list[tuple[int, Figure, float]]  # diary years: films with a vote count, their average obscurity


@dataclass
class Rewatched:
    basis: Scope
    flagged: Figure  # films with a diary entry the export flags as a rewatch
    detected: Figure  # films seen more than once: several entries, or marked watched before the first one
    most: list[FilmRef]  # value = times seen (diary entries, plus one when marked watched before them)


@dataclass
class YearMix:
    year: int
    new: Figure  # films watched in the year they came out
    older: Figure  # films released in an earlier year
    first_viewings: int  # diary entries
    rewatches: int  # diary entries seen before: flagged, or a later entry of the film, or marked watched earlier
    reviewed: Figure
    unreviewed: Figure


@dataclass
class Tags:
    basis: Scope
    tags: list[tuple[str, Figure]]  # films per tag, most tagged first


@dataclass
class Depth:
    released: Released
    kinds: Kinds
    taste: Taste
    rewatched: Rewatched
    mix: list[YearMix]  # every diary year, or the year's
    tags: Tags
    leave_out: bool = False  # TV series and shorts left out of every figure


def kind_of(movie: MovieRow) -> MediaKind | None:
    return media_kind(movie.identified, movie.media_type, movie.tv_type, movie.runtime, movie.documentary)


def is_left_out(movie: MovieRow) -> bool:
    """Whether the switch leaves this film out (a TV series or a short; `definitions.switch_q`)."""
    return kind_of(movie) in LEFT_OUT_BY_SWITCH


def depth(
    movies: dict[int, MovieRow],
    diary: Diary,
    library: list[MovieRow],
    year: int | None,
    mean: float | None,
    leave_out: bool = False,
) -> Depth:
    """The deeper sections; `diary` and `library` already without the films the switch leaves out."""
    switch = ("no_tv_shorts", "true") if leave_out else ()
    if year is None:
        where = Where(Scope.LIBRARY, switch)
        films = library
    else:
        where = Where(Scope.DIARY, ("watched_in", year, *switch))
        films = [
            movies[i]
            for i in dict.fromkeys(
                i for i, d in zip(diary.movie_ids, diary.watched, strict=True) if d and d.year == year
            )
        ]
    return Depth(
        released=_released(films, library, diary, where, year, mean),
        kinds=_kinds(films, where),
        taste=_taste(films, diary, movies, where, switch, year),
        rewatched=_rewatched(library, diary, Where(Scope.LIBRARY, switch)),
        mix=_mix(diary, movies, switch, year),
        tags=_tags(diary, where, year),
        leave_out=leave_out,
    )


def _released(
    films: list[MovieRow], library: list[MovieRow], diary: Diary, where: Where, year: int | None, mean: float | None
) -> Released:
    per_year = Counter(m.year for m in films if m.year)
    years = (
        [(str(y), where.figure(per_year[y], "year", y)) for y in range(min(per_year), max(per_year) + 1)]
        if per_year
        else []
    )
    groups: dict[int, RankedGroup] = {}
    for m in library:
        if m.year:
            groups.setdefault(m.year, RankedGroup(str(m.year), str(m.year))).add(m.viewing_count, m.rating)
    ranking = rank([groups[y] for y in sorted(groups)], mean, "year", ordered=True)
    weeks: list[tuple[str, int]] = []
    if year is not None:
        per_week = Counter((d.timetuple().tm_yday - 1) // 7 + 1 for d in diary.watched if d and d.year == year)
        weeks = [(str(w), per_week[w]) for w in range(1, 54)]
    return Released(where.basis, weeks, years, ranking)


def _kinds(films: list[MovieRow], where: Where) -> Kinds:
    kinds = Counter(kind_of(m) for m in films)
    rows = [(kind.label, where.figure(kinds[kind], "kind", kind.value)) for kind in MediaKind]
    rows.append(("Not identified on TMDB", where.figure(kinds[None], "identified", "false")))
    bins = Counter(min(runtime_bin(m.runtime), RUNTIME_LAST_BIN) for m in films if m.runtime)
    runtimes = []
    if bins:
        for low in range(min(bins), max(bins) + 1, RUNTIME_BIN_MINUTES):
            if low == RUNTIME_LAST_BIN:
                runtimes.append((f"{low}+", where.figure(bins[low], "runtime_min", low)))
            else:
                high = low + RUNTIME_BIN_MINUTES - 1
                runtimes.append((f"{low}–{high}", where.figure(bins[low], "runtime_min", low, "runtime_max", high)))
    return Kinds(where.basis, rows, runtimes, without_runtime=sum(1 for m in films if not m.runtime))


def _votes(films: list[MovieRow]) -> list[tuple[MovieRow, int]]:
    """Identified films with the vote count TMDB gave (`votes_q(0)`), and that count."""
    return [(m, m.vote_count) for m in films if m.identified and m.vote_count is not None]


def _taste(
    films: list[MovieRow],
    diary: Diary,
    movies: dict[int, MovieRow],
    where: Where,
    switch: tuple[object, ...],
    year: int | None,
) -> Taste:
    known = _votes(films)
    # (film, your stars on TMDB's scale, TMDB's average)
    compared = [
        (m, float(m.rating) * TASTE_SCALE, m.vote_average)
        for m, votes in known
        if m.rating is not None and votes >= MIN_VOTES and m.vote_average is not None
    ]
    yours = [mine for _, mine, _ in compared]
    theirs = [world for _, _, world in compared]
    try:
        correlation: float | None = round(statistics.correlation(yours, theirs), 2)
    except statistics.StatisticsError:  # fewer than two films, or every rating alike
        correlation = None
    above = heapq.nsmallest(SHOWN, (c for c in compared if c[1] > c[2]), key=lambda c: (c[2] - c[1], c[0].title))
    below = heapq.nsmallest(SHOWN, (c for c in compared if c[1] < c[2]), key=lambda c: (c[1] - c[2], c[0].title))
    higher = [film_ref(m, (mine, world)) for m, mine, world in above]
    lower = [film_ref(m, (mine, world)) for m, mine, world in below]

    by_year = []
    if year is None:
        for y, ids in sorted(diary.films_by_year().items()):
            counts = [movies[i].vote_count for i in ids if movies[i].identified and movies[i].vote_count is not None]
            if not counts:
                continue
            average = round(sum(map(obscurity, counts)) / len(counts), 1)
            query = explorer_query(Scope.DIARY, "watched_in", y, *switch, "votes_min", 0)
            by_year.append((y, Figure(len(counts), query), average))
    best_known = heapq.nsmallest(SHOWN, known, key=lambda k: (-k[1], k[0].title))
    least_known = heapq.nsmallest(SHOWN, known, key=lambda k: (k[1], k[0].title))
    return Taste(
        basis=where.basis,
        compared=where.figure(len(compared), "rated", "true", "votes_min", MIN_VOTES),
        correlation=correlation,
        your_average=round(statistics.fmean(yours), 2) if yours else None,
        tmdb_average=round(statistics.fmean(theirs), 2) if theirs else None,
        higher=higher,
        lower=lower,
        known=where.figure(len(known), "votes_min", 0),
        average_obscurity=round(sum(obscurity(v) for _, v in known) / len(known), 1) if known else None,
        most_known=[film_ref(m, (votes, obscurity(votes))) for m, votes in best_known],
        least_known=[film_ref(m, (votes, obscurity(votes))) for m, votes in least_known],
        by_year=by_year,
    )


def _first_dates(diary: Diary) -> dict[int, date]:
    """Each film's first dated diary entry (the diary is in date order)."""
    first: dict[int, date] = {}
    for movie_id, day in zip(diary.movie_ids, diary.watched, strict=True):
        if day and movie_id not in first:
            first[movie_id] = day
    return first


def _marked_before(movie: MovieRow, first: dict[int, date]) -> bool:
    """Marked watched (watched.csv) before the film's first diary entry: seen before the diary knew of it."""
    return movie.marked is not None and movie.id in first and movie.marked < first[movie.id]


def _rewatched(library: list[MovieRow], diary: Diary, where: Where) -> Rewatched:
    first = _first_dates(diary)
    flagged = {i for i, rewatch in zip(diary.movie_ids, diary.rewatches, strict=True) if rewatch}
    seen = {
        m.id: m.viewing_count + (1 if _marked_before(m, first) else 0)
        for m in library
        if m.viewing_count >= 2 or _marked_before(m, first)
    }
    by_id = {m.id: m for m in library}
    most = heapq.nsmallest(SHOWN * 2, seen, key=lambda i: (-seen[i], by_id[i].title))
    return Rewatched(
        basis=where.basis,
        flagged=where.figure(sum(1 for m in library if m.id in flagged), "rewatched", "true"),
        detected=where.figure(len(seen), "rewatch_detected", "true"),
        most=[film_ref(by_id[i], seen[i]) for i in most],
    )


def _mix(diary: Diary, movies: dict[int, MovieRow], switch: tuple[object, ...], year: int | None) -> list[YearMix]:
    films: dict[int, set[int]] = defaultdict(set)
    reviewed: dict[int, set[int]] = defaultdict(set)
    entries: Counter[int] = Counter()
    again: Counter[int] = Counter()
    logged: set[int] = set()  # films with an earlier dated entry (the diary is in date order)
    marked = {i: m.marked for i, m in movies.items() if m.marked is not None}
    for movie_id, day, rewatch, review in zip(
        diary.movie_ids, diary.watched, diary.rewatches, diary.reviews, strict=True
    ):
        if not day:
            continue
        marked_on = marked.get(movie_id)
        seen_before = rewatch or movie_id in logged or (marked_on is not None and marked_on < day)
        logged.add(movie_id)
        y = day.year
        if year is not None and y != year:
            continue
        films[y].add(movie_id)
        if review and not review.isspace():
            reviewed[y].add(movie_id)
        entries[y] += 1
        if seen_before:
            again[y] += 1
    mix = []
    for y in sorted(films):
        where = Where(Scope.DIARY, ("watched_in", y, *switch))
        released = [movies[i].year for i in films[y]]
        mix.append(
            YearMix(
                year=y,
                new=where.figure(sum(1 for r in released if r == y), "year", y),
                older=where.figure(sum(1 for r in released if r is not None and r < y), "year_max", y - 1),
                first_viewings=entries[y] - again[y],
                rewatches=again[y],
                reviewed=where.figure(len(reviewed[y]), "reviewed", "true"),
                unreviewed=where.figure(len(films[y] - reviewed[y]), "reviewed", "false"),
            )
        )
    return mix


def _tags(diary: Diary, where: Where, year: int | None) -> Tags:
    tagged: dict[str, set[int]] = defaultdict(set)
    for movie_id, day, tags in zip(diary.movie_ids, diary.watched, diary.tags, strict=True):
        if tags and (year is None or (day and day.year == year)):
            for tag in tags:
                tagged[tag].add(movie_id)
    # the diary's tags: on the all-time page every entry, undated ones too, as the explorer's diary scope
    diary_where = Where(Scope.DIARY, where.pairs)
    ranked = sorted(tagged.items(), key=lambda t: (-len(t[1]), t[0]))[:TAGS_SHOWN]
    return Tags(Scope.DIARY, [(tag, diary_where.figure(len(ids), "tag", tag)) for tag, ids in ranked])
