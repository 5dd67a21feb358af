"""A 200 MB upload goes through the server in chunks: the real ``python app.py serve`` process's
resident memory (read from /proc) rises by less than 50 MB while it takes the file.

The body is generated while it is sent (a valid CSV: a header line, then 200 MiB of rows), so the
test process holds only one block of it. The kernel's high-water mark of the server's resident
set (``VmHWM``) is reset just before the upload (``clear_refs``), so the peak during the upload is
measured, not a sample that could miss it; a server that read the whole body into memory (or a
spooled form into memory) would peak 200 MB higher."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from domain.projects.schemas import ProjectCreate
from tests import files
from tests.served import served_app

MiB = 1024 * 1024
FILE_BYTES = 200 * MiB
ALLOWED_RISE = 50 * MiB


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # "5": reset the peak resident set size


@pytest.mark.timeout(600)
async def test_a_200_mb_upload_does_not_raise_the_servers_memory_by_more_than_50_mb(
    servers: dict[str, str], services, tmp_path: Path
) -> None:
    creds = await services.users.create("big@example.com", "estimator", "Big Uploads")
    actor = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(actor, ProjectCreate(name="Main St", account_id="A-1"))
    path = f"/api/v1/projects/{project.project_id}/files"
    key = {"X-API-Key": creds.api_key}

    header = b"pole,height_ft,section\n"
    block = b"P1,12,HSS6x6x3/8\n" * (MiB // 17)  # whole rows, about 1 MiB
    blocks = (FILE_BYTES - len(header)) // len(block)
    rest = FILE_BYTES - len(header) - blocks * len(block)
    tail = files.csv_of_size(len(header) + rest)[len(header) :]  # rows of exactly ``rest`` bytes
    preamble = files.part("survey.csv", b"")[: -len(b"\r\n")]  # the part up to where its data starts
    closing = f"\r\n--{files.BOUNDARY}--\r\n".encode()
    length = len(preamble) + FILE_BYTES + len(closing)
    digest = hashlib.sha256()

    async def body() -> AsyncIterator[bytes]:
        yield preamble
        for piece in (header, *([block] * blocks), tail):
            digest.update(piece)
            yield piece
        yield closing

    pids: list[int] = []
    data_dir = tmp_path / "data"
    with served_app(servers, data_dir, max_upload_mb="256", started=pids.append) as base:
        pid = pids[0]
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=300) as client:
            # Warm up the upload path (imports, pools, the first thread) before measuring.
            warm = await client.post(path, files={"file": ("warm.csv", files.csv())}, headers=key)
            assert warm.status_code == 201, warm.text
            before_kib = status_kib(pid, "VmRSS")
            reset_peak(pid)
            assert status_kib(pid, "VmHWM") <= before_kib + 1024
            headers = {
                **key,
                "Content-Type": f"multipart/form-data; boundary={files.BOUNDARY}",
                "Content-Length": str(length),
            }
            response = await client.post(path, content=body(), headers=headers)
            peak_kib = status_kib(pid, "VmHWM")
        assert response.status_code == 201, response.text
        result = response.json()["result"]
        assert (result["size"], result["sha256"], result["kind"]) == (FILE_BYTES, digest.hexdigest(), "CSV")
        rise = (peak_kib - before_kib) * 1024
        print(f"server RSS before {before_kib / 1024:.0f} MiB, peak during upload +{rise / MiB:.1f} MiB")
        assert rise < ALLOWED_RISE, (
            f"the server's memory rose by {rise / MiB:.0f} MiB during a 200 MiB upload"
        )
    blob = data_dir / "blobs" / "files" / result["sha256"]
    assert blob.stat().st_size == FILE_BYTES
    blob.unlink()
