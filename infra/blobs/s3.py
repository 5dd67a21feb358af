"""Blobs as objects in an S3-compatible bucket (MinIO, AWS S3, ...) through the ``minio`` client.

The client is synchronous: every call runs in a worker thread, off the event loop. The bucket
is created on first use when it does not exist (one check per process).

Streaming writes (``put_stream``): the object's name is the SHA-256 of its bytes, known only at
the end, so the bytes are uploaded first under a staging name (``tmp/<random>``) with a
multipart upload of 5 MiB parts, read from the async chunk iterator as minio asks for them (at
most about one part in memory, whatever the file size) and hashed on the way; then the staging
object is copied server-side to ``<prefix>/<sha256>`` (skipped when that object exists: the
same bytes are stored once) and removed. If the chunks raise midway, minio aborts the multipart
upload and nothing is left. A process killed between the upload and the copy can leave a
staging object: a bucket lifecycle rule expiring ``tmp/`` after a day removes such leftovers
(and incomplete multipart uploads), see the README.

S3 has no conditional create in the protocol minio speaks, so of two simultaneous first uploads
of the same bytes both may report ``created``; they wrote identical bytes.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, BinaryIO, cast

from minio import Minio
from minio.commonconfig import CopySource
from minio.error import S3Error

from domain.ports import BlobInfo, StoredBlob
from infra.blobs.local import check_key
from infra.blobs.streams import CHUNK_BYTES, SHA256_HEX, Hasher, check_sha256, content_key, verified_chunks

PART_BYTES = 5 * 1024 * 1024  # S3's smallest multipart part
STAGING = "tmp"
MISSING = {"NoSuchKey", "NoSuchObject", "ResourceNotFound", "NotFound"}


class _ChunkReader(io.RawIOBase):
    """A blocking ``read(n)`` (what minio's uploader calls, in its thread) over an async chunk
    iterator running on the event loop. Hashes what it hands out. Holds at most ``n`` bytes plus
    one chunk."""

    def __init__(self, chunks: AsyncIterable[bytes], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._chunks = aiter(chunks)
        self._loop = loop
        self._buffer = bytearray()
        self._done = False
        self.hasher = Hasher()

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes | None:
        future = asyncio.run_coroutine_threadsafe(_next_chunk(self._chunks), self._loop)
        return future.result()

    def read(self, size: int | None = -1) -> bytes:
        want = PART_BYTES if size is None or size < 0 else size
        while len(self._buffer) < want and not self._done:
            chunk = self._next()
            if chunk is None:
                self._done = True
            else:
                self._buffer += chunk
        out = bytes(self._buffer[:want])
        del self._buffer[:want]
        self.hasher.update(out)
        return out


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return None


def _missing(exc: S3Error) -> bool:
    return exc.code in MISSING


class S3BlobStore:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    @classmethod
    def connect(
        cls,
        endpoint: str,
        bucket: str,
        *,
        access_key: str | None,
        secret_key: str | None,
        secure: bool = True,
        region: str | None = None,
    ) -> S3BlobStore:
        """``endpoint`` is ``host:port`` (no scheme); ``secure`` chooses HTTPS. Connects lazily."""
        client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        return cls(client, bucket)

    # ------------------------------------------------------------------ the bucket
    def _make_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:
                # Another process made it meanwhile.
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    async def _ready(self) -> None:
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if not self._bucket_ready:
                await asyncio.to_thread(self._make_bucket)
                self._bucket_ready = True

    async def ping(self) -> None:
        """For /ready: raises when the store cannot be reached or the bucket cannot be made."""
        await asyncio.to_thread(self._make_bucket)
        self._bucket_ready = True

    # ------------------------------------------------------------------ blocking parts
    def _stat(self, key: str) -> BlobInfo | None:
        try:
            found = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if _missing(exc):
                return None
            raise
        return BlobInfo(
            key=key, size=int(found.size or 0), content_type=found.content_type or "application/octet-stream"
        )

    def _get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if _missing(exc):
                raise KeyError(key) from None
            raise
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def _upload(self, staging: str, reader: _ChunkReader) -> None:
        # One part at a time (no parallel uploads): memory stays at about one part.
        self.client.put_object(
            self.bucket,
            staging,
            cast(BinaryIO, reader),  # minio only calls read(n)
            length=-1,
            part_size=PART_BYTES,
            num_parallel_uploads=1,
        )

    def _settle(self, staging: str, key: str) -> bool:
        try:
            if self._stat(key) is not None:
                return False
            self.client.copy_object(self.bucket, key, CopySource(self.bucket, staging))
            return True
        finally:
            self.client.remove_object(self.bucket, staging)

    def _remove(self, key: str) -> None:
        self.client.remove_object(self.bucket, key)  # S3 answers a missing key with success

    # ------------------------------------------------------------------ the port
    async def put(self, key: str, data: bytes, content_type: str) -> BlobInfo:
        check_key(key)
        await self._ready()
        await asyncio.to_thread(
            self.client.put_object, self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )
        return BlobInfo(key=key, size=len(data), content_type=content_type)

    async def put_stream(self, prefix: str, chunks: AsyncIterable[bytes], *, suffix: str = "") -> StoredBlob:
        check_key(content_key(prefix, "0" * SHA256_HEX, suffix))
        await self._ready()
        staging = f"{STAGING}/{uuid.uuid4().hex}"
        reader = _ChunkReader(chunks, asyncio.get_running_loop())
        try:
            await asyncio.to_thread(self._upload, staging, reader)
        except BaseException:
            # minio aborted its multipart upload; a single-part PUT had not been sent yet. Remove
            # the staging name anyway in case the failure came after the object was complete.
            await asyncio.shield(asyncio.to_thread(self._remove, staging))
            raise
        sha256 = reader.hasher.hexdigest()
        key = content_key(prefix, sha256, suffix)
        created = await asyncio.to_thread(self._settle, staging, key)
        return StoredBlob(key=key, size=reader.hasher.size, sha256=sha256, created=created)

    async def get(self, key: str, *, sha256: str | None = None) -> bytes:
        check_key(key)
        await self._ready()
        data = await asyncio.to_thread(self._get, key)
        return await asyncio.to_thread(check_sha256, key, data, sha256) if sha256 else data

    def stream(self, key: str, *, sha256: str | None = None) -> AsyncIterator[bytes]:
        check_key(key)
        response: list[Any] = []
        parts: list[Any] = []

        def read() -> bytes:  # in a worker thread
            if not response:
                if not self._bucket_ready:
                    self._make_bucket()
                    self._bucket_ready = True
                try:
                    response.append(self.client.get_object(self.bucket, key))
                except S3Error as exc:
                    if _missing(exc):
                        raise KeyError(key) from None
                    raise
                parts.append(response[0].stream(CHUNK_BYTES))
            return bytes(next(parts[0], b""))

        def close() -> None:
            if response:
                response[0].close()
                response[0].release_conn()

        return verified_chunks(read, close, key=key, sha256=sha256)

    async def stat(self, key: str) -> BlobInfo | None:
        check_key(key)
        await self._ready()
        return await asyncio.to_thread(self._stat, key)

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._ready()
        await asyncio.to_thread(self._remove, key)
