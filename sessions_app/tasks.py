"""django-q2 tasks of the sessions app: thin, taking no arguments from the queue that could go stale."""

from .importing import import_stored
from .models import Session


def import_session(session_id: int) -> str:
    """A large upload's import, queued by its request (`importing.queue_import`)."""
    return import_stored(session_id)


def cleanup_sessions() -> int:
    """Delete sessions 30 days after their last access (a daily schedule)."""
    return Session.objects.delete_expired()
