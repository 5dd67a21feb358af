"""Turning the domain schemas' validation errors into one short message per form field."""

from __future__ import annotations

from pydantic import ValidationError

from components.project_fields import FIELD_HINTS


def _message(error: dict) -> str:  # type: ignore[type-arg]
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "Required"
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        field = str(error["loc"][0]) if error.get("loc") else ""
        return f"Only {FIELD_HINTS[field].lower()}" if field in FIELD_HINTS else "Not in the expected format"
    return str(error.get("msg", "Invalid value"))


def field_errors(exc: ValidationError) -> dict[str, str]:
    """``{field: message}``; the first problem per field is the one worth reading."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ("",)
        errors.setdefault(str(loc[0]), _message(dict(error)))
    return errors
