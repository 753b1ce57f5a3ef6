"""The TMDB wire: the client (cache, rate limit, retries, secrecy), and beside it the test double that
speaks TMDB's shapes on loopback with its catalogue. Pure code: no model, no service."""

from .client import (
    MediaType,
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbNotFound,
    TmdbTooSlow,
    TmdbUnavailable,
    credentials_configured,
    get_client,
    reset_client,
)

__all__ = [
    "MediaType",
    "TmdbAuthError",
    "TmdbClient",
    "TmdbError",
    "TmdbNotFound",
    "TmdbTooSlow",
    "TmdbUnavailable",
    "credentials_configured",
    "get_client",
    "reset_client",
]
