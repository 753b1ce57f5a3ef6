"""Content-Security-Policy for every response: Django 5.2 has no setting for it (6.0 adds one)."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    """settings.SECURE_CSP as a header value, with TMDB's image host (wherever it is configured)
    allowed for posters."""
    directives = {name: list(sources) for name, sources in settings.SECURE_CSP.items()}
    images = urlsplit(settings.TMDB_IMAGE_BASE_URL)
    if images.scheme and images.netloc:
        directives.setdefault("img-src", []).append(f"{images.scheme}://{images.netloc}")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
