"""Statistics of one upload, computed from its rows: plain functions, no HTTP.

`dashboard(session, year=None)` reads a session with five SQL queries whatever its size (the
films with their TMDB facts, the diary, the TMDB facets grouped, ranked and cut in SQL, the
ranked people's photos and the collections) and aggregates the compact rows in Python.

- `definitions`: what each figure counts, as SQL conditions the explorer, the API and the people index share;
- `rows`: the two row loaders, and how a new section gets its rows without a query per film;
- `rankings`: groups of the library by facet or bucket, most watched and highest rated;
- `sections`: the dashboard's sections and `dashboard()` itself;
- `cache`: the dashboard cached per data version, and the key the rendered page shares.
"""

from . import vocabulary
from .cache import DASHBOARD_CACHE_SECONDS, cached_beside_dashboard, cached_dashboard, dashboard_key
from .definitions import (
    RUNTIME_BUCKETS,
    TOP_BILLED,
    DiaryCondition,
    MediaKind,
    Scope,
    explorer_query,
    scope_sentence,
    stars,
)
from .rankings import MIN_RATED, Group, Ranking, people_index
from .sections import (
    BACKFILL_BATCH_VIEWINGS,
    BACKFILL_DAY_VIEWINGS,
    DRIFT_SHOWN,
    Dashboard,
    FilmRef,
    Time,
    dashboard,
)

__all__ = [
    "BACKFILL_BATCH_VIEWINGS",
    "BACKFILL_DAY_VIEWINGS",
    "DASHBOARD_CACHE_SECONDS",
    "DRIFT_SHOWN",
    "MIN_RATED",
    "RUNTIME_BUCKETS",
    "TOP_BILLED",
    "DiaryCondition",
    "MediaKind",
    "Scope",
    "explorer_query",
    "Dashboard",
    "FilmRef",
    "Group",
    "Ranking",
    "Time",
    "cached_beside_dashboard",
    "cached_dashboard",
    "dashboard",
    "dashboard_key",
    "people_index",
    "scope_sentence",
    "stars",
    "vocabulary",
]
