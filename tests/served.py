"""``python app.py serve`` as a subprocess on a free port of 127.0.0.1, on the test session's
PostgreSQL and Redis: for tests that need the whole composed app (middleware order, cookies,
pages) over real HTTP. Stopped with SIGTERM by the PID it started."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from infra.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]
# What this machine's Chromium needs headless, offline and as root (see the stack notes).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_binary() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@contextmanager
def served_app(
    servers: dict[str, str] | None,
    data_dir: Path,
    *,
    log_path: Path | None = None,
    ready_seconds: float = 60,
    python_args: tuple[str, ...] = (),
    started: Callable[[int], None] | None = None,
    **settings: str,
) -> Iterator[str]:
    """Yield the base URL of a running server; ``settings`` are extra ``SIGNX_*`` variables.
    ``servers`` names the database and Redis to use; None lets the server start embedded ones in
    ``data_dir`` (a first start: it prints the admin's credentials to the log). Raises (with the
    log's tail) when the server exits early, is not ready in time, or ignores SIGTERM for 20 s.
    No job worker runs beside it unless ``serve_worker="true"``: the pages' tests need none, and a
    worker booting beside the first page load only slows it on a busy machine (the worker has
    tests of its own). ``started`` is told the server's PID (to watch the process itself)."""
    settings = {"serve_worker": "false", **settings}
    port = free_port()
    # Not PYTEST_CURRENT_TEST / NICEGUI_*: NiceGUI would think it runs inside a test and not serve.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
    if servers is not None:
        env |= {"SIGNX_DATABASE_URL": servers["database_url"], "SIGNX_REDIS_URL": servers["redis_url"]}
    env |= {"SIGNX_DATA_DIR": str(data_dir), **{f"SIGNX_{k.upper()}": v for k, v in settings.items()}}
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_path or data_dir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, *python_args, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    if started is not None:
        started(proc.pid)
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/ready", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"server not ready after {ready_seconds:.0f} s:\n{log_path.read_text()[-3000:]}"
                )
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
                raise RuntimeError(f"server ignored SIGTERM:\n{log_path.read_text()[-3000:]}") from None


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """``app`` on a real uvicorn bound to 127.0.0.1 (a free port), in the test's own event loop, so
    connection-level behaviour (keep-alive, streamed bodies) is exercised as clients see it."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
