"""Backup and restore on the real PostgreSQL: projects, designs, events, users and report blobs
come back identical in a fresh database and data dir; the dump is consistent while writes are in
flight; a restore refuses existing data unless forced, and refuses a damaged backup."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bootstrap import blob_root
from domain.projects.schemas import ProjectCreate, ProjectUpdate
from infra.backup import BackupError, backup, read_manifest, restore
from infra.migrate import upgrade
from infra.settings import Settings
from tests.databases import create_database, drop_database
from tests.designs import save_passing_design

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("users", "api_keys", "user_events", "projects", "project_events", "design_revisions", "reports")


async def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables that matter, in a stable order."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                table: sorted(
                    (tuple(r) for r in await conn.execute(text(f"SELECT * FROM {table}"))), key=repr
                )
                for table in TABLES
            }
    finally:
        await engine.dispose()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def scratch_db(servers):
    """A fresh, empty database on the session's server, dropped afterwards."""
    name = f"signx_restore_{uuid.uuid4().hex[:8]}"
    url = create_database(servers["admin_url"], name)
    yield url
    drop_database(servers["admin_url"], name)


@pytest.fixture
async def estate(services):
    """Two users, a project changed after its creation (events), a saved design and its report
    PDF in the blob store."""
    await services.users.create("admin@example.com", "admin", "Ada Admin")
    creds = await services.users.create("est@example.com", "estimator", "Eve Estimator")
    estimator = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(
        estimator, ProjectCreate(name="Birch Rd Pylon", account_id="ACME-07", customer="Acme")
    )
    project = await services.projects.update(
        estimator, project.project_id, ProjectUpdate(customer="Acme Signs Ltd"), if_match=project.etag
    )
    await save_passing_design(services, estimator, project)
    report = await services.reports.generate(project.project_id, 1)
    return report


async def test_a_backup_restores_every_row_and_blob_into_a_fresh_database(
    servers, estate, scratch_db, tmp_path
):
    blobs = blob_root(Settings())
    assert files(blobs), "the report PDF is in the blob store"
    manifest = await asyncio.to_thread(backup, servers["database_url"], blobs, tmp_path / "backup")
    assert manifest["blobs"]["count"] == len(files(blobs)) and manifest["schema_revision"]
    restored_blobs = tmp_path / "restored" / "blobs"
    await asyncio.to_thread(restore, tmp_path / "backup", scratch_db, restored_blobs)
    original, copy = await rows(servers["database_url"]), await rows(scratch_db)
    assert all(original[t] for t in TABLES), "every table has rows to compare"
    assert copy == original
    assert files(restored_blobs) == files(blobs)
    # The restored database is at the same schema and the migrations see nothing to do.
    await asyncio.to_thread(upgrade, scratch_db)
    assert await rows(scratch_db) == original


async def test_the_dump_is_consistent_while_a_write_is_in_flight(servers, estate, scratch_db, tmp_path):
    """An open transaction neither blocks the backup nor leaks into it."""
    engine = create_async_engine(servers["database_url"])
    try:
        async with engine.connect() as writer:
            transaction = await writer.begin()
            await writer.execute(text("UPDATE projects SET customer = 'uncommitted'"))
            await asyncio.wait_for(
                asyncio.to_thread(backup, servers["database_url"], blob_root(Settings()), tmp_path / "b"),
                timeout=120,
            )
            await transaction.commit()
    finally:
        await engine.dispose()
    await asyncio.to_thread(restore, tmp_path / "b", scratch_db, tmp_path / "blobs")
    customers = [r[0] for r in await _scalar_rows(scratch_db, "SELECT customer FROM projects")]
    assert customers == ["Acme Signs Ltd"]


async def _scalar_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in await conn.execute(text(sql))]
    finally:
        await engine.dispose()


async def test_a_restore_refuses_existing_data_unless_forced(servers, estate, scratch_db, tmp_path):
    await asyncio.to_thread(backup, servers["database_url"], blob_root(Settings()), tmp_path / "backup")
    # A database with tables: refused, nothing touched.
    with pytest.raises(BackupError, match="--force"):
        await asyncio.to_thread(restore, tmp_path / "backup", servers["database_url"], tmp_path / "empty")
    assert not (tmp_path / "empty").exists()
    # An empty database but a blob folder with files: refused too.
    stray = tmp_path / "stray"
    (stray / "reports").mkdir(parents=True)
    (stray / "reports" / "old.pdf").write_bytes(b"%PDF old")
    with pytest.raises(BackupError, match="has files"):
        await asyncio.to_thread(restore, tmp_path / "backup", scratch_db, stray)
    # Forced: whatever was there is replaced by the backup.
    await asyncio.to_thread(upgrade, scratch_db)
    engine = create_async_engine(scratch_db)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (user_id, email, name, role, password_hash, is_active, created_at, "
                "session_epoch) "
                "VALUES (gen_random_uuid(), 'extra@example.com', '', 'admin', 'x', true, now(), 0)"
            )
        )
    await engine.dispose()
    await asyncio.to_thread(restore, tmp_path / "backup", scratch_db, stray, force=True)
    assert await rows(scratch_db) == await rows(servers["database_url"])
    assert files(stray) == files(blob_root(Settings()))


async def test_a_damaged_or_unfinished_backup_is_refused(servers, estate, scratch_db, tmp_path):
    await asyncio.to_thread(backup, servers["database_url"], blob_root(Settings()), tmp_path / "backup")
    dump = tmp_path / "backup" / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged"):
        read_manifest(tmp_path / "backup")
    (tmp_path / "backup" / "backup.json").unlink()
    with pytest.raises(BackupError, match="unfinished"):
        await asyncio.to_thread(restore, tmp_path / "backup", scratch_db, tmp_path / "blobs")
    # And a backup never writes into a folder that has something in it.
    with pytest.raises(BackupError, match="not empty"):
        await asyncio.to_thread(backup, servers["database_url"], blob_root(Settings()), tmp_path / "backup")


def cli(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNX_")}
    env |= {"SIGNX_DATABASE_URL": database_url, "SIGNX_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


async def test_the_command_line_backs_up_and_restores(servers, estate, scratch_db, tmp_path):
    data_dir = Path(Settings().data_dir)
    made = await asyncio.to_thread(
        cli, "backup", str(tmp_path / "nightly"), database_url=servers["database_url"], data_dir=data_dir
    )
    assert made.returncode == 0, made.stderr
    count = len(files(data_dir / "blobs"))  # the blob folder is shared by the session's tests
    assert f"{count} blobs" in made.stdout
    assert json.loads((tmp_path / "nightly" / "backup.json").read_text())["blobs"]["count"] == count
    fresh_dir = tmp_path / "new-machine"
    restored = await asyncio.to_thread(
        cli, "restore", str(tmp_path / "nightly"), database_url=scratch_db, data_dir=fresh_dir
    )
    assert restored.returncode == 0, restored.stderr
    assert await rows(scratch_db) == await rows(servers["database_url"])
    assert files(fresh_dir / "blobs") == files(data_dir / "blobs")
    again = await asyncio.to_thread(
        cli, "restore", str(tmp_path / "nightly"), database_url=scratch_db, data_dir=fresh_dir
    )
    assert again.returncode == 2 and "--force" in again.stderr
