"""A loopback HTTP server that answers like TMDB API v3, for tests, demos and benchmarks.

It speaks TMDB's shapes (search items, details with appended credits, error bodies, 429s) over
a real socket, so the client's retries, rate limiting and caching are exercised for real. Faults
(5xx, dropped connections, stalls) and a sliding-window rate limit are injected on demand, and
counters say what reached it. A double started in another process (`manage.py tmdb_double`) is
read and steered over HTTP under `/__double__/`:

    GET  /__double__/stats[?arrivals=1]   counters (and every request's arrival time)
    POST /__double__/reset                zero the counters
    POST /__double__/config               JSON object of `DoubleConfig` fields to change
"""

from __future__ import annotations

import json
import math
import random
import re
import select
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .catalogue import MOVIE_GENRES, TV_GENRES, Catalogue, CatalogueMovie, builtin_catalogue, demo_film
from .images import WIDTHS, picture

FAULT_KINDS = ("500", "503", "drop", "stall", "truncate")
PAGE_SIZE = 20
MAX_PAGE = 500

CONFIGURATION: dict[str, Any] = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": [
        "adult",
        "air_date",
        "also_known_as",
        "alternative_titles",
        "biography",
        "birthday",
        "budget",
        "cast",
        "crew",
        "genres",
        "imdb_id",
        "original_title",
        "overview",
        "release_dates",
        "revenue",
        "runtime",
        "spoken_languages",
        "title",
    ],
}

# (HTTP status, TMDB status_code, status_message)
INVALID_KEY = (401, 7, "Invalid API key: You must be granted a valid key.")
NOT_FOUND = (404, 34, "The resource you requested could not be found.")
BAD_PAGE = (400, 22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.")
FAULT_BODIES = {
    "500": (500, 11, "Internal error: Something went wrong, contact TMDb."),
    "503": (503, 9, "Service offline: This service is temporarily offline, try again later."),
}


@dataclass(frozen=True)
class DoubleConfig:
    api_key: str = "double-api-key"  # accepted as ?api_key=
    read_token: str = "double-read-token"  # accepted as Authorization: Bearer
    latency: float = 0.0  # seconds added to every answer
    rate_limit: float = 0.0  # answered requests per sliding second; 0 = unlimited
    bare_429: bool = False  # today's CDN: a 429 with neither Retry-After nor a JSON body
    fault_rate: float = 0.0  # share of admitted requests that get one of `faults`
    faults: tuple[str, ...] = FAULT_KINDS
    stall_seconds: float = 30.0  # a "stall" holds the request this long, then drops it
    # Demo mode: a film search for a title the catalogue does not know answers a made-up film of that title
    # and year (`catalogue.demo_film`), so a person's own export is identified in seconds.
    demo: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "faults", tuple(self.faults))
        if unknown := set(self.faults) - set(FAULT_KINDS):
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        if not 0 <= self.fault_rate <= 1:
            raise ValueError("fault_rate must be between 0 and 1")


@dataclass(frozen=True)
class Arrival:
    at: float  # time.monotonic() in the double's process
    kind: str  # search_movie, movie, search_tv, tv, collection, configuration, genres, other
    status: int  # HTTP status answered; 0 when the connection was dropped or stalled
    retry_after: int | None = None
    request: str = ""  # path and query, credentials left out: which lookup it was


