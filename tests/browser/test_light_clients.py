"""The benchmarks' light clients (``bench/light_clients.py``) against the real server: they must
speak NiceGUI's page and websocket protocol well enough to log in, type and see the answer. If
NiceGUI changes what a page embeds or what its socket expects, these fail, instead of the
benchmarks measuring nothing. No browser: a light client is the page and its socket without one.

Fixtures (one server for the module) are in this folder's conftest.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bench.light_clients import Designer, LightClient, ProjectList
from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.schemas import Actor

pytestmark = pytest.mark.asyncio(loop_scope="module")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def new_user(svc: Any) -> tuple[Actor, str]:
    creds = await svc.users.create(f"{unique('light')}@signx.test", "estimator", "Light")
    actor = await svc.users.authenticate_api_key(creds.api_key)
    assert actor is not None
    return actor, creds.password


async def new_project(svc: Any, actor: Actor, name: str) -> ProjectOut:
    data = ProjectCreate(name=name, account_id="ACME-01", customer="Acme Fuel", site_address="1 Main St")
    project: ProjectOut = await svc.projects.create(actor, data)
    return project


async def test_a_light_client_logs_in_and_its_keystroke_changes_the_designers_results(svc, server: str):
    actor, password = await new_user(svc)
    project = await new_project(svc, actor, "Main St Pylon")
    client = LightClient(server, "test")
    try:
        await client.log_in(actor.email, password)
        assert client.path == "/projects"

        designer = Designer(client)
        await designer.open(project.project_id)
        text, chart = designer.results()
        assert "Pole:" in text and "Checks (" in text
        elapsed = await designer.type_wind(160)

        assert elapsed > 0
        new_text, new_chart = designer.results()
        assert new_text != text and new_chart != chart
        assert client.reloads == 0 and client.failed_loads == 0
    finally:
        await client.close()


async def test_a_light_client_with_a_wrong_password_is_refused(svc, server: str):
    actor, _ = await new_user(svc)
    client = LightClient(server, "test")
    try:
        with pytest.raises(RuntimeError, match="Wrong email or password"):
            await client.log_in(actor.email, "not the password")
        assert client.path.startswith("/login")
    finally:
        await client.close()


async def test_a_light_clients_search_narrows_the_project_list(svc, server: str):
    actor, password = await new_user(svc)
    wanted = unique("Harbor")
    await new_project(svc, actor, wanted)
    await new_project(svc, actor, unique("Depot"))
    client = LightClient(server, "test")
    try:
        await client.log_in(actor.email, password)
        listing = ProjectList(client)
        await listing.open()
        assert listing.shown()[0] == "2 projects"

        await listing.type_search(wanted)

        count, rows = listing.shown()
        assert count == "1 project"
        assert wanted in rows
    finally:
        await client.close()
