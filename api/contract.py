"""The envelope and error responses as OpenAPI schemas, so every operation declares what it gives.

Only documentation: the responses themselves are built in ``api.envelope`` (and, for refusals
before a route runs, by the guard in front of the API). The contract tests keep the two in step.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. `cabinets.0.width_ft`.")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable, e.g. `invalid_input`, `precondition_failed`.")
    message: str = Field(description="For people.")
    fields: list[FieldError]
    details: dict[str, Any] = Field(
        description="Extra facts: `current_etag` (412), `allowed` (409 transition), `retry_after` (429)."
    )


class Trace(BaseModel):
    model_config = ConfigDict(extra="allow")

    request_id: str | None
    code_version: str
    timestamp: str
    duration_ms: float | None


class ErrorEnvelope(BaseModel):
    result: None
    error: ErrorBody
    assumptions: list[Any]
    confidence: None
    trace: Trace


class Envelope(BaseModel, Generic[T]):
    result: T
    error: None
    assumptions: list[Any]
    confidence: float | str | None
    trace: Trace


_MEANING = {
    400: "Malformed request: a body that is not UTF-8 text, a Content-Length that is not a number.",
    401: "Missing, invalid or revoked `X-API-Key`.",
    403: "Your role may not do this.",
    404: "No such project.",
    409: "Conflicts with the current state (see `error.message`, `details`).",
    412: "`If-Match` names a stale ETag: someone changed the project; `ETag` carries the current one.",
    413: "Body larger than the configured limit (1 MB by default).",
    415: "Content of a kind this operation does not take.",
    422: "Invalid input; `error.fields` names each offending field.",
    428: "`If-Match` missing, or `*` (refused: it would overwrite changes you have not seen).",
    429: "Rate limited; wait `Retry-After` seconds.",
}

_HEADERS: dict[int, dict[str, Any]] = {
    412: {"ETag": {"description": "The project's current ETag.", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
}


def errors(*codes: int, **meaning: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the error envelope (401, 422 and 429 always,
    since the guard and validation can give them on every operation)."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in sorted({401, 422, 429, *codes}):
        entry: dict[str, Any] = {
            "model": ErrorEnvelope,
            "description": meaning.get(f"m{code}", _MEANING[code]),
        }
        if code in _HEADERS:
            entry["headers"] = _HEADERS[code]
        declared[code] = entry
    return declared


ETAG_HEADER = {"ETag": {"description": "The project's ETag (quoted).", "schema": {"type": "string"}}}
