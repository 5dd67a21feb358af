"""HTTP fixtures: the real API stack (middleware, /api mount, probes) over ASGI, on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bootstrap import install_http
from infra.settings import Settings


@pytest.fixture
async def make_app(services: Any) -> AsyncIterator[Callable[..., FastAPI]]:
    """``make_app(**settings)``: a bare app with the whole HTTP surface on the test services;
    every app made is released (its Redis connections closed) after the test."""
    closers: list[Callable[[], Awaitable[None]]] = []

    def make(**settings: Any) -> FastAPI:
        app = FastAPI()
        closers.append(install_http(app, services, Settings(**settings) if settings else None))
        return app

    yield make
    for close in closers:
        await close()


@pytest.fixture
async def http(make_app: Callable[..., FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app()
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
