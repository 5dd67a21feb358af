"""`python app.py serve` runs one worker process beside the server: started again when it is
killed, stopped with the server, and never left behind by a server killed with SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from infra.embedded import free_port
from tests.integration.test_serve import ROOT, _env, _servers_on, _start, _stop, _wait_ready


def _workers_on(data_dir: Path) -> list[psutil.Process]:
    """`app.py worker` processes (Celery main and pool) working on this data dir."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            cmd = proc.info["cmdline"] or []
            if (
                any(part.endswith("app.py") for part in cmd)
                and "worker" in cmd
                and proc.environ().get("SIGNX_DATA_DIR") == str(data_dir)
                and proc.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _worker_pid(data_dir: Path, *, other_than: int | None = None, timeout: float = 60) -> int:
    """The supervised worker's pid once it is up with its pool process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid = int(json.loads((data_dir / "worker.pid").read_text())["pid"])
            if pid != other_than and psutil.Process(pid).children():
                return pid
        except (FileNotFoundError, ValueError, KeyError, psutil.Error):
            pass
        time.sleep(0.1)
    pytest.fail("no worker came up")


def _wait_gone(data_dir: Path, timeout: float = 30) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := _workers_on(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.timeout(240)
def test_serve_restarts_a_killed_worker_never_leaves_one_behind_and_stops_it_with_itself(
    tmp_path: Path,
) -> None:
    """Also: a worker started by hand on the data dir joins the running server's servers."""
    data_dir = tmp_path / "var"
    port = free_port()
    proc = _start(data_dir, port)
    try:
        _wait_ready(proc, port)
        first = _worker_pid(data_dir)
        group = _workers_on(data_dir)
        assert len(group) == 2, "the Celery main process and one pool process"
        for p in group:
            p.kill()  # SIGKILL the whole worker, pool included
        second = _worker_pid(data_dir, other_than=first)
        assert second != first
        assert len(_workers_on(data_dir)) == 2
    finally:
        proc.kill()  # no handler runs: only the kernel's parent-death signal tells the worker
        proc.wait(timeout=30)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        proc.stdout.close()
    assert "worker exited; starting it again" in out
    assert _wait_gone(data_dir, timeout=20) == [], "the worker follows its server"

    # The next start on the data dir cleans up and runs a worker again; SIGTERM stops both.
    proc = _start(data_dir, port)
    try:
        _wait_ready(proc, port)
        _worker_pid(data_dir)
        assert len(_workers_on(data_dir)) == 2
        _check_a_worker_started_by_hand_joins_the_servers(data_dir, port, proc.pid)
    finally:
        out = _stop(proc)
    assert proc.returncode in (0, 128 + signal.SIGTERM), out[-2000:]
    assert _wait_gone(data_dir, timeout=5) == [], "the worker stops with the server"
    assert not (data_dir / "worker.pid").exists()
    deadline = time.monotonic() + 15
    while _servers_on(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _servers_on(data_dir) == []


def _check_a_worker_started_by_hand_joins_the_servers(data_dir: Path, port: int, server_pid: int) -> None:
    """`python app.py worker` on the data dir of a running server joins its PostgreSQL (one more
    registered user of it) and its Redis (no second redis-server), and leaves both running when
    it stops."""
    servers_before = {p.pid for p in _servers_on(data_dir)}
    worker = subprocess.Popen(
        [sys.executable, "app.py", "worker"],
        cwd=ROOT,
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_workers_on(data_dir)) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_workers_on(data_dir)) == 4, "the supervised worker and this one, each with a pool"
        handles = json.loads((data_dir / "pg" / ".handle_pids.json").read_text())
        assert worker.pid in handles and server_pid in handles
        assert {p.pid for p in _servers_on(data_dir)} == servers_before, "no second redis-server"
        redis_url = json.loads((data_dir / "redis" / "owner.json").read_text())["url"]
        redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        connected = {c.raddr.port for c in psutil.Process(worker.pid).net_connections("tcp") if c.raddr}
        assert redis_port in connected, "the worker talks to the server's Redis"

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert json.loads((data_dir / "pg" / ".handle_pids.json").read_text()) == [server_pid]
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
