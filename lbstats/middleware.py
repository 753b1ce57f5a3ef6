"""Content-Security-Policy for every response: Django 5.2 has no setting for it (6.0 adds one)."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from enrichment import services as enrichment


def content_security_policy(image_base: str) -> str:
    """settings.SECURE_CSP as a header value, with TMDB's image host (wherever TMDB's configuration puts it)
    allowed for posters and headshots."""
    directives = {name: list(sources) for name, sources in settings.SECURE_CSP.items()}
    images = urlsplit(image_base)
    if images.scheme and images.netloc:
        directives.setdefault("img-src", []).append(f"{images.scheme}://{images.netloc}")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # the image base is read per response (memoised): TMDB's configuration can move it
        response.headers.setdefault("Content-Security-Policy", content_security_policy(enrichment.image_base()))
        return response
