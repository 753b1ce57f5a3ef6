"""lbstats settings: every knob comes from the environment, defaults run a fresh clone on SQLite."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envfloat(name: str, default: float) -> float:
    return float(os.getenv(name, str(default)))


DATA_DIR = Path(os.getenv("LBSTATS_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "False")
SECRET_KEY = os.getenv("SECRET_KEY", "lbstats-development-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = [
    h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static/ (no CDN)
    # before django_q: enrichment's `qcluster` command (graceful on a process group's SIGTERM) replaces its own
    "enrichment",
    "django_q",
    "axes",
    "sessions_app",
]

MIDDLEWARE = [
    "lbstats.limits.RequestSizeLimitMiddleware",  # first: before anything reads a body past the limit
    # /healthz, /readyz, /metrics: answered before host checks, sessions and the request log
    "ops.middleware.OperatorEndpointsMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lbstats.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "lbstats.retry.RetryOnLostConnectionMiddleware",  # last: the first to see a view's exception
]

ROOT_URLCONF = "lbstats.urls"
WSGI_APPLICATION = "lbstats.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sessions_app.context_processors.demo",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (postgres://...) for PostgreSQL.
# SQLite serves a web process and a worker at once only with WAL, IMMEDIATE
# transactions (no lock upgrade deadlocks) and a busy timeout. Its large sorts (the dashboard groups
# a 10,000-film library's 170,000 facets) also run on two helper threads (`PRAGMA threads`).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA threads=2;",
}
DATABASE_URL = os.getenv("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'lbstats.sqlite3'}"  # empty counts as unset
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Keep connections between requests (checked before reuse): a server database costs a new backend
        # process per connection, and opening SQLite (with its WAL pragmas) was half of a status request's
        # CPU. Under the ASGI server a process runs its views on one thread, so it keeps one connection.
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # Tests use an in-memory database unless a file is asked for (worker processes need one).
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("LBSTATS_TEST_DB") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.getenv("REDIS_URL", "")

if REDIS_URL:
    SHARED_CACHE = {
        "BACKEND": "lbstats.cache.ResilientRedisCache",  # a miss, not an error, while Redis is down
        "LOCATION": REDIS_URL,
        # a Redis that stopped answering costs a request one second, not the server's timeout
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
else:
    # Files, not process memory: the web server and the worker share what the worker warms.
    SHARED_CACHE = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
CACHES = {
    "default": SHARED_CACHE,
    # per-client request counts (lbstats.throttling, django-axes): shared by every web process
    "throttle": {**SHARED_CACHE, "KEY_PREFIX": "throttle"},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"  # collectstatic's target, for deployments behind a web server
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves static/ (our CSS, htmx from npm) from the app itself, with or without collectstatic.
WHITENOISE_USE_FINDERS = True

# Security headers; HTTPS-only cookies when served over TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
SESSION_COOKIE_HTTPONLY = True
# Sent by lbstats.middleware (Django 5.2 has no CSP; 6.0 reads this same setting with its own middleware). Pages load
# scripts and styles from this origin only, no inline code; posters come from TMDB_IMAGE_BASE_URL, added by the middleware.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # Files only, and one style attribute: DRF's browsable API floats its Filters and Extra Actions buttons
    # with style="float: right; margin-right: 10px" (this is its hash; 'unsafe-hashes' admits attributes by hash).
    "style-src": ["'self'", "'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# LOG_JSON=1: one JSON object per line (a line per HTTP request and per enrichment run among them), for a log pipeline.
LOG_JSON = envbool("LOG_JSON", "False")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "lbstats.logs.RedactingFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "lbstats.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_JSON else "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # urllib3 logs full request URLs (with ?api_key=) at DEBUG: keep it quiet.
    "loggers": {"urllib3": {"level": "WARNING"}},
}

# Metrics (prometheus-client multiprocess mode): every process writes its counters to files in this
# directory and /metrics sums them. Set before prometheus_client is imported (it reads the variable
# then); wipe the directory when all processes are stopped, e.g. at deployment.
PROMETHEUS_MULTIPROC_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "metrics"))
Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)
# /metrics is served to these addresses or networks (REMOTE_ADDR), or to "Authorization: Bearer METRICS_TOKEN".
METRICS_ALLOWED_IPS = [a.strip() for a in os.getenv("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if a.strip()]
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")

# Requests Django runs at once per web process (lbstats.asgi); requests still arriving, however slowly, count
# for nothing. Each thread keeps a database connection, and views mostly compute (one at a time, under the
# GIL): a few threads let a view waiting on TMDB or the database not hold up the rest.
WEB_THREADS = envint("WEB_THREADS", 4)

# Uploads: limits on what one export may be.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_FILES = envint("UPLOAD_MAX_FILES", 100)
ZIP_MAX_MEMBERS = envint("ZIP_MAX_MEMBERS", 2000)
ZIP_MAX_UNCOMPRESSED_BYTES = envint("ZIP_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
ZIP_MAX_RATIO = envint("ZIP_MAX_RATIO", 100)
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "lbstats.uploads.InterruptedUploadHandler",  # first: tells a body cut short from an upload of no file
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
SESSION_LIFETIME_DAYS = envint("SESSION_LIFETIME_DAYS", 30)
# An upload larger than this is checked in its request, then imported by a worker (its bytes kept in the
# database meanwhile); smaller ones are imported within the request and answered with their counts.
IMPORT_BACKGROUND_BYTES = envint("IMPORT_BACKGROUND_BYTES", 8 * 1024 * 1024)

# Demo mode (`make demo`, scripts/run --demo): TMDB is the test double, which makes up a film for any title;
# every page says so, and the home page offers the bundled sample export in one click.
LBSTATS_DEMO = envbool("LBSTATS_DEMO", "0")

# TMDB: Bearer read token preferred over the v3 key; both stay out of logs and cache rows.
TMDB_API_URL = os.getenv("TMDB_API_URL", "https://api.themoviedb.org/3").rstrip("/")
TMDB_API_KEY = os.getenv("TMDB_API_KEY", "")
TMDB_READ_TOKEN = os.getenv("TMDB_READ_TOKEN", "")
TMDB_CACHE_PATH = os.getenv("TMDB_CACHE_PATH", str(DATA_DIR / "tmdb_cache.sqlite"))
TMDB_CACHE_DAYS = envint("TMDB_CACHE_DAYS", 30)
TMDB_RATE_LIMIT = envfloat("TMDB_RATE_LIMIT", 40)
TMDB_CONCURRENCY = envint("TMDB_CONCURRENCY", 8)
TMDB_TIMEOUT = envfloat("TMDB_TIMEOUT", 10)
# what a web request waits, retries included, for TMDB: a correction made by hand (API, unmatched page, admin)
# and the image base every page's CSP names; the worker waits TMDB_TIMEOUT per try instead
TMDB_INTERACTIVE_TIMEOUT = envfloat("TMDB_INTERACTIVE_TIMEOUT", 5)
TMDB_MAX_RETRIES = envint("TMDB_MAX_RETRIES", 5)
TMDB_BACKOFF_SECONDS = envfloat("TMDB_BACKOFF_SECONDS", 0.5)
TMDB_CACHE_NAMESPACE = os.getenv("TMDB_CACHE_NAMESPACE", "lbstats_tmdb")  # Redis key prefix of the HTTP cache
TMDB_IMAGE_BASE_URL = os.getenv("TMDB_IMAGE_BASE_URL", "https://image.tmdb.org/t/p/")

# Enrichment work units: a run's time budget, a claimed film's lease, when a quiet session is restarted.
ENRICH_RUN_SECONDS = envfloat("ENRICH_RUN_SECONDS", 20)
# How long `manage.py qcluster` waits on SIGTERM for its workers to finish their tasks in order (a run's turn,
# and a little more) before it kills them: within the 30 s that container runtimes give before SIGKILL.
Q_STOP_GRACE_SECONDS = envfloat("Q_STOP_GRACE_SECONDS", ENRICH_RUN_SECONDS + 5)
ENRICH_LEASE_SECONDS = envint("ENRICH_LEASE_SECONDS", 120)
ENRICH_STALE_SECONDS = envint("ENRICH_STALE_SECONDS", 180)
# Who gets TMDB's rate (enrichment.worker.claim_order): `smallest` (least work left first, aged by
# ENRICH_AGING films per second waited) or `fair` (sessions take even turns, the policy before it).
ENRICH_SCHEDULE = os.getenv("ENRICH_SCHEDULE", "smallest")
if ENRICH_SCHEDULE not in ("smallest", "fair"):
    raise ImproperlyConfigured(f"ENRICH_SCHEDULE must be 'smallest' or 'fair', not {ENRICH_SCHEDULE!r}")
ENRICH_AGING = envfloat("ENRICH_AGING", 2)

# django-q2: the ORM broker by default, Redis when REDIS_URL is set. Without Redis the TMDB rate
# limit is per process, so one worker process (its thread pool does the concurrent HTTP).
Q_CLUSTER = {
    "name": os.getenv("Q_CLUSTER_NAME", "lbstats"),
    "workers": envint("Q_WORKERS", 4 if REDIS_URL else 1),
    "timeout": envint("Q_TIMEOUT", 600),
    "retry": envint("Q_RETRY", 660),
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "save_limit": 250,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# DRF: JSON plus the browsable API; the schema for /api/schema/ from drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "sessions_app.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "sessions_app.api.exception_handler",
    # behind N proxies, the client is the Nth address from the right of X-Forwarded-For; with none, the
    # header is not believed (a client could name any address and escape its limits)
    "NUM_PROXIES": envint("TRUSTED_PROXIES", 0),
}

# Per-client rates (lbstats.throttling): "N/second|minute|hour|day". An honest person uploads a few times
# a year and fixes films one at a time; a script that floods gets 429 with Retry-After.
THROTTLE_RATES = {
    "uploads": os.getenv("THROTTLE_UPLOADS", "20/hour"),
    "reenrich": os.getenv("THROTTLE_REENRICH", "30/hour"),
    "corrections": os.getenv("THROTTLE_CORRECTIONS", "120/hour"),
    "shares": os.getenv("THROTTLE_SHARES", "60/hour"),  # making and revoking share links
}

# Admin logins (django-axes): after this many failures from one address, a lockout answered 429.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = envint("ADMIN_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("ADMIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# With Redis, failures are counted in the throttle cache (no table write per guess); a file cache is not
# safe across processes, so without Redis they are rows.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
AXES_CACHE = "throttle"
AXES_LOCKOUT_CALLABLE = "lbstats.throttling.admin_lockout"
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXIES", 0)
AXES_VERBOSE = False
SPECTACULAR_SETTINGS = {
    "TITLE": "lbstats API",
    "DESCRIPTION": "Letterboxd export statistics, enriched from TMDB.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # the schema's readable page loads Swagger UI from this app's own static files
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
