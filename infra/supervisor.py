"""Keep one child process running beside the server: the worker that ``serve`` starts.

The child is started again when it dies (after a backoff that doubles up to a cap and starts
afresh once a child has stayed up for a while, so a crash loop does not spin), stopped with the
server (SIGTERM to its process group, SIGKILL after a grace period), and never outlives it: the
child asks the kernel for SIGTERM when its parent dies (:func:`die_with_parent`), and a pid file
lets the next start stop a child left behind by a server killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class Supervisor:
    """Runs ``argv`` as a child in its own process group and restarts it when it exits."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        pidfile: Path,
        name: str = "worker",
        grace_seconds: float = 10.0,
        backoff_initial_seconds: float = 0.5,
        backoff_max_seconds: float = 30.0,
        stable_after_seconds: float = 30.0,
        cwd: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.pidfile = pidfile
        self.name = name
        self.grace_seconds = grace_seconds
        self.backoff_initial = backoff_initial_seconds
        self.backoff_max = backoff_max_seconds
        self.stable_after = stable_after_seconds
        self.cwd = cwd
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start(self) -> None:
        stop_leftover(self.pidfile)
        self._stopping.clear()
        # The child is spawned from this thread, which lives as long as the supervision: the
        # kernel's parent-death signal follows the spawning thread, not the process.
        self._thread = threading.Thread(target=self._supervise, name=f"supervise-{self.name}", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**self.env, "SIGNX_SUPERVISOR_PID": str(os.getpid())}
        proc = subprocess.Popen(self.argv, env=env, cwd=self.cwd, start_new_session=True)
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.write_text(json.dumps({"pid": proc.pid, "argv": self.argv}))
        log.info("%s started", self.name, extra={"pid": proc.pid})
        return proc

    def _supervise(self) -> None:
        backoff = self.backoff_initial
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                self._proc = proc = self._spawn()
            started = time.monotonic()
            while proc.poll() is None and not self._stopping.is_set():
                self._stopping.wait(0.2)
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.stable_after:
                backoff = self.backoff_initial
            log.warning(
                "%s exited; starting it again",
                self.name,
                extra={"pid": proc.pid, "returncode": proc.returncode, "restart_in_seconds": backoff},
            )
            self.restarts += 1
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, self.backoff_max)

    def stop(self) -> None:
        """SIGTERM the child, SIGKILL its process group after the grace period; no restart."""
        with self._lock:
            self._stopping.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            terminate_group(proc.pid, self.grace_seconds, wait=proc.wait)
            log.info("%s stopped", self.name, extra={"pid": proc.pid, "returncode": proc.returncode})
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.pidfile.unlink(missing_ok=True)


def terminate_group(pid: int, grace_seconds: float, *, wait: object = None) -> None:
    """SIGTERM the leader ``pid`` of a process group (a child started in its own session), wait
    up to ``grace_seconds`` for it, then SIGKILL whatever of the group is left. Only the leader
    is asked: a Celery worker then finishes its running tasks and stops its own pool (SIGTERM to
    the pool processes would kill their tasks at once)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and _group_alive(pid, wait):
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    if callable(wait):
        with contextlib.suppress(Exception):
            wait(timeout=5)


def _group_alive(pgid: int, wait: object) -> bool:
    if callable(wait):
        try:
            wait(timeout=0)
            return False  # the leader is reaped; any pool children get the SIGKILL below
        except subprocess.TimeoutExpired:
            return True
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_leftover(pidfile: Path, grace_seconds: float = 5.0) -> bool:
    """Stop the child a killed server left behind (pid file of an earlier run), if it still runs
    the same command; True when one was stopped. A recycled pid is left alone."""
    import psutil

    try:
        info = json.loads(pidfile.read_text())
        pid, argv = int(info["pid"]), list(info["argv"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        pidfile.unlink(missing_ok=True)
        return False
    stopped = False
    try:
        proc = psutil.Process(pid)
        if proc.cmdline() == argv:
            log.warning("stopping a worker left over from an earlier run", extra={"pid": pid})
            terminate_group(pid, grace_seconds)
            stopped = True
    except psutil.Error:
        pass
    pidfile.unlink(missing_ok=True)
    return stopped


def die_with_parent(parent_pid: int, *, poll_seconds: float = 1.0) -> None:
    """Get SIGTERM when ``parent_pid`` (the supervisor) dies, even by SIGKILL.

    On Linux the kernel sends it (prctl PR_SET_PDEATHSIG); a thread that polls the parent pid
    covers other systems and the moment before the prctl call (the parent may already be gone).
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_seconds)
        log.warning("the supervising server is gone; stopping", extra={"parent_pid": parent_pid})
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
