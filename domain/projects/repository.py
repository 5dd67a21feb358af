"""All project queries. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, literal, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.paged_query import page_and_total
from domain.projects.lifecycle import Status
from domain.projects.models import Project, ProjectEvent
from domain.projects.schemas import ListAfter
from domain.search.matching import PLAN_FOR_THE_VALUES, Clauses, text_clauses
from domain.search.schemas import SEARCH_CAP, SearchFilters
from domain.search.text import words
from domain.users.models import User


async def get(session: AsyncSession, project_id: uuid.UUID, *, for_update: bool = False) -> Project | None:
    stmt = select(Project).where(Project.project_id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


# The hot writes (create, update) as Core statements built once: no ORM unit of work to flush, no
# statement to build and key for the compiled cache per request, and each write is ONE statement
# (the project row and its audit event together, as data-modifying CTEs).
_PROJECTS = cast(Table, Project.__table__)
_EVENTS = cast(Table, ProjectEvent.__table__)
_USERS = cast(Table, User.__table__)
# Every column of a project but the search document (computed, read only by SQL).
_COLUMNS = [c for c in _PROJECTS.c if c.key != "search"]
# The columns an insert writes; the others (design headline, PM dispatch) start null.
_NEW = (
    "project_id",
    "account_id",
    "name",
    "customer",
    "description",
    "site_address",
    "status",
    "revision",
    "etag",
    "owner_id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
# What an update may write: the editable fields and the new revision.
_CHANGED = ("name", "customer", "account_id", "description", "site_address")
_BUMPED = ("revision", "etag", "updated_at", "updated_by")


def _event_values() -> dict[str, Any]:
    return {
        "project_id": bindparam("e_project_id", type_=_EVENTS.c.project_id.type),
        "event_type": bindparam("e_event_type", type_=_EVENTS.c.event_type.type),
        "actor": bindparam("e_actor", type_=_EVENTS.c.actor.type),
        "request_id": bindparam("e_request_id", type_=_EVENTS.c.request_id.type),
        "created_at": bindparam("e_created_at", type_=_EVENTS.c.created_at.type),
        "data": bindparam("e_data", type_=_EVENTS.c.data.type),
    }


def _bind(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: bindparam(f"p_{name}", type_=_PROJECTS.c[name].type) for name in names}


# The acting user's columns a unit of work admits it with (``Transaction.admit``), read by the
# write's own first statement instead of a statement of their own.
ACTOR_FIELDS = ("email", "role", "name", "session_epoch", "is_active")
_OWNER = _USERS.alias("owner")
_ACTOR = _USERS.alias("actor")

_LOCK = (
    select(
        *_COLUMNS,
        _OWNER.c.email.label("owner_email"),
        *(_ACTOR.c[name].label(f"actor_{name}") for name in ACTOR_FIELDS),
    )
    .select_from(
        _PROJECTS.outerjoin(_OWNER, _OWNER.c.user_id == _PROJECTS.c.owner_id).outerjoin(
            _ACTOR, _ACTOR.c.user_id == bindparam("actor_id", type_=_USERS.c.user_id.type)
        )
    )
    .where(_PROJECTS.c.project_id == bindparam("project_id", type_=_PROJECTS.c.project_id.type))
    .with_for_update(of=_PROJECTS)
)
_UPDATE = (
    insert(_EVENTS)
    .values(_event_values())
    .add_cte(
        update(_PROJECTS)
        .where(_PROJECTS.c.project_id == bindparam("p_project_id", type_=_PROJECTS.c.project_id.type))
        .values(_bind(_CHANGED + _BUMPED))
        .cte("changed")
    )
)


def _create() -> Any:
    """The acting user's row (what the statement answers) and, only when there is one, the new
    project and its audit event (whose actor is the user's e-mail as stored now)."""
    actor = (
        select(*(_USERS.c[name] for name in ACTOR_FIELDS))
        .where(_USERS.c.user_id == bindparam("actor_id", type_=_USERS.c.user_id.type))
        .cte("actor")
    )
    project = insert(_PROJECTS).from_select(list(_NEW), select(*_bind(_NEW).values()).select_from(actor))
    event = _event_values()
    event["actor"] = actor.c.email
    audit = insert(_EVENTS).from_select(list(event), select(*event.values()).select_from(actor))
    return select(*actor.c).add_cte(project.cte("created")).add_cte(audit.cte("audited"))


_CREATE = _create()


# The columns a project's answer shows, and its owner's e-mail: a Core statement built once (the
# ORM's per-execution work, building the statement and loading an entity, was a tenth of an API
# GET's CPU), executed with the id as its one parameter.
SHOWN = (
    "project_id", "account_id", "name", "customer", "description", "site_address", "status", "etag",
    "revision", "owner_id", "created_at", "created_by", "updated_at", "updated_by",
    "submitted_design_revision", "pm_dispatch", "pm_reference", "pm_submission_key", "pm_dispatched_at",
)  # fmt: skip
_SHOWN_BY_ID = (
    select(*(_PROJECTS.c[name] for name in SHOWN), _USERS.c.email.label("owner_email"))
    .select_from(_PROJECTS.outerjoin(_USERS, _USERS.c.user_id == _PROJECTS.c.owner_id))
    .where(_PROJECTS.c.project_id == bindparam("project_id"))
)


async def get_shown(conn: AsyncConnection | AsyncSession, project_id: uuid.UUID) -> Any:
    """What a project's answer shows (``SHOWN`` and ``owner_email``), in one statement."""
    return (await conn.execute(_SHOWN_BY_ID, {"project_id": project_id})).one_or_none()


class Locked(NamedTuple):
    values: dict[str, Any]  # every column of the project but the search document
    owner_email: str
    actor: dict[str, Any] | None  # the acting user's ACTOR_FIELDS (None: no such user)


async def lock_for_update(session: AsyncSession, project_id: uuid.UUID, actor_id: uuid.UUID) -> Locked | None:
    """The project's columns (not the search document), its owner's e-mail and the acting user's
    row, the project's row locked (FOR UPDATE OF projects: the users' rows are not) until the
    transaction ends; None when there is no such project."""
    conn = await session.connection()
    params = {"project_id": project_id, "actor_id": actor_id}
    row = (await conn.execute(_LOCK, params)).mappings().one_or_none()
    if row is None:
        return None
    values = dict(row)
    owner_email = values.pop("owner_email") or ""
    actor = {name: values.pop(f"actor_{name}") for name in ACTOR_FIELDS}
    return Locked(values, owner_email, actor if actor["email"] is not None else None)


def _event_params(event: dict[str, Any]) -> dict[str, Any]:
    return {f"e_{key}": value for key, value in event.items()}


async def insert_with_event(
    session: AsyncSession, values: dict[str, Any], event: dict[str, Any]
) -> dict[str, Any] | None:
    """A new project (``values``: every column of ``_NEW``; ``owner_id`` is the acting user) and
    its audit event (``event``: event_type, request_id, created_at, data; the actor is the
    owner's e-mail as stored), in one statement that also reads the owner's row: returns its
    ACTOR_FIELDS, or None (and writes nothing) when there is no such user."""
    conn = await session.connection()
    params = {f"p_{name}": values[name] for name in _NEW} | {"actor_id": values["owner_id"]}
    params |= _event_params({"project_id": values["project_id"], **event})
    row = (await conn.execute(_CREATE, params)).mappings().one_or_none()
    return dict(row) if row is not None else None


async def update_with_event(session: AsyncSession, values: dict[str, Any], event: dict[str, Any]) -> None:
    """Write a locked project's editable fields and new revision (``values``: every column of
    ``_CHANGED`` and ``_BUMPED``, and project_id) and the change's audit event, in one statement."""
    conn = await session.connection()
    params = {f"p_{name}": values[name] for name in ("project_id", *_CHANGED, *_BUMPED)}
    await conn.execute(_UPDATE, params | _event_params({"project_id": values["project_id"], **event}))


async def owner_emails(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.user_id, User.email).where(User.user_id.in_(user_ids)))
    return {row.user_id: row.email for row in rows}


