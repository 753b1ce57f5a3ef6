"""`manage.py qcluster` stops within its grace period when SIGTERM reaches its whole process group (what a
terminal, container runtimes and systemd send), and still stops in order when only its main process gets it."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/14")


def processes_of(data_dir: Path) -> list[int]:
    """Processes started with this data directory: the command, the cluster and its workers."""
    marker = f"LBSTATS_DATA_DIR={data_dir}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


@pytest.fixture
def cluster(tmp_path):
    """A running `manage.py qcluster` with two workers on the Redis broker (where django-q2's own hung),
    in a process group of its own, as a service manager starts it."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"the cluster that hung used the Redis broker: needs Redis at {REDIS_TEST_URL}")
    env = {
        **os.environ,
        "LBSTATS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": REDIS_TEST_URL,
        "Q_WORKERS": "2",
        "Q_CLUSTER_NAME": f"lbstats-sigterm-{os.getpid()}",
        "LOG_LEVEL": "INFO",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    log = tmp_path / "qcluster.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for _ in range(300):
            if "running." in log.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the cluster did not start: {log.read_text()[-2000:]}")
        assert len(processes_of(tmp_path)) >= 4  # main, sentinel, two workers, monitor, pusher
        yield process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_sigterm_to_the_whole_process_group_ends_every_process_within_the_grace_period(cluster, tmp_path):
    process, log = cluster
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)  # django-q2's own command waited here for good
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 30 s after SIGTERM: {log.read_text()[-3000:]}")
    # mostly the signal killed every process; when it left the sentinel waiting for dead workers, the grace
    # period ends the wait
    assert re.search(r"the signal reached every process; exiting\.|not stopped in order", log.read_text())
    assert processes_of(tmp_path) == []


def test_a_sigterm_to_the_main_process_alone_stops_the_cluster_in_order(cluster, tmp_path):
    process, log = cluster
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert "has stopped." in log.read_text()
    assert process.returncode == 0
    assert processes_of(tmp_path) == []
