"""Pages for the year in review, its public share links and share image, and a comparison with a friend.

The private pages live under the session's address (`/s/<id>/...`); the public ones under `/share/<token>/`,
which carry the summary only: no link into the session, and never its id (the share page's template takes
no session at all).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from enrichment import services as enrichment
from lbstats.throttling import throttled

from . import compare, sharing
from .friends import MIN_RATED_THROUGH_SHARE, FriendLinkError, comparison, friend_from_link
from .letterboxd import FIRST_YEAR, LAST_YEAR
from .models import Session
from .stats.review import cached_review
from .visits import visit

SHARE_IMAGE_CACHE_SECONDS = 300


def _checked_year(year: int | None) -> int | None:
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No such year.")
    return year


@require_safe
def review(request: HttpRequest, public_id: UUID, year: int | None = None) -> HttpResponse:
    """The owner's Year in Review (or all time): figures link to the explorer; share links are made here."""
    session = visit(public_id)
    story = cached_review(session, _checked_year(year))
    return render(
        request,
        "sessions_app/review.html",
        {
            "session": session,
            "review": story,
            "years": story.dashboard.years,
            "enrichment": enrichment.enrichment_state(session),
            "share_links": sharing.live_links(session),
        },
    )


@require_POST
@throttled("shares")
def share_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = visit(public_id)
    sharing.create_link(session)
    messages.success(request, "Your share link is ready. Anyone holding it sees your summary, and nothing else.")
    return redirect(_back(request, session))


@require_POST
@throttled("shares")
def share_revoke(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    session = visit(public_id)
    sharing.revoke_link(session, token)
    messages.success(request, "That share link is closed: it now answers “not found”.")
    return redirect(_back(request, session))


def _back(request: HttpRequest, session: Session) -> str:
    """The review page the form was posted from (its year rides along as a field)."""
    year = request.POST.get("year", "")
    if year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR:
        return reverse("sessions_app:review_year", args=[session.public_id, int(year)]) + "#share"
    return reverse("sessions_app:review", args=[session.public_id]) + "#share"


@require_safe
def shared_review(request: HttpRequest, token: str, year: int | None = None) -> HttpResponse:
    link = sharing.shared(token)
    story = cached_review(link.session, _checked_year(year))
    image_path = (
        reverse("sessions_app:share_image_year", args=[token, year])
        if year
        else reverse("sessions_app:share_image", args=[token])
    )
    return render(
        request,
        "sessions_app/shared.html",
        {
            "token": token,
            "owner": sharing.owner_name(link.session),
            "review": story,
            "years": story.dashboard.years,
            "image_url": request.build_absolute_uri(image_path),
            "page_url": request.build_absolute_uri(request.path),
        },
    )


@require_safe
def share_image(request: HttpRequest, token: str, year: int | None = None) -> HttpResponse:
    link = sharing.shared(token)
    png = sharing.card(link.session, cached_review(link.session, _checked_year(year)))
    response = HttpResponse(png, content_type="image/png")
    # not longer than this: a revoked link's image must stop being served soon after
    response["Cache-Control"] = f"public, max-age={SHARE_IMAGE_CACHE_SECONDS}"
    return response


@require_http_methods(["GET", "HEAD"])
def compare_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Your films against a friend's, from their link in the query string (`?with=`): computed on each request,
    stored nowhere."""
    session = visit(public_id)
    link = request.GET.get("with", "")
    context: dict = {"session": session, "link": link}
    try:
        friend = friend_from_link(link, session)
    except FriendLinkError as exc:
        return render(request, "sessions_app/compare.html", {**context, "error": str(exc)}, status=400)
    context.update(
        friend=friend,
        friend_name=friend.session.username or "your friend",
        result=comparison(session, friend),
        how=compare.COMPATIBILITY,
        min_rated_through_share=MIN_RATED_THROUGH_SHARE,
    )
    return render(request, "sessions_app/compare.html", context)
