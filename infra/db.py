"""Async SQLAlchemy engine and the unit of work.

Pages run long after their HTTP request ended (websocket handlers), so nothing holds a
request-scoped session: every action opens one short transaction with :meth:`Database.transaction`,
which commits when the block succeeds and rolls back otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        self.url = url
        self.pool_capacity = pool_size + max_overflow
        # No liveness ping on every checkout (a round trip per transaction): connections are
        # recycled after half an hour instead, and a connection found dead when used (a database
        # restart) invalidates the whole pool, so only the request that found it fails.
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        # Single-statement reads in autocommit: no BEGIN / COMMIT round trips around them.
        self.autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.reads = async_sessionmaker(
            self.autocommit,
            expire_on_commit=False,
            autoflush=False,
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
