"""The designer's form state and what it maps to: pure, no NiceGUI, unit-tested.

The form state IS the engine's ``sign`` payload (a JSON dict): every field is addressed by its
dotted payload path (``site.wind_speed_mph``, ``cabinets.0.width_ft``), so a validation error's
location names the field it belongs beside, and values the form does not show (return corner,
criteria, base-plate options) survive a round trip untouched. ``FIELDS`` says how each path is
shown: label, unit, widget, and the valid range read from the input schema's bounds (one source
for the API, the docs and the hints here).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from domain.designs.rules import canonical_json
from domain.engineering import CalcInputError, calculate, designations
from domain.engineering.examples import SIGN_EXAMPLE
from domain.engineering.schemas import Cabinet, Foundation, SignInput, Site, Supports
from domain.errors import InvalidInput
from domain.pricing import LATEST, MODULES, EstimateRequest, estimate

MAX_CABINETS = 10
NEW_CABINET: dict[str, Any] = {"width_ft": 8, "height_ft": 4, "depth_in": 12, "weight_psf": 10}


@dataclass(frozen=True)
class FieldSpec:
    path: str  # with ``{i}`` for the cabinet index
    label: str
    unit: str = ""
    kind: str = "number"  # number | optional_number | select | switch
    options: tuple[tuple[Any, str], ...] = ()
    low: float | None = None
    high: float | None = None
    blank: str = ""  # what an empty optional field means

    def at(self, index: int) -> str:
        return self.path.format(i=index)

    @property
    def hint(self) -> str:
        parts = []
        if self.low is not None and self.high is not None:
            parts.append(f"{_num(self.low)}–{_num(self.high)} {self.unit}".strip())
        if self.blank:
            parts.append(f"empty: {self.blank}")
        return "; ".join(parts)


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    low = high = None
    for item in model.model_fields[name].metadata:
        low = getattr(item, "ge", getattr(item, "gt", low))
        high = getattr(item, "le", getattr(item, "lt", high))
    return low, high


def _number(
    path: str, label: str, unit: str, model: type[BaseModel], name: str, blank: str = ""
) -> FieldSpec:
    low, high = _bounds(model, name)
    kind = "optional_number" if blank else "number"
    return FieldSpec(path, label, unit, kind, low=low, high=high, blank=blank)


def _choices(*values: Any) -> tuple[tuple[Any, str], ...]:
    return tuple((v, str(v)) for v in values)


SITE = (
    FieldSpec(
        "code", "Code edition", kind="select", options=(("asce7-16", "ASCE 7-16"), ("asce7-22", "ASCE 7-22"))
    ),
    _number("site.wind_speed_mph", "Wind speed V", "mph", Site, "wind_speed_mph"),
    FieldSpec("site.exposure", "Exposure", kind="select", options=_choices("B", "C", "D")),
    _number("site.kzt", "Kzt", "", Site, "kzt"),
    _number(
        "site.ground_elevation_ft", "Ground elevation", "ft", Site, "ground_elevation_ft", blank="Ke = 1"
    ),
)
CABINET = (
    _number("cabinets.{i}.width_ft", "Width", "ft", Cabinet, "width_ft"),
    _number("cabinets.{i}.height_ft", "Height", "ft", Cabinet, "height_ft"),
    _number("cabinets.{i}.depth_in", "Depth", "in", Cabinet, "depth_in", blank="12 in"),
    _number("cabinets.{i}.weight_psf", "Weight", "psf", Cabinet, "weight_psf", blank="10 psf"),
)
SIGN = (
    _number("clearance_ft", "Clearance", "ft", SignInput, "clearance_ft"),
    _number("solid_ratio", "Solid ratio", "", SignInput, "solid_ratio"),
)
SUPPORTS = (
    FieldSpec("supports.count", "Poles", kind="select", options=((1, "One pole"), (2, "Two poles"))),
    _number("supports.spacing_ft", "Spacing", "ft", Supports, "spacing_ft", blank="0.6 × sign width"),
    FieldSpec(
        "supports.family",
        "Family",
        kind="select",
        options=(("pipe", "Pipe"), ("round_hss", "Round HSS"), ("square_hss", "Square HSS")),
    ),
    FieldSpec(
        "supports.grade",
        "Grade",
        kind="select",
        options=((None, "Default"), *_choices("A53B", "A500B", "A500C", "A1085")),
    ),
    FieldSpec(
        "supports.mount",
        "Mount",
        kind="select",
        options=(("direct_burial", "Direct burial"), ("base_plate", "Base plate")),
    ),
    FieldSpec("supports.designation", "Section", kind="select"),  # options depend on the family
)
FOUNDATION = (
    FieldSpec(
        "foundation.shape", "Pier shape", kind="select", options=(("round", "Round"), ("square", "Square"))
    ),
    _number("foundation.diameter_ft", "Pier diameter", "ft", Foundation, "diameter_ft", blank="auto"),
    FieldSpec(
        "foundation.soil_class",
        "Soil class (IBC 1806.2)",
        kind="select",
        options=((None, "Class 5 (default)"), *_choices(1, 2, 3, 4, 5)),
    ),
    FieldSpec("foundation.isolated_pole_increase", "Isolated-pole increase (IBC 1806.3.4)", kind="switch"),
    FieldSpec("foundation.constrained", "Constrained at grade (IBC 1807.3.2.2)", kind="switch"),
)
FIELDS: dict[str, FieldSpec] = {f.path: f for f in (*SITE, *CABINET, *SIGN, *SUPPORTS, *FOUNDATION)}
AUTO = "auto"


def section_options(family: str) -> dict[str, str]:
    """The pole sections a person may fix, for the select (``AUTO``: lightest passing)."""
    return {AUTO: "Auto (lightest passing)", **{d: d for d in designations(family)}}


# --- reading and writing the state -------------------------------------------------------------


def default_state() -> dict[str, Any]:
    return copy.deepcopy(SIGN_EXAMPLE)


def state_from(saved_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form loaded from a saved revision's input, or the worked example for a new design."""
    return copy.deepcopy(dict(saved_input)) if saved_input else default_state()