class Listed(NamedTuple):
    rows: list[tuple[Project, str]]  # each project with its owner's e-mail
    total: int | None  # None: not counted (a page read by key)
    exact: bool
    substring: bool  # the words matched nothing: the literal substring answered


async def search(
    session: AsyncSession,
    *,
    q: str | None,
    status: str | None,
    account_id: str | None,
    sort: str,
    limit: int,
    offset: int,
    after: ListAfter | None = None,
) -> Listed:
    """A page of the list, its total (counted up to ``SEARCH_CAP``: exact below, else a lower
    bound, ``exact`` False) and the text matched as the search page matches it
    (``domain.search.matching``); words that match nothing fall back to a literal substring.

    ``after`` (a page read by key): the rows after that one, read from its place in the sort's
    index; nothing is counted (the total is None: the cursor carries the first page's), and the
    substring fallback applies when the first page took it (``cursor.fuzzy``)."""
    filters = SearchFilters(
        status=Status(status) if status else None, account_id=account_id if account_id else None
    )
    substring = after is not None and after.cursor.fuzzy
    clauses = text_clauses(q or "", filters, mode="substring" if substring else "words")
    if q:
        await session.execute(text(PLAN_FOR_THE_VALUES))
    rows, total = await _page(session, clauses, sort=sort, limit=limit, offset=offset, after=after)
    if after is None and total == 0 and q and words(q):
        substring = True
        clauses = text_clauses(q, filters, mode="substring")
        rows, total = await _page(session, clauses, sort=sort, limit=limit, offset=offset)
    if total is None:
        return Listed(rows, None, True, substring)
    return Listed(rows, min(total, SEARCH_CAP), total <= SEARCH_CAP, substring)


