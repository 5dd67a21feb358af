"""What every blob store adapter does alike around its own blocking I/O: hash while writing, and
read back in chunks checked against the SHA-256 the caller knows.

The hashing runs in the same worker thread as the blocking read or write of the chunk it hashes
(hashlib releases the GIL on large buffers), so neither the I/O nor the CPU of a 200 MB file
lands on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable

from domain.ports import BlobIntegrityError

# Reads hand on this much at a time; writes gather at least this much before a thread hop.
CHUNK_BYTES = 256 * 1024
SHA256_HEX = 64


def content_key(prefix: str, sha256: str, suffix: str = "") -> str:
    return f"{prefix}/{sha256}{suffix}"


class Hasher:
    """SHA-256 and size of the bytes seen so far."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._digest.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


async def verified_chunks(
    read: Callable[[], bytes], close: Callable[[], None], *, key: str, sha256: str | None
) -> AsyncIterator[bytes]:
    """The chunks ``read`` returns (in a worker thread; ``b""`` at the end), hashed as they pass.
    With ``sha256`` the last chunk is held back until the whole blob hashed to it: a mismatch
    raises ``BlobIntegrityError`` and the reader never receives the blob whole (a download with a
    Content-Length ends short, which every client reports as a failed transfer)."""
    hasher = Hasher()

    def step() -> bytes:
        chunk = read()
        if chunk:
            hasher.update(chunk)
        return chunk

    try:
        held = b""
        while chunk := await asyncio.to_thread(step):
            if held:
                yield held
            held = chunk
        if sha256 is not None and hasher.hexdigest() != sha256.lower():
            raise BlobIntegrityError(
                f"blob {key!r} hashes to {hasher.hexdigest()}, not {sha256.lower()}: it is damaged"
            )
        if held:
            yield held
    finally:
        close()  # a file close or a connection handed back to its pool: quick, and also on cancel


def check_sha256(key: str, data: bytes, sha256: str | None) -> bytes:
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise BlobIntegrityError(f"blob {key!r} does not hash to {sha256.lower()}: it is damaged")
    return data
