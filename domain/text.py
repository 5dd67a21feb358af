"""Text rules shared by every input schema. Pure.

PostgreSQL text cannot hold NUL, and other control characters in names or addresses are
always a paste accident: refuse them at the edge as a field error, not a database error.
Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069) are refused too: they make a
name display differently from what it is (a "Trojan Source" style spoof in lists and audit trails).

Each rule is also published in the JSON Schema (``pattern``), so the API's contract says what the
server enforces and a client can check before sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

_ALLOWED_IN_PROSE = {"\n", "\r", "\t"}
# Bidirectional embedding/override/isolate controls make text display in another order than it
# is stored ("Trojan Source"): a name could read as something it is not. Refused like C0 controls.
_BIDI = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# The same sets as regular expressions (ECMA 262 and Python agree on these escapes).
_CONTROL_CLASS = r"\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069"
_PROSE_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069"
LINE_PATTERN = rf"^[^{_CONTROL_CLASS}]*$"
PROSE_PATTERN = rf"^[^{_PROSE_CONTROL_CLASS}]*$"
# A line with at least one visible character: what survives ``strip_whitespace`` + ``min_length=1``.
NON_BLANK_LINE_PATTERN = rf"^[^{_CONTROL_CLASS}]*[^\s{_CONTROL_CLASS}][^{_CONTROL_CLASS}]*$"


def _forbidden(c: str, allowed: set[str] | frozenset[str] = frozenset()) -> bool:
    return (ord(c) < 0x20 and c not in allowed) or ord(c) == 0x7F or c in _BIDI


def has_control_characters(value: str) -> bool:
    return any(_forbidden(c) for c in value)


def _line(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("must not contain control characters")
    return value


def _prose(value: str) -> str:
    if any(_forbidden(c, _ALLOWED_IN_PROSE) for c in value):
        raise ValueError("must not contain control characters (other than line breaks and tabs)")
    return value


@dataclass(frozen=True)
class _TextRule:
    """Validates after the string constraints and publishes ``pattern`` in the JSON Schema."""

    check: Callable[[str], str]
    pattern: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


# Put these last in an Annotated[str, StringConstraints(...), ...] so the string constraints
# keep their own error messages. SingleLine: names, addresses, search words; Prose: descriptions;
# NonBlankLine: required names (stripped, at least one character).
SingleLine = _TextRule(_line, LINE_PATTERN)
NonBlankLine = _TextRule(_line, NON_BLANK_LINE_PATTERN)
Prose = _TextRule(_prose, PROSE_PATTERN)
Line = Annotated[str, SingleLine]
