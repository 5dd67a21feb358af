"""OpenSearch with PostgreSQL behind it: the ``SearchIndex`` wired when ``SIGNX_OPENSEARCH_URL`` is set.

A search that OpenSearch cannot answer (a timeout, a refused connection, an error) is answered
by PostgreSQL in the same request, with a notice that the results may be less fuzzy, and counted
(``on_fallback(reason)``: the composition root feeds a Prometheus counter). A circuit breaker
(``purgatory``) counts OpenSearch's failures in a row: at ``failures`` it opens, and for
``reset_seconds`` every search goes straight to PostgreSQL without waiting on OpenSearch's
timeout; after that, searches try OpenSearch again (half open): the first answer closes the breaker,
a failure opens it again.

Index updates go through the same breaker but never fall back: they raise, and the outbox row that
asked for them is retried later (``infra.relay``). The breaker lives in this process's memory: each
server process finds out on its own, after ``failures`` requests at most.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from opensearchpy import ConnectionTimeout, TransportError
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from domain.ports import SearchIndex
from domain.search.results import FALLBACK_NOTICE
from domain.search.schemas import SearchQuery, SearchResult
from infra.metrics import breaker_listener
from infra.search.opensearch import OpenSearchIndex

log = logging.getLogger(__name__)

T = TypeVar("T")
CIRCUIT = "opensearch"


def _no_count(_reason: str) -> None:
    return None


def _said(exc: TransportError) -> str:
    return f"{type(exc).__name__} {exc.status_code}: {exc.error}"[:300]


class FallbackSearch:
    name = "opensearch"

    def __init__(
        self,
        primary: OpenSearchIndex,
        fallback: SearchIndex,
        *,
        failures: int = 3,
        reset_seconds: float = 30.0,
        on_fallback: Callable[[str], None] = _no_count,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.on_fallback = on_fallback
        self.reset_seconds = reset_seconds
        # A search cancelled by its caller (the page moved on) says nothing about OpenSearch.
        self.breakers = AsyncCircuitBreakerFactory(
            default_threshold=failures, default_ttl=reset_seconds, exclude=[asyncio.CancelledError]
        )
        self.breakers.add_listener(breaker_listener)  # signx_breaker_state{name=...}

    async def _guarded(self, call: Callable[[], Awaitable[T]]) -> T:
        breaker = await self.breakers.get_breaker(CIRCUIT)
        async with breaker:
            return await call()

    async def search(self, query: SearchQuery) -> SearchResult:
        try:
            return await self._guarded(lambda: self.primary.search(query))
        except OpenedState:
            reason = "circuit_open"
        except (TimeoutError, ConnectionTimeout):
            reason = "timeout"
            log.warning("OpenSearch timed out; PostgreSQL answers this search")
        except TransportError as exc:  # refused, unreachable, or an error status: said in a line
            reason = "error"
            log.warning("OpenSearch failed (%s); PostgreSQL answers this search", _said(exc))
        except Exception:  # anything else is a bug worth its traceback
            reason = "error"
            log.warning("OpenSearch search failed; PostgreSQL answers this search", exc_info=True)
        self.on_fallback(reason)
        answer = await self.fallback.search(query)
        return answer.model_copy(update={"notice": FALLBACK_NOTICE})

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        await self._guarded(lambda: self.primary.index(documents))

    async def remove(self, project_ids: Sequence[str]) -> None:
        await self._guarded(lambda: self.primary.remove(project_ids))

    async def rebuild(
        self,
        batches: AsyncIterable[Sequence[Mapping[str, Any]]],
        *,
        total: int,
        on_progress: Callable[[int, int], None],
    ) -> None:
        """An operator's command: straight to OpenSearch, its errors shown as they are."""
        await self.primary.rebuild(batches, total=total, on_progress=on_progress)

    async def breaker_open(self) -> bool:
        context = (await self.breakers.get_breaker(CIRCUIT)).context
        opened_at = context.opened_at
        return context.state == "opened" and opened_at is not None and time.time() < opened_at + context.ttl

    async def state(self) -> str:
        if await self.breaker_open():
            return "circuit open: PostgreSQL answers searches for now"
        return await self.primary.state()

    async def aclose(self) -> None:
        await self.primary.aclose()
