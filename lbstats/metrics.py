"""What lbstats counts for Prometheus: the metric definitions and the few helpers that feed them.

Pure code: it imports prometheus-client and nothing of lbstats, so the TMDB wire, the models and
the worker can all count without importing upwards. What the database knows (sessions by status,
queue depth) is not counted here but read at scrape time by the collector in `ops.views`.

Several processes (gunicorn workers, django-q2 workers) count at once. prometheus-client's
multiprocess mode keeps each process's values in memory-mapped files under
PROMETHEUS_MULTIPROC_DIR (set by the settings before this module is imported), and `/metrics`
sums every file. So only counters and histograms live here: their sums stay right after a process
dies, where a per-process gauge would not.

Labels hold fixed vocabularies or URL templates (`/movie/{id}`), never ids, query strings or
credentials: a label value is kept for ever by Prometheus and shown to whoever can scrape.
"""

from __future__ import annotations

import re

from prometheus_client import Counter, Histogram

TMDB_REQUESTS = Counter(
    "lbstats_tmdb_requests",
    "Requests sent to TMDB over the network (cache hits excluded, retries included), by endpoint template and outcome.",
    ["endpoint", "outcome"],
)
TMDB_CACHE = Counter(
    "lbstats_tmdb_cache_lookups",
    "TMDB lookups answered by the HTTP cache (hit) or sent to the network (miss).",
    ["result"],
)
FILMS_IDENTIFIED = Counter(
    "lbstats_films_identified",
    "Films settled by enrichment, by verdict and by where the answer came from (tmdb, or memory of an earlier session).",
    ["verdict", "source"],
)
ENRICHMENT_FILM_SECONDS = Histogram(
    "lbstats_enrichment_film_seconds",
    "Seconds to identify one film on TMDB (search and details, rate-limit waits and retries included).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
IMPORT_SECONDS = Histogram(
    "lbstats_import_seconds",
    "Seconds to parse and store one Letterboxd export.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
IMPORT_ROWS = Counter(
    "lbstats_import_rows",
    "Rows stored by imports: films and diary entries.",
    ["kind"],
)
HTTP_REQUESTS = Counter(
    "lbstats_http_requests",
    "HTTP requests answered, by URL route template and status class.",
    ["route", "status"],
)

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def endpoint(path: str) -> str:
    """The endpoint's template: numeric ids become `{id}` (`/movie/603` → `/movie/{id}`); no query string."""
    return _ID_SEGMENT.sub("/{id}", path.split("?", 1)[0])


def tmdb_outcome(status: int) -> str:
    """TMDB's answers as the operator reads them: the codes that mean something apart, 5xx as one."""
    if status >= 500:
        return "5xx"
    if status in (200, 401, 404, 429):
        return str(status)
    return "4xx" if status >= 400 else "other"


def count_tmdb_answer(path: str, status: int, from_cache: bool) -> None:
    """One answer from the client's HTTP layer: a cache hit, or a network request and what it got."""
    if from_cache:
        TMDB_CACHE.labels("hit").inc()
        return
    TMDB_CACHE.labels("miss").inc()
    TMDB_REQUESTS.labels(endpoint(path), tmdb_outcome(status)).inc()


def count_tmdb_failure(path: str, outcome: str) -> None:
    """A network request that got no answer: `timeout` or `connection_error` (refused, dropped, cut off)."""
    TMDB_CACHE.labels("miss").inc()
    TMDB_REQUESTS.labels(endpoint(path), outcome).inc()


def count_import(seconds: float, films: int, diary_entries: int) -> None:
    IMPORT_SECONDS.observe(seconds)
    IMPORT_ROWS.labels("films").inc(films)
    IMPORT_ROWS.labels("diary").inc(diary_entries)


def status_class(status: int) -> str:
    return f"{status // 100}xx"
