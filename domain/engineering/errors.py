"""The one error the engineering engine raises for bad input.

Why a single error with a list: the designer UI and the API must show every bad field at once
(dotted paths such as ``supports.grade`` or ``cabinets.0.width_ft``), never a stack trace, and the
CLI maps it to exit code 2 and the API to HTTP 422.
"""

from __future__ import annotations


class CalcInputError(ValueError):
    """Invalid calculation input; ``errors`` lists ``{"field": dotted.path, "message": text}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors: list[dict[str, str]] = errors
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
        super().__init__(summary)
