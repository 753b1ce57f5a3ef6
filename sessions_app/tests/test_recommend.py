"""The recommendation model on its own: ratings in, predictions with reasons out (no database)."""

import random

import pytest

from sessions_app.recommend import Feature, Rated, check, fit, held_out

VILLENEUVE = Feature("director", "137427", "Denis Villeneuve")
BAY = Feature("director", "865", "Michael Bay")
DRAMA = Feature("genre", "18", "Drama")
ACTION = Feature("genre", "28", "Action")


def rated(id_: int, rating: float, *features: Feature) -> Rated:
    return Rated(id_, rating, frozenset(features))


def test_a_film_with_nothing_known_is_predicted_at_your_average():
    model = fit([rated(1, 4.0, DRAMA), rated(2, 2.0, ACTION)])

    prediction = model.predict([Feature("director", "1", "Nobody Seen")])

    assert model.mean == 3.0
    assert prediction.rating == 3.0 and prediction.reasons == ()


def test_a_director_you_rate_highly_lifts_the_prediction_and_says_so():
    films = [rated(i, 4.5, VILLENEUVE, DRAMA) for i in range(6)] + [rated(10 + i, 2.0, BAY, ACTION) for i in range(6)]

    prediction = fit(films).predict([VILLENEUVE, ACTION])

    assert prediction.rating > 3.25  # above your average of 3.25
    # Action pulls it down: a reason for a high pick names only what lifts it
    assert [r.text for r in prediction.reasons] == ["you rate Denis Villeneuve 4.5 on average (6 films)"]


def test_a_pick_below_your_average_names_what_pulls_it_down():
    films = [rated(i, 4.5, VILLENEUVE, DRAMA) for i in range(6)] + [rated(10 + i, 2.0, BAY, ACTION) for i in range(6)]

    prediction = fit(films).predict([BAY, ACTION])

    assert prediction.rating < 3.25
    assert [r.text for r in prediction.reasons] == [
        "you rate Michael Bay 2.0 on average (6 films)",  # as strong as Action: ties go by kind, then name
        "you rate Action films 2.0 on average (6 films)",
    ]


def test_effects_are_shrunk_so_one_film_moves_a_prediction_less_than_six():
    one = fit([rated(1, 5.0, VILLENEUVE)] + [rated(10 + i, 3.0, DRAMA) for i in range(9)])
    six = fit([rated(i, 5.0, VILLENEUVE) for i in range(6)] + [rated(10 + i, 3.0, DRAMA) for i in range(9)])

    assert one.effects[VILLENEUVE] < six.effects[VILLENEUVE]
    assert one.effects[VILLENEUVE] == pytest.approx((5.0 - one.mean) / (1 + 4.0), abs=0.05)


def test_predictions_stay_on_the_half_star_scale():
    films = [rated(i, 5.0, VILLENEUVE, DRAMA) for i in range(20)] + [rated(100, 0.5, BAY)]

    assert fit(films).predict([VILLENEUVE, DRAMA]).rating <= 5.0
    assert fit(films).predict([BAY]).rating >= 0.5


def test_the_held_back_check_hides_a_fixed_fifth_whatever_the_ids():
    hidden = held_out(range(1000))

    assert len(hidden) == 200 and hidden == held_out(list(reversed(range(1000))))
    assert len(held_out(range(5000, 5015))) == len(held_out(range(15))) == 3


def test_the_check_needs_enough_rated_films():
    assert check([rated(i, 3.0, DRAMA) for i in range(4)]) is None


def test_on_planted_taste_the_model_beats_always_guessing_your_average():
    rng = random.Random(7)
    directors = [Feature("director", str(i), f"Director {i}") for i in range(30)]
    genres = [Feature("genre", str(i), f"Genre {i}") for i in range(8)]
    taste = {f: rng.gauss(0, 0.8) for f in directors} | {f: rng.gauss(0, 0.4) for f in genres}
    films = []
    for i in range(300):
        features = {rng.choice(directors), *rng.sample(genres, 2)}
        value = 3.2 + sum(taste[f] for f in features) + rng.gauss(0, 0.4)
        films.append(rated(i, min(5.0, max(0.5, round(value * 2) / 2)), *features))

    result = check(films)

    assert result is not None and result.held_out == 60  # a fifth of 300
    assert result.beats_baseline
    assert result.error < 0.8 * result.baseline_error
