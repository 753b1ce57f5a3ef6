"""Single flight: a film that one run is looking up on TMDB is looked up by nobody else meanwhile; the
other sessions that hold it take its answer. A lookup's claim expires like a film's lease."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from enrichment import services, worker
from enrichment.models import FilmLookup
from sessions_app.models import Session

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db

FILMS = [("Memento", 2000), ("Fight Club", 1999), ("Nomadland", 2020)]


def a_run_looking_up_every_film_of(session: Session) -> worker.Runner:
    """A run of `session` that has claimed its films and their lookups, with its answers still to come."""
    runner = worker.Runner(session, uuid.uuid4())
    claimed = runner.claim(worker.CLAIM_BATCH)
    assert runner.claim_lookups([worker.lookup_key(movie) for movie in claimed]) == {
        worker.lookup_key(movie) for movie in claimed
    }
    return runner


def test_a_session_waits_for_the_films_another_run_is_looking_up_instead_of_asking_tmdb(tmdb_double):
    first, second = imported(FILMS), imported(FILMS)  # one export uploaded twice: the same film URIs
    in_flight = a_run_looking_up_every_film_of(first)

    services.start(second, enqueue=False)
    assert worker.run(second.pk, budget=0.5) is True  # it held its films, waited, and gave them back
    assert tmdb_double.requests == 0
    assert second.match_counts()["pending"] == 3

    in_flight.release()  # the first run is done with them (its answers never came: it found no memory)
    enrich_now(first)
    sent = tmdb_double.requests
    second = enrich_now(second)
    assert tmdb_double.requests == sent  # the second session took the first one's answers
    assert len(tmdb_double.movie_fetches()) == 3 and set(tmdb_double.movie_fetches().values()) == {1}
    assert second.match_counts() == {
        "pending": 0,
        "matched": 3,
        "ambiguous": 0,
        "not_found": 0,
        "failed": 0,
        "manual": 0,
    }


def test_a_lookup_claimed_by_a_run_that_died_is_taken_over_once_its_claim_expires(tmdb_double):
    first, second = imported(FILMS), imported(FILMS)
    a_run_looking_up_every_film_of(first)  # and then its worker is killed: nothing is released
    FilmLookup.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the lease runs out

    second = enrich_now(second)
    assert second.match_counts()["matched"] == 3
    assert set(tmdb_double.movie_fetches().values()) == {1} and len(tmdb_double.movie_fetches()) == 3
    assert not FilmLookup.objects.exists()  # an answered lookup leaves no claim behind
