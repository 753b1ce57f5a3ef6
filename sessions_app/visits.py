"""How the pages and the API reach a session: only by its public id, and only while it lives."""

from django.shortcuts import get_object_or_404

from .models import Session


def visit(public_id) -> Session:
    """The live session with this public id (404 otherwise); the visit pushes its expiry back."""
    session = get_object_or_404(Session.objects.active(), public_id=public_id)
    session.touch()
    return session
