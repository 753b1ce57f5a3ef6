"""The staff status page in the admin: workers, queue, sessions enriching, TMDB's pace, recent failures.

The one page an operator opens when something looks wrong. The retry button calls the same
`reenrich` as the admin action, the API and `manage.py enrich --retry-unmatched`.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from prometheus_client.multiprocess import MultiProcessCollector

from enrichment.matching import MatchStatus
from enrichment.services import TmdbError, reenrich
from sessions_app.models import Movie, Session

from . import workers

log = logging.getLogger(__name__)

FAILURE_WINDOW = timedelta(hours=1)
MAX_ROWS = 200  # per table: a status page, not a report
RATE_SAMPLES_KEY = "ops:tmdb-request-samples"
RATE_WINDOW_SECONDS = 60.0
# "/movie/603" in an error names one film; grouped by reason, it is "/movie/{id}".
_ID_IN_PATH = re.compile(r"/\d+\b")


@dataclass
class FailureGroup:
    reason: str
    films: list[Movie] = field(default_factory=list)


@dataclass
class EnrichingSession:
    session: Session
    total: int
    settled: int
    started_age: float | None
    heartbeat_age: float | None

    @property
    def percent(self) -> float:
        return round(100 * self.settled / self.total, 1) if self.total else 100.0


@staff_member_required
def status_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        **admin.site.each_context(request),
        "title": "lbstats status",
        "now": now,
        "enriching": enriching_sessions(now),
        "failures": (groups := failures(now)),
        "failed_per_session": sorted(Counter(m.session_id for g in groups for m in g.films).items()),
        "failed_sessions": Session.objects.filter(
            status=Session.Status.FAILED, enrichment_finished_at__gte=now - FAILURE_WINDOW
        )[:MAX_ROWS],
        "tmdb_limit": settings.TMDB_RATE_LIMIT,
        "tmdb_rate": tmdb_rate(tmdb_requests_total(), time.time()),
        "window_minutes": int(FAILURE_WINDOW.total_seconds() // 60),
    }
    try:
        context["clusters"] = [(c, ago(now, c.heartbeat)) for c in workers.clusters()]
        context["queue"] = workers.queue()
    except Exception as exc:  # the broker being down is exactly when this page gets opened
        log.warning("status page: broker unreadable (%s)", type(exc).__name__)
        context["broker_error"] = f"The broker cannot be read ({type(exc).__name__})."
    return render(request, "admin/ops/status.html", context)


@staff_member_required
@require_POST
def retry_failed(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=session_pk)
    try:
        done = reenrich(session)
    except TmdbError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Session {session.pk}: {done.message}")
    return redirect("ops-status")


def ago(now: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def enriching_sessions(now: datetime) -> list[EnrichingSession]:
    sessions = list(
        Session.objects.filter(status=Session.Status.ENRICHING).order_by("enrichment_started_at")[:MAX_ROWS]
    )
    counts: dict[int, dict[str, int]] = {s.pk: {} for s in sessions}
    rows = (
        Movie.objects.filter(session__in=sessions)
        .order_by()
        .values_list("session_id", "match_status")
        .annotate(n=Count("id"))
    )
    for session_id, status, n in rows:
        counts[session_id][status] = n
    return [
        EnrichingSession(
            session=s,
            total=sum(counts[s.pk].values()),
            settled=sum(counts[s.pk].values()) - counts[s.pk].get(MatchStatus.PENDING, 0),
            started_age=ago(now, s.enrichment_started_at),
            heartbeat_age=ago(now, s.enrichment_heartbeat),
        )
        for s in sessions
    ]


def failures(now: datetime) -> list[FailureGroup]:
    """Films whose identification failed within the window, grouped by reason, most frequent first."""
    failed = (
        Movie.objects.filter(match_status=MatchStatus.FAILED, enriched_at__gte=now - FAILURE_WINDOW)
        .select_related("session")
        .order_by("-enriched_at")[:MAX_ROWS]
    )
    groups: dict[str, FailureGroup] = {}
    for movie in failed:
        reason = _ID_IN_PATH.sub("/{id}", movie.match_error) or "no reason recorded"
        groups.setdefault(reason, FailureGroup(reason)).films.append(movie)
    return sorted(groups.values(), key=lambda g: -len(g.films))


def tmdb_requests_total() -> float:
    """Requests every process has sent to TMDB, summed from the metrics directory."""
    collector = MultiProcessCollector(None, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return sum(
        sample.value
        for metric in collector.collect()
        if metric.name == "lbstats_tmdb_requests"
        for sample in metric.samples
        if sample.name == "lbstats_tmdb_requests_total"
    )


def tmdb_rate(total: float, now: float) -> float | None:
    """Requests per second to TMDB over the last minute, from the request counter sampled at each view
    (kept in the shared cache, so any web process continues the series). None until two samples exist."""
    samples = [(t, n) for t, n in cache.get(RATE_SAMPLES_KEY, []) if 0 <= now - t <= RATE_WINDOW_SECONDS]
    cache.set(RATE_SAMPLES_KEY, [*samples, (now, total)][-30:], int(RATE_WINDOW_SECONDS * 2))
    if not samples or now - samples[0][0] < 1:
        return None
    first_time, first_total = samples[0]
    return max(0.0, (total - first_total) / (now - first_time))  # a wiped metrics directory restarts the counter