def _column(sort: str) -> Any:
    """The column a list sort key orders by; ``owner`` is the owner's email (joined in)."""
    name = sort.lstrip("-")
    return User.email if name == "owner" else getattr(Project, name)


def _order(sort: str) -> tuple[Any, ...]:
    """ORDER BY of a list sort key; ``owner`` is the owner's email (joined in by the caller), and
    the project id breaks ties so paging is stable."""
    column, key = _column(sort), Project.project_id
    return (column.desc(), key.desc()) if sort.startswith("-") else (column.asc(), key.asc())


def _after(sort: str, after: ListAfter) -> Any:
    """The rows after ``after`` in the sort's order: a (column, id) row comparison, which a B-tree
    on those columns (ix_projects_recent for the default order) starts from."""
    column = _column(sort)
    row = tuple_(column, Project.project_id)
    there = tuple_(literal(after.value, column.type), literal(after.cursor.id, Project.project_id.type))
    return row < there if sort.startswith("-") else row > there


def _listed(where: Any, sort: str) -> Any:
    """The list's rows in the sort's order, each project with its owner's e-mail (joined: one
    statement for the rows; the ``owner`` sort orders by it)."""
    return (
        select(Project, User.email)
        .outerjoin(User, User.user_id == Project.owner_id)
        .where(where)
        .order_by(*_order(sort))
    )


async def _page(
    session: AsyncSession,
    clauses: Clauses,
    *,
    sort: str,
    limit: int,
    offset: int,
    after: ListAfter | None = None,
) -> tuple[list[tuple[Project, str]], int | None]:
    """A page of projects with their owners' e-mails and the capped count of all that match
    (None for a page read by key, which counts nothing)."""
    where = text(clauses.sql()).bindparams(**clauses.params)
    if after is not None:
        stmt = _listed(where, sort).where(_after(sort, after)).limit(limit)
        return [(row[0], row[1] or "") for row in (await session.execute(stmt)).all()], None
    capped = select(literal(1)).select_from(Project).where(where).limit(SEARCH_CAP + 1).subquery()
    total = (await session.execute(select(func.count()).select_from(capped))).scalar_one()
    rows = (await session.execute(_listed(where, sort).limit(limit).offset(offset))).all()
    return [(row[0], row[1] or "") for row in rows], int(total)


EXPORT_COLUMNS = (
    Project.project_id,
    Project.name,
    Project.account_id,
    Project.customer,
    Project.site_address,
    Project.status,
    User.email.label("owner_email"),
    Project.created_at,
    Project.updated_at,
    Project.design_revision,
    Project.design_section,
    Project.design_pole_count,
    Project.design_mount,
    Project.design_wind_mph,
    Project.design_total,
)


async def stream(
    session: AsyncSession, *, q: str | None, status: str | None, account_id: str | None, sort: str
) -> AsyncIterator[Any]:
    """Every project of the list's filters (not only a page), in its order, through a server-side
    cursor (``yield_per``): memory stays one batch however many match. Words that match nothing
    fall back to a literal substring, as the list does."""
    filters = SearchFilters(
        status=Status(status) if status else None, account_id=account_id if account_id else None
    )
    found = False
    async for row in _stream(session, text_clauses(q or "", filters), sort):
        found = True
        yield row
    if not found and q and words(q):
        async for row in _stream(session, text_clauses(q, filters, mode="substring"), sort):
            yield row


async def _stream(session: AsyncSession, clauses: Clauses, sort: str) -> AsyncIterator[Any]:
    where = text(clauses.sql()).bindparams(**clauses.params)
    stmt = select(*EXPORT_COLUMNS).join(User, User.user_id == Project.owner_id).where(where)
    stmt = stmt.order_by(*_order(sort))
    result = await session.stream(stmt.execution_options(yield_per=500))
    async for row in result:
        yield row


async def add_event(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    event_type: str,
    actor: str,
    request_id: str | None,
    data: dict[str, Any],
) -> None:
    session.add(
        ProjectEvent(
            project_id=project_id, event_type=event_type, actor=actor, request_id=request_id, data=data
        )
    )


async def events(
    session: AsyncSession, project_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[ProjectEvent], int]:
    where = ProjectEvent.project_id == project_id
    stmt = select(ProjectEvent).where(where).order_by(ProjectEvent.event_id.desc())
    rows, total = await page_and_total(session, stmt, limit=limit, offset=offset)
    return [row[0] for row in rows], total


async def stream_events(session: AsyncSession, project_id: uuid.UUID) -> AsyncIterator[ProjectEvent]:
    """Every event of a project, oldest first, through a server-side cursor (for the export)."""
    stmt = (
        select(ProjectEvent)
        .where(ProjectEvent.project_id == project_id)
        .order_by(ProjectEvent.event_id.asc())
        .execution_options(yield_per=500)
    )
    result = await session.stream_scalars(stmt)
    async for event in result:
        yield event
