"""Errors the services raise; the API and the pages translate them for people.

Each carries a machine-readable ``code``; ``fields`` names the offending inputs.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: list[dict[str, str]] | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []
        self.details = details


class NotFound(DomainError):
    code, status = "not_found", 404


class Forbidden(DomainError):
    code, status = "forbidden", 403


class InvalidInput(DomainError):
    code, status = "invalid_input", 422


class PreconditionRequired(DomainError):
    code, status = "precondition_required", 428


class PreconditionFailed(DomainError):
    """The caller's ETag is stale; ``details['current_etag']`` is the one to retry with."""

    code, status = "precondition_failed", 412


class Conflict(DomainError):
    code, status = "conflict", 409


class BadRequest(DomainError):
    """A request that is not what it claims: a truncated upload, a malformed multipart body."""

    code, status = "bad_request", 400


class PayloadTooLarge(DomainError):
    code, status = "payload_too_large", 413


class UnsupportedMediaType(DomainError):
    """Content of a kind this service does not take (told from the bytes, not the name)."""

    code, status = "unsupported_media_type", 415
