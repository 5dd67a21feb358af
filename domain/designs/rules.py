"""What a design revision is, read from its parts. Pure: no I/O.

Its identity (the sha256 of module + input), the headline results people compare (chosen section,
embedment, total price...), the checks it fails, and the differences between two revisions. The
engine result is read as its JSON shape (``calculate("sign", ...)["result"]``), which the engine
keeps byte-identical across versions; every key this package reads is read here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, ASCII, no NaN: equal values give equal text (the engine's rule)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def design_sha256(
    module: str, sign_input: Mapping[str, Any], pricing: Mapping[str, Any] | None = None
) -> str:
    """The identity of a design: sha256 of the canonical JSON of ``{"module", "input"}``, and
    ``"pricing"`` with it when the estimate was priced with overrides or options (the same sign
    priced differently is another revision; priced plainly it keeps the plain hash)."""
    body: dict[str, Any] = {"module": module, "input": sign_input}
    if pricing:
        body["pricing"] = pricing
    text = canonical_json(body)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


HEADLINES: tuple[tuple[str, str], ...] = (
    ("pass", "All checks pass"),
    ("section", "Pole section"),
    ("pole_count", "Poles"),
    ("governing_check", "Governing check"),
    ("max_ratio", "Highest utilisation"),
    ("embedment_ft", "Embedment (ft)"),
    ("pier_diameter_ft", "Pier diameter (ft)"),
    ("concrete_yd3", "Concrete (yd3)"),
    ("steel_weight_lb", "Steel (lb)"),
    ("total", "Estimate total (USD)"),
)
"""The headline results, in the order people read them, with their labels."""


def _get(tree: Mapping[str, Any] | None, *path: str) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def headline(result: Mapping[str, Any], estimate: Mapping[str, Any]) -> dict[str, Any]:
    """The key numbers of a revision (``HEADLINES``), from the engine result and the estimate."""
    checks = [c for c in result.get("checks") or [] if isinstance(c, Mapping)]
    ratios = [c for c in checks if isinstance(c.get("ratio"), int | float)]
    governing = max(ratios, key=lambda c: c["ratio"]) if ratios else None
    return {
        "pass": result.get("pass"),
        "section": _get(result, "pole", "designation"),
        "pole_count": _get(result, "geometry", "support_count"),
        "governing_check": governing["name"] if governing else None,
        "max_ratio": governing["ratio"] if governing else None,
        "embedment_ft": _get(result, "foundation", "embedment_ft"),
        "pier_diameter_ft": _get(result, "foundation", "diameter_ft"),
        "concrete_yd3": _get(result, "bom", "concrete_yd3"),
        "steel_weight_lb": _get(result, "bom", "steel_weight_lb"),
        "total": estimate.get("total"),
    }


def failing_checks(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in result.get("checks") or [] if isinstance(c, Mapping) and not c.get("pass", False)]


def check_failure(check: Mapping[str, Any]) -> str:
    """One failing check as a person reads it: "pole flexure: utilisation 4.21 > 1 (AISC ...)"."""
    ratio = check.get("ratio")
    text = f"{check.get('name')}: utilisation {ratio:.3g} > 1" if isinstance(ratio, int | float) else ""
    text = text or f"{check.get('name')}: fails"
    clause = check.get("clause")
    return f"{text} ({clause})" if clause else text


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a JSON value by dotted path (list items by index: ``cabinets.0.width_ft``).
    An empty object or list is a leaf of its own."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix: value}


def _same(a: Any, b: Any) -> bool:
    # JSON does not tell 115 from 115.0; True is not the number 1.
    return (
        type(a) is type(b)
        and a == b
        or (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and not isinstance(a, bool)
            and not isinstance(b, bool)
            and a == b
        )
    )


def changed_leaves(a: Any, b: Any) -> list[dict[str, Any]]:
    """``{path, a, b}`` for each leaf that differs (absent on one side: null there), in the order
    of ``a`` then the leaves only ``b`` has."""
    left, right = leaves(a), leaves(b)
    paths = list(left) + [p for p in right if p not in left]
    return [
        {"path": p, "a": left.get(p), "b": right.get(p)}
        for p in paths
        if not _same(left.get(p), right.get(p))
    ]


def compare_headlines(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every headline side by side: ``{path, label, a, b, changed}``."""
    return [
        {
            "path": key,
            "label": label,
            "a": a.get(key),
            "b": b.get(key),
            "changed": not _same(a.get(key), b.get(key)),
        }
        for key, label in HEADLINES
    ]


def _size(value: Any) -> str:
    """12.0 -> "12", 7.5 -> "7.5" (the migration's backfill formats the same way)."""
    number = float(value)
    return f"{number:.2f}".rstrip("0").rstrip(".")


def search_headline(
    engine_input: Mapping[str, Any], result: Mapping[str, Any], estimate: Mapping[str, Any]
) -> dict[str, Any]:
    """The headline a project row carries for search, facets and sorts (``projects.design_*``),
    from its latest revision: section, cabinet sizes ("12x6 8x4"), poles, mount, design wind speed
    and the estimate total. ``engine_input`` is the engine's normalised input (defaults filled)."""
    site = engine_input.get("site") or {}
    supports = engine_input.get("supports") or {}
    cabinets = [
        f"{_size(c['width_ft'])}x{_size(c['height_ft'])}"
        for c in engine_input.get("cabinets") or []
        if isinstance(c, Mapping) and c.get("width_ft") is not None and c.get("height_ft") is not None
    ]
    count = _get(result, "geometry", "support_count") or supports.get("count")
    wind = site.get("wind_speed_mph")
    total = estimate.get("total")
    return {
        "design_pass": result.get("pass"),
        "design_section": (str(_get(result, "pole", "designation") or "") or None),
        "design_cabinets": " ".join(cabinets)[:200] or None,
        "design_pole_count": int(count) if count is not None else None,
        "design_mount": _get(result, "geometry", "mount") or supports.get("mount"),
        "design_wind_mph": Decimal(str(wind)).quantize(Decimal("0.1")) if wind is not None else None,
        "design_total": Decimal(str(total)).quantize(Decimal("0.01")) if total is not None else None,
    }
