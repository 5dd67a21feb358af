"""The unit of work: the actor re-read in the transaction, the outbox written with the change and
handed on only after the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.errors import Forbidden
from domain.projects.schemas import ProjectCreate, ProjectQuery, ProjectUpdate
from infra.db import Database
from infra.uow import SqlUnitOfWork

NEW = ProjectCreate(name="Elm St Pylon", account_id="ACME-01", customer="Acme", site_address="1 Elm St")


async def _actor(services, email, role):
    creds = await services.users.create(email, role)
    actor = await services.users.authenticate_api_key(creds.api_key)
    assert actor is not None
    return actor


async def test_an_estimator_deactivated_elsewhere_can_no_longer_create_projects(services):
    admin = await _actor(services, "admin@example.com", "admin")
    estimator = await _actor(services, "eve@example.com", "estimator")  # as a page read it at load
    await services.projects.create(estimator, NEW)  # still active: allowed

    await services.users.set_active(admin, estimator.user_id, False)  # another tab, another session

    with pytest.raises(Forbidden):
        await services.projects.create(estimator, NEW)
    assert (await services.projects.search(ProjectQuery())).total == 1


async def test_an_estimator_demoted_elsewhere_acts_with_the_new_role(services):
    admin = await _actor(services, "admin@example.com", "admin")
    estimator = await _actor(services, "eve@example.com", "estimator")
    await services.users.set_role(admin, estimator.user_id, "ops")

    with pytest.raises(Forbidden, match="role 'ops'"):
        await services.projects.create(estimator, NEW)
    assert (await services.projects.search(ProjectQuery())).total == 0


async def test_an_estimator_deactivated_elsewhere_can_no_longer_update_projects(services):
    """The update reads the acting user with the locked project (one statement): a deactivated
    account is refused before the ETag or the project's existence is looked at."""
    admin = await _actor(services, "admin@example.com", "admin")
    estimator = await _actor(services, "eve@example.com", "estimator")
    project = await services.projects.create(estimator, NEW)
    await services.users.set_active(admin, estimator.user_id, False)

    for project_id, if_match in ((project.project_id, project.etag), (project.project_id, None)):
        with pytest.raises(Forbidden, match="deactivated"):
            await services.projects.update(
                estimator, project_id, ProjectUpdate(customer="Other"), if_match=if_match
            )
    for missing in ("not-a-project", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Forbidden, match="deactivated"):
            await services.projects.update(
                estimator, missing, ProjectUpdate(customer="Other"), if_match=project.etag
            )
    assert (await services.projects.get(project.project_id)).customer == "Acme"


async def test_an_outbox_row_added_in_a_savepoint_rolled_back_is_neither_written_nor_handed_on(servers):
    db = Database(servers["database_url"], pool_size=2)
    handed: list[list[str]] = []
    uow = SqlUnitOfWork(
        db, after_commit=lambda messages: handed.append([m.payload["job_id"] for m in messages])
    )
    try:
        async with uow() as tx:
            tx.outbox.add("job.enqueue", {"job_id": "kept", "attempt": 1})
            with pytest.raises(RuntimeError):
                async with tx.session.begin_nested():
                    tx.outbox.add("job.enqueue", {"job_id": "dropped", "attempt": 1})
                    raise RuntimeError("what follows a change fails; the change stands")
            async with tx.session.begin_nested():
                tx.outbox.add("job.enqueue", {"job_id": "released", "attempt": 1})
            tx.outbox.add("job.enqueue", {"job_id": "last", "attempt": 1})
        async with db.sessions() as other:
            rows = (await other.execute(text("SELECT payload->>'job_id' FROM outbox"))).scalars().all()
        assert sorted(rows) == ["kept", "last", "released"]
        assert [sorted(each) for each in handed] == [["kept", "last", "released"]]
    finally:
        await db.dispose()


async def test_a_unit_of_work_acting_for_a_user_never_commits_without_admitting_them(servers):
    db = Database(servers["database_url"], pool_size=2)
    uow = SqlUnitOfWork(db)
    try:
        with pytest.raises(RuntimeError, match="never re-read"):
            async with uow.acting("00000000-0000-0000-0000-000000000000") as tx:
                tx.outbox.add("job.enqueue", {"job_id": "a", "attempt": 1})
        with pytest.raises(RuntimeError, match="not been re-read"):
            async with uow.acting("00000000-0000-0000-0000-000000000000") as tx:
                tx.actor  # noqa: B018
        with pytest.raises(Forbidden):
            async with uow.acting("00000000-0000-0000-0000-000000000000") as tx:
                tx.admit(None)
        with pytest.raises(Forbidden):
            async with uow.acting("00000000-0000-0000-0000-000000000000") as tx:
                await tx.reread_actor()
        async with db.sessions() as other:
            assert (await other.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == 0
    finally:
        await db.dispose()


async def test_outbox_rows_are_written_with_the_change_and_handed_on_only_after_the_commit(servers):
    db = Database(servers["database_url"], pool_size=2)
    seen_by_others: list[int] = []
    handed: list[list[str]] = []

    def after_commit(messages) -> None:
        handed.append([m.kind for m in messages])

    uow = SqlUnitOfWork(db, after_commit=after_commit)
    try:
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                tx.outbox.add("job.enqueue", {"job_id": "a", "attempt": 1})
                raise RuntimeError("the use case fails after writing its outbox row")
        assert handed == []

        async with uow() as tx:
            tx.outbox.add("job.enqueue", {"job_id": "b", "attempt": 1})
            await tx.session.flush()
            # Not visible to anyone else before the commit.
            async with db.sessions() as other:
                seen_by_others.append((await other.execute(text("SELECT count(*) FROM outbox"))).scalar_one())
            assert handed == []
        assert handed == [["job.enqueue"]]
        async with db.sessions() as other:
            rows = (await other.execute(text("SELECT payload->>'job_id' FROM outbox"))).scalars().all()
        assert seen_by_others == [0] and rows == ["b"]
    finally:
        await db.dispose()
