"""How the pages and the API reach a session: only by its public id, and only while it lives."""

from django.shortcuts import get_object_or_404

from .models import Session


def visit(public_id, defer: tuple[str, ...] = ()) -> Session:
    """The live session with this public id (404 otherwise); the visit pushes its expiry back. `defer`
    leaves columns unread that the caller does not need (read on access if it does)."""
    session = get_object_or_404(Session.objects.active().defer(*defer), public_id=public_id)
    session.touch()
    return session
