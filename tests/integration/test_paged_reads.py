"""The project's lists (timeline, design revisions, files, reports) read a page and its total in
one statement and ask whether the project exists only when the page is empty
(``domain/paged_query.py``): the totals must stay true past the end, and a missing project must
still be a 404 rather than an empty list."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.errors import NotFound
from domain.projects.schemas import ProjectCreate, ProjectUpdate


@pytest.fixture
async def project(services: Any) -> Any:
    creds = await services.users.create("pages@signx.test", "estimator")
    actor = await services.users.authenticate_api_key(creds.api_key)
    created = await services.projects.create(actor, ProjectCreate(name="Elm St Pylon", account_id="A-1"))
    for n in range(4):  # five events in all
        current = await services.projects.get(created.project_id)
        await services.projects.update(
            actor, created.project_id, ProjectUpdate(customer=f"Customer {n}"), if_match=current.etag
        )
    return created


async def test_a_page_carries_the_true_total_within_and_past_the_end(services: Any, project: Any) -> None:
    first = await services.projects.events(project.project_id, limit=2)
    assert (len(first.items), first.total) == (2, 5)
    last = await services.projects.events(project.project_id, limit=2, offset=4)
    assert (len(last.items), last.total) == (1, 5)
    past = await services.projects.events(project.project_id, limit=2, offset=10)
    assert (past.items, past.total) == ([], 5)


async def test_an_empty_list_of_an_existing_project_is_empty(services: Any, project: Any) -> None:
    assert (await services.files.list(project.project_id)).total == 0
    assert (await services.designs.list(project.project_id)).total == 0
    assert await services.reports.list(project.project_id) == []


@pytest.mark.parametrize("missing", [str(uuid.uuid4()), "not-an-id"])
async def test_the_lists_of_a_missing_project_are_not_found(services: Any, missing: str) -> None:
    for read in (
        lambda: services.projects.events(missing),
        lambda: services.files.list(missing),
        lambda: services.designs.list(missing),
        lambda: services.designs.get(missing, 1),
        lambda: services.reports.list(missing),
    ):
        with pytest.raises(NotFound, match="No project"):
            await read()
