"""CPU time of a served stack, read from ``/proc/<pid>/stat``: the ``python app.py serve`` process
this benchmark started, and the embedded PostgreSQL and Redis it started in its data dir (both
daemonise, so they are found by their data dir, not as its children); and of the client side (this
process and what it started other than the server: Playwright's driver and Chromium).

``CpuMeter.start()`` / ``stop()`` give each part's CPU seconds over the interval as a share of
one core, and the shares of the interval the app's event-loop thread ran and was ready to run but
waited for a CPU that other processes held (``/proc/<pid>/task/<pid>/schedstat``): on a machine shared
with other work, that is the time the app lost to it. The app process counts its own threads
(``utime + stime``); PostgreSQL and Redis also count their reaped children (``cutime + cstime``:
PostgreSQL backends that ended meanwhile).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
RAN = "app event loop on a CPU"
WAITED = "app event loop waiting for a CPU"


def _stat(pid: int) -> list[str] | None:
    """The fields after the command name (``state`` is index 0, ``ppid`` 1, ``utime`` 11)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def server_pid(port: int) -> int:
    """The ``app.py serve`` child of this process listening on ``port``."""
    me = str(os.getpid())
    for pid in _pids():
        stat = _stat(pid)
        cmd = _cmdline(pid)
        if stat and stat[1] == me and "app.py serve" in cmd and f"--port {port}" in cmd:
            return pid
    raise LookupError(f"no 'app.py serve --port {port}' child of process {me}")


def stack_pids(data_dir: Path) -> dict[str, list[int]]:
    """PostgreSQL (the postmaster whose command names ``data_dir``, and its children) and Redis
    (working directory under ``data_dir``)."""
    data = str(data_dir)
    postmasters = {pid for pid in _pids() if f"-D {data}" in _cmdline(pid)}
    postgres = list(postmasters)
    redis = []
    for pid in _pids():
        stat = _stat(pid)
        if stat and int(stat[1]) in postmasters:
            postgres.append(pid)
        elif "redis-server" in _cmdline(pid):
            try:
                if os.readlink(f"/proc/{pid}/cwd").startswith(data):
                    redis.append(pid)
            except OSError:
                pass
    return {"postgres": postgres, "redis": redis}


def _ticks(pid: int, *, children: bool) -> int:
    stat = _stat(pid)
    if stat is None:
        return 0
    own = int(stat[11]) + int(stat[12])
    return own + (int(stat[13]) + int(stat[14]) if children else 0)


@dataclass
class CpuMeter:
    port: int
    data_dir: Path
    _start: dict[str, int] = field(default_factory=dict)
    _t0: float = 0.0

    def _sample(self) -> dict[str, int]:
        server = server_pid(self.port)
        parts = {"app process": _ticks(server, children=False)}
        # The event loop's thread (the main one): nanoseconds spent runnable but waiting for a CPU
        # that other processes held (field 2 of schedstat), in ticks like the rest.
        try:
            ran, waited = (
                int(v) for v in Path(f"/proc/{server}/task/{server}/schedstat").read_text().split()[:2]
            )
        except (OSError, IndexError, ValueError):
            ran = waited = 0
        parts[RAN] = ran * TICK // 1_000_000_000
        parts[WAITED] = waited * TICK // 1_000_000_000
        for name, pids in stack_pids(self.data_dir).items():
            parts[name] = sum(_ticks(pid, children=True) for pid in pids)
        # The client side: this process (the light clients, Playwright's client) and what it
        # started besides the server (Playwright's driver, Chromium).
        parents = {pid: int(stat[1]) for pid in _pids() if (stat := _stat(pid))}
        me = os.getpid()

        def ours(pid: int) -> bool:
            while pid > 1:
                if pid == server:
                    return False
                if pid == me:
                    return True
                pid = parents.get(pid, 0)
            return False

        parts["bench (clients, Chromium)"] = _ticks(me, children=False) + sum(
            _ticks(pid, children=True) for pid in parents if pid != me and ours(pid)
        )
        return parts

    def start(self) -> None:
        self._start = self._sample()
        self._t0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        """Each part's CPU over the interval, in cores (1.0 = one core busy all the time)."""
        end = self._sample()
        wall = time.monotonic() - self._t0
        return {name: max(0, end[name] - self._start.get(name, 0)) / TICK / wall for name in end}


def describe(cores: dict[str, float]) -> str:
    """``app process 0.40, ... (cores); app event loop on a CPU 30 %, waiting for one 12 % of
    the time``."""
    used = ", ".join(f"{name} {value:.2f}" for name, value in cores.items() if name not in (RAN, WAITED))
    return (
        f"{used} (cores); {RAN} {cores.get(RAN, 0) * 100:.0f} %, waiting for one"
        f" {cores.get(WAITED, 0) * 100:.0f} % of the time"
    )
