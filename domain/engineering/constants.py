"""Versioned engineering constants, loaded once from the packaged JSON file.

Why a data file: every number a reviewer may question (exposure table, Cf tables, soil values,
grades, resistance factors, practice defaults) lives in ``data/constants-<version>.json`` next to
the clause it comes from, and every result names the version it used (``trace.constants_version``).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

CONSTANTS_VERSION = "1.2.0"


def _load(version: str) -> dict[str, Any]:
    text = (
        resources.files("domain.engineering")
        .joinpath("data")
        .joinpath(f"constants-{version}.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    if data.get("version") != version:  # a renamed file must not silently change the numbers
        raise RuntimeError(f"constants file version {data.get('version')!r} != {version!r}")
    return data


CONSTANTS: dict[str, Any] = _load(CONSTANTS_VERSION)


def value(section: str, name: str) -> Any:
    """The ``value`` of a named constant, e.g. ``value("wind", "kd_signs")`` -> 0.85."""
    return CONSTANTS[section][name]["value"]


def clause(section: str, name: str) -> str:
    """The clause (or named default) a constant rests on, for assumptions and code comments."""
    text: str = CONSTANTS[section][name]["clause"]
    return text
