"""What a submission sends to the PM system: the dispatch JSON. Pure: no I/O.

The shape is documented as a JSON Schema in ``docs/pm-dispatch.schema.json`` (a test validates a
real dispatch against it): a PM integration is written against that file, so a change here that
is not additive needs a new ``schema`` value and a new schema file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from domain.designs.rules import HEADLINES
from domain.designs.schemas import DesignRevisionOut
from domain.projects.schemas import ProjectOut
from domain.reports.schemas import ReportRef

SCHEMA = "signx.pm-dispatch/1"
LINE_FIELDS = ("code", "label", "group", "quantity", "unit", "unit_price", "amount", "overridden")
FILE_FIELDS = ("file_id", "name", "size", "content_type", "sha256")


def submission_key(project_id: str, project_revision: int) -> str:
    """The ``Idempotency-Key`` of a submission's dispatch: the project and its revision as
    submitted. Every retry of the dispatch job sends the same key (the PM system makes one project
    of them); a resubmission after a reopen is a later revision, so a new key."""
    return f"signx-{project_id}-r{project_revision}"


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def report_path(project_id: str, sha256: str) -> str:
    """The report's download under the SignX API (an API key authenticates it)."""
    return f"/api/v1/projects/{project_id}/reports/{sha256}"


def dispatch_payload(
    *,
    key: str,
    project: ProjectOut,
    design: DesignRevisionOut,
    report: ReportRef | None,
    files: Sequence[Mapping[str, Any]],
    submitted_at: datetime,
    submitted_by: str,
) -> dict[str, Any]:
    """The dispatch of ``project`` as submitted with ``design``: plain JSON values only."""
    inputs = design.trace.get("inputs") or design.input
    site = inputs.get("site") or {}
    estimate = design.estimate
    key_numbers = design.headline
    return {
        "schema": SCHEMA,
        "idempotency_key": key,
        "submitted_at": _iso(submitted_at),
        "submitted_by": submitted_by,
        "project": {
            "project_id": project.project_id,
            "name": project.name,
            "description": project.description,
            "owner_email": project.owner_email,
            "revision": project.revision,
        },
        "customer": {"name": project.customer, "account_id": project.account_id},
        "site": {
            "address": project.site_address,
            "wind_speed_mph": site.get("wind_speed_mph"),
            "exposure": site.get("exposure"),
            "code": inputs.get("code"),
        },
        "design": {
            "revision": design.revision,
            "module": design.module,
            "sha256": design.sha256,
            "saved_at": _iso(design.created_at),
            "saved_by": design.created_by_email,
            "note": design.note,
            "headline": {name: key_numbers.get(name) for name, _label in HEADLINES},
            "engine": {
                "engine_version": design.trace.get("engine_version"),
                "constants_version": design.trace.get("constants_version"),
                "inputs_sha256": design.trace.get("inputs_sha256"),
                "result_sha256": design.trace.get("result_sha256"),
            },
        },
        "estimate": {
            "price_list": estimate.get("price_list"),
            "currency": estimate.get("currency", "USD"),
            "total": estimate.get("total"),
            "subtotals": dict(estimate.get("subtotals") or {}),
            "line_items": [
                {name: line.get(name) for name in LINE_FIELDS}
                for line in estimate.get("line_items") or []
                if isinstance(line, Mapping)
            ],
        },
        "report": (
            {
                "revision": report.revision,
                "sha256": report.sha256,
                "size": report.size,
                "created_at": _iso(report.created_at),
                "download_path": report_path(project.project_id, report.sha256),
            }
            if report is not None
            else None
        ),
        "files": [{name: f.get(name) for name in FILE_FIELDS} for f in files],
    }
