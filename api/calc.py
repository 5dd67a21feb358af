"""/api/v1/calc/{kind}: the structural engine over HTTP, one documented route per kind.

The engine is pure but not always quick: a base-plate sign whose anchors must be searched takes
1-12 ms, so it runs in the thread pool rather than on the event loop every client shares.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.contract import Envelope, errors
from api.deps import ActorDep
from api.envelope import envelope, error_response
from domain.engineering import INPUT_MODELS, CalcInputError, calculate
from domain.engineering.examples import EXAMPLES

router = APIRouter(prefix="/v1/calc", tags=["calculations"])

SUMMARIES = {
    "wind": "Wind on a solid freestanding sign (ASCE 7 Ch. 29)",
    "embedment": "Pole embedment depth (IBC 1807.3.2.1 / .2)",
    "pole": "Round or square HSS / pipe pole flexure (AISC 360-16 F7/F8)",
    "sign": "Whole sign: wind, pole selection, foundation or base plate, bill of materials",
}


# Rules between fields, and designs the engine refuses to size, cannot be said in JSON Schema:
# a schema-valid input can still be 422, naming the field to change.
RULES = {
    "wind": "Cross-field rule: `top_height_ft` >= `height_ft`.",
    "embedment": "Give `soil_class` or `lateral_bearing_psf_per_ft`, not both. A required embedment over "
    "the practical limit of a pole footing is refused (422 naming the inputs to change).",
    "pole": "`grade` must be made in the designation's shape family; `height_ft` is required when "
    "`axial_lb` > 0.",
    "sign": "`supports.designation` must be of `supports.family` when both are given; `supports.grade` "
    "must be made in that family; `supports.spacing_ft` only with two supports; "
    "`foundation.soil_class` or `foundation.lateral_bearing_psf_per_ft`, not both; clearance plus "
    "cabinet heights within the maximum sign height. Designs that cannot be built (anchors that do not "
    "fit the pier or bolt circle, embedment over the practical limit) are 422 naming the fields to change.",
}
ERRORS_422 = "Invalid input, including the cross-field rules in the description; `error.fields` names each."


async def run(kind: str, request: Request, payload: dict[str, Any]) -> Response:
    observe = request.app.state.services.observe_calculation
    try:
        calc = await run_in_threadpool(calculate, kind, payload)
    except CalcInputError as exc:
        observe(kind, "invalid")
        names = ", ".join(e["field"] for e in exc.errors)
        return error_response(request, 422, "invalid_input", f"Invalid input: {names}.", fields=exc.errors)
    observe(kind, "ok")
    return envelope(
        request,
        calc["result"],
        assumptions=calc["assumptions"],
        confidence=calc["confidence"],
        trace_extra=calc["trace"],
    )


def _add_route(kind: str, model: type[BaseModel]) -> None:
    example = (
        {"example": {"summary": "Reference case", "value": EXAMPLES[kind]}} if kind in EXAMPLES else None
    )
    Input = Annotated[model, Body(openapi_examples=example)]  # type: ignore[valid-type]

    async def endpoint(request: Request, body: Input, actor: ActorDep) -> Response:  # type: ignore[valid-type]
        validated: BaseModel = body
        return await run(kind, request, validated.model_dump(mode="json", exclude_unset=True))

    endpoint.__name__ = f"calc_{kind}"
    router.add_api_route(
        f"/{kind}",
        endpoint,
        methods=["POST"],
        summary=SUMMARIES.get(kind, kind),
        description=RULES.get(kind, ""),
        responses={200: {"model": Envelope[dict[str, Any]]}, **errors(400, 413, m422=ERRORS_422)},
    )


for _kind, _model in INPUT_MODELS.items():
    _add_route(_kind, _model)
