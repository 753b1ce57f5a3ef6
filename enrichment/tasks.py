"""django-q2 tasks: thin, idempotent, taking ids. The work is in enrichment.worker and enrichment.services."""

from django.utils import timezone
from django_q.tasks import async_task

from sessions_app.importing import requeue_lost_imports
from sessions_app.models import Movie, Session
from sessions_app.stats import cached_dashboard

from . import services, worker
from .matching import MatchStatus
from .models import Film


def enrich_session(session_id: int) -> str:
    """One bounded run for a session; re-enqueued at the back of the queue while films are left."""
    if worker.run(session_id):
        async_task(services.ENRICH_TASK, session_id)
        return "more to do"
    completed = Session.objects.filter(pk=session_id, status=Session.Status.COMPLETED).first()
    if completed is not None:
        cached_dashboard(completed)  # warm: the polling page swaps in the full dashboard at once
    return "done"


def fetch_collection_of_fix(movie_id: int) -> str:
    """The collections a manual fix brought into a completed session, fetched; the film is dated anew, so the
    dashboard (keyed by its films' latest `enriched_at`) is computed again with their parts."""
    movie = Movie.objects.select_related("session").filter(pk=movie_id).first()
    if movie is None:
        return "gone"
    fetched = worker.fetch_collections(movie.session)
    # only while the fix stands: a film identified again since has its own date (a failed one's drives its retry)
    Movie.objects.filter(pk=movie_id, match_status=MatchStatus.MANUAL).update(enriched_at=timezone.now())
    return f"{fetched} fetched"


def recover() -> dict:
    """The schedule's sweep (every minute): enrichment's, and large imports the broker missed."""
    swept = services.recover()
    swept["restarted"] += requeue_lost_imports(timezone.now() - services.stale_after())
    return swept


def forget_stale_tmdb_data() -> int:
    return Film.objects.delete_stale()
