"""django-q2 tasks of the sessions app: thin, taking no arguments from the queue that could go stale."""

from .models import Session


def cleanup_sessions() -> int:
    """Delete sessions 30 days after their last access (a daily schedule)."""
    return Session.objects.delete_expired()
