"""Text rules shared by every input schema. Pure.

PostgreSQL text cannot hold NUL, and other control characters in names or addresses are
always a paste accident: refuse them at the edge as a field error, not a database error.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

_ALLOWED_IN_PROSE = {"\n", "\r", "\t"}


def _line(value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("must not contain control characters")
    return value


def _prose(value: str) -> str:
    if any((ord(c) < 0x20 and c not in _ALLOWED_IN_PROSE) or ord(c) == 0x7F for c in value):
        raise ValueError("must not contain control characters (other than line breaks and tabs)")
    return value


def has_control_characters(value: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


# Put these last in an Annotated[str, StringConstraints(...), ...] so the string constraints
# keep their own error messages. SingleLine: names, addresses, search words; Prose: descriptions.
SingleLine = AfterValidator(_line)
Prose = AfterValidator(_prose)
Line = Annotated[str, SingleLine]
