"""A session's films per match status are kept beside it, changed in the transaction that changes the films:
whatever happens to the films, the counts equal the rows."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from enrichment import services, worker
from enrichment.tmdb import reset_client
from enrichment.tmdb.catalogue import HARD_CASES
from sessions_app.models import Movie, Session

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db

ROWS = [(title, year) for title, year, *_ in HARD_CASES]


def counts_match_rows(session: Session) -> dict[str, int]:
    counts = session.match_counts()
    assert counts == session.counted_rows()
    return counts


def test_counts_equal_the_rows_through_enrichment_a_manual_fix_and_two_reenrichments(tmdb_double):
    session = imported(ROWS)
    assert counts_match_rows(session)["pending"] == len(ROWS)
    session = enrich_now(session)
    enriched = counts_match_rows(session)
    assert enriched["pending"] == 0 and enriched["matched"] > 0 and enriched["ambiguous"] > 0

    witch = session.movies.get(title="The Witch", year=2015)
    services.set_manual_match(witch, 310131)
    assert counts_match_rows(session) == {**enriched, "ambiguous": enriched["ambiguous"] - 1, "manual": 1}
    services.set_manual_match(witch, 310131)  # the same choice again changes nothing
    assert counts_match_rows(session)["manual"] == 1

    queued = services.reenrich(session, enqueue=False).films  # the unmatched again
    counts = counts_match_rows(session)
    assert counts["pending"] == queued and counts["ambiguous"] == counts["not_found"] == 0
    enrich_now(session)
    counts_match_rows(session)

    queued = services.reenrich(session, everything=True, enqueue=False).films
    assert counts_match_rows(session) == {
        "pending": len(ROWS) - 1,
        "matched": 0,
        "ambiguous": 0,
        "not_found": 0,
        "failed": 0,
        "manual": 1,
    }
    assert counts_match_rows(enrich_now(session)) == {**enriched, "ambiguous": enriched["ambiguous"] - 1, "manual": 1}


def test_counts_equal_the_rows_when_films_fail_and_the_schedule_retries_them(tmdb_double, settings):
    settings.TMDB_MAX_RETRIES = 0
    reset_client()
    tmdb_double.configure(fault_rate=0.3, faults=("500",))
    session = enrich_now(imported(ROWS))
    failed = counts_match_rows(session)["failed"]
    assert failed > 0

    tmdb_double.configure(fault_rate=0.0)
    Movie.objects.filter(session=session, match_status="failed").update(
        enriched_at=timezone.now() - services.FAILED_RETRY_AFTER * 2
    )  # a while later (the films stay failed: the counts do not change)
    assert services.recover()["retried"] == failed
    assert counts_match_rows(session)["pending"] == failed
    assert counts_match_rows(enrich_now(session))["failed"] == 0


def test_counts_equal_the_rows_after_a_run_dies_holding_films(tmdb_double):
    session = imported(ROWS)
    services.start(session, enqueue=False)
    dead = worker.Runner(session, uuid.uuid4())
    held = dead.claim(5)  # then its process is killed: no answer stored, nothing released
    assert len(held) == 5 and counts_match_rows(session)["pending"] == len(ROWS)
    Movie.objects.filter(pk__in=[m.pk for m in held]).update(claimed_until=timezone.now() - timedelta(seconds=1))
    session = enrich_now(session)
    assert counts_match_rows(session)["pending"] == 0


def test_counts_equal_the_rows_when_a_film_is_fixed_by_hand_while_a_run_holds_it(tmdb_double):
    session = imported(ROWS)
    services.start(session, enqueue=False)
    runner = worker.Runner(session, uuid.uuid4())
    held = runner.claim(len(ROWS))
    witch = next(movie for movie in held if movie.title == "The Witch")
    services.set_manual_match(witch, 310131)  # a person fixes it on the unmatched page meanwhile
    assert counts_match_rows(session)["manual"] == 1

    runner.dispatch(
        held, lambda key, movies: runner.store(key, movies, worker.resolve(movies[0].title, movies[0].year))
    )
    counts = counts_match_rows(session)  # the run's own answer for The Witch is not written, nor counted
    assert counts["pending"] == 0 and counts["manual"] == 1
    assert session.movies.get(pk=witch.pk).film.tmdb_id == 310131
