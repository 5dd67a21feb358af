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
from domain.designs.schemas import DesignPricing
from domain.engineering import CalcInputError, calculate, designations
from domain.engineering.constants import CONSTANTS
from domain.engineering.examples import SIGN_EXAMPLE
from domain.engineering.schemas import BasePlate, Cabinet, Foundation, SignInput, Site, Supports
from domain.errors import InvalidInput
from domain.pricing import LATEST, MODULES, EstimateRequest, estimate, price_list
from domain.pricing.price_lists import PriceList, Profit
from domain.pricing.schemas import EstimateOptions

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
    _number(
        "foundation.lateral_bearing_psf_per_ft",
        "Lateral bearing (geotechnical)",
        "psf/ft",
        Foundation,
        "lateral_bearing_psf_per_ft",
        blank="from the soil class",
    ),
    FieldSpec("foundation.isolated_pole_increase", "Isolated-pole increase (IBC 1806.3.4)", kind="switch"),
    FieldSpec("foundation.constrained", "Constrained at grade (IBC 1807.3.2.2)", kind="switch"),
)
_AUTO = ((None, "Auto"),)
BASE_PLATE = (
    FieldSpec(
        "base_plate.bolt_count",
        "Anchor rods per pole",
        kind="select",
        options=(*_AUTO, *_choices(4, 6, 8, 12)),
    ),
    FieldSpec(
        "base_plate.bolt_diameter_in",
        "Rod diameter (in)",
        kind="select",
        options=(*_AUTO, *((d, f"{d:g} in") for d in CONSTANTS["anchors"]["diameters_in"]["value"])),
    ),
    FieldSpec(
        "base_plate.anchor_grade",
        "Rod grade",
        kind="select",
        options=(*_AUTO, *_choices("F1554-36", "F1554-55", "F1554-105")),
    ),
    _number("base_plate.bolt_circle_in", "Bolt circle", "in", BasePlate, "bolt_circle_in", blank="auto"),
    _number("base_plate.plate_width_in", "Plate width", "in", BasePlate, "plate_width_in", blank="auto"),
    _number(
        "base_plate.plate_thickness_in",
        "Plate thickness",
        "in",
        BasePlate,
        "plate_thickness_in",
        blank="auto",
    ),
    FieldSpec(
        "base_plate.plate_grade", "Plate grade", kind="select", options=(*_AUTO, *_choices("A36", "A572-50"))
    ),
    _number(
        "base_plate.anchor_embedment_in",
        "Anchor embedment hef",
        "in",
        BasePlate,
        "anchor_embedment_in",
        blank="auto",
    ),
    _number(
        "base_plate.concrete_fc_psi", "Concrete f'c", "psi", BasePlate, "concrete_fc_psi", blank="3000 psi"
    ),
    FieldSpec(
        "base_plate.anchor_shear_reinforcement",
        "Anchor shear reinforcement",
        kind="select",
        options=(("none", "None (plain concrete)"), ("ties", "Pier ties"), ("hairpins", "Hairpins")),
    ),
    FieldSpec(
        "base_plate.anchor_reinforcement", "Anchor reinforcement for breakout (ACI 17.5.2.1)", kind="switch"
    ),
)
"""Shown when the supports are mounted on base plates; empty fields: the engine chooses."""
BASE_PLATE_DEFAULTS: dict[str, Any] = {
    name: info.default for name, info in BasePlate.model_fields.items() if info.default is not None
}
FIELDS: dict[str, FieldSpec] = {
    f.path: f for f in (*SITE, *CABINET, *SIGN, *SUPPORTS, *FOUNDATION, *BASE_PLATE)
}
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
        if isinstance(node, list):
            node = node[int(key)]
        else:
            if node.get(key) is None:  # absent or null (``base_plate: null``): created
                node[key] = {}
            node = node[key]
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
    if path == "supports.mount" and value != "base_plate":
        new.pop("base_plate", None)  # plate options mean nothing on a buried pole
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


def fingerprint(state: Mapping[str, Any], pricing: Mapping[str, Any] | None = None) -> str:
    """Equal for equal designs priced alike: what "unsaved changes" compares."""
    return canonical_json(json.loads(json.dumps({"input": state, "pricing": _pruned(pricing or {})})))


# --- evaluating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """What the engine and the price list say about one form state."""

    errors: dict[str, str] = field(default_factory=dict)  # payload path -> message
    result: dict[str, Any] | None = None
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    estimate: dict[str, Any] | None = None
    estimate_error: str = ""
    pricing_errors: dict[str, str] = field(default_factory=dict)  # pricing path -> message
    stale_lines: tuple[str, ...] = ()  # line overrides for lines the estimate no longer has

    @property
    def ok(self) -> bool:
        return self.result is not None


