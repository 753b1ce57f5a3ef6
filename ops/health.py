"""Readiness: can this process serve? Database, broker and cache reachable, migrations applied.

Each check raises on trouble; `readiness()` runs them all and names what failed. Checks are cheap
(a `SELECT 1`, a Redis PING, a cache write and read) and open no Django session. Failure details
are exception class names only: messages from drivers may quote URLs or hosts the operator did
not mean to publish.
"""

from __future__ import annotations

import secrets

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

# Seconds a probe may wait on Redis: a probe that hangs is worse than one that says "not ready".
REDIS_TIMEOUT = 2.0


class NotReady(Exception):
    """A check's failure, in words safe to publish."""


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


_migrated = False


def check_migrations() -> None:
    """Reads the migration files once; once all are applied it is remembered, since a release that
    adds migrations is a new process."""
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise NotReady(
            f"{len(pending)} migration{'s' if len(pending) != 1 else ''} not applied (run manage.py migrate)"
        )
    _migrated = True


def check_broker() -> None:
    """The queue django-q2 is configured with: Redis answers PING, or the ORM broker's table is readable.
    Read from the settings at each call (django-q2's own Conf is frozen at import)."""
    redis_url = settings.Q_CLUSTER.get("redis")
    if isinstance(redis_url, str):
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return
    from django_q.models import OrmQ  # the ORM broker's queue lives in the database

    OrmQ.objects.exists()


def check_cache() -> None:
    cache = caches["default"]
    token = secrets.token_hex(8)
    cache.set("ops:readyz", token, 30)
    if cache.get("ops:readyz") != token:
        raise NotReady("a value written to the cache did not read back")


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "cache": check_cache,
}


def readiness() -> dict[str, str]:
    """Every check's result: "ok", or why not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except NotReady as exc:
            results[name] = str(exc)
        except Exception as exc:  # any driver's error means the same thing here: not reachable
            results[name] = f"unreachable ({type(exc).__name__})"
        else:
            results[name] = "ok"
    return results
