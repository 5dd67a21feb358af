"""What one page view costs the database, counted on the real PostgreSQL: every statement the
server sends while the page loads and until its data is on screen. A list of ten projects must
cost what a list of two does, and a project with ten events, files and design revisions what one
with two does: a query per row (an N+1 across the list, the timeline, the files or the
revisions) would make the count grow with them. The totals are held to fixed bounds too, so a
new query on every view does not come in unnoticed.

The page runs in this process (NiceGUI's ``user`` fixture), so a SQLAlchemy event listener sees
its statements. Background work that no tab asks for is not the view's: the outbox relay's sweep
and the job feed's poll (one per process, shared by every open tab; ``domain/jobs/feed.py``) run
in tasks of their own and are left out by the task's name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from nicegui.testing import User
from sqlalchemy import event
from sqlalchemy.engine import Engine
from ui_helpers import eventually, make_project, new_user, table_rows

from domain.designs.schemas import DesignRequest
from domain.projects.schemas import ProjectUpdate
from domain.users.schemas import Actor
from tests import files
from tests.designs import PASSING

BACKGROUND_TASKS = {"outbox-relay", "job-feed"}
# The list: who is signed in, the capped count, the page of projects with their owners' e-mails.
LIST_VIEW_MOST = 3  # was 4: the owners' e-mails in a statement of their own
# The project page: who is signed in, the project, and one statement for each of the timeline,
# the revisions, the latest design, the reports (two when it has none: does the project exist?)
# and the files. It was 18: each list asked whether the project existed and counted apart, and
# the revisions were read twice.
PROJECT_VIEW_MOST = 8


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements sent to the database meanwhile, by any engine of this process, except
    those of the background tasks above."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        task = asyncio.current_task()
        if task is None or task.get_name() not in BACKGROUND_TASKS:
            seen.append(" ".join(statement.split())[:160])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def view(user: User, path: str, shown: Callable[[], bool]) -> list[str]:
    """The statements of opening ``path`` until ``shown()`` holds (its data is on the page)."""
    with statements() as seen:
        await user.open(path)
        await eventually(shown, seconds=15, what=f"the data of {path} on the page")
    return seen


def marked(user: User, marker: str) -> list[Any]:
    return [e for e in user.current_layout.descendants() if marker in e._markers]


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def people(services: Any, role: str, count: int) -> list[Actor]:
    return [(await new_user(services, role, f"{role}{i}@signx.test"))[0] for i in range(count)]


async def test_the_project_list_costs_as_many_statements_for_ten_projects_as_for_two(
    services: Any, user: User, login: Any
) -> None:
    await login("manager")
    # Each project has an owner of its own: a lookup of each row's owner would show.
    owners = await people(services, "estimator", 10)
    for owner in owners[:2]:
        await make_project(services, owner, f"Pylon of {owner.email}")
    two = await view(user, "/projects", lambda: len(table_rows(user)) == 2)
    for owner in owners[2:]:
        await make_project(services, owner, f"Pylon of {owner.email}")
    ten = await view(user, "/projects", lambda: len(table_rows(user)) == 10)

    assert {row["owner"] for row in table_rows(user)} == {o.email for o in owners}
    assert len(ten) == len(two), f"2 projects: {two}\n10 projects: {ten}"
    assert len(ten) <= LIST_VIEW_MOST, f"{len(ten)} statements: {ten}"


async def test_a_project_page_costs_as_many_statements_with_ten_events_files_and_designs_as_with_two(
    services: Any, user: User, login: Any
) -> None:
    owner = await login("estimator")
    project = await make_project(services, owner, "Main St Pylon")
    # Each manager saves a design, uploads a file and edits the project: the revisions, the files
    # and the timeline each name people of their own.
    managers = await people(services, "manager", 10)

    async def work_of(manager: Actor, n: int) -> None:
        current = await services.projects.get(project.project_id)
        site = {**PASSING["input"]["site"], "wind_speed_mph": 100 + n}  # a new revision each
        design = DesignRequest.model_validate({**PASSING, "input": {**PASSING["input"], "site": site}})
        await services.designs.save(manager, project.project_id, design, if_match=current.etag)
        await services.files.upload(
            manager, project.project_id, name=f"survey {n}.pdf", chunks=_one(files.pdf(f"Survey {n}"))
        )
        current = await services.projects.get(project.project_id)
        await services.projects.update(
            manager, project.project_id, ProjectUpdate(customer=f"Customer {n}"), if_match=current.etag
        )

    async def loaded(count: int) -> Callable[[], bool]:
        """The files, the revisions and the first page of the timeline are on the page."""
        events = min(20, (await services.projects.events(project.project_id, limit=1)).total)

        def shown() -> bool:
            revisions = [getattr(e, "text", "") for e in marked(user, "revision-count")]
            return (
                len(marked(user, "file-download")) == count
                and revisions == [f"{count} saved revision(s)"]
                and len(marked(user, "event")) == events
            )

        return shown

    for n, manager in enumerate(managers[:2]):
        await work_of(manager, n)
    two = await view(user, f"/projects/{project.project_id}", await loaded(2))
    for n, manager in enumerate(managers[2:], start=2):
        await work_of(manager, n)
    ten = await view(user, f"/projects/{project.project_id}", await loaded(10))

    uploaders = {getattr(e, "text", "") for e in marked(user, "file-uploader")}
    assert uploaders == {m.email for m in managers}
    assert len(ten) == len(two), f"2 of each: {two}\n10 of each: {ten}"
    assert len(ten) <= PROJECT_VIEW_MOST, f"{len(ten)} statements: {ten}"
