"""Two people's films compared (pure): films in common, how far their ratings agree, and one compatibility figure.

A film is the same film on both sides when both sides identified it as the same TMDB film, or else when both
exports give it the same Letterboxd address: "Solaris" (1972) and "Solaris" (2002) share a title and never a
TMDB id, while a film one side could not identify still meets its twin by its Letterboxd URI.

The compatibility figure is the ratings' closeness, not their correlation: two people who both rate
everything 4 stars agree perfectly, yet have no correlation at all (it needs ratings that vary).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

FAVOURITE = Decimal("4.5")  # 4.5 and 5 stars: a favourite
LARGEST_GAP = Decimal("4.5")  # ½ star against 5 stars
AGREEING_GAP = Decimal("0.5")  # ratings at most half a star apart agree; further apart, they disagree
SHOWN = 10  # agreements, disagreements and favourites listed


@dataclass(frozen=True)
class Film:
    """One watched film of one side."""

    title: str
    year: int | None
    tmdb_film: int | None  # the shared Film's id when identified
    uri: str  # Letterboxd URI, "" when the export gave none
    rating: Decimal | None
    poster: str = ""


@dataclass(frozen=True)
class Pair:
    mine: Film
    theirs: Film

    @property
    def gap(self) -> Decimal:
        assert self.mine.rating is not None and self.theirs.rating is not None
        return abs(self.mine.rating - self.theirs.rating)


@dataclass
class Comparison:
    common: list[Pair]  # every film both watched, by title
    rated_both: int  # films both rated
    correlation: float | None  # Pearson's r over the films both rated; None under two or without variation
    compatibility: int | None  # 0–100, see COMPATIBILITY; None when no film was rated by both
    agreements: list[Pair] = field(default_factory=list)  # gaps up to AGREEING_GAP, smallest and highest rated first
    disagreements: list[Pair] = field(default_factory=list)  # wider gaps, largest first
    my_favourites_unseen: list[Film] = field(default_factory=list)  # mine at 4.5–5 stars they have not watched
    their_favourites_unseen: list[Film] = field(default_factory=list)


COMPATIBILITY = (
    "100 × (1 − the average gap between your two ratings ÷ 4.5 stars, the largest gap possible), over the films "
    "you both rated: 100 when every rating matches, 0 when each film one of you gave 5 stars the other gave ½."
)


def compare(mine: list[Film], theirs: list[Film]) -> Comparison:
    pairs = pair_up(mine, theirs)
    rated = [p for p in pairs if p.mine.rating is not None and p.theirs.rating is not None]
    paired_mine = {id(p.mine) for p in pairs}
    paired_theirs = {id(p.theirs) for p in pairs}
    by_closeness = sorted(rated, key=lambda p: (p.gap, -(p.mine.rating or 0) - (p.theirs.rating or 0), p.mine.title))
    by_distance = sorted(rated, key=lambda p: (-p.gap, p.mine.title))
    return Comparison(
        common=sorted(pairs, key=lambda p: (p.mine.title, p.mine.year or 0)),
        rated_both=len(rated),
        correlation=correlation(rated),
        compatibility=compatibility(rated),
        agreements=[p for p in by_closeness if p.gap <= AGREEING_GAP][:SHOWN],
        disagreements=[p for p in by_distance if p.gap > AGREEING_GAP][:SHOWN],
        my_favourites_unseen=_favourites([f for f in mine if id(f) not in paired_mine]),
        their_favourites_unseen=_favourites([f for f in theirs if id(f) not in paired_theirs]),
    )


def pair_up(mine: list[Film], theirs: list[Film]) -> list[Pair]:
    """Each of my films with the same film of theirs: by TMDB film when both identified it, else by URI."""
    by_film = {f.tmdb_film: f for f in theirs if f.tmdb_film is not None}
    by_uri = {f.uri: f for f in theirs if f.uri}
    pairs, taken = [], set()
    for film in mine:
        twin = by_film.get(film.tmdb_film) if film.tmdb_film is not None else None
        if twin is None and film.uri:
            candidate = by_uri.get(film.uri)
            # the same URI identified as two different TMDB films is not the same film
            if candidate is not None and None in (film.tmdb_film, candidate.tmdb_film):
                twin = candidate
        if twin is not None and id(twin) not in taken:
            taken.add(id(twin))
            pairs.append(Pair(film, twin))
    return pairs


def correlation(rated: list[Pair]) -> float | None:
    if len(rated) < 2:
        return None
    try:
        r = statistics.correlation(
            [float(p.mine.rating or 0) for p in rated], [float(p.theirs.rating or 0) for p in rated]
        )
    except statistics.StatisticsError:  # one side rated every common film alike: no variation to correlate
        return None
    return round(r, 2)


def compatibility(rated: list[Pair]) -> int | None:
    if not rated:
        return None
    mean_gap = sum((p.gap for p in rated), Decimal(0)) / len(rated)
    return round(100 * (1 - mean_gap / LARGEST_GAP))


def _favourites(films: list[Film]) -> list[Film]:
    loved = [f for f in films if f.rating is not None and f.rating >= FAVOURITE]
    return sorted(loved, key=lambda f: (-(f.rating or 0), f.title))[:SHOWN]
