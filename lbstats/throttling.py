"""Per-client limits on what costs the site: uploads (kept for a month), re-enrichment and corrections
(TMDB's rate, shared by everyone), and admin logins (password hashing, django-axes).

One throttle serves the API (DRF views name a `throttle_scope`) and the HTML forms (`@throttled`),
with one count per client and scope across both. Rates come from settings.THROTTLE_RATES when a
request is counted (DRF's own scoped throttle binds them at import); counts live in the "throttle"
cache. A client is its address: X-Forwarded-For is believed only from TRUSTED_PROXIES proxies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

TOO_MANY = 429


class ScopedThrottle(SimpleRateThrottle):
    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self, scope: str | None = None) -> None:  # no super(): DRF's would look the rate up now
        self.scope_name = scope
        self.cache = caches["throttle"]  # DRF binds the default cache at import

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = self.scope_name or getattr(view, "throttle_scope", None)
        if scope is None:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        return settings.THROTTLE_RATES[str(self.scope)]

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def retry_after(seconds: float | None) -> str:
    return str(max(1, round(seconds or 1)))


def too_many_page(request: HttpRequest, seconds: float | None) -> HttpResponse:
    response = render(request, "sessions_app/too_many.html", {"seconds": retry_after(seconds)}, status=TOO_MANY)
    response["Retry-After"] = retry_after(seconds)
    return response


def throttled(scope: str) -> Callable:
    """For an HTML view: its POSTs count against `scope`, and past the rate answer 429 with Retry-After."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def counted(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                throttle = ScopedThrottle(scope)
                if not throttle.allow_request(request, None):
                    return too_many_page(request, throttle.wait())
            return view(request, *args, **kwargs)

        return counted

    return decorate


def admin_lockout(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    """django-axes' answer to a client past its failed logins: 429 with Retry-After, like every limit here."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    return too_many_page(request, cool_off.total_seconds())
