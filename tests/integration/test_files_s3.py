"""The composition with ``SIGNX_S3_ENDPOINT`` set: project files and calculation reports go to the
S3 bucket (a moto server on 127.0.0.1, one for the module), created on first use, and /ready
reports the store. The same API, routes and services as with the local folder."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from minio import Minio

from bootstrap import install_http, wire
from infra.blobs.s3 import S3BlobStore
from infra.settings import Settings
from tests import files
from tests.designs import save_passing_design
from tests.s3 import moto_s3


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_s3() as found:
        yield found


@pytest.fixture
def bucket() -> str:
    return f"signx-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def s3_services(servers: dict[str, str], endpoint: str, bucket: str) -> AsyncIterator[Any]:
    settings = Settings(
        s3_endpoint=f"http://{endpoint}", s3_bucket=bucket, s3_access_key="signx", s3_secret_key="secret"
    )
    services, release = wire(settings, servers["database_url"], servers["redis_url"])
    yield services
    await release()


@pytest.fixture
async def client(s3_services: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    close = install_http(app, s3_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver") as http:
        yield http
    await close()


def objects(endpoint: str, bucket: str) -> list[str]:
    s3 = Minio(endpoint, access_key="signx", secret_key="secret", secure=False)
    if not s3.bucket_exists(bucket):
        return []
    names = [o.object_name or "" for o in s3.list_objects(bucket, recursive=True)]
    unfinished = [f"(unfinished) {u.object_name}" for u in s3._list_multipart_uploads(bucket).uploads]  # noqa: SLF001
    return sorted(names + unfinished)


async def test_files_and_reports_are_stored_in_the_bucket(s3_services, client, endpoint, bucket):
    assert isinstance(s3_services.files.blobs, S3BlobStore)
    assert s3_services.reports.blobs is s3_services.files.blobs
    assert objects(endpoint, bucket) == []  # no bucket yet: made on first use

    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["blobs"] == "ok"

    creds = await s3_services.users.create("est@example.com", "estimator", "Est")
    key = {"X-API-Key": creds.api_key}
    created = await client.post(
        "/api/v1/projects", json={"name": "Main St", "account_id": "A-1"}, headers=key
    )
    project_id = created.json()["result"]["project_id"]
    data = files.xlsx()
    up = await client.post(
        f"/api/v1/projects/{project_id}/files", files={"file": ("poles.xlsx", data)}, headers=key
    )
    assert up.status_code == 201, up.text
    sha = hashlib.sha256(data).hexdigest()
    assert objects(endpoint, bucket) == [f"files/{sha}"]

    download = await client.get(up.headers["location"], headers=key)
    assert download.content == data and download.headers["etag"] == f'"{sha}"'

    refused = await client.post(
        f"/api/v1/projects/{project_id}/files", files={"file": ("x.pdf", files.exe())}, headers=key
    )
    assert refused.status_code == 415
    assert objects(endpoint, bucket) == [f"files/{sha}"]  # nothing staged is left

    actor = await s3_services.users.authenticate_api_key(creds.api_key)
    await save_passing_design(s3_services, actor, await s3_services.projects.get(project_id))
    report = await s3_services.reports.generate(project_id, 1)
    assert f"reports/{report.sha256}.pdf" in objects(endpoint, bucket)
    _, pdf = await s3_services.reports.pdf(project_id, report.sha256)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == report.sha256


async def test_ready_says_when_the_store_is_unreachable(servers):
    settings = Settings(s3_endpoint="http://127.0.0.1:9", s3_access_key="k", s3_secret_key="s")
    services, release = wire(settings, servers["database_url"], servers["redis_url"])
    app = FastAPI()
    close = install_http(app, services)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://testserver"
        ) as http:
            ready = await http.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["blobs"].startswith("unavailable")
    finally:
        await close()
        await release()
