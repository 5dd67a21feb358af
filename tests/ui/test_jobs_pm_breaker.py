"""The job monitor's PM system card shows the circuit breaker as the workers left it in Redis:
closed, open after repeated failures (with when it tries again), closed again once the PM system
answers. The failures are real: dispatches in this process against a real peer on 127.0.0.1
that answers 503, on the same Redis the page reads."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User
from ui_helpers import eventually

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design
from tests.pm_peer import pm_peer
from tests.submissions import run

# The page's own settings: it never dispatches, it shows where dispatches go and the breaker.
PAGE_PM_URL = "http://127.0.0.1:9/submissions"


def text(user: User, marker: str) -> str:
    (found,) = [e for e in user.current_layout.descendants() if marker in e._markers]
    return str(getattr(found, "text", ""))


@pytest.fixture
def pm_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before ``user`` starts the app (fixtures run in argument order)."""
    monkeypatch.setenv("SIGNX_PM_URL", PAGE_PM_URL)
    monkeypatch.setenv("SIGNX_PM_BREAKER_THRESHOLD", "2")
    monkeypatch.setenv("SIGNX_PM_BREAKER_RESET_SECONDS", "6")


async def test_the_monitor_shows_the_breaker_open_then_closed(
    services: Any, servers: dict[str, str], pm_settings: None, user: User, login: Any
) -> None:
    from bootstrap import wire
    from infra.settings import Settings

    await login("ops")
    await user.open("/jobs")
    await eventually(lambda: text(user, "pm-breaker") == "Breaker closed", seconds=8, what="breaker closed")
    assert f"Dispatches go to {PAGE_PM_URL}." in text(user, "pm-breaker-text")

    async with pm_peer(then=503) as peer:
        worker, release = wire(
            Settings(pm_url=peer.url, pm_breaker_threshold=2, pm_breaker_reset_seconds=6),
            servers["database_url"],
            servers["redis_url"],
        )
        try:
            eve = await worker.users.authenticate_api_key(
                (await worker.users.create("eve@example.com", "estimator")).api_key
            )
            project = await worker.projects.create(
                eve, ProjectCreate(name="Elm St Pylon", account_id="ACME-01")
            )
            project = await save_passing_design(worker, eve, project)
            project = await worker.projects.transition(
                eve, project.project_id, Status.estimating, if_match=project.etag
            )
            out = (await worker.submissions.submit(eve, project.project_id, if_match=project.etag)).value
            assert await run(worker, out.job.job_id, attempts=2) == ["retry", "retry"]

            await eventually(
                lambda: text(user, "pm-breaker") == "Breaker open", seconds=8, what="breaker open"
            )
            shown = text(user, "pm-breaker-text")
            assert "After 2 failed dispatches in a row nothing is sent" in shown
            assert "One dispatch tries again at" in shown

            peer.then = 201
            await eventually(lambda: text(user, "pm-breaker") == "Breaker half-open", seconds=8, what="due")
            assert await run(worker, out.job.job_id, attempts=1) == ["succeeded"]
            await eventually(
                lambda: text(user, "pm-breaker") == "Breaker closed", seconds=8, what="closed again"
            )
            assert "Failures in a row: 0 of 2" in text(user, "pm-breaker-text")
        finally:
            await release()