def evaluate(
    state: Mapping[str, Any], version: str = LATEST, pricing: Mapping[str, Any] | None = None
) -> Evaluation:
    """Run the engine and price the design with ``pricing`` (overrides and options, as a revision
    saves them). A line override whose line the design no longer has (another pole section, a
    cabinet less) is left out and named in ``stale_lines``. CPU work: call it off the event loop."""
    try:
        calc = calculate("sign", dict(state))
    except CalcInputError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors:
            errors.setdefault(str(error["field"]), str(error["message"]))
        return Evaluation(errors=errors)
    priced: dict[str, Any] | None = None
    problem = ""
    problems = pricing_errors(pricing or {})
    usable = fit_cabinet_options(dict(pricing or {}), len(state.get("cabinets") or []))
    stale: tuple[str, ...] = ()

    def price(body: dict[str, Any]) -> dict[str, Any]:
        # The engine already ran on this input: price its result instead of designing it again.
        return estimate(EstimateRequest.model_validate(body), result=calc["result"]).model_dump(mode="json")

    if not problems:
        body = {"module": module_of(state), "input": dict(state), "price_list": version, **usable}
        try:
            priced = price(body)
        except InvalidInput as exc:
            stale = tuple(
                str(f["field"]).removeprefix("overrides.lines.")
                for f in exc.fields
                if str(f.get("field", "")).startswith("overrides.lines.")
                and "no such line" in str(f["message"])
            )
            if stale:
                kept = {k: v for k, v in body.items() if k not in ("overrides", "options")}
                body = {**kept, **without_lines(usable, stale)}
                try:
                    priced = price(body)
                except InvalidInput as again:
                    problem = again.message
            else:
                problem = exc.message
                problems = {str(f["field"]): str(f["message"]) for f in exc.fields if "field" in f}
    else:
        problem = "Fix the highlighted estimate fields."
    return Evaluation(
        result=calc["result"],
        assumptions=list(calc.get("assumptions") or []),
        estimate=priced,
        estimate_error=problem,
        pricing_errors=problems,
        stale_lines=stale,
    )


# --- pricing: the estimate's overrides and options, as a revision saves them --------------------

LIST = price_list(LATEST)
PRICING_FIELDS = (
    _number("overrides.contingency_percent", "Contingency", "%", PriceList, "contingency_percent"),
    FieldSpec(
        "overrides.profit.mode",
        "Profit",
        kind="select",
        options=(("markup", "Markup on cost"), ("margin", "Margin of price")),
    ),
    _number("overrides.profit.markup_percent", "Markup", "%", Profit, "markup_percent"),
    _number("overrides.profit.margin_percent", "Margin", "%", Profit, "margin_percent"),
    FieldSpec("options.calc_packet", "Calculation packet", kind="switch"),
    _number("options.hard_copies", "Hard copies", "ea", EstimateOptions, "hard_copies"),
)
PRICING: dict[str, FieldSpec] = {f.path: f for f in PRICING_FIELDS}
LINE_FIELDS = ("quantity", "unit_price")


def list_value(path: str) -> Any:
    """What the price list (or the default options) says for a pricing field."""
    section, _, rest = path.partition(".")
    if section == "overrides":
        return _plain(get(LIST.model_dump(), rest))
    return EstimateOptions.model_fields[rest].default


def pricing_value(pricing: Mapping[str, Any], path: str) -> Any:
    """The value in force: the override, else the price list's."""
    value = get(pricing, path)
    return list_value(path) if value is None else value


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=float))