def get(state: Mapping[str, Any], path: str) -> Any:
    node: Any = state
    for key in path.split("."):
        if isinstance(node, list):
            index = int(key)
            node = node[index] if index < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(key)
        else:
            return None
    return node


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """A widget's value as the payload holds it: whole numbers as ints (115, not 115.0, so an
    unchanged design hashes the same), an empty optional number as null, the section's "auto" as
    null. Not validated: the engine's validation names what is wrong."""
    if spec.kind in ("number", "optional_number"):
        if raw is None or raw == "":
            return None
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if spec.path == "supports.designation" and raw == AUTO:
        return None
    return raw


def put(state: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``state`` with ``path`` set (missing objects on the way are created)."""
    new = copy.deepcopy(state)
    keys = path.split(".")
    node: Any = new
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(keys[-1])] = value
    else:
        node[keys[-1]] = value
    if path == "supports.family":
        # A fixed section of another family cannot stay: back to auto.
        fixed = get(new, "supports.designation")
        if fixed is not None and fixed not in designations(str(value)):
            new["supports"]["designation"] = None
    if path == "supports.count" and value == 1:
        new["supports"]["spacing_ft"] = None
    return new


def add_cabinet(state: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(state)
    if len(new["cabinets"]) < MAX_CABINETS:
        new["cabinets"].append(dict(NEW_CABINET))
    return new


def remove_cabinet(state: dict[str, Any], index: int) -> dict[str, Any]:
    new = copy.deepcopy(state)
    if len(new["cabinets"]) > 1:
        del new["cabinets"][index]
    return new


def move_cabinet(state: dict[str, Any], index: int, step: int) -> dict[str, Any]:
    """Cabinets are listed top first; moving one up swaps it with the one above."""
    new = copy.deepcopy(state)
    other = index + step
    cabinets = new["cabinets"]
    if 0 <= index < len(cabinets) and 0 <= other < len(cabinets):
        cabinets[index], cabinets[other] = cabinets[other], cabinets[index]
    return new


def module_of(state: Mapping[str, Any]) -> str:
    """The design module the supports describe (count and mount)."""
    count = get(state, "supports.count") or 1
    mount = get(state, "supports.mount") or "direct_burial"
    for module, (n, m) in MODULES.items():
        if (n, m) == (count, mount):
            return module
    return "signage.single_pole.direct_burial"


def fingerprint(state: Mapping[str, Any]) -> str:
    """Equal for equal designs: what "unsaved changes" compares."""
    return canonical_json(json.loads(json.dumps(state)))


# --- evaluating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """What the engine and the price list say about one form state."""

    errors: dict[str, str] = field(default_factory=dict)  # payload path -> message
    result: dict[str, Any] | None = None
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    estimate: dict[str, Any] | None = None
    estimate_error: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def evaluate(state: Mapping[str, Any], price_list: str = LATEST) -> Evaluation:
    """Run the engine and price the design. CPU work: call it off the event loop."""
    try:
        calc = calculate("sign", dict(state))
    except CalcInputError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors:
            errors.setdefault(str(error["field"]), str(error["message"]))
        return Evaluation(errors=errors)
    priced: dict[str, Any] | None = None
    problem = ""
    try:
        request = EstimateRequest.model_validate(
            {"module": module_of(state), "input": dict(state), "price_list": price_list}
        )
        priced = estimate(request).model_dump(mode="json")
    except InvalidInput as exc:
        problem = exc.message
    return Evaluation(
        result=calc["result"],
        assumptions=list(calc.get("assumptions") or []),
        estimate=priced,
        estimate_error=problem,
    )


def unplaced_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """Errors no field on the form shows (e.g. a cross-field rule on ``cabinets``)."""
    shown = {f.path for f in FIELDS.values() if "{i}" not in f.path}
    cabinet_paths = {f.path for f in CABINET}
    out = {}
    for path, message in errors.items():
        generic = ".".join("{i}" if part.isdigit() else part for part in path.split("."))
        if path not in shown and generic not in cabinet_paths:
            out[path] = message
    return out


def ratio_color(ratio: float | None) -> str:
    """Utilisation colour: green with margin, amber near the limit, red over it."""
    if ratio is None:
        return "#9e9e9e"
    if ratio > 1.0:
        return "#c62828"
    if ratio >= 0.85:
        return "#ef8f00"
    return "#2e7d32"


def input_errors(state: Mapping[str, Any]) -> dict[str, str]:
    """The input schema's verdict on every field, instantly (no engine run): ``{path: message}``."""
    from pydantic import ValidationError

    try:
        SignInput.model_validate(dict(state))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            errors.setdefault(path, str(error["msg"]))
        return errors
    return {}
