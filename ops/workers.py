"""What django-q2 knows about the background work: clusters alive and their heartbeat, the queue.

django-q2 keeps each cluster's status in the broker (Redis, or the Django cache with the ORM
broker) for a few seconds after its last heartbeat, so the clusters listed are the ones alive.
A queued task carries the time it was enqueued (`started`), which gives the oldest one's age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.brokers.orm import ORM
from django_q.brokers.redis_broker import Redis
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.status import Stat


@dataclass(frozen=True)
class Cluster:
    cluster_id: str
    host: str
    status: str
    workers: int
    heartbeat: datetime  # the cluster's last status report
    started: datetime | None


@dataclass(frozen=True)
class Queue:
    depth: int
    oldest_enqueued: datetime | None

    @property
    def oldest_age(self) -> float:
        """Seconds the oldest queued task has waited; 0 for an empty queue."""
        if self.oldest_enqueued is None:
            return 0.0
        return max(0.0, (timezone.now() - self.oldest_enqueued).total_seconds())


def clusters(broker: Broker | None = None) -> list[Cluster]:
    found = [
        Cluster(
            cluster_id=str(stat.cluster_id),
            host=stat.host,
            status=str(stat.status),
            workers=len(stat.workers),
            heartbeat=stat.timestamp,
            started=stat.tob,
        )
        for stat in Stat.get_all(broker or get_broker())
    ]
    return sorted(found, key=lambda c: (c.host, c.cluster_id))


def queue(broker: Broker | None = None) -> Queue:
    broker = broker or get_broker()
    return Queue(depth=int(broker.queue_size() or 0), oldest_enqueued=_oldest_enqueued(broker))


def _oldest_enqueued(broker: Broker) -> datetime | None:
    if isinstance(broker, ORM):
        # queued = not taken by a worker (a taken task's lock lies in the future)
        oldest = OrmQ.objects.filter(key=broker.list_key, lock__lte=timezone.now()).order_by("id").first()
        return oldest.task.get("started") if oldest else None
    if isinstance(broker, Redis):
        payload = broker.connection.lindex(broker.list_key, 0)  # RPUSH in, BLPOP out: the head is the oldest
        return SignedPackage.loads(payload).get("started") if payload else None
    return None  # other brokers do not let a task be read without taking it
