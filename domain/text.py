"""Text rules shared by every input schema. Pure.

PostgreSQL text cannot hold NUL, and other control characters in names or addresses are
always a paste accident: refuse them at the edge as a field error, not a database error.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

_ALLOWED_IN_PROSE = {"\n", "\r", "\t"}
# Bidirectional embedding/override/isolate controls make text display in another order than it
# is stored ("Trojan Source"): a name could read as something it is not. Refused like C0 controls.
_BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def _is_control(c: str) -> bool:
    return ord(c) < 0x20 or ord(c) == 0x7F or c in _BIDI_CONTROLS


def _line(value: str) -> str:
    if any(_is_control(c) for c in value):
        raise ValueError("must not contain control characters")
    return value


def _prose(value: str) -> str:
    if any(_is_control(c) and c not in _ALLOWED_IN_PROSE for c in value):
        raise ValueError("must not contain control characters (other than line breaks and tabs)")
    return value


def has_control_characters(value: str) -> bool:
    return any(_is_control(c) for c in value)


# Put these last in an Annotated[str, StringConstraints(...), ...] so the string constraints
# keep their own error messages. SingleLine: names, addresses, search words; Prose: descriptions.
SingleLine = AfterValidator(_line)
Prose = AfterValidator(_prose)
Line = Annotated[str, SingleLine]