class TmdbDouble:
    """TMDB v3 on 127.0.0.1: `with TmdbDouble() as tmdb: ... tmdb.url ...`. Options via `configure()`."""

    def __init__(self, catalogue: Catalogue | None = None, *, port: int = 0, seed: int = 0, **config: Any) -> None:
        self.catalogue = catalogue if catalogue is not None else builtin_catalogue()
        self._port = port
        self._config = DoubleConfig(**config)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._demo_films: dict[int, CatalogueMovie] = {}
        self._window: deque[float] = deque()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> TmdbDouble:
        self._server = _Server(("127.0.0.1", self._port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="tmdb-double", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        # keep-alive connections would otherwise go on being served by their handler threads
        self._server.close_connections()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> TmdbDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the TMDB double is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3"

    # --- options ---------------------------------------------------------------------------------
    @property
    def config(self) -> DoubleConfig:
        return self._config

    def configure(self, **changes: Any) -> DoubleConfig:
        """Change options while serving; each request sees one consistent snapshot."""
        with self._lock:
            self._config = replace(self._config, **changes)
            return self._config

    # --- counters --------------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._arrivals: list[Arrival] = []
            self._by_kind: Counter[str] = Counter()
            self._statuses: Counter[int] = Counter()
            self._faults: Counter[str] = Counter()
            self._movie_fetches: Counter[int] = Counter()
            self._tv_fetches: Counter[int] = Counter()
            self._window.clear()

    @property
    def requests(self) -> int:
        """API requests that arrived, whatever they were answered (control endpoints excluded)."""
        return len(self._arrivals)

    @property
    def rate_limited(self) -> int:
        return self._statuses[429]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": len(self._arrivals),
                "by_kind": dict(self._by_kind),
                "statuses": {str(k): v for k, v in self._statuses.items()},
                "rate_limited": self._statuses[429],
                "faults": dict(self._faults),
                # answered 200, by id: "every film fetched exactly once" is every value == 1
                "movie_fetches": {str(k): v for k, v in self._movie_fetches.items()},
                "tv_fetches": {str(k): v for k, v in self._tv_fetches.items()},
            }

    def movie_fetches(self) -> dict[int, int]:
        with self._lock:
            return dict(self._movie_fetches)

    def arrivals(self) -> list[Arrival]:
        with self._lock:
            return list(self._arrivals)

    # --- decisions, each under the lock so concurrent handlers see one story --------------------
    def _admit(self, now: float, config: DoubleConfig) -> int | None:
        """None if the request fits the rate limit, else the seconds until it would."""
        if not config.rate_limit:
            return None
        with self._lock:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) < config.rate_limit:
                self._window.append(now)
                return None
            return max(1, math.ceil(self._window[0] + 1.0 - now))

    def _draw_fault(self, config: DoubleConfig) -> str | None:
        if not config.fault_rate or not config.faults:
            return None
        with self._lock:
            if self._random.random() >= config.fault_rate:
                return None
            kind = self._random.choice(config.faults)
            self._faults[kind] += 1
            return kind

    def _record(self, arrival: Arrival, fetched: tuple[str, int] | None = None) -> None:
        with self._lock:
            self._arrivals.append(arrival)
            self._by_kind[arrival.kind] += 1
            self._statuses[arrival.status] += 1
            if fetched is not None and arrival.status == 200:
                (self._movie_fetches if fetched[0] == "movie" else self._tv_fetches)[fetched[1]] += 1

    # --- endpoints: (status, body) -------------------------------------------------------------
    @property
    def image_base(self) -> str:
        """Where the double serves its generated posters and headshots, as TMDB's configuration names it."""
        return f"{self.url.removesuffix('/3')}/t/p/"

    def _configuration(self) -> dict[str, Any]:
        images = {**CONFIGURATION["images"], "base_url": self.image_base, "secure_base_url": self.image_base}
        return {**CONFIGURATION, "images": images}

    def _search_movie(self, params: dict[str, str]) -> tuple[int, Any]:
        query = params.get("query", "")
        year = _int_or_none(params.get("primary_release_year")) or _int_or_none(params.get("year"))
        found = self.catalogue.search_movies(
            query,
            year=_int_or_none(params.get("year")),
            primary_release_year=_int_or_none(params.get("primary_release_year")),
            include_adult=params.get("include_adult", "false").lower() == "true",
        )
        # Only titles the catalogue knows in no year are made up: its own films, and the hard cases, keep
        # their answers.
        if self.config.demo and query.strip() and not found and not self.catalogue.search_movies(query):
            found = [self._demo_film(query.strip(), year)]
        return _page_of([m.search_item() for m in found], params)

    def _demo_film(self, title: str, year: int | None) -> CatalogueMovie:
        film = demo_film(title, year)
        with self._lock:  # kept for its details request, which names only the id
            return self._demo_films.setdefault(film.id, film)

    def _movie(self, tmdb_id: int) -> CatalogueMovie | None:
        return self.catalogue.movies.get(tmdb_id) or self._demo_films.get(tmdb_id)

    def _search_tv(self, params: dict[str, str]) -> tuple[int, Any]:
        found = self.catalogue.search_series(
            params.get("query", ""), first_air_date_year=_int_or_none(params.get("first_air_date_year"))
        )
        return _page_of([s.search_item() for s in found], params)

    def _details(self, entry: Any, params: dict[str, str]) -> tuple[int, Any]:
        if entry is None:
            return _error(NOT_FOUND)
        body = entry.details()
        appended = params.get("append_to_response", "").split(",")
        for part in ("credits", "keywords"):
            if part not in appended:
                del body[part]
        return 200, body

    def _collection(self, collection_id: int) -> tuple[int, Any]:
        collection = self.catalogue.collections.get(collection_id)
        return (200, collection.details()) if collection else _error(NOT_FOUND)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _error(error: tuple[int, int, str]) -> tuple[int, dict[str, Any]]:
    status, code, message = error
    return status, {"status_code": code, "status_message": message, "success": False}


