"""django-q2 tasks: thin, idempotent, taking ids. The work is in enrichment.pipeline."""

from django_q.tasks import async_task

from . import pipeline


def enrich_session(session_id: int) -> str:
    """One bounded run for a session; re-enqueued at the back of the queue while films are left."""
    if pipeline.run(session_id):
        async_task("enrichment.tasks.enrich_session", session_id)
        return "more to do"
    return "done"


def recover() -> dict:
    return pipeline.recover()


def cleanup_sessions() -> int:
    from sessions_app.models import Session

    return Session.objects.delete_expired()


def forget_stale_tmdb_data() -> int:
    from .models import Film

    return Film.objects.delete_stale()
