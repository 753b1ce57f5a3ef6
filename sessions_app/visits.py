"""How the pages and the API reach a session: only by its public id, and only while it lives."""

from django.shortcuts import get_object_or_404

from .models import Session


def visit(public_id, fields: tuple[str, ...] = ()) -> Session:
    """The live session with this public id (404 otherwise); the visit pushes its expiry back. `fields`:
    read only these columns (they must include `last_accessed_at`, which the visit reads)."""
    sessions = Session.objects.active()
    session = get_object_or_404(sessions.only(*fields) if fields else sessions, public_id=public_id)
    session.touch()
    return session
