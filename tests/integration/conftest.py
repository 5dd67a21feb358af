"""HTTP fixtures: the real API stack (middleware, /api mount, probes) over ASGI, on the test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from infra.wiring import install_http


@pytest.fixture
async def http(services: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_http(app, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def estimator(services: Any) -> dict[str, str]:
    creds = await services.users.create("estimator@example.com", "estimator", "Eve Estimator")
    return {"X-API-Key": creds.api_key}


@pytest.fixture
async def estimator2(services: Any) -> dict[str, str]:
    creds = await services.users.create("estimator2@example.com", "estimator")
    return {"X-API-Key": creds.api_key}


@pytest.fixture
async def manager(services: Any) -> dict[str, str]:
    creds = await services.users.create("manager@example.com", "manager")
    return {"X-API-Key": creds.api_key}


@pytest.fixture
async def ops(services: Any) -> dict[str, str]:
    creds = await services.users.create("ops@example.com", "ops")
    return {"X-API-Key": creds.api_key}


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
