"""Blobs as files in a folder under the data dir: ``<root>/<key>``.

Atomic writes: the bytes go to a temporary file on the same file system, are flushed and
fsynced, then appear under their final name in one step, and the folder is fsynced so the name
survives a power cut. A writer killed midway leaves at most a temporary file (``.tmp-*`` beside
the blob for ``put``, in ``<root>/.tmp/`` for ``put_stream``) that no key can name, never a
partial blob under its final name.

``put`` replaces (``os.replace``; concurrent writers of the same content-addressed key race
harmlessly, the last rename wins with identical bytes). ``put_stream`` names the blob after the
SHA-256 of what streamed in and creates it with ``os.link``, which fails when the name exists:
of two uploads of the same bytes exactly one creates the blob, the other learns it was there.

The file system keeps no content type: it is derived from the key's extension (reports carry
``.pdf``; content-addressed files keep theirs in the database). Blocking file I/O and hashing
run in worker threads, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import IO

from domain.ports import BlobInfo, StoredBlob
from infra.blobs.streams import CHUNK_BYTES, SHA256_HEX, Hasher, check_sha256, content_key, verified_chunks

_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")
MAX_KEY = 512
STAGING = ".tmp"  # under the root; a key segment cannot start with "."


def check_key(key: str) -> str:
    """``key`` when it is a valid blob key; ``ValueError`` naming it otherwise (absolute paths,
    ``..``, upper case, empty segments and anything beyond [a-z0-9._-] are refused)."""
    if len(key) > MAX_KEY or not _KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"invalid blob key {key!r}")
    return key


def _content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _fsync_dir(path: Path) -> None:
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class LocalBlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """Where the blob of ``key`` lives (for a server that hands files to the OS directly)."""
        return self.root / check_key(key)

    # ------------------------------------------------------------------ blocking parts
    def _put(self, key: str, data: bytes) -> BlobInfo:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        return BlobInfo(key=key, size=len(data), content_type=_content_type(key))

    def _get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def _stat(self, key: str) -> BlobInfo | None:
        try:
            size = self.path(key).stat().st_size
        except FileNotFoundError:
            return None
        return BlobInfo(key=key, size=size, content_type=_content_type(key))

    def _delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def _open_staging(self) -> tuple[IO[bytes], Path]:
        staging = self.root / STAGING
        staging.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="upload-", dir=staging)
        return os.fdopen(fd, "wb"), Path(tmp)

    @staticmethod
    def _write(f: IO[bytes], hasher: Hasher, batch: list[bytes]) -> None:
        for chunk in batch:
            hasher.update(chunk)
            f.write(chunk)

    def _settle(self, f: IO[bytes], tmp: Path, key: str) -> bool:
        """Make the staged file the blob of ``key``; False when that blob existed already."""
        f.flush()
        os.fsync(f.fileno())
        f.close()
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tmp, target)  # atomic, and refuses an existing name
            created = True
        except FileExistsError:
            created = False
        tmp.unlink()
        if created:
            _fsync_dir(target.parent)
        return created

    # ------------------------------------------------------------------ the port
    async def put(self, key: str, data: bytes, content_type: str) -> BlobInfo:
        check_key(key)
        return await asyncio.to_thread(self._put, key, data)

    async def put_stream(self, prefix: str, chunks: AsyncIterable[bytes], *, suffix: str = "") -> StoredBlob:
        check_key(content_key(prefix, "0" * SHA256_HEX, suffix))
        f, tmp = await asyncio.to_thread(self._open_staging)
        hasher = Hasher()
        try:
            batch: list[bytes] = []
            batched = 0
            async for chunk in chunks:
                batch.append(chunk)
                batched += len(chunk)
                if batched >= CHUNK_BYTES:
                    await asyncio.to_thread(self._write, f, hasher, batch)
                    batch, batched = [], 0
            if batch:
                await asyncio.to_thread(self._write, f, hasher, batch)
            key = content_key(prefix, hasher.hexdigest(), suffix)
            created = await asyncio.to_thread(self._settle, f, tmp, key)
        except BaseException:
            # Refused, failed or cancelled midway: the staged bytes go (quick syscalls, done here
            # so that a cancelled task cleans up too).
            f.close()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        return StoredBlob(key=key, size=hasher.size, sha256=hasher.hexdigest(), created=created)

    async def get(self, key: str, *, sha256: str | None = None) -> bytes:
        check_key(key)
        data = await asyncio.to_thread(self._get, key)
        return await asyncio.to_thread(check_sha256, key, data, sha256) if sha256 else data

    def stream(self, key: str, *, sha256: str | None = None) -> AsyncIterator[bytes]:
        path = self.path(key)
        handle: list[IO[bytes]] = []

        def read() -> bytes:
            if not handle:
                try:
                    handle.append(path.open("rb"))
                except FileNotFoundError:
                    raise KeyError(key) from None
            return handle[0].read(CHUNK_BYTES)

        def close() -> None:
            if handle:
                handle[0].close()

        return verified_chunks(read, close, key=key, sha256=sha256)

    async def stat(self, key: str) -> BlobInfo | None:
        check_key(key)
        return await asyncio.to_thread(self._stat, key)

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._delete, key)
