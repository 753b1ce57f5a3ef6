"""Comparing with a friend: their lbstats link resolved to their upload, both sides' films loaded, and
`compare.py` computing on them. Nothing is stored: the comparison is made on each request from both uploads.

A friend's link is either their session's private address, which opens everything of it, or a share
link, which opens only their summary. Compared through a share link, their ratings still feed the figures
(correlation, compatibility: a summary of how two tastes meet, not of either), but the page names only
the films in common and your own favourites they have not seen, never a rating of theirs nor their
favourites, which the summary does not show either. And below MIN_RATED_THROUGH_SHARE films rated by
both, not even the figures: with two films in common, a correlation of −1 and your own two ratings say
which of the two they liked more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from uuid import UUID

from django.http import Http404

from . import compare
from .models import Session
from .sharing import shared
from .visits import visit

MIN_RATED_THROUGH_SHARE = 5
SESSION_LINK_RE = re.compile(r"/s/(?P<public_id>[0-9a-fA-F-]{36})(?:/|$)")
SHARE_LINK_RE = re.compile(r"/share/(?P<token>[A-Za-z0-9_-]{16,64})(?:/|$)")


class FriendLinkError(ValueError):
    """A pasted link that leads to no upload, said in words for the page."""


@dataclass
class Friend:
    session: Session
    via_share: bool  # only their shared summary was given: their ratings are not shown


def friend_from_link(link: str, me: Session) -> Friend:
    text = link.strip()
    if not text:
        raise FriendLinkError("Paste your friend’s lbstats link: the address of their statistics, or a share link.")
    try:
        if found := SESSION_LINK_RE.search(text):
            friend = Friend(visit(UUID(found["public_id"])), via_share=False)
        elif found := SHARE_LINK_RE.search(text):
            friend = Friend(shared(found["token"]).session, via_share=True)
        else:
            raise FriendLinkError(
                "That is not an lbstats link: it should contain /s/ followed by an upload’s id, or /share/ and a token."
            )
    except (Http404, ValueError) as exc:
        if isinstance(exc, FriendLinkError):
            raise
        raise FriendLinkError("No upload answers at that link: it may have expired or been revoked.") from exc
    if friend.session.pk == me.pk:
        raise FriendLinkError("That is your own upload: paste your friend’s link.")
    return friend


def films_of(session: Session) -> list[compare.Film]:
    """The session's watched films as the comparison reads them (a film counts as identified as everywhere else)."""
    rows = session.movies.filter(watched=True).values_list(
        "title", "year", "film_id", "match_status", "letterboxd_uri", "rating", "film__poster_path"
    )
    identified = set(session.movies.model.IDENTIFIED)
    return [
        compare.Film(title, year, film_id if status in identified else None, uri, rating, poster or "")
        for title, year, film_id, status, uri, rating, poster in rows.order_by("title", "id")
    ]


def comparison(me: Session, friend: Friend) -> compare.Comparison:
    result = compare.compare(films_of(me), films_of(friend.session))
    if friend.via_share and result.rated_both < MIN_RATED_THROUGH_SHARE:
        return replace(result, correlation=None, compatibility=None)
    return result
