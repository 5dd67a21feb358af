"""The file service's races, on the real database and the local blob store: two simultaneous
uploads of the same content, and an upload whose project turns read-only while its bytes stream
(the blob it stored is removed again, nothing is recorded)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from domain.errors import Conflict
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate
from infra.settings import Settings
from tests import files
from tests.designs import save_passing_design

MiB = 1024 * 1024


def file_blobs() -> list[str]:
    root = Path(Settings().data_dir) / "blobs"
    return sorted(p.name for d in ("files", ".tmp") if (root / d).exists() for p in (root / d).iterdir())


@pytest.fixture(autouse=True)
def _no_files_yet(servers: dict[str, str]) -> None:
    for folder in ("files", ".tmp"):
        shutil.rmtree(Path(Settings().data_dir) / "blobs" / folder, ignore_errors=True)


async def chunks(data: bytes, *, pause: float = 0.0) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 256 * 1024):
        yield data[i : i + 256 * 1024]
        await asyncio.sleep(pause)


async def actors(services: Any) -> tuple[Any, Any]:
    est = await services.users.create("est@example.com", "estimator", "Est")
    boss = await services.users.create("boss@example.com", "manager", "Boss")
    return (
        await services.users.authenticate_api_key(est.api_key),
        await services.users.authenticate_api_key(boss.api_key),
    )


async def test_two_simultaneous_uploads_of_the_same_content_make_one_file(services):
    me, _ = await actors(services)
    project = await services.projects.create(me, ProjectCreate(name="Main St", account_id="A-1"))
    data = files.csv_of_size(3 * MiB)
    first, second = await asyncio.gather(
        services.files.upload(me, project.project_id, name="a.csv", chunks=chunks(data, pause=0.001)),
        services.files.upload(me, project.project_id, name="b.csv", chunks=chunks(data, pause=0.001)),
    )
    assert sorted([first.created, second.created]) == [False, True]
    assert first.file.file_id == second.file.file_id
    assert (await services.files.list(project.project_id)).total == 1
    events = (await services.projects.events(project.project_id)).items
    assert [e.event_type for e in events].count("file.uploaded") == 1
    assert file_blobs() == [hashlib.sha256(data).hexdigest()]


async def test_a_project_that_turns_read_only_mid_upload_keeps_nothing_of_it(services):
    me, boss = await actors(services)
    project = await services.projects.create(me, ProjectCreate(name="Oak Ave", account_id="A-2"))
    state = await save_passing_design(services, me, project)
    for who, status in ((me, Status.estimating), (me, Status.submitted)):
        state = await services.projects.transition(who, project.project_id, status, if_match=state.etag)
    data = files.pdf("Late drawing")

    async def accepted_meanwhile() -> AsyncIterator[bytes]:
        yield data
        # While the bytes are on their way, a manager accepts the project.
        await services.projects.transition(boss, project.project_id, Status.accepted, if_match=state.etag)

    with pytest.raises(Conflict, match="read-only"):
        await services.files.upload(me, project.project_id, name="late.pdf", chunks=accepted_meanwhile())
    assert (await services.files.list(project.project_id)).total == 0
    assert file_blobs() == []
