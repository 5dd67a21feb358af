"""The pure parts of a submission: the lifecycle's guards for it, the dispatch JSON against its
published schema, and how the PM breaker reads on the job monitor."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jsonschema_rs

from domain.designs.rules import headline
from domain.designs.schemas import DesignRevisionOut
from domain.designs.service import compute_design
from domain.engineering.examples import SIGN_EXAMPLE
from domain.engineering.schemas import SignInput
from domain.projects.lifecycle import Status as S
from domain.projects.lifecycle import guard_refusal, needs_passing_design, resubmit_refusal
from domain.projects.schemas import ProjectOut
from domain.reports.schemas import ReportRef
from domain.submissions.payload import SCHEMA, dispatch_payload, submission_key
from domain.submissions.service import PMStatus
from pages.pm_circuit import pm_view
from tests.submissions import SCHEMA as SCHEMA_DOC
from tests.submissions import schema_errors

PID = "5f0c8a2e-6f3b-4c1e-9d7a-2b8e4f1a0c3d"
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
MODULE = "signage.single_pole.direct_burial"


def test_submitting_needs_a_passing_design_like_leaving_draft():
    assert needs_passing_design(S.estimating, S.submitted) and needs_passing_design(S.draft, S.estimating)
    assert not needs_passing_design(S.submitted, S.accepted)
    refused = guard_refusal(S.estimating, S.submitted, ["Design revision 2 fails pole flexure."])
    assert refused is not None and refused.code == "guard_failed"
    assert refused.message.startswith("The project may not be submitted")
    assert refused.reasons == ("Design revision 2 fails pole flexure.",)
    assert guard_refusal(S.estimating, S.submitted, []) is None
    assert guard_refusal(S.estimating, S.draft, ["anything"]) is None  # stepping back is never guarded


def test_a_project_submitted_before_is_refused_as_such():
    for state in (S.submitted, S.accepted, S.rejected):
        refused = resubmit_refusal(state, S.submitted)
        assert refused is not None and refused.code == "already_submitted", state
    assert "reopens" in resubmit_refusal(S.rejected, S.submitted).message  # type: ignore[union-attr]
    assert resubmit_refusal(S.estimating, S.submitted) is None
    assert resubmit_refusal(S.submitted, S.accepted) is None


def real_design() -> DesignRevisionOut:
    computed = compute_design(MODULE, SignInput.model_validate(SIGN_EXAMPLE))
    return DesignRevisionOut(
        project_id=PID,
        revision=3,
        module=computed.module,
        sha256=computed.sha256,
        headline=headline(computed.result, computed.estimate),
        created_at=NOW,
        created_by="u1",
        created_by_email="eve@example.com",
        note="as quoted",
        input=computed.input,
        result=computed.result,
        trace=computed.trace,
        estimate=computed.estimate,
    )


def project() -> ProjectOut:
    return ProjectOut(
        project_id=PID,
        account_id="ACME-01",
        name="Elm St Pylon",
        customer="Acme Fuel",
        description="Two faces, lit",
        site_address="1 Elm St, Springfield",
        status="submitted",  # type: ignore[arg-type]
        etag="abcd",
        revision=7,
        owner_id="u1",
        owner_email="eve@example.com",
        created_at=NOW,
        created_by="u1",
        updated_at=NOW,
        updated_by="u1",
    )


def test_a_real_dispatch_validates_against_the_published_schema():
    assert jsonschema_rs.meta.is_valid(SCHEMA_DOC)
    report = ReportRef(
        project_id=PID, revision=3, sha256="ab" * 32, size=71_000, input_sha256="cd" * 32, created_at=NOW
    )
    files = [
        {
            "file_id": "f1",
            "name": "site.pdf",
            "size": 10,
            "content_type": "application/pdf",
            "sha256": "ef" * 32,
        }
    ]
    for rep, listed in ((report, files), (None, [])):
        body = dispatch_payload(
            key=submission_key(PID, 7),
            project=project(),
            design=real_design(),
            report=rep,
            files=listed,
            submitted_at=NOW,
            submitted_by="eve@example.com",
        )
        assert schema_errors(body) == []
        assert json.loads(json.dumps(body)) == body  # plain JSON values only
    assert body["schema"] == SCHEMA and body["idempotency_key"] == f"signx-{PID}-r7"
    assert body["submitted_at"] == "2026-12-05T09:30:00Z"
    assert body["design"]["headline"]["section"] == "Pipe10STD" and body["estimate"]["total"] == 15082.1
    assert body["site"] == {
        "address": "1 Elm St, Springfield",
        "wind_speed_mph": 115.0,
        "exposure": "C",
        "code": "asce7-22",
    }


def test_the_schema_refuses_what_a_pm_integration_could_not_rely_on():
    body = dispatch_payload(
        key=submission_key(PID, 7),
        project=project(),
        design=real_design(),
        report=None,
        files=[],
        submitted_at=NOW,
        submitted_by="eve@example.com",
    )
    broken = json.loads(json.dumps(body))
    del broken["estimate"]["total"]
    broken["design"]["sha256"] = "not-a-hash"
    broken["idempotency_key"] = "other"
    errors = schema_errors(broken)
    assert len(errors) == 3, errors


def status(state: str, **circuit: object) -> PMStatus:
    c = {
        "state": state,
        "failures": 0,
        "threshold": 5,
        "reset_seconds": 30.0,
        "opened_at": None,
        "retry_at": None,
    }
    return PMStatus(mode="http", target="https://pm.example/api/submissions", circuit={**c, **circuit})


def test_the_breaker_reads_as_people_need_it():
    zone = ZoneInfo("America/Chicago")
    now = NOW.timestamp()
    closed = pm_view(status("closed", failures=2), now=now, zone=zone)
    assert closed.badge == "Breaker closed" and "2 of 5" in closed.lines[1]
    opened = pm_view(status("open", failures=5, opened_at=now - 10, retry_at=now + 20), now=now, zone=zone)
    assert opened.badge == "Breaker open" and opened.color == "red-9"
    assert "03:30:20" in opened.lines[1] and "in 20 s" in opened.lines[1]  # 09:30:20 UTC in Chicago
    due = pm_view(status("open", opened_at=now - 40, retry_at=now - 10), now=now, zone=zone)
    assert due.badge == "Breaker half-open"
    local = pm_view(
        PMStatus(mode="local", target="/var/pm-outbox", circuit={"state": "not used"}), now=now, zone=zone
    )
    assert local.badge == "Not configured" and "not sent" in local.lines[0]
    assert pm_view(status("unknown"), now=now, zone=zone).badge == "State unknown"
