"""The baseline of ``bench/api.py``: a bare FastAPI app that reads one project row from the same
PostgreSQL with asyncpg and returns it as JSON. No authentication, audit, envelope, metrics or
logging: the ceiling of this stack on this machine, not a product.

Run ``python bench/bare_api.py PORT DSN`` (DSN in asyncpg's form, ``postgresql://...``)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(sys.argv[2], min_size=2, max_size=10)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/projects/{project_id}")
async def read(project_id: str) -> Response:
    assert pool is not None
    row = await pool.fetchrow(
        "SELECT project_id, name, account_id, customer, site_address, status, created_at, updated_at "
        "FROM projects WHERE project_id = $1",
        uuid.UUID(project_id),
    )
    body = {k: (str(v) if v is not None else None) for k, v in dict(row).items()}
    return Response(orjson.dumps(body), media_type="application/json")


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
