"""Calculation reports through the service on the real database and a blob folder: stored once,
found again without rendering, rendered anew only when what the PDF shows has changed."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.designs.schemas import DesignRequest
from domain.errors import NotFound
from domain.projects.schemas import ProjectCreate, ProjectUpdate
from domain.reports.models import Report
from domain.reports.service import ReportService
from infra.blobs import LocalBlobStore
from infra.settings import Settings
from tests.designs import PASSING


@pytest.fixture
async def saved(services: Any) -> dict[str, Any]:
    creds = await services.users.create("designer@example.com", "estimator", "Dana Designer")
    actor = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(
        actor,
        ProjectCreate(
            name="A & B <Signs> pylon", account_id="AB-1", customer="A & B", site_address="1 Main St"
        ),
    )
    await services.designs.save(
        actor, project.project_id, DesignRequest.model_validate(PASSING), if_match=project.etag
    )
    return {"actor": actor, "project_id": project.project_id}


def report_service(services: Any, root: Path) -> ReportService:
    return ReportService(
        services.reports.db, services.projects, services.designs, LocalBlobStore(root), services.users
    )


async def rows(service: ReportService) -> int:
    async with service.db() as tx:
        return int((await tx.session.execute(select(func.count()).select_from(Report))).scalar_one())


async def test_a_second_request_finds_the_stored_report_and_renders_nothing(
    services: Any, saved: dict[str, Any]
):
    pid = saved["project_id"]
    seen: list[tuple[int, str]] = []
    first = await services.reports.generate(pid, 1, on_progress=lambda p, m: seen.append((p, m)))
    assert first.rendered and first.revision == 1 and first.project_id == pid
    # The wired store: a file under the data dir named by the sha256 of its bytes.
    path = Path(Settings().data_dir) / "blobs" / "reports" / f"{first.sha256}.pdf"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == first.sha256 and len(data) == first.size
    assert data.startswith(b"%PDF-")
    assert any("wind" in m for _, m in seen) and seen[-1] == (100, "Report ready")
    mtime = path.stat().st_mtime_ns

    seen.clear()
    second = await services.reports.generate(pid, 1, on_progress=lambda p, m: seen.append((p, m)))
    assert not second.rendered
    assert (second.sha256, second.size, second.created_at) == (first.sha256, first.size, first.created_at)
    assert seen == [(100, "Report already rendered")]  # no rendering step reported
    assert path.stat().st_mtime_ns == mtime
    assert await rows(services.reports) == 1
    # The author's name (not the e-mail) is who designed and prepared it.
    report = await services.reports.report_input(pid, 1)
    assert report.design.created_by == "Dana Designer" == report.prepared_by

    listed = await services.reports.list(pid)
    assert [(r.sha256, r.revision) for r in listed] == [(first.sha256, 1)]
    ref, pdf = await services.reports.pdf(pid, first.sha256)
    assert pdf == data and ref.sha256 == first.sha256


async def test_a_renamed_project_gets_a_new_report_and_the_old_one_stays(
    services: Any, saved: dict[str, Any], tmp_path
):
    reports = report_service(services, tmp_path)
    pid = saved["project_id"]
    first = await reports.generate(pid, 1)
    project = await services.projects.get(pid)
    await services.projects.update(
        saved["actor"], pid, ProjectUpdate(name="Elm St pylon"), if_match=project.etag
    )
    second = await reports.generate(pid, 1)
    assert second.rendered and second.sha256 != first.sha256
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        [f"{first.sha256}.pdf", f"{second.sha256}.pdf"]
    )
    assert {r.sha256 for r in await reports.list(pid)} == {first.sha256, second.sha256}


async def test_a_lost_blob_is_rendered_again_to_the_same_bytes(
    services: Any, saved: dict[str, Any], tmp_path
):
    reports = report_service(services, tmp_path)
    pid = saved["project_id"]
    first = await reports.generate(pid, 1)
    (tmp_path / "reports" / f"{first.sha256}.pdf").unlink()
    again = await reports.generate(pid, 1)
    assert again.rendered and again.sha256 == first.sha256  # deterministic: the same PDF
    assert (tmp_path / "reports" / f"{first.sha256}.pdf").stat().st_size == first.size
    assert await rows(reports) == 1


async def test_two_requests_at_once_store_one_report(services: Any, saved: dict[str, Any], tmp_path):
    reports = report_service(services, tmp_path)
    a, b = await asyncio.gather(
        reports.generate(saved["project_id"], 1), reports.generate(saved["project_id"], 1)
    )
    assert a.sha256 == b.sha256
    assert await rows(reports) == 1
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [f"{a.sha256}.pdf"]


async def test_unknown_project_revision_or_report_is_not_found(
    services: Any, saved: dict[str, Any], tmp_path
):
    reports = report_service(services, tmp_path)
    with pytest.raises(NotFound, match="no design revision 2"):
        await reports.generate(saved["project_id"], 2)
    with pytest.raises(NotFound):
        await reports.generate("00000000-0000-0000-0000-000000000000", 1)
    with pytest.raises(NotFound):
        await reports.pdf(saved["project_id"], "0" * 64)
    with pytest.raises(NotFound):
        await reports.pdf(saved["project_id"], "../../etc/passwd")
    assert not (tmp_path / "reports").exists()
