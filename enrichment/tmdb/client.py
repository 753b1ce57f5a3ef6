"""TMDB API v3 client: cached, rate limited, retrying, and careful with the secret.

Layers, outermost first:
- `TmdbClient._get` retries: 429 → wait `Retry-After` (or back off) with the whole process paused,
  5xx / timeouts / dropped connections → bounded retries with backoff, 401 → `TmdbAuthError` at once.
- requests-cache answers repeats from SQLite (or Redis) for `TMDB_CACHE_DAYS`; only 200s are stored.
- `_NetworkAdapter`, called by requests-cache only on a miss, so cache hits spend nothing: it caps
  requests in flight, waits for the rate limiter, counts, and adds the credentials to its own copy
  of the request. Everything above it (cache keys, cache rows, requests-cache's debug logs,
  exceptions) only ever sees the URL without `api_key` and no Authorization header.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import redis
import requests
import requests_cache
from django.conf import settings
from django.db.models import TextChoices
from requests.adapters import HTTPAdapter

from lbstats import metrics

from .ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter

logger = logging.getLogger(__name__)

# 429 says "slow down", not "broken": allow many more of them than of real failures. Each one
# pauses the whole process for Retry-After, so this bounds a request's wait at a few minutes.
MAX_RATE_LIMITED_ATTEMPTS = 30
MAX_BACKOFF_SECONDS = 30.0
# A Retry-After beyond this is a misconfigured proxy rather than advice worth a stalled worker.
MAX_RETRY_AFTER_SECONDS = 120.0


class MediaType(TextChoices):
    """What a TMDB id names: ids are unique only within a kind (movie 1399 is not tv 1399)."""

    MOVIE = "movie", "Movie"
    TV = "tv", "TV series"


class TmdbError(Exception):
    """A TMDB failure whose message is safe to show a user: it never holds the key or the token."""


class TmdbAuthError(TmdbError):
    """TMDB rejected the credentials (401): retrying cannot help, the configuration must change."""


class TmdbNotFound(TmdbError):
    """No such movie or series (404)."""


class TmdbUnavailable(TmdbError):
    """TMDB kept failing (429s, 5xx, timeouts, dropped connections) until the retries ran out."""


class TmdbTooSlow(TmdbUnavailable):
    """TMDB did not answer within the time a caller could wait (a person waiting on a page)."""


def credentials_configured() -> bool:
    return bool(settings.TMDB_READ_TOKEN or settings.TMDB_API_KEY)


class _RedactApiKey(logging.Filter):
    """urllib3 logs each request line at DEBUG, query string (and so api_key) included."""

    pattern = re.compile(r"(api_key=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message:
            record.msg, record.args = self.pattern.sub(r"\1[redacted]", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactApiKey())


class _NetworkAdapter(HTTPAdapter):
    def __init__(self, client: TmdbClient, concurrency: int) -> None:
        super().__init__(pool_connections=1, pool_maxsize=concurrency, pool_block=True)
        self._client = client
        self._in_flight = threading.BoundedSemaphore(concurrency)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        client = self._client
        url = request.url
        assert url is not None  # set by prepare_url; requests' own HTTPAdapter.send asserts the same
        with_secret = request.copy()
        if client.read_token:
            with_secret.headers["Authorization"] = f"Bearer {client.read_token}"
        elif client.api_key:
            with_secret.prepare_url(url, {"api_key": client.api_key})
        with self._in_flight:
            client.limiter.acquire()
            client._count_sent()
            try:
                response = super().send(with_secret, **kwargs)
                _ = response.content  # read in the slot, so the connection is back in the pool for the next
            except requests.RequestException as exc:
                # requests' messages quote the full URL; raise the same kind with the path only
                raise type(exc)(f"{type(exc).__name__} on {urlsplit(url).path}") from None
        # what requests-cache stores and logs: the request as it was before the secret went in
        response.request, response.url = request, url
        return response


class TmdbClient:
    """Thread-safe: one instance serves every thread of a process (see `get_client`)."""

    def __init__(
        self,
        *,
        base_url: str,
        read_token: str = "",
        api_key: str = "",
        cache_path: str = "",
        redis_url: str = "",
        cache_days: int = 30,
        cache_namespace: str = "lbstats_tmdb",
        rate_limit: float = 40.0,
        concurrency: int = 8,
        timeout: float = 10.0,
        max_retries: int = 5,
        backoff_seconds: float = 0.5,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.read_token = read_token
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.limiter: RateLimiter = limiter or (
            RedisRateLimiter(redis_url, rate_limit) if redis_url else LocalRateLimiter(rate_limit)
        )
        self._sent = 0
        self._sent_lock = threading.Lock()
        if redis_url:
            backend: requests_cache.BaseCache = requests_cache.RedisCache(
                namespace=cache_namespace, connection=redis.Redis.from_url(redis_url)
            )
        else:
            backend = requests_cache.SQLiteCache(cache_path, wal=True)
        self._session = requests_cache.CachedSession(
            backend=backend,
            expire_after=timedelta(days=cache_days),
            cache_control=False,  # TMDB says max-age=300 even on errors; our expiry rules
            allowable_codes=(200,),
            allowable_methods=("GET",),
            # replaces requests-cache's default list, so both secrets must be named
            ignored_parameters=["api_key", "Authorization"],
            stale_if_error=False,
        )
        self._session.headers["Accept"] = "application/json"
        adapter = _NetworkAdapter(self, concurrency)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    @classmethod
    def from_settings(cls) -> TmdbClient:
        return cls(
            base_url=settings.TMDB_API_URL,
            read_token=settings.TMDB_READ_TOKEN,
            api_key=settings.TMDB_API_KEY,
            cache_path=settings.TMDB_CACHE_PATH,
            redis_url=settings.REDIS_URL,
            cache_days=settings.TMDB_CACHE_DAYS,
            cache_namespace=settings.TMDB_CACHE_NAMESPACE,
            rate_limit=settings.TMDB_RATE_LIMIT,
            concurrency=settings.TMDB_CONCURRENCY,
            timeout=settings.TMDB_TIMEOUT,
            max_retries=settings.TMDB_MAX_RETRIES,
            backoff_seconds=settings.TMDB_BACKOFF_SECONDS,
        )

    @property
    def requests_sent(self) -> int:
        """Requests that went to the network: cache hits excluded, retries included."""
        return self._sent

    def _count_sent(self) -> None:
        with self._sent_lock:
            self._sent += 1

    def close(self) -> None:
        self._session.close()

    # --- endpoints ---------------------------------------------------------------------------------
    def search_movie(
        self, query: str, *, year: int | None = None, primary_release_year: int | None = None
    ) -> list[dict]:
        """First page (20 results) in TMDB's relevance order; `year` matches any release date."""
        params = {
            "query": query,
            "include_adult": "false",
            "page": 1,
            "year": year,
            "primary_release_year": primary_release_year,
        }
        return self._get("/search/movie", params)["results"]

    def search_tv(self, query: str, *, first_air_date_year: int | None = None) -> list[dict]:
        params = {"query": query, "include_adult": "false", "page": 1, "first_air_date_year": first_air_date_year}
        return self._get("/search/tv", params)["results"]

    def details(self, media_type: str, tmdb_id: int, within: float | None = None) -> dict:
        """A film's or series' details with its credits and keywords appended: one request (retries included,
        given up after `within` seconds when a person waits for it)."""
        path = f"/{MediaType(media_type).value}/{int(tmdb_id)}"
        return self._get(path, {"append_to_response": "credits,keywords"}, within)

    def collection(self, collection_id: int) -> dict:
        """A collection (franchise) with its parts, each a movie search item with its release date."""
        return self._get(f"/collection/{int(collection_id)}")

    def configuration(self, within: float | None = None) -> dict:
        return self._get("/configuration", within=within)

    # --- transport ---------------------------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any] | None = None, within: float | None = None) -> dict:
        """One endpoint's answer, retried on TMDB's passing failures; with `within`, all of it (waits for
        the rate limit and retries too) takes at most that many seconds, else TmdbTooSlow."""
        if params is not None and "query" in params and not str(params["query"]).strip():
            raise ValueError("a TMDB search needs a query")  # TMDB answers 422: never send one
        params = {k: v for k, v in (params or {}).items() if v is not None}
        deadline = None if within is None else time.monotonic() + within
        failures = rate_limited = 0
        while True:
            timeout = self.timeout if deadline is None else min(self.timeout, self._left(deadline, within))
            try:
                response = self._session.get(self.base_url + path, params=params, timeout=timeout)
            except requests.Timeout:
                metrics.count_tmdb_failure(path, "timeout")
                problem = f"no answer within {timeout:g}s"
            except requests.RequestException:  # refused, dropped, or cut off mid-body
                metrics.count_tmdb_failure(path, "connection_error")
                problem = "the connection failed"
            else:
                status = response.status_code
                metrics.count_tmdb_answer(path, status, response.from_cache)
                if status == 200:
                    return response.json()
                if status == 401:
                    raise TmdbAuthError(self._auth_help(response))
                if status == 404:
                    raise TmdbNotFound(f"TMDB has nothing at {path}.")
                if status == 429:
                    rate_limited += 1
                    if rate_limited >= MAX_RATE_LIMITED_ATTEMPTS:
                        raise TmdbUnavailable(
                            f"TMDB kept rate limiting {path} ({rate_limited} times); try again later."
                        )
                    delay = _retry_after(response) or self._backoff(rate_limited)
                    if deadline is not None:
                        self._left(deadline - delay, within)
                    logger.warning("TMDB rate limited %s: pausing all requests for %.2fs", path, delay)
                    self.limiter.pause(delay)  # the next acquire() waits it out
                    continue
                if status < 500:
                    raise TmdbError(f"TMDB refused {path} (HTTP {status}): {self._scrub(_status_message(response))}")
                problem = f"HTTP {status}"
            failures += 1
            if failures > self.max_retries:
                raise TmdbUnavailable(f"TMDB is unavailable: {path} failed {failures} times, last with {problem}.")
            delay = self._backoff(failures)
            if deadline is not None:
                self._left(deadline - delay, within)
            logger.warning("TMDB %s: %s; retry %d/%d in %.2fs", path, problem, failures, self.max_retries, delay)
            time.sleep(delay)

    @staticmethod
    def _left(deadline: float, within: float | None) -> float:
        """Seconds left before `deadline`; TmdbTooSlow once none are."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TmdbTooSlow(f"TMDB did not answer within {within:g} s; try again in a moment.")
        return left

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter, so threads that failed together do not retry together."""
        ceiling = min(MAX_BACKOFF_SECONDS, self.backoff_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _auth_help(self, response: requests.Response) -> str:
        used = (
            "read access token (TMDB_READ_TOKEN)"
            if self.read_token
            else ("API key (TMDB_API_KEY)" if self.api_key else "request without credentials")
        )
        return (
            f"TMDB rejected the {used}: {self._scrub(_status_message(response))} "
            "Set TMDB_READ_TOKEN to your API Read Access Token (preferred) or TMDB_API_KEY to your API key, "
            "both shown at https://www.themoviedb.org/settings/api, then restart lbstats and its worker."
        )

    def _scrub(self, text: str) -> str:
        for secret in (self.read_token, self.api_key):
            if secret:
                text = text.replace(secret, "[redacted]")
        return text


def _status_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("status_message", ""))
    except ValueError:
        return ""


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (delta or HTTP date), None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


_client: TmdbClient | None = None
_client_lock = threading.Lock()


def get_client() -> TmdbClient:
    """The process-wide client: one limiter and one connection pool for every thread."""
    global _client
    with _client_lock:
        if _client is None:
            _client = TmdbClient.from_settings()
        return _client


def reset_client() -> None:
    global _client
    with _client_lock:
        if _client is not None:
            _client.close()
        _client = None
