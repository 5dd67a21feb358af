"""Alembic environment: async engine, the whole model metadata, URL from the config or settings."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("SIGNX_DATABASE_URL")
    if not url:
        raise RuntimeError("No database URL: set SIGNX_DATABASE_URL or run `python app.py migrate`.")
    return url


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)


# Several app processes start at once (compose replicas, several machines): each runs the
# migrations at start-up. A transaction-scoped advisory lock taken before Alembic reads the current
# revision makes them take turns: the first migrates, the others then find the schema at head.
MIGRATION_LOCK = 0x5167_6E78  # "Sgnx"


def _run_sync(connection) -> None:  # type: ignore[no-untyped-def]
    _configure(connection)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run_sync(connectable)
    else:
        asyncio.run(_run_async())
