"""/api/v1/estimate: a design in, its estimate out (stateless; nothing is stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from starlette.concurrency import run_in_threadpool

from api.contract import Envelope, errors
from api.deps import ActorDep
from api.envelope import envelope
from domain.engineering.examples import SIGN_EXAMPLE
from domain.pricing import Estimate, EstimateRequest, estimate

router = APIRouter(prefix="/v1", tags=["estimates"])

EXAMPLE = {
    "module": "signage.single_pole.direct_burial",
    "input": SIGN_EXAMPLE,
    "price_list": "v1",
    "overrides": {"concrete_per_yd3": 165, "lines": {"fees.permit": {"unit_price": 400}}},
    "options": {"cabinets": [{"illuminated": True, "faces": 2}], "calc_packet": True},
}
DESCRIPTION = (
    "Runs the `sign` calculation on `input` and prices its bill of materials on the price list "
    "(`overrides` replaces any of its prices, or a line's quantity or unit price). The module must "
    "agree with `input.supports` (count and mount) and `options.cabinets`, when given, has one entry per "
    "cabinet; those, an override for a steel grade or a line the estimate does not have, and designs the "
    "engine cannot size are 422 naming the field. See docs/pricing.md."
)
Request_ = Annotated[
    EstimateRequest, Body(openapi_examples={"example": {"summary": "Reference case", "value": EXAMPLE}})
]


@router.post(
    "/estimate",
    summary="Estimate a sign design",
    description=DESCRIPTION,
    responses={200: {"model": Envelope[Estimate]}, **errors(400, 413)},
)
async def estimate_design(request: Request, body: Request_, actor: ActorDep) -> Response:
    # The engine and the pricing are CPU work: a thread keeps other requests moving meanwhile.
    result = await run_in_threadpool(estimate, body)
    return envelope(
        request,
        result.model_dump(mode="json"),
        assumptions=result.assumptions,
        trace_extra={"price_list": result.price_list},
    )