def _pruned(node: Any) -> Any:
    if isinstance(node, Mapping):
        out = {k: _pruned(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v not in ({}, None)}
    return node


def set_pricing(pricing: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy with ``path`` set; null (or the list's own value) removes the override."""
    new = put(copy.deepcopy(dict(pricing)), path, value)
    if value is None or (path in PRICING and value == list_value(path)):
        parent, _, key = path.rpartition(".")
        node = get(new, parent)
        if isinstance(node, dict):
            node.pop(key, None)
    return _pruned(new)  # type: ignore[no-any-return]


def set_line(pricing: Mapping[str, Any], code: str, name: str, value: Any) -> dict[str, Any]:
    """Override (or with null, stop overriding) a line's quantity or unit price."""
    new = copy.deepcopy(dict(pricing))
    lines = new.setdefault("overrides", {}).setdefault("lines", {})
    line = dict(lines.get(code) or {})
    if value is None:
        line.pop(name, None)
    else:
        line[name] = value
    lines[code] = line
    return _pruned(new)  # type: ignore[no-any-return]


def reset_line(pricing: Mapping[str, Any], code: str) -> dict[str, Any]:
    return without_lines(pricing, (code,))


def without_lines(pricing: Mapping[str, Any], codes: tuple[str, ...] | list[str]) -> dict[str, Any]:
    new = copy.deepcopy(dict(pricing))
    lines = get(new, "overrides.lines") or {}
    for code in codes:
        lines.pop(code, None)
    return _pruned(new)  # type: ignore[no-any-return]


def line_override(pricing: Mapping[str, Any], code: str) -> dict[str, Any]:
    return dict(get(pricing, "overrides.lines") or {}).get(code) or {}


def cabinet_option(pricing: Mapping[str, Any], index: int) -> dict[str, Any]:
    """A cabinet's type for pricing (illuminated, faces); the list's default when not set."""
    options = get(pricing, "options.cabinets") or []
    given = options[index] if index < len(options) and isinstance(options[index], Mapping) else {}
    return {"illuminated": bool(given.get("illuminated", True)), "faces": int(given.get("faces", 2))}


def set_cabinet_option(
    pricing: Mapping[str, Any], count: int, index: int, name: str, value: Any
) -> dict[str, Any]:
    new = copy.deepcopy(dict(pricing))
    options = [cabinet_option(new, i) for i in range(count)]
    options[index][name] = value
    new.setdefault("options", {})["cabinets"] = options
    return new


def fit_cabinet_options(pricing: Mapping[str, Any], count: int) -> dict[str, Any]:
    """The cabinet types padded (illuminated, double face) or cut to ``count`` cabinets."""
    options = get(pricing, "options.cabinets")
    if options is None or len(options) == count:
        return dict(pricing)
    new = copy.deepcopy(dict(pricing))
    new["options"]["cabinets"] = [cabinet_option(pricing, i) for i in range(count)]
    return new


def restack_cabinet_options(
    pricing: Mapping[str, Any], action: str, index: int = 0, step: int = 0
) -> dict[str, Any]:
    """Keep the cabinet types with their cabinets when one is added, removed or moved."""
    options = get(pricing, "options.cabinets")
    if options is None:
        return dict(pricing)
    new = copy.deepcopy(dict(pricing))
    items = new["options"]["cabinets"]
    if action == "add" and len(items) < MAX_CABINETS:
        items.append({"illuminated": True, "faces": 2})
    elif action == "remove" and 0 <= index < len(items) and len(items) > 1:
        del items[index]
    elif action == "move" and 0 <= index < len(items) and 0 <= index + step < len(items):
        items[index], items[index + step] = items[index + step], items[index]
    return new


def pricing_errors(pricing: Mapping[str, Any]) -> dict[str, str]:
    """The pricing's bounds (no negative price, a margin under 90 %...): ``{path: message}``."""
    from pydantic import ValidationError

    try:
        DesignPricing.model_validate(dict(pricing))
    except ValidationError as exc:
        out: dict[str, str] = {}
        for error in exc.errors():
            out.setdefault(".".join(str(p) for p in error["loc"]), str(error["msg"]))
        return out
    return {}


def estimate_groups(est: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The estimate's subtotals by group, in order, without the empty ones (for the breakdown)."""
    return [(str(g), float(v)) for g, v in (est.get("subtotals") or {}).items() if float(v)]


# --- drafts: unsaved edits kept per user and project ---------------------------------------------

DRAFT_PREFIX = "design-draft"
MAX_DRAFT_BYTES = 64_000


def draft_key(user_id: str, project_id: str) -> str:
    return f"{DRAFT_PREFIX}:{user_id}:{project_id}"


def make_draft(
    state: Mapping[str, Any], pricing: Mapping[str, Any], base_revision: int | None
) -> dict[str, Any]:
    return {"input": _plain(state), "pricing": _plain(pricing), "base_revision": base_revision}


def read_draft(raw: Any) -> tuple[dict[str, Any], dict[str, Any], int | None] | None:
    """A stored draft as (input, pricing, base revision), or None when it is not one (an older
    shape, a hand-edited store): a bad draft is dropped, never shown half."""
    if not isinstance(raw, Mapping):
        return None
    state, pricing, base = raw.get("input"), raw.get("pricing") or {}, raw.get("base_revision")
    if not isinstance(state, Mapping) or not isinstance(state.get("cabinets"), list) or not state["cabinets"]:
        return None
    if not isinstance(pricing, Mapping) or not (base is None or isinstance(base, int)):
        return None
    if len(json.dumps(raw, default=str)) > MAX_DRAFT_BYTES:
        return None
    return copy.deepcopy(dict(state)), copy.deepcopy(dict(pricing)), base


def field_label(path: str) -> str:
    """An input path as the form names it (``cabinets.1.width_ft``: "Cabinet 2: Width (ft)"); a path
    the form has no field for stays as it is."""
    generic = ".".join("{i}" if part.isdigit() else part for part in path.split("."))
    spec = FIELDS.get(path) or FIELDS.get(generic)
    if spec is None:
        return path
    label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
    index = next((int(part) for part in path.split(".") if part.isdigit()), None)
    return f"Cabinet {index + 1}: {label}" if index is not None and path.startswith("cabinets.") else label


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
