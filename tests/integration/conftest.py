"""HTTP fixtures: the real API stack (middleware, /api mount, probes) over ASGI, on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
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
