"""The dashboard, cached: two layers under one key.

1. The `Dashboard` object (`cached_dashboard()`), in Django's cache: the statistics are computed
   once per data version and shared by every page view and every process (file cache, or Redis).
   Its facet rankings (the library's, the same on every year's page) are kept beside it once per data version,
   so the year pages of a version after the first do not group the facets again.
2. The rendered HTML fragment, in the template (`{% cache ... dashboard_key %}` in session.html):
   a view that hits it never loads the `Dashboard` at all (the view hands the template a lazy object).

Both are keyed by `dashboard_key()`, which changes whenever anything the dashboard shows can have
changed, so neither layer is ever invalidated by hand. KEY_PREFIX carries a version: bump it when the
cached classes change shape or move, and old entries are simply never read again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, Max, Q

from enrichment.matching import MatchStatus

from ..models import Session
from .sections import Dashboard, dashboard

DASHBOARD_CACHE_SECONDS = 7 * 24 * 3600
KEY_PREFIX = "lbstats:dashboard:v5"
T = TypeVar("T")


def dashboard_key(session: Session, year: int | None = None) -> str:
    """A cache key that changes whenever anything the dashboard shows can have changed.

    The export changes only when a newer one is loaded into the session, which adds an entry to its
    upload history; identification changes (enrichment, re-runs, manual corrections) move the films'
    latest `enriched_at` or their counts. While a
    session is enriching, the key moves in steps of a twentieth of the films rather than on every
    film: the live progress bar carries the exact count, and a page view does not pay for a full
    recomputation each time a film arrives."""
    state = session.movies.aggregate(
        last=Max("enriched_at"),
        identified=Count("id", filter=Q(film__isnull=False)),
        pending=Count("id", filter=Q(match_status=MatchStatus.PENDING)),
        total=Count("id"),
    )
    if session.status == Session.Status.ENRICHING and state["pending"]:
        done = state["total"] - state["pending"]
        version = f"enriching:{20 * done // max(state['total'], 1)}"
    else:
        # the status too: the page words empty sections differently while films are still coming
        last = state["last"].timestamp() if state["last"] else 0
        version = f"{session.status}:{last}:{state['identified']}:{state['pending']}"
    switch = "without-tv-shorts" if session.leave_out_tv_shorts else "all-kinds"
    return f"{KEY_PREFIX}:{session.public_id}:{year}:{switch}:{len(session.uploads)}:{version}"


def cached_dashboard(session: Session, year: int | None = None, key: str | None = None) -> Dashboard:
    """`dashboard()`, kept in the cache under `dashboard_key()`. Enrichment warms it when it completes."""
    key = key or dashboard_key(session, year)
    latest_key = f"{KEY_PREFIX}:{session.public_id}:{year}:latest"
    result = cache.get(key)
    if result is not None:
        return result
    # One request recomputes; while it does, views of an enriching session get the previous step's
    # dashboard instead of all recomputing at once (on two cores, a pile-up of those starves every page).
    if session.status == Session.Status.ENRICHING and not cache.add(f"{key}:computing", 1, timeout=60):
        result = cache.get(latest_key)
        if result is not None:
            return result
    result = dashboard(session, year, partial(_kept, _rankings_key(key, session, year)))
    cache.set(key, result, timeout=DASHBOARD_CACHE_SECONDS)
    if session.status == Session.Status.ENRICHING:  # only read while enriching
        cache.set(latest_key, result, timeout=DASHBOARD_CACHE_SECONDS)
    return result


def _rankings_key(key: str, session: Session, year: int | None) -> str:
    """The facet rankings' key beside a page's `dashboard_key()`: the same for every year of one data version."""
    page = f":{session.public_id}:{year}:"
    return key.replace(page, f":{session.public_id}:rankings:", 1)


def _kept(key: str, compute: Callable[[], T]) -> T:
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=DASHBOARD_CACHE_SECONDS)
    return value


def cached_beside_dashboard(session: Session, year: int | None, name: str, compute: Callable[[], T]) -> T:
    """What `compute()` makes of the session's data (the explorer's choices, a year in review, its share
    image), kept under the dashboard's key: recomputed exactly when the dashboard is."""
    return _kept(f"{dashboard_key(session, year)}:{name}", compute)
