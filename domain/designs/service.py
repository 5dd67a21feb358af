"""Saving and reading a project's design revisions.

Saving runs the engine and prices the result first, in a worker thread (CPU work, never on the
event loop), then, in one transaction with the project row locked, stores the revision, bumps the
project's ETag and writes the ``design.saved`` event: a save is a project change like any edit.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.designs import repository as repo
from domain.designs.models import DesignRevision
from domain.designs.rules import (
    changed_leaves,
    check_failure,
    compare_headlines,
    design_sha256,
    failing_checks,
    headline,
    search_headline,
)
from domain.designs.schemas import (
    DesignDiff,
    DesignPricing,
    DesignRequest,
    DesignRevisionOut,
    DesignSummary,
    HeadlineComparison,
    InputChange,
    SavedDesign,
)
from domain.engineering import CalcInputError, calculate
from domain.engineering.schemas import SignInput
from domain.errors import InvalidInput, NotFound
from domain.orm import utcnow
from domain.paging import Page
from domain.ports import UnitOfWork
from domain.pricing import LATEST, apply_overrides, module_errors, price_design, price_list
from domain.pricing.price_lists import OverrideError
from domain.projects.service import ProjectService
from domain.users.schemas import Actor


@dataclass(frozen=True)
class ComputedDesign:
    module: str
    input: dict[str, Any]
    sha256: str
    result: dict[str, Any]
    trace: dict[str, Any]
    estimate: dict[str, Any]
    pricing: dict[str, Any]


def pricing_json(pricing: DesignPricing) -> dict[str, Any]:
    """What a revision stores of its pricing: only what was set, numbers as JSON numbers."""
    raw = pricing.model_dump(exclude_none=True, exclude_defaults=True)
    return _prune(json.loads(json.dumps(raw, default=float)))


def _prune(node: Any) -> Any:
    if isinstance(node, dict):
        pruned = {k: _prune(v) for k, v in node.items()}
        return {k: v for k, v in pruned.items() if v not in ({}, None)}
    return node


def compute_design(
    module: str,
    sign: SignInput,
    price_list_version: str = LATEST,
    pricing: DesignPricing | None = None,
) -> ComputedDesign:
    """Design ``sign`` with the engine and price it. CPU-bound and pure: call it off the event loop.
    Raises ``InvalidInput`` naming every bad field: the module against the input, the engine's
    refusals (prefixed ``input.``) and the pricing's (prefixed ``pricing.``)."""
    pricing = pricing or DesignPricing()
    errors = module_errors(module, sign)
    options = pricing.options
    if options.cabinets is not None and len(options.cabinets) != len(sign.cabinets):
        errors.append(
            {
                "field": "pricing.options.cabinets",
                "message": f"give one entry per cabinet of the input ({len(sign.cabinets)}), or null",
            }
        )
    prices = price_list(price_list_version)
    try:
        prices = apply_overrides(prices, pricing.overrides, prefix="pricing.overrides")
    except OverrideError as exc:
        errors.extend({"field": f, "message": m} for f, m in exc.errors)
    # What the engine receives: fields the caller left out keep the engine's defaults (a family
    # inferred from the designation stays inferred when the revision is recalculated).
    sign_input = sign.model_dump(mode="json", exclude_unset=True)
    calc: dict[str, Any] = {}
    try:
        calc = calculate("sign", sign_input)
    except CalcInputError as exc:
        errors.extend({"field": f"input.{e['field']}", "message": e["message"]} for e in exc.errors)
    if errors:
        names = ", ".join(dict.fromkeys(e["field"] for e in errors))
        raise InvalidInput(f"Invalid input: {names}.", fields=errors)
    try:
        estimate = price_design(
            calc["result"], sign, prices, module=module, options=options, lines=pricing.overrides.lines
        )
    except InvalidInput as exc:
        fields = [{**f, "field": f"pricing.{f['field']}"} for f in exc.fields]
        names = ", ".join(dict.fromkeys(f["field"] for f in fields))
        raise InvalidInput(f"Invalid input: {names}.", fields=fields) from None
    stored = pricing_json(pricing)
    return ComputedDesign(
        module=module,
        input=sign_input,
        sha256=design_sha256(module, sign_input, stored),
        result=calc["result"],
        trace=calc["trace"],
        estimate=estimate.model_dump(mode="json"),
        pricing=stored,
    )


def _summary_fields(row: DesignRevision, email: str) -> dict[str, Any]:
    return {
        "project_id": str(row.project_id),
        "revision": row.revision,
        "module": row.module,
        "sha256": row.sha256,
        "headline": headline(row.result, row.estimate),
        "created_at": row.created_at,
        "created_by": str(row.created_by),
        "created_by_email": email,
        "note": row.note,
    }


def _summary(row: DesignRevision, email: str) -> DesignSummary:
    return DesignSummary(**_summary_fields(row, email))


def _out(row: DesignRevision, email: str) -> DesignRevisionOut:
    return DesignRevisionOut(
        **_summary_fields(row, email),
        input=row.input,
        result=row.result,
        trace=row.trace,
        estimate=row.estimate,
        pricing=row.pricing or {},
    )


async def leave_draft_reasons(session: AsyncSession, project_id: uuid.UUID) -> list[str]:
    """Why a project may not leave draft: it needs a saved design (its latest revision) whose
    checks all pass. The project service runs this inside the transition's transaction."""
    latest = await repo.latest(session, project_id)
    if latest is None:
        return ["No saved design: save a design whose checks all pass first."]
    failing = failing_checks(latest.result)
    if failing:
        return [f"Design revision {latest.revision} fails {check_failure(c)}." for c in failing]
    if not latest.result.get("pass", False):
        return [f"Design revision {latest.revision} does not pass."]
    return []


