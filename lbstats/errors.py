"""Error answers: the API answers JSON, always; pages get the site's own error pages."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Also for API paths no route matches (an uppercase UUID, a negative id): still JSON."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    # unknown and expired addresses alike: a page that explains, and leads to a new upload
    return render(request, "404.html", {"lifetime_days": settings.SESSION_LIFETIME_DAYS}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)
