"""Share links: a session's owner opens its summary (the Year in Review) to anyone holding a random token,
and can close it again. Only live links of live sessions open; anything else is a 404, as an unknown token."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import share_image, stats
from .models import Session, ShareLink
from .stats.review import Review


def create_link(session: Session) -> ShareLink:
    return ShareLink.objects.create(session=session)


def revoke_link(session: Session, token: str) -> ShareLink:
    """Close one of the session's links (404 for a link of another session, so tokens cannot be probed)."""
    link = get_object_or_404(ShareLink, session=session, token=token)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def live_links(session: Session) -> list[ShareLink]:
    return list(session.share_links.filter(revoked_at__isnull=True))


def shared(token: str) -> ShareLink:
    """The live link with this token, with its session; 404 when revoked, expired or unknown."""
    link = ShareLink.objects.live().select_related("session").filter(token=token).first()
    if link is None:
        raise Http404("This share link does not exist or was revoked.")
    return link


def owner_name(session: Session) -> str:
    return f"{session.username}’s" if session.username else "Someone’s"


def card(session: Session, review: Review) -> bytes:
    """The share image of a review: its headline figures and top genres, drawn once per data version."""
    return stats.cached_beside_dashboard(session, review.year, "card", lambda: _draw(session, review))


def _draw(session: Session, review: Review) -> bytes:
    o = review.dashboard.overview
    figures = [("films", str(o.films))]
    if o.films_without_runtime < o.films:  # else no runtime is known: enrichment is off or has not run
        figures.append(("hours", str(o.hours)))
    figures += [("diary entries", str(o.entries)), ("reviews", str(o.reviewed)), ("liked", str(o.liked))]
    what = str(review.year) if review.year else "film life"  # as the page's heading says it
    return share_image.render(
        share_image.Card(
            title=f"{owner_name(session)} {what}",
            subtitle="on Letterboxd, in numbers by lbstats",
            figures=figures,
            bars_title="Top genres" + (f" of {review.year}" if review.year else ""),
            bars=[(g.name, g.films) for g in review.genres],
        )
    )
