"""The local-folder blob store, on a temporary directory."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from domain.ports import BlobStore
from infra.blobs import LocalBlobStore


async def test_put_then_get_stat_and_exists(tmp_path: Path) -> None:
    store: BlobStore = LocalBlobStore(tmp_path / "blobs")
    data = b"%PDF-1.4 fake but bytes"
    key = f"reports/{hashlib.sha256(data).hexdigest()}.pdf"
    assert not await store.exists(key)
    assert await store.stat(key) is None
    info = await store.put(key, data, "application/pdf")
    assert (info.key, info.size, info.content_type) == (key, len(data), "application/pdf")
    assert await store.get(key) == data
    assert await store.exists(key)
    assert await store.stat(key) == info
    assert (tmp_path / "blobs" / key).read_bytes() == data


async def test_a_second_put_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    await store.put("a/b.bin", b"one", "application/octet-stream")
    await store.put("a/b.bin", b"two!", "application/octet-stream")
    assert await store.get("a/b.bin") == b"two!"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.bin"]


async def test_a_missing_blob_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        await LocalBlobStore(tmp_path).get("reports/none.pdf")


@pytest.mark.parametrize(
    "key",
    ["../escape.pdf", "/etc/passwd", "reports/../../x", "Reports/A.pdf", "a//b", "", "a/./b", "x" * 600],
)
async def test_keys_that_could_leave_the_folder_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "root")
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        await store.exists(key)
    assert not (tmp_path / "escape.pdf").exists()


async def test_a_failed_write_leaves_neither_the_blob_nor_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        await store.put("reports/x.pdf", b"data", "application/pdf")
    assert not await store.exists("reports/x.pdf")
    assert list((tmp_path / "reports").iterdir()) == []


WRITER = """
import asyncio, sys
from infra.blobs import LocalBlobStore
asyncio.run(LocalBlobStore(sys.argv[1]).put("reports/big.pdf", b"x" * (256 * 1024 * 1024), "application/pdf"))
"""


def test_a_writer_killed_midway_leaves_no_blob_under_the_final_name(tmp_path: Path) -> None:
    """A real process killed with SIGKILL while its temporary file is half written."""
    root = tmp_path / "blobs"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], env=env)
    try:
        deadline = time.monotonic() + 60
        partial = False
        while time.monotonic() < deadline and proc.poll() is None:
            temps = list((root / "reports").glob(".tmp-*")) if (root / "reports").exists() else []
            if temps and temps[0].stat().st_size > 0:
                partial = True
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    temps = list((root / "reports").glob(".tmp-*"))
    assert partial, "the writer finished before it could be killed midway"
    assert not (root / "reports" / "big.pdf").exists()
    assert len(temps) == 1 and 0 < temps[0].stat().st_size < 256 * 1024 * 1024  # the half-written temporary
    temps[0].unlink()
