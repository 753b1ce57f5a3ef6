"""What you would probably rate a film you have not seen, from your own ratings (pure: no ORM, no HTTP).

The model is additive and small enough to explain: your average rating, plus one effect per feature
(a genre, a director, an actor, a decade, a country) that a film has. The effects are a ridge
regression fitted by coordinate descent: each is what your ratings of that feature's films say beyond
your average and beyond the film's other features, shrunk towards zero as if the feature also held
`SHRINKAGE` films rated exactly as you would expect. So one 5-star Villeneuve film moves a prediction
a little, six of them a lot; and a director you love is not credited again to the actor who always
works with him (Denis Villeneuve's six films with the same cinematographer, say, share the effect
instead of doubling it).

Each prediction says why: the features that moved it most, with your plain average for them, e.g.
"you rate Denis Villeneuve 4.5 on average (6 films)".
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SHRINKAGE = 4.0  # pseudo-films at your average per feature (the ridge penalty)
SWEEPS = 12  # coordinate-descent passes; effects settle within a few
REASONS = 3  # reasons shown per prediction
HOLD_OUT_EVERY = 5  # the held-back check hides one rated film in five
MIN_HELD_OUT = 3  # fewer held-back films than this make no check
LOWEST, HIGHEST = 0.5, 5.0  # Letterboxd's half-star scale


@dataclass(frozen=True, order=True)
class Feature:
    """One thing a film has: kind ("genre", "director", "actor", "decade", "country"), a stable key, a name."""

    kind: str
    key: str
    name: str

    def phrase(self) -> str:
        """How a reason names it: people and genres by name, decades and countries as films of them."""
        if self.kind == "decade":
            return f"films from the {self.name}"
        if self.kind == "country":
            return f"films from {self.name}"
        if self.kind == "genre":
            return f"{self.name} films"
        return self.name


@dataclass(frozen=True)
class Rated:
    id: int
    rating: float
    features: frozenset[Feature]


@dataclass(frozen=True)
class Reason:
    feature: Feature
    average: float  # your plain average for the feature's films
    films: int  # how many of your rated films have it
    effect: float  # stars it adds to (or takes from) the prediction

    @property
    def text(self) -> str:
        return f"you rate {self.feature.phrase()} {self.average:.1f} on average ({self.films} film{'s' if self.films != 1 else ''})"


@dataclass(frozen=True)
class Prediction:
    rating: float
    reasons: tuple[Reason, ...]


@dataclass
class Model:
    mean: float
    effects: dict[Feature, float] = field(default_factory=dict)
    counts: dict[Feature, int] = field(default_factory=dict)
    averages: dict[Feature, float] = field(default_factory=dict)

    def predict(self, features: Iterable[Feature]) -> Prediction:
        known = [f for f in features if f in self.effects]
        value = self.mean + sum(self.effects[f] for f in known)
        # The reasons are the features that pushed the prediction its way the most, and only those whose plain
        # average says the same (a genre whose effect is up only once its director is accounted for would
        # read "you rate Comedy 3.0 on average" under a pick it lifts, which explains nothing).
        side = 1 if value >= self.mean else -1
        agreeing = [f for f in known if self.effects[f] * side > 0 and (self.averages[f] - self.mean) * side > 0]
        strongest = sorted(agreeing, key=lambda f: (-abs(self.effects[f]), f))[:REASONS]
        reasons = tuple(Reason(f, self.averages[f], self.counts[f], self.effects[f]) for f in strongest)
        return Prediction(min(HIGHEST, max(LOWEST, value)), reasons)


def fit(rated: Sequence[Rated]) -> Model:
    """The model of these ratings (at least one)."""
    mean = sum(r.rating for r in rated) / len(rated)
    films: dict[Feature, list[int]] = defaultdict(list)  # feature -> indexes of the rated films with it
    for i, r in enumerate(rated):
        for f in r.features:
            films[f].append(i)
    residual = [r.rating - mean for r in rated]
    effects = dict.fromkeys(films, 0.0)
    order = sorted(films)  # a fixed order: the same ratings give the same model
    for _ in range(SWEEPS):
        for f in order:
            members, old = films[f], effects[f]
            new = sum(residual[i] + old for i in members) / (len(members) + SHRINKAGE)
            if new != old:
                for i in members:
                    residual[i] -= new - old
                effects[f] = new
    return Model(
        mean=mean,
        effects=effects,
        counts={f: len(members) for f, members in films.items()},
        averages={f: sum(rated[i].rating for i in members) / len(members) for f, members in films.items()},
    )


@dataclass(frozen=True)
class Check:
    """The held-back check: one rated film in five hidden, predicted from the others."""

    held_out: int
    error: float  # the model's mean absolute error, in stars
    baseline_error: float  # always guessing the average of the films kept

    @property
    def beats_baseline(self) -> bool:
        return self.error < self.baseline_error


def held_out(film_ids: Sequence[int]) -> set[int]:
    """The films the check hides: exactly one in five (rounded down), chosen by a hash of their ids so every
    run agrees, whatever values the database gave the ids (a hash alone hid 8 of 15 films in one database and
    2 in another)."""
    shuffled = sorted(film_ids, key=lambda film_id: (zlib.crc32(str(film_id).encode()), film_id))
    return set(shuffled[HOLD_OUT_EVERY - 1 :: HOLD_OUT_EVERY])


def check(rated: Sequence[Rated]) -> Check | None:
    """Hide a fifth of the rated films, fit on the rest, and compare the model's error on the hidden ones
    with always predicting the kept films' average; None when too few films are rated for a fair test."""
    hidden_ids = held_out([r.id for r in rated])
    hidden = [r for r in rated if r.id in hidden_ids]
    kept = [r for r in rated if r.id not in hidden_ids]
    if len(hidden) < MIN_HELD_OUT or not kept:
        return None
    model = fit(kept)
    error = sum(abs(model.predict(r.features).rating - r.rating) for r in hidden) / len(hidden)
    baseline = sum(abs(model.mean - r.rating) for r in hidden) / len(hidden)
    return Check(len(hidden), error, baseline)