def _page_of(items: list[dict[str, Any]], params: dict[str, str]) -> tuple[int, Any]:
    if "query" not in params or not params["query"].strip():
        return 422, {"errors": ["query must be provided"]}
    page = params.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        return _error(BAD_PAGE)
    start = (int(page) - 1) * PAGE_SIZE
    return 200, {
        "page": int(page),
        "results": items[start : start + PAGE_SIZE],
        "total_pages": max(1, math.ceil(len(items) / PAGE_SIZE)),
        "total_results": len(items),
    }


IMAGE_PATH = re.compile(r"/t/p/(?P<size>[a-z0-9]+)(?P<path>/[\w.-]+)")
Route = Callable[[TmdbDouble, re.Match[str], dict[str, str]], tuple[int, Any]]
ROUTES: list[tuple[str, re.Pattern[str], Route]] = [
    ("search_movie", re.compile(r"/3/search/movie"), lambda d, m, p: d._search_movie(p)),
    ("movie", re.compile(r"/3/movie/(\d+)"), lambda d, m, p: d._details(d._movie(int(m[1])), p)),
    ("search_tv", re.compile(r"/3/search/tv"), lambda d, m, p: d._search_tv(p)),
    ("tv", re.compile(r"/3/tv/(\d+)"), lambda d, m, p: d._details(d.catalogue.series.get(int(m[1])), p)),
    ("collection", re.compile(r"/3/collection/(\d+)"), lambda d, m, p: d._collection(int(m[1]))),
    ("configuration", re.compile(r"/3/configuration"), lambda d, m, p: (200, d._configuration())),
    (
        "genres",
        re.compile(r"/3/genre/movie/list"),
        lambda d, m, p: (200, {"genres": [{"id": k, "name": v} for k, v in MOVIE_GENRES.items()]}),
    ),
    (
        "genres",
        re.compile(r"/3/genre/tv/list"),
        lambda d, m, p: (200, {"genres": [{"id": k, "name": v} for k, v in TV_GENRES.items()]}),
    ),
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a stalled handler must not hold up stop()

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], double: TmdbDouble) -> None:
        self.double = double
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # request lines carry ?api_key=: a test double must not leak what the client protects
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path.startswith("/__double__/"):
            self._control(url.path, params)
            return
        if image := IMAGE_PATH.fullmatch(url.path):
            self._image(image["size"], image["path"])
            return
        self._api(url.path, params)

    def _image(self, size: str, path: str) -> None:
        """A generated picture, as image.tmdb.org serves one: no credentials, cacheable for long."""
        if size not in WIDTHS:
            self._send(*_error(NOT_FOUND))
            return
        payload = picture(path, size)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "public, max-age=31536000")
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/__double__/"):
            self._control(url.path, {})
        else:
            self._send(*_error(NOT_FOUND))

    def _api(self, path: str, params: dict[str, str]) -> None:
        double = self.server.double
        config = double.config
        arrived = time.monotonic()
        kind, match, route = next(
            ((k, m, r) for k, pattern, r in ROUTES if (m := pattern.fullmatch(path))), ("other", None, None)
        )
        request = f"{path}?{urlencode(sorted((k, v) for k, v in params.items() if k != 'api_key'))}"
        retry_after = double._admit(arrived, config)
        if config.latency:
            time.sleep(config.latency)
        if self._client_gone():
            # the client died or gave up while the answer was being made: nothing reaches it, so it
            # is no fetch (the counters say what a client actually received)
            double._record(Arrival(arrived, kind, 0, request=request))
            self.close_connection = True
            return
        if retry_after is not None:
            double._record(Arrival(arrived, kind, 429, None if config.bare_429 else retry_after, request=request))
            if config.bare_429:
                self._send(429, None)
            else:
                self._send(
                    429,
                    {
                        "status_code": 25,
                        "success": False,
                        "status_message": f"Your request count is over the allowed limit of {config.rate_limit:g}.",
                    },
                    {"Retry-After": str(retry_after)},
                )
            return
        if not self._authorized(config, params):
            double._record(Arrival(arrived, kind, 401, request=request))
            self._send(*_error(INVALID_KEY))
            return
        fault = double._draw_fault(config)
        if fault in ("drop", "stall"):
            double._record(Arrival(arrived, kind, 0, request=request))
            if fault == "stall":
                time.sleep(config.stall_seconds)
            self.close_connection = True  # closed without a byte of answer
            return
        if fault == "truncate":  # a full Content-Length, then the connection closes mid-body
            double._record(Arrival(arrived, kind, 0, request=request))
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"page": 1, "res')
            self.close_connection = True
            return
        if fault is not None:
            status, body = _error(FAULT_BODIES[fault])
        elif route is None or match is None:  # both None together: the default of the route lookup
            status, body = _error(NOT_FOUND)
        else:
            status, body = route(double, match, params)
        fetched = (kind, int(match[1])) if kind in ("movie", "tv") and match else None
        double._record(Arrival(arrived, kind, status, request=request), fetched)
        self._send(status, body)

    def _client_gone(self) -> bool:
        """The client closed its end: a closed socket reads as ready with nothing to read."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _authorized(self, config: DoubleConfig, params: dict[str, str]) -> bool:
        header = self.headers.get("Authorization", "")
        if header:
            # a v3 key sent as Bearer is rejected, as TMDB does
            return bool(config.read_token) and header == f"Bearer {config.read_token}"
        return bool(config.api_key) and params.get("api_key") == config.api_key

    def _control(self, path: str, params: dict[str, str]) -> None:
        double = self.server.double
        if path == "/__double__/stats":
            stats = double.stats()
            if params.get("arrivals"):
                stats["arrivals"] = [asdict(a) for a in double.arrivals()]
            self._send(200, stats)
        elif path == "/__double__/reset" and self.command == "POST":
            double.reset()
            self._send(200, {"reset": True})
        elif path == "/__double__/config" and self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                changes = json.loads(self.rfile.read(length) or b"{}")
                config = double.configure(**changes)
            except (ValueError, TypeError) as exc:
                self._send(400, {"error": str(exc)})
                return
            self._send(200, {f.name: getattr(config, f.name) for f in fields(config)})
        else:
            self._send(*_error(NOT_FOUND))

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        # as TMDB does, even on errors: a client must not let this cache an error
        self.send_header("Cache-Control", "public, max-age=300")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up (timeout) before the answer
