"""A PM system for the tests: a real HTTP server on 127.0.0.1 (uvicorn, in the test's event loop)
that records what it receives and answers from a script.

It behaves as the dispatch schema asks of a PM system: a request with an ``Idempotency-Key`` it
has already accepted gets the first reference again and creates nothing. ``accepted`` is what it
"recorded" (key -> reference): one entry per dispatch that reached it and was taken.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.served import served


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class PMPeer:
    script: list[int] = field(default_factory=list)  # statuses to answer first, in order
    then: int = 201  # the status once the script is used up
    delay_seconds: float = 0.0  # a slow PM system (timeouts)
    received: list[Received] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)
    url: str = ""

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/submissions", self.submission, methods=["POST"])])

    async def submission(self, request: Request) -> Response:
        body = json.loads(await request.body())
        self.received.append(Received(dict(request.headers), body))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        status = self.script.pop(0) if self.script else self.then
        if status >= 300:
            return JSONResponse({"error": f"scripted {status}", "field": "customer"}, status_code=status)
        key = request.headers.get("idempotency-key", "")
        if key in self.accepted:
            return JSONResponse({"reference": self.accepted[key], "replayed": True}, status_code=200)
        reference = f"PM-{len(self.accepted) + 1:04d}"
        self.accepted[key] = reference
        return JSONResponse({"reference": reference}, status_code=status)


@asynccontextmanager
async def pm_peer(**script: Any) -> AsyncIterator[PMPeer]:
    """A running peer; its endpoint is ``peer.url``. Stopped on leaving."""
    peer = PMPeer(**script)
    async with served(peer.app()) as base:
        peer.url = f"{base}/submissions"
        yield peer
