"""A safe request whose database connection is lost mid-flight (a restart, a failover, a proxy that
cut it) is answered from a fresh connection instead of a 500.

Django checks a kept connection when a request starts (CONN_HEALTH_CHECKS); this covers the ones
that die after that check. Only GET, HEAD and OPTIONS are retried, once: they change nothing that a
second run would change again."""

from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRIED = "_lbstats_retried_on_fresh_connection"


def lost_connection(exc: Exception) -> bool:
    """The error is the connection's, not the query's: some connection is no longer usable."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    return any(conn.connection is not None and not conn.is_usable() for conn in connections.all())


class RetryOnLostConnectionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.method not in SAFE_METHODS or getattr(request, RETRIED, False):
            return None
        if not lost_connection(exception) or request.resolver_match is None:
            return None
        setattr(request, RETRIED, True)
        for conn in connections.all():
            try:
                conn.close()  # the next query opens a fresh connection
            except DatabaseError:
                pass  # closing a dead connection may itself fail; it is gone either way
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        return response
