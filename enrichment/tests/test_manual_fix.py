"""A film fixed by hand: what follows is the worker's, not the request's (completing the session, fetching the
collection of the film chosen), and it ends as an automatic run would have."""

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from enrichment import services, tasks, worker
from enrichment.models import Collection
from sessions_app.models import Session
from sessions_app.stats import dashboard, dashboard_key

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db

DEAD_RECKONING = 575264  # in the Mission: Impossible Collection, 8 films released by 2025
UNKNOWN = ("A Film No One Has Made", 2031)  # TMDB finds nothing: a person picks the film


def queued() -> list[tuple[str, tuple]]:
    return [(task.task["func"], task.task["args"]) for task in OrmQ.objects.order_by("id")]


def test_a_fix_of_the_last_pending_film_leaves_the_completing_to_the_sessions_run_which_fetches_its_collections(
    tmdb_double, django_capture_on_commit_callbacks
):
    session = imported([UNKNOWN])
    services.start(session, enqueue=False)
    movie = session.movies.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_manual_match(movie, DEAD_RECKONING)
    session.refresh_from_db()
    assert session.status == Session.Status.ENRICHING
    assert queued() == [(services.ENRICH_TASK, (session.pk,))]

    assert worker.run(session.pk) is False  # the queued run: nothing left to identify
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED
    assert [(c.name, len(c.parts)) for c in Collection.objects.filter(fetched_at__isnull=False)] == [
        ("Mission: Impossible Collection", 8)
    ]


def test_a_fix_in_a_completed_session_choosing_a_film_of_an_unfetched_collection_has_its_parts_fetched(
    tmdb_double, django_capture_on_commit_callbacks
):
    session = enrich_now(imported([UNKNOWN]))
    assert session.status == Session.Status.COMPLETED and not Collection.objects.exists()
    movie = session.movies.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_manual_match(movie, DEAD_RECKONING)
    assert queued() == [(services.COLLECTIONS_TASK, (movie.pk,))]
    (unknown,) = dashboard(session).people_and_places.collections
    assert (unknown.name, unknown.seen, unknown.released) == ("Mission: Impossible Collection", 1, None)
    key = dashboard_key(session)

    assert tasks.fetch_collection_of_fix(movie.pk) == "1 fetched"
    assert tmdb_double.stats()["by_kind"]["collection"] == 1
    assert dashboard_key(session) != key  # the cached dashboard without the parts is not read again
    (fetched,) = dashboard(session).people_and_places.collections
    assert (fetched.seen, fetched.released, fetched.parts[6]["seen"]) == (1, 8, True)


def test_a_fix_choosing_a_film_whose_collection_is_fetched_queues_nothing(
    tmdb_double, django_capture_on_commit_callbacks
):
    session = enrich_now(imported([UNKNOWN]))
    Collection.objects.claim_unfetched({87359})
    Collection.objects.filter(tmdb_id=87359).update(name="Mission: Impossible Collection", fetched_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.set_manual_match(session.movies.get(), DEAD_RECKONING)
    assert callbacks == [] and queued() == []
