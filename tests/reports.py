"""Report inputs for the tests and the benchmark: real revisions designed by the engine and priced
on the price list (no hand-made result), wrapped with a project as the report service does."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from domain.designs.schemas import DesignRequest
from domain.designs.service import compute_design
from domain.engineering.examples import SIGN_EXAMPLE
from domain.reports import ReportInput

SINGLE_POLE = ("signage.single_pole.direct_burial", SIGN_EXAMPLE)

TWO_POLE_INPUT: dict[str, Any] = copy.deepcopy(SIGN_EXAMPLE)
TWO_POLE_INPUT["cabinets"] = [
    {"width_ft": 16, "height_ft": 8, "depth_in": 18, "weight_psf": 12},
    {"width_ft": 12, "height_ft": 4, "depth_in": 12, "weight_psf": 10},
]
TWO_POLE_INPUT["supports"] = {
    "count": 2,
    "spacing_ft": 10,
    "family": "round_hss",
    "grade": "A500C",
    "mount": "base_plate",
    "designation": None,
}
TWO_POLE_BASE_PLATE = ("signage.two_pole.base_plate", TWO_POLE_INPUT)

SAVED_AT = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)


def report_input(
    design: tuple[str, dict[str, Any]] = SINGLE_POLE,
    *,
    name: str = "Main St pylon",
    revision: int = 3,
    code: str | None = None,
    **project: Any,
) -> ReportInput:
    module, sign = design
    sign = copy.deepcopy(sign)
    if code:
        sign["code"] = code
    request = DesignRequest.model_validate({"module": module, "input": sign})
    computed = compute_design(request.module, request.input)
    return ReportInput.model_validate(
        {
            "project": {
                "project_id": "0b8f3a52-8e0a-4f3c-9d59-1d1f7a1e0c11",
                "name": name,
                "customer": project.get("customer", "Acme Signs"),
                "account_id": project.get("account_id", "ACME-1"),
                "site_address": project.get("site_address", "12 Main St, Springfield"),
            },
            "design": {
                "revision": revision,
                "module": computed.module,
                "sha256": computed.sha256,
                "input": computed.input,
                "result": computed.result,
                "trace": computed.trace,
                "estimate": computed.estimate,
                "created_at": SAVED_AT,
                "created_by": "Eve Estimator",
                "note": project.get("note", "First issue"),
            },
            "prepared_by": "Eve Estimator",
        }
    )
