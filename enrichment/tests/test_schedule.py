"""Who gets TMDB's rate: the enriching session with the least work left, aged by how long it has waited,
whichever session's task the run belongs to."""

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from enrichment import services, worker
from enrichment.models import Collection
from sessions_app.models import Session

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db

SMALL = [("Memento", 2000), ("Fight Club", 1999)]
BIG = [("Nomadland", 2020), ("Parasite", 2019), ("Heat", 1995), ("Alien", 1979), ("Jaws", 1975), ("Ran", 1985)]


def enriching(rows, uri_prefix: str, waited: float) -> Session:
    """A session imported, enriching, that started `waited` seconds ago."""
    session = imported(rows, uri_prefix=uri_prefix)
    services.start(session, enqueue=False)
    Session.objects.filter(pk=session.pk).update(enrichment_started_at=timezone.now() - timedelta(seconds=waited))
    return session


@pytest.fixture
def aging_one_film_a_second(settings):
    settings.ENRICH_SCHEDULE = "smallest"
    settings.ENRICH_AGING = 1  # films of priority gained per second waited


def test_a_run_of_the_big_session_claims_the_small_sessions_films_first(aging_one_film_a_second):
    big = enriching(BIG, "https://boxd.it/big", waited=0)
    small = enriching(SMALL, "https://boxd.it/small", waited=0)
    assert worker.claim_order(big.pk) == [small.pk, big.pk]

    runner = worker.Runner(big, uuid.uuid4())
    assert Counter(movie.session_id for movie in runner.claim(3)) == {small.pk: 2, big.pk: 1}
    assert Counter(movie.session_id for movie in runner.claim(10)) == {big.pk: 5}  # the small one's are all held


def test_aging_lets_the_big_session_before_a_newer_small_one_once_it_has_waited_its_bound(aging_one_film_a_second):
    # 6 films left against 2, aging 1 film a second: the big one goes first after waiting (6 − 2) ÷ 1 = 4 s.
    big = enriching(BIG, "https://boxd.it/big", waited=3)
    small = enriching(SMALL, "https://boxd.it/small", waited=0)
    assert worker.claim_order(small.pk) == [small.pk, big.pk]

    Session.objects.filter(pk=big.pk).update(enrichment_started_at=timezone.now() - timedelta(seconds=5))
    assert worker.claim_order(small.pk) == [big.pk, small.pk]


def test_the_fair_schedule_claims_only_the_runs_own_session(settings):
    settings.ENRICH_SCHEDULE = "fair"
    big = enriching(BIG, "https://boxd.it/big", waited=0)
    enriching(SMALL, "https://boxd.it/small", waited=0)
    assert worker.claim_order(big.pk) == [big.pk]
    runner = worker.Runner(big, uuid.uuid4())
    assert {movie.session_id for movie in runner.claim(10)} == {big.pk}


def test_a_small_session_enriched_by_the_big_sessions_run_completes_with_exact_counts(
    tmdb_double, aging_one_film_a_second
):
    big = enriching(BIG, "https://boxd.it/big", waited=0)
    small = enriching(SMALL, "https://boxd.it/small", waited=0)
    big = enrich_now(big)
    small.refresh_from_db()
    assert small.status == big.status == Session.Status.COMPLETED
    assert (
        small.match_counts()
        == small.counted_rows()
        == {
            "pending": 0,
            "matched": 2,
            "ambiguous": 0,
            "not_found": 0,
            "failed": 0,
            "manual": 0,
        }
    )
    assert big.match_counts() == big.counted_rows()
    assert small.enrichment_finished_at <= big.enrichment_finished_at


def test_a_small_session_enriched_by_the_big_sessions_run_completes_with_its_collections_fetched(
    tmdb_double, aging_one_film_a_second
):
    big = enriching(BIG, "https://boxd.it/big", waited=0)
    small = enriching([("Mission: Impossible \u2013 Dead Reckoning Part One", 2023)], "https://boxd.it/mi", waited=0)
    enrich_now(big)
    small.refresh_from_db()
    assert small.status == Session.Status.COMPLETED
    assert [(c.name, c.fetched_at is not None) for c in Collection.objects.all()] == [
        ("Mission: Impossible Collection", True)
    ]
    assert tmdb_double.stats()["by_kind"]["collection"] == 1
