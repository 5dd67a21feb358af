"""``python app.py serve`` as a subprocess on a free port of 127.0.0.1, on the test session's
PostgreSQL and Redis: for tests that need the whole composed app (middleware order, cookies,
pages) over real HTTP. Stopped with SIGTERM by the PID it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from infra.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def served_app(servers: dict[str, str], data_dir: Path, **settings: str) -> Iterator[str]:
    """Yield the base URL of a running server; ``settings`` are extra ``SIGNX_*`` variables."""
    port = free_port()
    # Not PYTEST_CURRENT_TEST / NICEGUI_*: NiceGUI would think it runs inside a test and not serve.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
    env |= {
        "SIGNX_DATABASE_URL": servers["database_url"],
        "SIGNX_REDIS_URL": servers["redis_url"],
        "SIGNX_DATA_DIR": str(data_dir),
        **{f"SIGNX_{k.upper()}": v for k, v in settings.items()},
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/ready", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after 60 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
