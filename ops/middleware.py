"""Middleware for the people who run lbstats: the operator endpoints, and a log line per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from lbstats import metrics

from . import views

log = logging.getLogger("lbstats.requests")

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": views.metrics,
}


class OperatorEndpointsMiddleware:
    """Answers `/healthz`, `/readyz` and `/metrics` first in the chain: before the host check (load
    balancers and Prometheus call a process by its IP address, which ALLOWED_HOSTS need not list),
    before sessions and authentication (a probe must touch no session), and before the request log
    (probes every few seconds would drown it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return endpoint(request)


class RequestLogMiddleware:
    """Counts every request by route template and status class; with LOG_JSON on, logs one line per
    request. The line names the route (`api/session/<uuid:session_id>/status`), never the path: a
    session's UUID in a path opens that session to whoever reads the log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        seconds = time.monotonic() - started
        route = route_of(request)
        metrics.HTTP_REQUESTS.labels(route, metrics.status_class(response.status_code)).inc()
        if settings.LOG_JSON:
            match = getattr(request, "resolver_match", None)
            log.info(
                "%s %s %s %.3fs",
                request.method,
                route,
                response.status_code,
                seconds,
                extra={
                    "event": "http_request",
                    "method": request.method,
                    "route": route,
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "seconds": round(seconds, 4),
                },
            )
        return response


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "/" + settings.STATIC_URL.lstrip("/")  # answered by WhiteNoise before URL resolution
    return "unmatched"