class DesignService:
    def __init__(
        self, uow: UnitOfWork, projects: ProjectService, *, price_list_version: str = LATEST
    ) -> None:
        self.uow = uow
        self.projects = projects
        self.price_list_version = price_list_version

    async def save(
        self,
        actor: Actor,
        project_id: str,
        request: DesignRequest,
        *,
        if_match: str | None,
        request_id: str | None = None,
    ) -> SavedDesign:
        """Store ``request`` as the project's next revision, or find the identical one saved before
        (then nothing changes: no new revision, ETag or event). Needs the project's ``If-Match``."""
        computed = await asyncio.to_thread(
            compute_design, request.module, request.input, self.price_list_version, request.pricing
        )
        async with self.uow(actor.user_id) as tx:
            session, actor = tx.session, tx.actor
            project = await self.projects.lock_for_change(session, actor, project_id, if_match=if_match)
            found = await repo.by_sha256(session, project.project_id, computed.sha256)
            if found is not None:
                return SavedDesign(_out(*found), created=False, etag=project.etag)
            row = DesignRevision(
                project_id=project.project_id,
                revision=await repo.last_number(session, project.project_id) + 1,
                module=computed.module,
                sha256=computed.sha256,
                input=computed.input,
                result=computed.result,
                trace=computed.trace,
                estimate=computed.estimate,
                pricing=computed.pricing,
                note=request.note,
                created_at=utcnow(),
                created_by=uuid.UUID(actor.user_id),
            )
            session.add(row)
            key = headline(computed.result, computed.estimate)
            # The project row carries its latest design's headline (search, facets, sorts), changed
            # in this same transaction so the two can never disagree.
            self.projects.set_design_headline(
                project,
                row.revision,
                search_headline(
                    computed.trace.get("inputs") or computed.input, computed.result, computed.estimate
                ),
            )
            etag = await self.projects.record_change(
                session,
                actor,
                project,
                "design.saved",
                {
                    "design_revision": row.revision,
                    "module": row.module,
                    "pass": key["pass"],
                    "section": key["section"],
                    "embedment_ft": key["embedment_ft"],
                    "total": key["total"],
                },
                request_id=request_id,
                outbox=tx.outbox,
            )
        return SavedDesign(_out(row, actor.email), created=True, etag=etag)

    async def latest_revision(self, session: AsyncSession, project_id: uuid.UUID) -> int | None:
        """The number of the project's latest saved revision (None: none saved), in another
        module's transaction (a submission sends its latest revision)."""
        latest = await repo.latest(session, project_id)
        return latest.revision if latest is not None else None

    async def require_revision(self, session: AsyncSession, project_id: str, revision: int) -> uuid.UUID:
        """The id of a project that has this saved revision (404 otherwise), for another module's
        transaction (a report is requested of a saved revision)."""
        pid = await self.projects.require(session, project_id)
        if await repo.get(session, pid, revision) is None:
            raise NotFound(
                f"Project {project_id!r} has no design revision {revision}.",
                fields=[{"field": "revision", "message": "no such saved design revision"}],
            )
        return pid

    async def get(self, project_id: str, revision: int) -> DesignRevisionOut:
        """One statement when the revision exists (the project is asked for only when it does
        not, to say which is missing); no transaction is held around them."""
        async with self.uow.read() as tx:
            session = tx.session
            found = await repo.get(session, self.projects.parse_id(project_id), revision)
            if found is None:
                await self.projects.require(session, project_id)
        if found is None:
            raise NotFound(f"Project {project_id!r} has no design revision {revision}.")
        return _out(*found)

    async def list(self, project_id: str, *, limit: int = 50, offset: int = 0) -> Page[DesignSummary]:
        """Newest first. One statement (the page and its total) unless the page is empty; no
        transaction is held around them."""
        async with self.uow.read() as tx:
            session = tx.session
            pid = self.projects.parse_id(project_id)
            rows, total = await repo.page(session, pid, limit=limit, offset=offset)
            if not rows:
                await self.projects.require(session, project_id)  # nothing listed: is there a project?
        return Page[DesignSummary](
            items=[_summary(*r) for r in rows], total=total, limit=limit, offset=offset
        )

    async def diff(self, project_id: str, a: int, b: int) -> DesignDiff:
        """Revision ``a`` against ``b``: the input leaves that differ and every headline result."""
        async with self.uow() as tx:
            session = tx.session
            pid = await self.projects.require(session, project_id)
            first, second = await repo.get(session, pid, a), await repo.get(session, pid, b)
        missing = [n for n, row in ((a, first), (b, second)) if row is None]
        if missing:
            raise NotFound(f"Project {project_id!r} has no design revision {missing[0]}.")
        assert first is not None and second is not None
        (ra, _), (rb, _) = first, second
        # The engine's normalised inputs (every default filled in), so leaving a field out and
        # giving its default are no difference; the module first.
        left = {"module": ra.module, **(ra.trace.get("inputs") or ra.input), "pricing": ra.pricing or {}}
        right = {"module": rb.module, **(rb.trace.get("inputs") or rb.input), "pricing": rb.pricing or {}}
        return DesignDiff(
            a=_summary(*first),
            b=_summary(*second),
            inputs=[InputChange(**c) for c in changed_leaves(left, right)],
            results=[
                HeadlineComparison(**c)
                for c in compare_headlines(headline(ra.result, ra.estimate), headline(rb.result, rb.estimate))
            ],
        )
