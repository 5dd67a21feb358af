"""Blobs as files in a folder under the data dir: ``<root>/<key>``.

Atomic writes: the bytes go to a temporary file in the target's own folder (same file system),
are flushed and fsynced, then ``os.replace`` moves it onto the final name in one step, and the
folder is fsynced so the rename survives a power cut. A writer killed midway leaves at most a
``.tmp-*`` file that no key can name, never a partial blob under its final name; a later ``put``
of the same key simply writes again. Concurrent writers of the same content-addressed key race
harmlessly: the last rename wins with identical bytes.

The file system keeps no content type: it is derived from the key's extension (the domain's keys
carry one, ``.pdf``). Blocking file I/O runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path

from domain.ports import BlobInfo

_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")
MAX_KEY = 512


def check_key(key: str) -> str:
    """``key`` when it is a valid blob key; ``ValueError`` naming it otherwise (absolute paths,
    ``..``, upper case, empty segments and anything beyond [a-z0-9._-] are refused)."""
    if len(key) > MAX_KEY or not _KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"invalid blob key {key!r}")
    return key


def _content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


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
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
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

    # ------------------------------------------------------------------ the port
    async def put(self, key: str, data: bytes, content_type: str) -> BlobInfo:
        check_key(key)
        return await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes:
        check_key(key)
        return await asyncio.to_thread(self._get, key)

    async def stat(self, key: str) -> BlobInfo | None:
        check_key(key)
        return await asyncio.to_thread(self._stat, key)

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None
