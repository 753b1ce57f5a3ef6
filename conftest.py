"""Pytest fixtures shared by every app's tests. Helpers that are not fixtures: enrichment/tests/helpers.py,
sessions_app/tests/exports.py (exports built in memory) and sessions_app/tests/factories.py (rows)."""

from collections.abc import Iterator

import pytest

from enrichment.tmdb import reset_client
from enrichment.tmdb.double import TmdbDouble


@pytest.fixture
def tmdb_double(settings, tmp_path) -> Iterator[TmdbDouble]:
    """A TMDB double on loopback, with the settings (and the process-wide client) pointed at it."""
    with TmdbDouble() as double:
        settings.TMDB_API_URL = double.url
        settings.TMDB_READ_TOKEN = double.config.read_token
        settings.TMDB_API_KEY = double.config.api_key
        settings.TMDB_CACHE_PATH = str(tmp_path / "tmdb_cache.sqlite")
        # with REDIS_URL set the cache is shared: a per-test namespace keeps tests from answering each other
        settings.TMDB_CACHE_NAMESPACE = f"lbstats_tmdb_test_{double.port}_{id(double)}"
        settings.TMDB_BACKOFF_SECONDS = 0.01
        settings.TMDB_TIMEOUT = 2
        reset_client()
        yield double
        reset_client()


@pytest.fixture(autouse=True)
def fresh_throttle_counts(settings, request) -> None:
    """Every test starts with no request counted against any client's limits (all clients are 127.0.0.1)."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid},
    }
