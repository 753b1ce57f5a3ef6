"""django-q2's `qcluster`, made to stop within its grace period when SIGTERM reaches every one of its
processes at once, as a signal to its process group (a terminal, container runtimes) or systemd's
default stop does.

django-q2's sentinel and workers take SIGTERM's default action and die at once; the cluster's main
process then sets its stop event, and a multiprocessing event waits for each process that slept on it
to wake, so it waits for the dead sentinel forever. Here the main process first gives the sentinel a
moment: when the signal has killed it, nothing is left to stop in order and the process just exits
(claimed films keep their lease and the recovery schedule restarts their session). A signal to the
main process alone still stops the cluster in order, each worker finishing its task, within
`Q_STOP_GRACE_SECONDS`: a cluster that has not stopped in order by then (a signal that killed some of its
processes but not the sentinel, which then waits for them forever) is killed whole, its films left to
their leases as above."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

from django.conf import settings
from django_q import cluster as django_q_cluster
from django_q.management.commands.qcluster import Command as DjangoQCluster

log = logging.getLogger(__name__)
SENTINEL_DEATH_SECONDS = 1.0  # a process killed by a signal is gone within milliseconds


class Cluster(django_q_cluster.Cluster):
    def sig_handler(self, signum: int, frame: FrameType | None) -> None:
        if self.sentinel is None:
            return
        self.sentinel.join(timeout=SENTINEL_DEATH_SECONDS)
        if not self.sentinel.is_alive():
            log.info("Q Cluster %s: the signal reached every process; exiting.", self.name)
            return
        log.info("Q Cluster %s stopping.", self.name)
        # Setting the event waits for every process that sleeps on it to wake: one the signal killed never
        # does, so the setter may block for good. Set it aside and bound both waits.
        setter = threading.Thread(target=self.stop_event.set, daemon=True)
        setter.start()
        setter.join(timeout=SENTINEL_DEATH_SECONDS)
        if not setter.is_alive():
            self.sentinel.join(timeout=settings.Q_STOP_GRACE_SECONDS)
        if setter.is_alive() or self.sentinel.is_alive():
            log.warning(
                "Q Cluster %s: not stopped in order (a process the signal killed, or %s s passed); killing its"
                " processes and exiting.",
                self.name,
                settings.Q_STOP_GRACE_SECONDS,
            )
            os.killpg(os.getpgid(self.sentinel.pid), signal.SIGKILL)
        log.info("Q Cluster %s has stopped.", self.name)


class Command(DjangoQCluster):
    def handle(self, *args: object, **options: object) -> None:
        settings.SECRET_KEY  # noqa: B018 - as django-q2's command: a cluster signs its tasks
        cluster = Cluster()
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
