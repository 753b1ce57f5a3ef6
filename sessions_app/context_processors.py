"""What every page's template needs to know about the running app."""

from django.conf import settings
from django.http import HttpRequest


def demo(request: HttpRequest) -> dict[str, bool]:
    """Demo mode: the base template says on every page that the TMDB data is made up."""
    return {"demo": settings.LBSTATS_DEMO}
