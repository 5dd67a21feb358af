"""Project lifecycle rules: create, read, search, update with ETag, transitions, audit.

Each verb is one unit of work: it opens a transaction, re-reads the acting user in it (a
deactivated or demoted user can no longer act through a page opened before), writes the change
and its audit event together, and returns plain DTOs. Concurrency: updates lock the row
(SELECT ... FOR UPDATE) and compare the caller's ETag under the lock, so of N writers holding
the same ETag exactly one wins and the rest get 412 with the current ETag.

The API's hot writes cost the fewest round trips: creating a project is one statement (the
acting user re-read, the project and its audit event), updating one is two (the row locked with
its owner's e-mail and the acting user, then the new values and the audit event); both are Core
statements built once (domain/projects/repository.py), and nothing is read back.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from domain.idempotency.service import IdempotencyRequest, IdempotencyService, Replay
from domain.orm import utcnow
from domain.outbox.models import SEARCH_INDEX
from domain.paging import Cursor
from domain.ports import Outbox, Transaction, UnitOfWork
from domain.projects import repository as repo
from domain.projects.lifecycle import (
    DECISION_STATES,
    Status,
    allowed_targets,
    check_transition,
    guard_refusal,
    is_read_only,
    needs_passing_design,
    reason_problem,
    resubmit_refusal,
)
from domain.projects.models import Project
from domain.projects.revisions import diff, is_wildcard, make_etag, matches, parse_etags
from domain.projects.schemas import (
    EventOut,
    KeysetPage,
    Page,
    ProjectCreate,
    ProjectOut,
    ProjectQuery,
    ProjectUpdate,
    StatusChange,
)
from domain.search.results import CSV_HEADER, csv_row
from domain.search.schemas import SEARCH_CAP
from domain.users.roles import can_create_project, can_edit_project
from domain.users.schemas import Actor

log = logging.getLogger("signx.projects")

LeaveDraftGuard = Callable[[AsyncSession, uuid.UUID], Awaitable[list[str]]]
"""Given the transition's session and the project, the reasons it may not leave draft or be
submitted (none: it may): a saved design whose checks all pass. Runs inside the transition's
transaction, with the project row locked."""


@dataclass(frozen=True)
class Submission:
    """What a submission set in motion (the submissions module's hook answers it)."""

    design_revision: int
    key: str  # the Idempotency-Key of its dispatch to the PM system
    job_id: str  # the dispatch job


@dataclass(frozen=True)
class Moved:
    """A status change made: the project after it, and the submission it set in motion (if any)."""

    project: ProjectOut
    submission: Submission | None = None


SubmitHook = Callable[[Transaction, uuid.UUID, int], Awaitable[Submission]]
"""What submitting a project does besides moving it, in the same transaction: given the
transaction, the project and its revision after the move, it queues the dispatch to the PM
system (job + outbox row) and says what it queued."""


async def allow_always(_session: AsyncSession, _project_id: uuid.UUID) -> list[str]:
    return []


StatusHook = Callable[[Transaction, StatusChange], Awaitable[Any]]
"""Told each status change in the change's transaction, after its audit event was written."""


async def ignore_change(_tx: Transaction, _change: StatusChange) -> None:
    return None


def _parse_id(project_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(project_id))
    except ValueError:
        raise NotFound(f"No project {project_id!r}.") from None


def _out(p: Project | Any, owner_email: str) -> ProjectOut:
    """A project's answer from an entity."""
    return _out_of({name: getattr(p, name, None) for name in repo.SHOWN}, owner_email)


def _out_of(v: Mapping[str, Any], owner_email: str) -> ProjectOut:
    """The DTO of a project read or written as plain column values (the Core write path)."""
    return ProjectOut(
        project_id=str(v["project_id"]),
        account_id=v["account_id"],
        name=v["name"],
        customer=v["customer"],
        description=v["description"],
        site_address=v["site_address"],
        status=Status(v["status"]),
        etag=v["etag"],
        revision=v["revision"],
        owner_id=str(v["owner_id"]),
        owner_email=owner_email,
        created_at=v["created_at"],
        created_by=str(v["created_by"]),
        updated_at=v["updated_at"],
        updated_by=str(v["updated_by"]),
        submitted_design_revision=v.get("submitted_design_revision"),
        pm_dispatch=v.get("pm_dispatch"),
        pm_reference=v.get("pm_reference"),
        pm_submission_key=v.get("pm_submission_key"),
        pm_dispatched_at=v.get("pm_dispatched_at"),
    )


def _event_out(e: Any) -> EventOut:
    return EventOut(
        event_id=e.event_id,
        project_id=str(e.project_id),
        event_type=e.event_type,
        actor=e.actor,
        request_id=e.request_id,
        created_at=e.created_at,
        data=e.data,
    )


def _require_if_match(if_match: str | None) -> None:
    """428 unless ``if_match`` names an ETag (not ``*``)."""
    if if_match is None:
        raise PreconditionRequired("This change needs the If-Match header with the project's ETag.")
    if not parse_etags(if_match, strong=False):
        raise PreconditionRequired("The If-Match header names no ETag; send the project's ETag.")
    if is_wildcard(if_match):
        raise PreconditionRequired(
            "If-Match: * is not accepted: it would overwrite changes you have not seen. "
            "Send the ETag you read with the project (GET returns it in the ETag header)."
        )


def _check_may_change(owner_id: uuid.UUID, status: str, actor: Actor) -> None:
    """403 unless ``actor`` may edit a project of ``owner_id``; 409 when it is read-only."""
    if not can_edit_project(actor.role, user_id=actor.user_id, owner_id=str(owner_id)):
        raise Forbidden("Estimators may edit only their own projects.")
    if is_read_only(Status(status)):
        raise Conflict(
            f"The project is {status} and read-only.",
            status=status,
            allowed=list(allowed_targets(Status(status), actor.role)),
        )


class ProjectService:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        idempotency: IdempotencyService | None = None,
        leave_draft_guard: LeaveDraftGuard = allow_always,
        observe: Callable[[str], None] = lambda _outcome: None,
        search_outbox: bool = False,
        on_submit: SubmitHook | None = None,
    ) -> None:
        self.uow = uow
        self.idempotency = idempotency or IdempotencyService(uow)
        # The design guard: leaving draft and submitting need a saved design that passes.
        self.leave_draft_guard = leave_draft_guard
        # Submitting queues the dispatch to the PM system (the composition root wires it).
        self.on_submit = on_submit
        # Told each outcome ("created", "updated", "transition", "design_saved", "stale_etag"): the
        # composition root feeds it to the metrics, keeping this module free of them.
        self.observe = observe
        # A search engine keeps its own copy of the projects (OpenSearch configured): each change
        # asks for the project's document to be refreshed, as an outbox row in the change's own
        # transaction (sent after the commit, never lost, never for a rolled-back change).
        self.search_outbox = search_outbox
        # Told every status change inside its transaction (the composition root sets the e-mails).
        self.on_status_change: StatusHook = ignore_change

    def _reindex_later(self, outbox: Outbox, project_id: uuid.UUID) -> None:
        if self.search_outbox:
            outbox.add(SEARCH_INDEX, {"project_id": str(project_id)})

    async def create(self, actor: Actor, data: ProjectCreate, *, request_id: str | None = None) -> ProjectOut:
        """Create a project in draft."""
        return (await self.create_replayable(actor, data, request_id=request_id)).value

    async def create_replayable(
        self,
        actor: Actor,
        data: ProjectCreate,
        *,
        idempotency: IdempotencyRequest | None = None,
        request_id: str | None = None,
    ) -> Replay[ProjectOut]:
        """Create a project in draft, once per idempotency key: the same key and data again give
        the first project (``replayed``), the same key with other data 422, meanwhile 409."""

        async def work(tx: Transaction) -> ProjectOut:
            return await self._create(tx, actor, data, request_id=request_id)

        replay = await self.idempotency.run(
            actor.user_id, idempotency, data, ProjectOut, work, admits_actor=True
        )
        if not replay.replayed:
            self.observe("created")
        return replay

    async def _create(
        self, tx: Transaction, caller: Actor, data: ProjectCreate, *, request_id: str | None
    ) -> ProjectOut:
        """In a unit of work opened with ``uow.acting``: the project, its audit event and the
        acting user's re-read are one statement; a refusal (no such user, deactivated, a role that
        may not create) raises after it, which rolls the insert back."""
        now = utcnow()
        project_id = uuid.uuid4()
        try:
            user_id = uuid.UUID(str(caller.user_id))
        except ValueError:
            await tx.reread_actor()  # refuses: no user has this id
            raise
        fields = data.model_dump()
        values: dict[str, Any] = {
            "project_id": project_id,
            **fields,
            "status": Status.draft.value,
            "revision": 1,
            "etag": make_etag(str(project_id), 1),
            "owner_id": user_id,
            "created_at": now,
            "created_by": user_id,
            "updated_at": now,
            "updated_by": user_id,
        }
        # Everything the answer shows is known here: nothing is read back.
        found = await repo.insert_with_event(
            tx.session,
            values,
            {
                "event_type": "created",
                "request_id": request_id,
                "created_at": now,
                "data": {"fields": fields, "status": Status.draft.value},
            },
        )
        actor = tx.admit(found)
        if not can_create_project(actor.role):
            raise Forbidden(f"A user with role '{actor.role}' may not create projects.")
        self._reindex_later(tx.outbox, project_id)
        return _out_of(values, actor.email)

    async def get(self, project_id: str) -> ProjectOut:
        pid = _parse_id(project_id)
        async with self.uow.read_connection() as conn:
            row = await repo.get_shown(conn, pid)
        if row is None:
            raise NotFound(f"No project {project_id!r}.")
        return _out_of(row._mapping, row.owner_email or "")

    async def read(self, session: AsyncSession, project_id: str) -> ProjectOut:
        """The project as stored, in another use case's transaction (404 when there is none)."""
        project = await repo.get(session, _parse_id(project_id))
        if project is None:
            raise NotFound(f"No project {project_id!r}.")
        emails = await repo.owner_emails(session, {project.owner_id})
        return _out(project, emails.get(project.owner_id, ""))

    async def search(self, query: ProjectQuery) -> KeysetPage[ProjectOut]:
        """A page of the list and the ``after=`` cursor of the next one (``next``). A page read
        by key counts nothing: its total is the one the first page counted (in the cursor)."""
        after = query.keyset()
        async with self.uow() as tx:
            session = tx.session
            rows, counted, exact, substring = await repo.search(
                session,
                q=query.q,
                status=query.status.value if query.status else None,
                account_id=query.account_id,
                sort=query.sort,
                limit=query.limit + 1,  # one more says whether a page follows
                offset=query.offset,
                after=after,
            )
        items = [_out(p, email) for p, email in rows[: query.limit]]
        if counted is not None:
            total, raw_total = counted, counted if exact else SEARCH_CAP + 1
        else:
            assert after is not None
            raw_total = after.cursor.total
            total, exact = min(raw_total, SEARCH_CAP), raw_total <= SEARCH_CAP
        start = after.cursor.position if after is not None else query.offset
        following = None
        if len(rows) > query.limit and items:
            last = items[-1]
            column = query.sort.lstrip("-")
            value = last.owner_email if column == "owner" else getattr(last, column)
            following = Cursor(
                sort=query.sort,
                key=(value.isoformat() if isinstance(value, datetime) else str(value),),
                id=uuid.UUID(last.project_id),
                position=start + len(items),
                total=raw_total,
                fuzzy=substring,
            ).encode()
        return KeysetPage[ProjectOut](
            items=items, total=total, total_exact=exact, limit=query.limit, offset=start, next=following
        )

    async def _locked(
        self,
        session: Any,
        project_id: str,
        if_match: str | None,
        *,
        before_etag: Callable[[Project], None] | None = None,
    ) -> Project:
        """The project locked for a change whose ``if_match`` names its current ETag.
        ``before_etag`` may refuse the change on what is stored before the ETag is compared."""
        _require_if_match(if_match)
        project = await repo.get(session, _parse_id(project_id), for_update=True)
        if project is None:
            raise NotFound(f"No project {project_id!r}.")
        if before_etag is not None:
            before_etag(project)
        self._compare_etag(if_match, project.etag)
        return project

    def _compare_etag(self, if_match: str | None, etag: str) -> None:
        if not matches(if_match, etag):
            self.observe("stale_etag")
            raise PreconditionFailed(
                "Someone else changed this project since you loaded it.", current_etag=etag
            )

    @staticmethod
    def _bump(project: Project, actor: Actor) -> None:
        project.revision += 1
        project.etag = make_etag(str(project.project_id), project.revision)
        project.updated_at = utcnow()
        project.updated_by = uuid.UUID(actor.user_id)

    async def lock_for_change(
        self, session: AsyncSession, actor: Actor, project_id: str, *, if_match: str | None
    ) -> Project:
        """The project, locked for a change by ``actor`` in ``session``'s transaction: the ETag
        matches (428/412 otherwise), the actor may edit it (403) and it is not read-only (409).
        For changes another module owns (a saved design) that are still project changes."""
        project = await self._locked(session, project_id, if_match)
        self._check_changeable(project, actor)
        return project

    @staticmethod
    def _check_changeable(project: Project, actor: Actor) -> None:
        _check_may_change(project.owner_id, project.status, actor)

    async def lock_for_attachment(self, session: AsyncSession, actor: Actor, project_id: str) -> Project:
        """The project, locked in ``session``'s transaction for a change to what is attached to it
        (its files) rather than to the project itself: the same rules as :meth:`lock_for_change`
        (403 not the owner or a manager, 409 read-only, 404) but no ETag, because the project's
        fields and revision do not change (several files may be added at once from one page)."""
        project = await repo.get(session, _parse_id(project_id), for_update=True)
        if project is None:
            raise NotFound(f"No project {project_id!r}.")
        self._check_changeable(project, actor)
        return project

    async def record_event(
        self,
        session: AsyncSession,
        actor: Actor,
        project: Project,
        event_type: str,
        data: dict[str, Any],
        *,
        request_id: str | None = None,
    ) -> None:
        """An audit event of a change made under :meth:`lock_for_attachment`, in its transaction."""
        await repo.add_event(
            session,
            project_id=project.project_id,
            event_type=event_type,
            actor=actor.email,
            request_id=request_id,
            data=data,
        )
        self.observe(event_type.replace(".", "_"))

    @staticmethod
    def set_design_headline(project: Project, revision: int, headline: dict[str, Any]) -> None:
        """Keep the latest saved design's headline on the project row (``search_headline``), for a
        save made under :meth:`lock_for_change` (the designs module's)."""
        project.design_revision = revision
        for key, value in headline.items():
            setattr(project, key, value)

    async def record_change(
        self,
        session: AsyncSession,
        actor: Actor,
        project: Project,
        event_type: str,
        data: dict[str, Any],
        *,
        request_id: str | None = None,
        outbox: Outbox | None = None,
    ) -> str:
        """A change made under :meth:`lock_for_change`: a new revision and ETag of the project and
        its audit event, in the same transaction (and, given the transaction's ``outbox``, the
        search document's refresh after it). Returns the new ETag."""
        self._bump(project, actor)
        await self.record_event(
            session, actor, project, event_type, {**data, "revision": project.revision}, request_id=request_id
        )
        if outbox is not None:
            self._reindex_later(outbox, project.project_id)
        await session.flush()
        return project.etag

    async def read_in(self, session: AsyncSession, project_id: str) -> ProjectOut:
        """The project as ``session``'s transaction sees it (404 otherwise), for another module's
        use case that needs it inside its own transaction (the report-ready e-mail)."""
        project = await repo.get(session, _parse_id(project_id))
        if project is None:
            raise NotFound(f"No project {project_id!r}.")
        emails = await repo.owner_emails(session, {project.owner_id})
        return _out(project, emails.get(project.owner_id, ""))

    def parse_id(self, project_id: str) -> uuid.UUID:
        """The id as a UUID (404 when it cannot be one), for a read that asks whether the project
        exists only when it finds nothing (``require``): its rows say so otherwise."""
        return _parse_id(project_id)

    async def require(self, session: AsyncSession, project_id: str) -> uuid.UUID:
        """The id of an existing project (404 otherwise), for reads another module makes."""
        pid = _parse_id(project_id)
        if await repo.get(session, pid) is None:
            raise NotFound(f"No project {project_id!r}.")
        return pid

    async def update(
        self,
        actor: Actor,
        project_id: str,
        changes: ProjectUpdate,
        *,
        if_match: str | None,
        request_id: str | None = None,
    ) -> ProjectOut:
        """Change the fields present in ``changes`` under the caller's ETag: the row locked and its
        owner's e-mail read in one statement, the new values and the audit event written in
        another (nothing read back: the answer is what was locked plus what changed)."""
        async with self.uow.acting(actor.user_id) as tx:
            session = tx.session
            try:
                _require_if_match(if_match)
                pid = _parse_id(project_id)
                actor_id = uuid.UUID(str(actor.user_id))
            except (DomainError, ValueError):
                await tx.reread_actor()  # a deactivated user is refused first, as everywhere
                raise
            locked = await repo.lock_for_update(session, pid, actor_id)
            if locked is None:
                await tx.reread_actor()
                raise NotFound(f"No project {project_id!r}.")
            actor = tx.admit(locked.actor)
            values, owner_email = locked.values, locked.owner_email
            self._compare_etag(if_match, values["etag"])
            _check_may_change(values["owner_id"], values["status"], actor)
            wanted = changes.model_dump(exclude_unset=True, exclude_none=True)
            changed = diff(values, wanted)
            if changed:
                values |= wanted
                values["revision"] += 1
                values["etag"] = make_etag(str(pid), values["revision"])
                values["updated_at"] = utcnow()
                values["updated_by"] = uuid.UUID(actor.user_id)
                await repo.update_with_event(
                    session,
                    values,
                    {
                        "event_type": "updated",
                        "actor": actor.email,
                        "request_id": request_id,
                        "created_at": values["updated_at"],
                        "data": {"changes": changed, "revision": values["revision"]},
                    },
                )
                self._reindex_later(tx.outbox, pid)
        if changed:
            self.observe("updated")
        return _out_of(values, owner_email)

    async def transition(
        self,
        actor: Actor,
        project_id: str,
        target: Status,
        *,
        if_match: str | None,
        reason: str | None = None,
        request_id: str | None = None,
    ) -> ProjectOut:
        """Move the project to ``target``; ``reason`` is required to reject (422 naming it)."""
        async with self.uow(actor.user_id) as tx:
            moved = await self.move(
                tx, project_id, target, if_match=if_match, reason=reason, request_id=request_id
            )
        self.observe("transition")
        return moved.project

    async def move(
        self,
        tx: Transaction,
        project_id: str,
        target: Status,
        *,
        if_match: str | None,
        request_id: str | None = None,
        reason: str | None = None,
    ) -> Moved:
        """Every status change people ask for goes through here, in the caller's transaction (a
        transition, a submission): the state machine, the role, the design guard; then
        :meth:`apply_transition` writes it."""
        session, actor = tx.session, tx.actor

        def already_submitted(project: Project) -> None:
            refused = resubmit_refusal(Status(project.status), target)
            if refused is not None:
                raise Conflict(
                    refused.message,
                    reason=refused.code,
                    status=project.status,
                    allowed=list(allowed_targets(Status(project.status), actor.role)),
                    pm_dispatch=project.pm_dispatch,
                    pm_reference=project.pm_reference,
                )

        project = await self._locked(session, project_id, if_match, before_etag=already_submitted)
        current = Status(project.status)
        may_edit = can_edit_project(actor.role, user_id=actor.user_id, owner_id=str(project.owner_id))
        if current not in DECISION_STATES and not may_edit:
            raise Forbidden("Estimators may move only their own projects.")
        refused = check_transition(current, target, actor.role)
        if refused is None and needs_passing_design(current, target):
            reasons = await self.leave_draft_guard(session, project.project_id)
            refused = guard_refusal(current, target, reasons)
        if refused is not None:
            error = Forbidden if refused.code == "role_forbidden" else Conflict
            raise error(
                refused.message,
                reason=refused.code,
                status=current.value,
                allowed=list(refused.allowed),
                reasons=list(refused.reasons),
            )
        return await self.apply_transition(tx, project, target, reason=reason, request_id=request_id)

    async def apply_transition(
        self,
        tx: Transaction,
        project: Project,
        target: Status,
        *,
        reason: str | None = None,
        request_id: str | None = None,
    ) -> Moved:
        """Write a move the caller has already allowed (state machine, role, guards) of ``project``,
        locked in ``tx``: the status, a new revision, for ``submitted`` the dispatch to the PM
        system (``on_submit``), the audit event (with the reason) and what follows a move (the
        e-mails, :attr:`on_status_change`), all in ``tx``. Every way to change a project's status
        goes through here, so none of them skips the history, the dispatch or the e-mails."""
        reason = (reason or "").strip() or None
        problem = reason_problem(target, reason)
        if problem is not None:
            raise InvalidInput(problem, fields=[{"field": "reason", "message": problem}])
        session, actor = tx.session, tx.actor
        current = Status(project.status)
        project.status = target.value
        self._bump(project, actor)
        data: dict[str, Any] = {"from": current.value, "to": target.value, "revision": project.revision}
        if reason is not None:
            data["reason"] = reason
        submission = None
        if target is Status.submitted and self.on_submit is not None:
            submission = await self.on_submit(tx, project.project_id, project.revision)
            project.submitted_design_revision = submission.design_revision
            project.pm_submission_key = submission.key
            project.pm_dispatch = "pending"
            project.pm_reference = None
            project.pm_dispatched_at = None
            data |= {"design_revision": submission.design_revision, "job_id": submission.job_id}
        await repo.add_event(
            session,
            project_id=project.project_id,
            event_type="transition",
            actor=actor.email,
            request_id=request_id,
            data=data,
        )
        self._reindex_later(tx.outbox, project.project_id)
        await session.flush()
        emails = await repo.owner_emails(session, {project.owner_id})
        moved = _out(project, emails.get(project.owner_id, ""))
        await self._after_move(tx, StatusChange(moved, current, target, actor, reason))
        return Moved(moved, submission)

    async def _after_move(self, tx: Transaction, change: StatusChange) -> None:
        """Run :attr:`on_status_change` in a savepoint: what it writes commits with the move, but
        its failure (a bug, a bad address) rolls back only its own writes and never the move."""
        try:
            async with tx.session.begin_nested():
                await self.on_status_change(tx, change)
        except Exception:
            log.exception(
                "what follows a status change failed; the change itself stands",
                extra={"project_id": change.project.project_id, "to": change.after.value},
            )

    async def record_dispatch(
        self,
        session: AsyncSession,
        project_id: str,
        *,
        key: str,
        reference: str | None,
        recorded_locally: bool,
        details: dict[str, Any],
    ) -> bool:
        """The dispatch of submission ``key`` was sent (the PM's ``reference``) or recorded
        locally: a ``submitted.dispatched`` event, and the project's PM fields with a new ETag when
        ``key`` is still its latest submission. Written by the dispatch job (no person acts: the
        event's actor is "PM dispatch"). Returns False when it was recorded before (nothing done)."""
        project = await repo.get(session, _parse_id(project_id), for_update=True)
        if project is None:
            raise NotFound(f"No project {project_id!r}.")
        current = project.pm_submission_key == key
        if current and project.pm_dispatch in ("sent", "recorded_locally"):
            return False
        mode = "recorded_locally" if recorded_locally else "sent"
        if current:
            project.pm_dispatch = mode
            project.pm_reference = reference
            project.pm_dispatched_at = utcnow()
            project.revision += 1
            project.etag = make_etag(str(project.project_id), project.revision)
            project.updated_at = utcnow()
        await repo.add_event(
            session,
            project_id=project.project_id,
            event_type="submitted.dispatched",
            actor="PM dispatch",
            request_id=None,
            data={
                "pm_dispatch": mode,
                "pm_reference": reference,
                "idempotency_key": key,
                **details,
                **({"revision": project.revision} if current else {"superseded": True}),
            },
        )
        await session.flush()
        self.observe("submitted_dispatched")
        return True

    async def export(self, query: ProjectQuery) -> AsyncIterator[list[str]]:
        """The list as CSV rows: the header, then every project of ``query``'s filters (its
        ``limit`` and ``offset`` are ignored), in its order; the columns of the search export."""
        yield list(CSV_HEADER)
        async with self.uow() as tx:
            async for row in repo.stream(
                tx.session,
                q=query.q,
                status=query.status.value if query.status else None,
                account_id=query.account_id,
                sort=query.sort,
            ):
                yield csv_row(row._mapping)

    async def all_events(self, project_id: str) -> AsyncIterator[EventOut]:
        """Every event of a project, oldest first, read as they are sent (the history export). The
        caller checks that the project exists first (``get``): a stream that has begun cannot
        turn into a 404 any more."""
        pid = _parse_id(project_id)
        async with self.uow() as tx:
            async for event in repo.stream_events(tx.session, pid):
                yield _event_out(event)

    async def events(self, project_id: str, *, limit: int = 50, offset: int = 0) -> Page[EventOut]:
        """Newest first. One statement (the page and its total) unless the page is empty; the
        statements need not agree, so no transaction is held around them."""
        pid = _parse_id(project_id)
        async with self.uow.read() as tx:
            session = tx.session
            rows, total = await repo.events(session, pid, limit=limit, offset=offset)
            if not rows:
                await self.require(session, project_id)  # nothing listed: is there a project?
        return Page[EventOut](items=[_event_out(e) for e in rows], total=total, limit=limit, offset=offset)
