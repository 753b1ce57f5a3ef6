"""The operator's endpoints: `/healthz`, `/readyz` and `/metrics` (answered by `ops.middleware`).

`/metrics` is prometheus-client's text format: what every process counted (summed from the
multiprocess directory, see `lbstats.metrics`) plus what the database and the broker know at this
moment, read by `StateCollector` at scrape time. It is served only to the addresses in
METRICS_ALLOWED_IPS or to a request bearing METRICS_TOKEN.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from sessions_app.models import Session

from . import health, workers

log = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else, so a slow database never gets it restarted."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks = health.readiness()
    failing = [name for name, result in checks.items() if result != "ok"]
    if failing:
        return JsonResponse({"status": "not ready", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ready", "checks": checks})


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics are served to the addresses in METRICS_ALLOWED_IPS, or with METRICS_TOKEN.\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def registry() -> CollectorRegistry:
    """A registry for one scrape: every process's counters from the directory, and the state right now."""
    scrape = CollectorRegistry()
    MultiProcessCollector(scrape, path=settings.PROMETHEUS_MULTIPROC_DIR)
    scrape.register(StateCollector())
    return scrape


class StateCollector(Collector):
    """Gauges read when scraped. A part that cannot be read (database or broker down) is left out
    and reported as `lbstats_state_up{part} 0`, so the counters are still served."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "lbstats_state_up", "Whether this part's state could be read for this scrape.", labels=["part"]
        )
        for part, read in (("sessions", self.sessions), ("queue", self.queue), ("workers", self.workers)):
            try:
                yield from list(read())
            except Exception as exc:
                log.warning("metrics: %s state unreadable (%s)", part, type(exc).__name__)
                up.add_metric([part], 0)
            else:
                up.add_metric([part], 1)
        yield up
        yield GaugeMetricFamily(
            "lbstats_tmdb_rate_limit_requests_per_second",
            "TMDB_RATE_LIMIT: requests per second the workers may send to TMDB together.",
            value=settings.TMDB_RATE_LIMIT,
        )

    def sessions(self) -> Iterator[Metric]:
        counts = dict.fromkeys(Session.Status.values, 0)
        counts.update(Session.objects.order_by().values_list("status").annotate(n=Count("id")))
        family = GaugeMetricFamily("lbstats_sessions", "Sessions by status.", labels=["status"])
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family

    def queue(self) -> Iterator[Metric]:
        queue = workers.queue()
        yield GaugeMetricFamily("lbstats_queue_depth", "Tasks waiting in the django-q2 queue.", value=queue.depth)
        yield GaugeMetricFamily(
            "lbstats_queue_oldest_task_age_seconds",
            "Seconds the oldest queued task has waited (0 when the queue is empty).",
            value=queue.oldest_age,
        )

    def workers(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "lbstats_worker_clusters", "django-q2 clusters (qcluster processes) alive.", value=len(workers.clusters())
        )
