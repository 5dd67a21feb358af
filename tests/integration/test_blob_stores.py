"""One test suite for every blob store adapter: the local folder, and S3 through the ``minio``
client against a real S3-protocol server on 127.0.0.1 (moto in server mode, one per module,
stopped at the end). Each S3 test gets a bucket of its own that does not exist yet, so every test
also checks that the store creates its bucket.

Whatever the adapter, a backend handle says what is stored (``leftovers``: every object, staging
ones and unfinished multipart uploads included) and how much has reached storage while an upload
is still streaming (``bytes_stored_so_far``), so the same assertions hold for both."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio

from domain.ports import BlobIntegrityError, BlobStore
from infra.blobs import LocalBlobStore
from infra.blobs.s3 import S3BlobStore
from tests.s3 import moto_s3

MiB = 1024 * 1024


@dataclass
class Backend:
    store: BlobStore
    leftovers: Callable[[], list[str]]
    bytes_stored_so_far: Callable[[], int]
    damage: Callable[[str, bytes], None]  # overwrite a blob's bytes behind the store's back


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


def _local(tmp_path: Path) -> Backend:
    root = tmp_path / "blobs"
    store = LocalBlobStore(root)

    def leftovers() -> list[str]:
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    def so_far() -> int:
        return sum(p.stat().st_size for p in (root / ".tmp").glob("*")) if (root / ".tmp").exists() else 0

    def damage(key: str, data: bytes) -> None:
        (root / key).write_bytes(data)

    return Backend(store, leftovers, so_far, damage)


def _s3(endpoint: str) -> Backend:
    bucket = f"signx-{uuid.uuid4().hex[:12]}"
    client = Minio(endpoint, access_key="test", secret_key="test-secret", secure=False)
    store = S3BlobStore(client, bucket)

    def leftovers() -> list[str]:
        if not client.bucket_exists(bucket):
            return []
        names = [o.object_name or "" for o in client.list_objects(bucket, recursive=True)]
        uploads = client._list_multipart_uploads(bucket).uploads  # noqa: SLF001 - no public call lists them
        return sorted(names + [f"(unfinished upload) {u.object_name}" for u in uploads])

    def so_far() -> int:
        if not client.bucket_exists(bucket):
            return 0
        total = 0
        for upload in client._list_multipart_uploads(bucket).uploads:  # noqa: SLF001
            parts = client._list_parts(bucket, upload.object_name, upload.upload_id or "").parts  # noqa: SLF001
            total += sum(p.size or 0 for p in parts)
        return total

    def damage(key: str, data: bytes) -> None:
        import io

        client.put_object(bucket, key, io.BytesIO(data), len(data))

    return Backend(store, leftovers, so_far, damage)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return _local(tmp_path)
    return _s3(request.getfixturevalue("s3_endpoint"))


async def chunked(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_put_then_get_stat_and_exists(backend: Backend) -> None:
    store = backend.store
    data = b"%PDF-1.4 a report"
    key = f"reports/{sha(data)}.pdf"
    assert not await store.exists(key)
    assert await store.stat(key) is None
    info = await store.put(key, data, "application/pdf")
    assert (info.key, info.size, info.content_type) == (key, len(data), "application/pdf")
    assert await store.get(key) == data
    assert await store.get(key, sha256=sha(data)) == data
    assert await store.exists(key)
    assert await store.stat(key) == info
    assert backend.leftovers() == [key]


async def test_a_streamed_put_is_named_by_its_sha256_and_reads_back_verified(backend: Backend) -> None:
    data = os.urandom(3 * MiB + 123)
    stored = await backend.store.put_stream("files", chunked(data))
    assert (stored.key, stored.size, stored.sha256, stored.created) == (
        f"files/{sha(data)}",
        len(data),
        sha(data),
        True,
    )
    assert await collect(backend.store.stream(stored.key, sha256=stored.sha256)) == data
    info = await backend.store.stat(stored.key)
    assert info is not None and info.size == len(data)
    assert backend.leftovers() == [stored.key]  # no staging file or object left


async def test_the_same_bytes_streamed_twice_are_stored_once(backend: Backend) -> None:
    data = b"a,b\n1,2\n"
    first = await backend.store.put_stream("files", chunked(data, 3), suffix=".csv")
    second = await backend.store.put_stream("files", chunked(data, 5), suffix=".csv")
    assert first.key == second.key == f"files/{sha(data)}.csv"
    assert (first.created, second.created) == (True, False)
    assert backend.leftovers() == [first.key]


async def test_a_large_stream_reaches_storage_while_it_is_still_streaming(backend: Backend) -> None:
    """Not buffered whole: when the source hands out its last chunk, most bytes are stored already
    (on S3 as multipart parts of 5 MiB, locally in the staging file)."""
    total = 24 * MiB
    block = os.urandom(MiB)
    seen_before_last: list[int] = []

    async def source() -> AsyncIterator[bytes]:
        for i in range(total // MiB):
            if i == total // MiB - 1:
                seen_before_last.append(backend.bytes_stored_so_far())
            yield block

    stored = await backend.store.put_stream("files", source())
    assert stored.size == total
    assert stored.sha256 == sha(block * (total // MiB))
    assert seen_before_last[0] >= 15 * MiB, seen_before_last
    assert backend.leftovers() == [stored.key]


@pytest.mark.parametrize("fail_after", [0, 2 * MiB, 11 * MiB])
async def test_a_stream_that_fails_midway_leaves_nothing_behind(backend: Backend, fail_after: int) -> None:
    class Refused(Exception):
        pass

    async def source() -> AsyncIterator[bytes]:
        sent = 0
        while sent < fail_after:
            yield b"x" * (256 * 1024)
            sent += 256 * 1024
        raise Refused("the upload was refused midway")

    with pytest.raises(Refused):
        await backend.store.put_stream("files", source())
    assert backend.leftovers() == []


async def test_a_damaged_blob_is_never_handed_on_whole(backend: Backend) -> None:
    data = os.urandom(MiB + 7)
    stored = await backend.store.put_stream("files", chunked(data))
    damaged = bytearray(data)
    damaged[-1] ^= 0xFF
    backend.damage(stored.key, bytes(damaged))

    received = bytearray()
    with pytest.raises(BlobIntegrityError, match="damaged"):
        async for chunk in backend.store.stream(stored.key, sha256=stored.sha256):
            received += chunk
    assert 0 < len(received) < len(data)  # the last chunk was held back
    with pytest.raises(BlobIntegrityError):
        await backend.store.get(stored.key, sha256=stored.sha256)
    # Without a hash to check against, the bytes are what is stored.
    assert await collect(backend.store.stream(stored.key)) == bytes(damaged)


async def test_missing_blobs(backend: Backend) -> None:
    key = f"files/{'0' * 64}"
    with pytest.raises(KeyError):
        await backend.store.get(key)
    with pytest.raises(KeyError):
        await collect(backend.store.stream(key))
    await backend.store.delete(key)  # nothing to delete: no error
    assert await backend.store.stat(key) is None


async def test_delete_removes_the_blob(backend: Backend) -> None:
    stored = await backend.store.put_stream("files", chunked(b"bytes to go"))
    await backend.store.delete(stored.key)
    assert not await backend.store.exists(stored.key)
    assert backend.leftovers() == []


BAD_KEYS = ["../escape", "/etc/passwd", "files/../../x", "Files/A", "a//b", "", "x" * 600]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_keys_that_could_leave_the_store_are_refused(backend: Backend, key: str) -> None:
    store = backend.store
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        await store.exists(key)
    with pytest.raises(ValueError):
        await store.delete(key)
    with pytest.raises(ValueError):
        await collect(store.stream(key))
    with pytest.raises(ValueError):
        await store.put_stream(key, chunked(b"x"))
    assert backend.leftovers() == []
