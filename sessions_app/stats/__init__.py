"""Statistics of one upload, computed from its rows: plain functions, no HTTP.

`dashboard(session, year=None)` reads a session with three SQL queries whatever its size (the
films with their TMDB runtime and language, the diary, and the TMDB facets grouped, ranked and cut
in SQL) and aggregates the compact rows in Python.

- `rows`: the two row loaders;
- `rankings`: groups of the library by facet or bucket, most watched and highest rated;
- `sections`: the dashboard's sections and `dashboard()` itself;
- `cache`: the dashboard cached per data version, and the key the rendered page shares.
"""

from .cache import DASHBOARD_CACHE_SECONDS, cached_dashboard, dashboard_key
from .rankings import MIN_RATED, TOP_BILLED, Basis, Group, Ranking, people_index
from .sections import (
    BACKFILL_BATCH_VIEWINGS,
    BACKFILL_DAY_VIEWINGS,
    DRIFT_SHOWN,
    Dashboard,
    Time,
    dashboard,
    stars,
)

__all__ = [
    "BACKFILL_BATCH_VIEWINGS",
    "BACKFILL_DAY_VIEWINGS",
    "DASHBOARD_CACHE_SECONDS",
    "DRIFT_SHOWN",
    "MIN_RATED",
    "TOP_BILLED",
    "Basis",
    "Dashboard",
    "Group",
    "Ranking",
    "Time",
    "cached_dashboard",
    "dashboard",
    "dashboard_key",
    "people_index",
    "stars",
]
