"""The supervisor keeps a real child process running, restarts it with a backoff, stops it with
SIGTERM then SIGKILL, and the next start stops a child an earlier (killed) supervisor left."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from infra.supervisor import Supervisor, stop_leftover

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)",
]


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_killed_child_is_started_again_after_a_growing_backoff_and_logged(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="infra.supervisor")
    sup = Supervisor(
        SLEEPER, env=os.environ, pidfile=tmp_path / "w.pid", backoff_initial_seconds=0.2, grace_seconds=2
    )
    sup.start()
    try:
        _wait(lambda: sup.pid is not None)
        first = sup.pid
        assert first is not None
        assert json.loads((tmp_path / "w.pid").read_text())["pid"] == first
        os.kill(first, signal.SIGKILL)
        _wait(lambda: sup.pid not in (None, first))
        second = sup.pid
        assert second is not None
        killed_at = time.monotonic()
        os.kill(second, signal.SIGKILL)
        _wait(lambda: sup.pid not in (None, second))
        # The second restart waited twice the first backoff (0.4 s) before spawning.
        assert time.monotonic() - killed_at >= 0.35
        assert sup.restarts == 2
    finally:
        sup.stop()
    restarts = [r for r in caplog.records if "exited; starting it again" in r.getMessage()]
    assert [r.restart_in_seconds for r in restarts] == [0.2, 0.4]  # type: ignore[attr-defined]
    assert not (tmp_path / "w.pid").exists()


def test_stop_kills_a_child_that_ignores_sigterm_after_the_grace_period(tmp_path: Path) -> None:
    sup = Supervisor(STUBBORN, env=os.environ, pidfile=tmp_path / "w.pid", grace_seconds=0.5)
    sup.start()
    _wait(lambda: sup.pid is not None)
    pid = sup.pid
    assert pid is not None
    time.sleep(0.3)  # let it install its SIGTERM handler
    started = time.monotonic()
    sup.stop()
    assert not _alive(pid)
    assert 0.4 <= time.monotonic() - started < 5
    time.sleep(0.5)
    assert sup.pid is None  # and it was not started again


def test_a_start_stops_the_child_a_killed_supervisor_left_behind(tmp_path: Path) -> None:
    pidfile = tmp_path / "w.pid"
    orphan = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        pidfile.write_text(json.dumps({"pid": orphan.pid, "argv": SLEEPER}))
        assert stop_leftover(pidfile, grace_seconds=2) is True
        assert orphan.wait(timeout=5) == -signal.SIGTERM
        assert not pidfile.exists()
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()


def test_a_recycled_pid_in_a_stale_pid_file_is_left_alone(tmp_path: Path) -> None:
    pidfile = tmp_path / "w.pid"
    other = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        pidfile.write_text(json.dumps({"pid": other.pid, "argv": ["python", "app.py", "worker"]}))
        assert stop_leftover(pidfile) is False
        assert other.poll() is None
        assert not pidfile.exists()
    finally:
        other.kill()
        other.wait()
