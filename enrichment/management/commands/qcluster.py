"""django-q2's `qcluster`, made to stop within its grace period when SIGTERM reaches every one of its
processes at once, as a signal to its process group (a terminal, container runtimes) or systemd's
default stop does.

django-q2's sentinel and workers take SIGTERM's default action and die at once; the cluster's main
process then sets its stop event, and a multiprocessing event waits for each process that slept on it
to wake, so it waits for the dead sentinel forever. Here the main process first gives the sentinel a
moment: when the signal has killed it, nothing is left to stop in order and the process just exits
(claimed films keep their lease and the recovery schedule restarts their session). A signal to the
main process alone still stops the cluster in order, each worker finishing its task."""

from __future__ import annotations

import logging
from types import FrameType

from django.conf import settings
from django_q import cluster as django_q_cluster
from django_q.management.commands.qcluster import Command as DjangoQCluster

log = logging.getLogger(__name__)
SENTINEL_DEATH_SECONDS = 1.0  # a process killed by a signal is gone within milliseconds


class Cluster(django_q_cluster.Cluster):
    def sig_handler(self, signum: int, frame: FrameType | None) -> None:
        if self.sentinel is not None:
            self.sentinel.join(timeout=SENTINEL_DEATH_SECONDS)
            if not self.sentinel.is_alive():
                log.info("Q Cluster %s: the signal reached every process; exiting.", self.name)
                return
        super().sig_handler(signum, frame)


class Command(DjangoQCluster):
    def handle(self, *args: object, **options: object) -> None:
        settings.SECRET_KEY  # noqa: B018 - as django-q2's command: a cluster signs its tasks
        cluster = Cluster()
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
