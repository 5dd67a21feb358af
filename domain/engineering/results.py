"""Typed results of the engine, and their one JSON serialisation.

Why frozen dataclasses (not pydantic, not dicts): the results are built by the engine itself, never
parsed from outside, so they need no validation; frozen slotted dataclasses are cheap to build (a
whole sign design stays well under a millisecond), cannot be changed by a reader, and carry every
value a later step needs as a named, typed attribute (no private keys inside a dict, no checks
picked by position). The designer, the report and the API read these objects; the JSON of the CLI
and the API is produced from them by :func:`to_json` alone.

The JSON is a published contract (saved designs and the docs carry its hashes), so the
serialisation is fixed: keys follow the field order of each class, ``json_field`` renames a key
(``passed`` is written ``pass``), flattens a nested result into its parent (optionally leaving some
of its keys out), writes it with another key order, or keeps a field out of the JSON (a typed value
passed between steps). Floats are rounded to 6 significant digits; a non-finite float is ``null``.

To extend a result, add a field (with a default if older constructors must keep working): it is
serialised in field order. A new field changes the output bytes, hence the engine version.
"""

from __future__ import annotations

import dataclasses
import operator
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

SIGNIFICANT_DIGITS = 6  # written as the literal ".6g" in _number (a constant spec is faster)


# ---------------------------------------------------------------- serialisation
def json_field(
    *,
    key: str | None = None,
    flatten: bool = False,
    omit: tuple[str, ...] = (),
    order: tuple[str, ...] = (),
    internal: bool = False,
    default: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field with its JSON treatment (see the module docstring)."""
    meta = {"json": {"key": key, "flatten": flatten, "omit": omit, "order": order, "internal": internal}}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


Serialiser = Callable[[Any], Any]
_SERIALISERS: dict[tuple[type, tuple[str, ...], tuple[str, ...]], Serialiser] = {}


#: How many floats outside [1e-4, 1e16) (zero aside) this process has written, a count that only
#: grows. The canonical text of a result (``json.dumps``, see :func:`canonical_json`) writes such a
#: float in exponent form ('1e-05'), which orjson writes differently ('0.00001', '1e-5'); inside that
#: range both write the same shortest repr. A writer reads the count before and after writing a
#: result: if it moved, that result may hold such a float.
_unusual_floats = [0]


def unusual_float_count() -> int:
    """The count above (compare two readings around :func:`to_json`)."""
    return _unusual_floats[0]


def _number(obj: Any) -> Any:
    """A float rounded to SIGNIFICANT_DIGITS (non-finite -> None); anything else as it is (a float
    field may hold an int from the input or the constants, written as given)."""
    if type(obj) is float:
        r = float(f"{obj:.6g}")  # SIGNIFICANT_DIGITS; 'inf' and 'nan' parse back to themselves
        if 1e-4 <= r < 1e16 or -1e16 < r <= -1e-4:  # most numbers (false for 0, inf and nan)
            return r
        if r - r != 0.0:  # inf - inf and nan - nan are nan
            return None
        if r == 0.0:
            return 0.0
        _unusual_floats[0] += 1
        return r
    return obj


def _converter(hint: Any) -> Serialiser | None:
    """How to write a value of type ``hint``; None: as it is (str, int, bool, Literal of them)."""
    if hint in (str, int, bool, type(None)):
        return None
    if hint is float:
        return _number
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal and all(type(a) in (str, int, bool) for a in args):
        return None
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            convert = _converter(inner[0])
            if convert is None or convert is _number:
                return convert
            return lambda v: None if v is None else convert(v)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])
        if item is None:
            return list
        return lambda v: [item(x) for x in v]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return serialiser(hint)
    return to_json


def serialiser(cls: type, omit: tuple[str, ...] = (), order: tuple[str, ...] = ()) -> Serialiser:
    """The function writing an instance of dataclass ``cls`` as a JSON object (built once per
    class from its fields and their types, so writing a result does no type dispatch)."""
    cache_key = (cls, omit, order)
    found = _SERIALISERS.get(cache_key)
    if found is not None:
        return found
    hints = get_type_hints(cls)
    scope: dict[str, Any] = {}
    parts: list[str] = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("json", {})
        key = spec.get("key") or f.name
        if spec.get("internal") or key in omit:
            continue
        if spec.get("flatten") or spec.get("order"):
            convert: Serialiser | None = serialiser(hints[f.name], spec["omit"], spec["order"])
        else:
            convert = _converter(hints[f.name])
        name = f"_{len(scope)}"
        scope[name] = convert
        if convert is _number:
            # _number's common case inline (a float that rounds into [1e-4, 1e16)), the rest through it.
            value = (
                f'(_r if type(_v := o.{f.name}) is float and 1e-4 <= (_r := float(f"{{_v:.6g}}")) < 1e16 '
                f"else {name}(_v))"
            )
        elif convert is None:
            value = f"o.{f.name}"
        else:
            value = f"{name}(o.{f.name})"
        parts.append(f"**{value}" if spec.get("flatten") else f"{key!r}: {value}")
    body = "{" + ", ".join(parts) + "}"
    if order:
        scope["_order"] = order
        body = f"(lambda d: {{k: d[k] for k in _order}})({body})"
    # One generated function per class: a dict display in field order (the fastest way CPython
    # builds a dict), with each field's converter bound by name.
    exec(f"def write(o):\n    return {body}\n", scope)  # noqa: S102 - source built from field names
    write: Serialiser = scope["write"]
    _SERIALISERS[cache_key] = write
    return write


def to_json(obj: Any) -> Any:
    """The JSON value of a result (or of a tuple, list or dict of results): dicts, lists, strings,
    numbers (rounded), booleans, null."""
    t = type(obj)
    if t is float:
        return _number(obj)
    if t is tuple or t is list:
        return [to_json(v) for v in obj]
    if t is dict:
        return {k: to_json(v) for k, v in obj.items()}
    write = _SERIALISERS.get((t, (), ()))
    if write is not None:
        return write(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return serialiser(t)(obj)
    return obj


_EVOLVERS: dict[type, tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]] = {}


def evolve(obj: Any, **changes: Any) -> Any:
    """A copy of result ``obj`` with ``changes``: ``dataclasses.replace`` for these classes (every
    field is an ``__init__`` argument, in field order), without its per-call field inspection."""
    cls = type(obj)
    spec = _EVOLVERS.get(cls)
    if spec is None:
        names = [f.name for f in dataclasses.fields(cls)]
        if len(names) == 1:
            spec = (lambda o, name=names[0]: (getattr(o, name),), {names[0]: 0})
        else:
            spec = (operator.attrgetter(*names), {name: i for i, name in enumerate(names)})
        _EVOLVERS[cls] = spec
    getter, index = spec
    values = list(getter(obj))
    for name, new in changes.items():
        values[index[name]] = new
    return cls(*values)


def fast_init(namespace: dict[str, Any]) -> None:
    """Give each frozen slotted dataclass defined in a module (``namespace``: its ``globals()``) a
    faster ``__init__``; call it at the end of the module.

    Why: the generated ``__init__`` of a frozen dataclass sets each field through
    ``object.__setattr__`` (the class's own ``__setattr__`` refuses), about 100 ns a field, and a
    sign design builds some 200 such objects with 1,000 to 1,500 fields. Setting each slot through
    its member descriptor stores the same value in about half the time. Nothing else changes: the
    instances stay frozen (``__setattr__`` still refuses), and the parameters, their order and their
    defaults are those of the generated ``__init__``. A class with a default factory, an init-only,
    keyword-only or excluded field, or a ``__post_init__`` keeps its generated ``__init__``.
    """
    for cls in list(namespace.values()):
        if not (
            isinstance(cls, type)
            and dataclasses.is_dataclass(cls)
            and cls.__module__ == namespace["__name__"]
            and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and "__slots__" in cls.__dict__
            and not hasattr(cls, "__post_init__")
        ):
            continue
        fields = dataclasses.fields(cls)
        if not fields or any(
            f.default_factory is not dataclasses.MISSING or not f.init or f.kw_only is True for f in fields
        ):
            continue
        names = [f.name for f in fields]
        scope: dict[str, Any] = {f"_set{i}": cls.__dict__[name].__set__ for i, name in enumerate(names)}
        body = "".join(f"    _set{i}(self, {name})\n" for i, name in enumerate(names))
        exec(f"def __init__(self, {', '.join(names)}):\n{body}", scope)  # noqa: S102 - field names
        init = scope["__init__"]
        generated = cls.__init__
        init.__defaults__ = generated.__defaults__
        init.__kwdefaults__ = generated.__kwdefaults__
        init.__qualname__ = generated.__qualname__
        init.__module__ = generated.__module__
        init.__annotations__ = generated.__annotations__
        cls.__init__ = init  # type: ignore[method-assign]


# ---------------------------------------------------------------- shared pieces
@dataclass(frozen=True, slots=True)
class Check:
    """One design check: demand against capacity (same unit), ratio = demand / capacity, the clause.

    Further fields (a resistance factor, the governing load case, an equation) may be added after
    ``clause``; they are serialised in field order."""

    name: str
    demand: float
    capacity: float
    unit: str
    ratio: float
    passed: bool = json_field(key="pass")
    clause: str = ""
    #: the ASCE 7 Fig. 29.3-1 load case that governs it ("A", "B", "C"; "" when not case-specific)
    case: str = ""
    #: the load combination it is checked at, e.g. "LRFD 0.9D + 1.0W" or "ASD D + 0.6W"
    combination: str = ""
    #: the check as a formula, symbolic: "Ma <= Mn / Omega = Fy Z / Omega"
    formula: str = ""
    #: the formula with the numbers used and their units, the result, and the ratio
    substitution: str = ""


@dataclass(frozen=True, slots=True)
class CalcStep:
    """One step of a calculation as a plan reviewer reads it: what is computed, its symbol, the
    formula, the formula with the numbers used (each with its unit), the value and the clause."""

    quantity: str
    symbol: str
    formula: str
    substitution: str
    value: float
    unit: str
    clause: str


@dataclass(frozen=True, slots=True)
class Assumption:
    text: str
    clause: str


@dataclass(frozen=True, slots=True)
class DesignWarning:
    code: str
    message: str


# ---------------------------------------------------------------- bill of materials
@dataclass(frozen=True, slots=True)
class SteelItem:
    item: str
    designation: str
    grade: str
    count: int
    length_ft: float
    w_plf: float
    weight_lb: float


@dataclass(frozen=True, slots=True)
class PlateItem:
    item: str
    grade: str
    count: int
    width_in: float
    thickness_in: float
    weight_lb: float


@dataclass(frozen=True, slots=True)
class AnchorBoltItem:
    grade: str
    count: int
    diameter_in: float
    length_in: float


@dataclass(frozen=True, slots=True)
class RebarItem:
    item: str
    bar_size: str
    count: int
    length_ft: float
    weight_lb: float


@dataclass(frozen=True, slots=True)
class ConcreteItem:
    item: str
    shape: str
    count: int
    width_ft: float
    depth_ft: float
    yd3: float


@dataclass(frozen=True, slots=True)
class BillOfMaterials:
    """Quantities for the estimate; weights in lb, concrete in yd3 (totals over every item)."""

    steel: tuple[SteelItem, ...] = ()
    plates: tuple[PlateItem, ...] = ()
    anchor_bolts: tuple[AnchorBoltItem, ...] = ()
    concrete: tuple[ConcreteItem, ...] = ()
    steel_weight_lb: float = 0.0
    concrete_yd3: float = 0.0
    rebar: tuple[RebarItem, ...] = ()
    rebar_weight_lb: float = 0.0


#: The kinds without piers write their bill of materials without the (always empty) rebar keys.
_BOM_WITHOUT_REBAR = ("steel", "plates", "anchor_bolts", "concrete", "steel_weight_lb", "concrete_yd3")


# ---------------------------------------------------------------- wind
@dataclass(frozen=True, slots=True)
class LoadCase:
    """One ASCE 7 Fig. 29.3-1 load case: strength-level resultant, torsion about the sign centre,
    and the height of the resultant above grade."""

    name: str = json_field(key="case")
    force_lb: float = 0.0
    torsion_ft_lb: float = 0.0
    height_ft: float = 0.0


@dataclass(frozen=True, slots=True)
class CaseCStrip:
    """One horizontal region of Case C with its coefficient, pressure and force."""

    from_ft: float
    to_ft: float
    cf: float
    starred: bool
    pressure_psf: float
    area_ft2: float
    force_lb: float


@dataclass(frozen=True, slots=True)
class CaseC:
    regions: tuple[CaseCStrip, ...]
    force_lb: float
    force_asd_lb: float
    torsion_ft_lb: float
    moment_at_grade_ft_lb: float
    tall_sign_factor: float
    return_corner_factor: float


@dataclass(frozen=True, slots=True)
class Wind:
    """Design wind on the sign (strength level; *_asd_* values are 0.6 W) and its load cases A, B
    and (for B/s >= 2) C."""

    code: str
    wind_speed_mph: float
    exposure: str
    kz: float
    kzt: float
    kd: float
    ke: float
    g: float
    qh_psf: float
    s_ft: float
    b_ft: float
    top_height_ft: float
    area_ft2: float
    s_over_h: float
    b_over_s: float
    cf: float
    cf_table: float
    opening_factor: float
    design_pressure_psf: float
    minimum_governs: bool
    force_lb: float
    force_asd_lb: float
    resultant_height_ft: float
    moment_at_grade_ft_lb: float
    moment_at_grade_asd_ft_lb: float
    eccentricity_ft: float
    torsion_ft_lb: float
    torsion_asd_ft_lb: float
    case_c: CaseC | None
    cases: tuple[LoadCase, ...]
    #: the wind analysis step by step, in order (Kz, Kd, Ke, Kzt, qh, G, s/h, B/s, Cf, ..., cases)
    steps: tuple[CalcStep, ...] = ()


# ---------------------------------------------------------------- poles
@dataclass(frozen=True, slots=True)
class PoleDesign:
    """One section checked for every load case: its strengths, governing check and every check."""

    designation: str
    family: str
    fy_ksi: float
    w_plf: float
    od_in: float
    tdes_in: float
    mn_kip_in: float
    allowable_kip_in: float
    compactness: str
    slenderness: float
    lambda_p: float
    lambda_r: float
    vn_kip: float
    tn_kip_in: float
    pn_kip: float
    deflection_in: float | None
    ratio: float
    governing: str
    passed: bool = json_field(key="pass")
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True, slots=True)
class Alternative:
    """A lighter-ranked passing section the estimator may pick instead."""

    designation: str
    w_plf: float
    ratio: float
    governing: str


@dataclass(frozen=True, slots=True)
class SelectedPole:
    """The pole of a sign: the chosen (or given) section with its passing alternatives. Its checks
    are reported once, in the design's list of checks."""

    design: PoleDesign = json_field(flatten=True, omit=("checks",))
    alternatives: tuple[Alternative, ...] = ()
    grade: str = ""
    chosen: bool = False
    natural_frequency_hz: float = 0.0
    height_ft: float = 0.0


# ---------------------------------------------------------------- foundations
@dataclass(frozen=True, slots=True)
class PierDesign:
    """A drilled pier under one pole (IBC 1807.3.2)."""

    shape: str
    diameter_ft: float
    diameter_chosen: bool
    b_ft: float
    lateral_force_asd_lb: float
    force_height_ft: float
    lateral_bearing_psf_per_ft: float
    s1_psf: float
    iterations: int
    equation: str
    required_embedment_ft: float
    embedment_ft: float
    concrete_yd3: float
    embedment_check: Check = json_field(internal=True)
    #: the annulus of backfill around an embedded pole (no meaning for a base-plate pole)
    backfill_check: Check = json_field(internal=True)
    #: the shallowest embedment allowed (IBC 1809.4, or 1809.5 frost depth) and why
    minimum_embedment_ft: float = 0.0
    minimum_embedment_reason: str = ""
    #: bars and ties of a pier under a base plate (ACI 318-19 Ch. 22, 25); none for direct burial
    reinforcement: PierReinforcement | None = None
    #: the embedment calculation step by step (b, S1, A, d, the floor and the rounding)
    steps: tuple[CalcStep, ...] = ()


@dataclass(frozen=True, slots=True)
class PierReinforcement:
    """Longitudinal bars on a circle and ties of a pier under a base plate, the strength-level
    actions they are designed for, and their checks (ACI 318-19)."""

    bar_count: int
    bar_size: str
    bar_circle_in: float
    steel_area_in2: float
    min_steel_area_in2: float
    torsion_longitudinal_in2: float  # Al of 22.7.6.1 (0 when torsion is below the threshold)
    tie_size: str
    tie_spacing_in: float
    closed_ties_for_torsion: bool
    cover_in: float
    moment_kip_in: float
    shear_kip: float
    torsion_kip_in: float
    moment_depth_in: float
    phi_mn_kip_in: float
    phi_vn_kip: float
    threshold_torsion_kip_in: float
    checks: tuple[Check, ...] = json_field(internal=True, default=())


# ---------------------------------------------------------------- base plates and anchors
@dataclass(frozen=True, slots=True)
class AnchorForces:
    """Governing factored force per anchor rod (kip), each the maximum over the load cases."""

    tension_kip: float
    shear_kip: float


@dataclass(frozen=True, slots=True)
class PlateDesign:
    """Anchor layout and base plate of one pole, before the pier is known."""

    bolt_count: int
    bolt_diameter_in: float
    bolt_circle_in: float
    anchor_grade: str
    anchor_tensile_area_in2: float
    tension_per_bolt_kip: float
    shear_per_bolt_kip: float
    plate_grade: str
    plate_width_in: float
    plate_thickness_in: float
    plate_moment_kip_in: float  # bolt forces' moment about the governing yield line
    plate_yield_line_in: float  # length of that yield line across the plate
    forces: AnchorForces = json_field(internal=True)
    anchor_tension: Check = json_field(internal=True)
    anchor_shear: Check = json_field(internal=True)
    plate_bending: Check = json_field(internal=True)

    @property
    def checks(self) -> tuple[Check, ...]:
        return (self.anchor_tension, self.anchor_shear, self.plate_bending)


@dataclass(frozen=True, slots=True)
class AnchorReinforcement:
    """Grade 60 pier bars beside each anchor carrying its tension (ACI 318-19 17.5.2.1)."""

    bar_size: str
    bars_per_anchor: int
    development_length_in: float
    grade_ksi: float
    check: Check = json_field(internal=True)


@dataclass(frozen=True, slots=True)
class AnchorDesign:
    """Anchor embedment in the pier and its ACI 318-19 concrete checks."""

    anchor_reinforcement: AnchorReinforcement | None
    anchor_embedment_in: float
    concrete_fc_psi: float
    edge_distance_in: float
    anchor_length_in: float
    checks: tuple[Check, ...] = json_field(internal=True, default=())


@dataclass(frozen=True, slots=True)
class WeldDesign:
    """Pole-to-plate weld all round (AISC 360-16 J2): an equal-leg fillet of ``size_in``, or a CJP
    groove weld (size = the pole wall) when no fillet up to the practical limit carries the demand."""

    type: Literal["fillet", "cjp"]
    size_in: float
    min_size_in: float  # Table J2.4, by the pole wall
    required_size_in: float  # from the demand (fillet)
    electrode_ksi: float
    force_per_in_kip: float  # resultant weld force per inch of weld at the method's level
    length_in: float
    check: Check = json_field(internal=True)


@dataclass(frozen=True, slots=True)
class BasePlate:
    plate: PlateDesign = json_field(flatten=True)
    anchors: AnchorDesign = json_field(flatten=True)
    plate_weight_lb: float = 0.0
    weld: WeldDesign | None = None

    @property
    def checks(self) -> tuple[Check, ...]:
        extra = (self.weld.check,) if self.weld is not None else ()
        return self.plate.checks + extra + self.anchors.checks


# ---------------------------------------------------------------- whole sign
@dataclass(frozen=True, slots=True)
class Geometry:
    top_height_ft: float
    sign_height_ft: float
    sign_width_ft: float
    area_ft2: float
    pole_height_ft: float
    support_count: int
    spacing_ft: float | None
    mount: str


@dataclass(frozen=True, slots=True)
class DeadLoad:
    cabinets_lb: float
    poles_lb: float
    plates_lb: float
    total_lb: float


@dataclass(frozen=True, slots=True)
class PoleLoad:
    """Strength-level wind on one pole for one load case (torsion: single pole only)."""

    case: str
    lateral_lb: float
    height_ft: float
    moment_ft_lb: float
    torsion_ft_lb: float


@dataclass(frozen=True, slots=True)
class PoleWind:
    """Strength-level wind on one exposed pole, grade to the bottom of the sign (ASCE 7 Sec. 29.4.1,
    Fig. 29.4-1), qz integrated over the band in closed form; included in ``loads_per_pole``."""

    exposed_height_ft: float
    width_ft: float
    shape: str
    qz_bottom_psf: float
    qz_top_psf: float
    d_sqrt_qz: float
    h_over_d: float
    cf: float
    g: float
    force_lb: float
    resultant_height_ft: float
    moment_at_grade_ft_lb: float


@dataclass(frozen=True, slots=True)
class GustEffect:
    """Natural frequency of the pole and sign and the gust-effect factor it calls for (ASCE 7
    Sec. 26.2, 26.11): G = 0.85 when n1 >= 1 Hz, Gf of Sec. 26.11.5 (never below 0.85 here) when
    flexible. The Gf terms are null for a rigid structure."""

    natural_frequency_hz: float
    flexible: bool
    damping_ratio: float
    g: float
    gf: float | None = None
    z_bar_ft: float | None = None
    iz: float | None = None
    lz_ft: float | None = None
    q: float | None = None
    vz_fps: float | None = None
    r: float | None = None
    gr: float | None = None
    iterations: int = 1


# ---------------------------------------------------------------- results of each kind
@dataclass(frozen=True, slots=True)
class WindResult:
    """The ``wind`` kind."""

    wind: Wind = json_field(flatten=True)
    checks: tuple[Check, ...] = ()
    bom: BillOfMaterials = json_field(order=_BOM_WITHOUT_REBAR, default=BillOfMaterials())


@dataclass(frozen=True, slots=True)
class EmbedmentResult:
    """The ``embedment`` kind."""

    embedment_ft: float
    embedment_rounded_ft: float
    s1_psf: float
    pressure_depth: Literal["d", "d/3"]
    lateral_bearing_psf_per_ft: float
    isolated_pole_increase: bool
    constrained: bool
    b_ft: float
    iterations: int
    equation: str
    concrete_yd3: float
    concrete_rounded_yd3: float
    checks: tuple[Check, ...]
    # This kind has always written its bill of materials in this key order.
    bom: BillOfMaterials = json_field(
        order=("steel", "concrete", "anchor_bolts", "plates", "steel_weight_lb", "concrete_yd3")
    )
    #: the embedment calculation step by step (b, S1, A, d and the rounding)
    steps: tuple[CalcStep, ...] = ()


@dataclass(frozen=True, slots=True)
class PoleResult:
    """The ``pole`` kind."""

    pole: PoleDesign = json_field(flatten=True)
    grade: str = ""
    method: str = ""
    bom: BillOfMaterials = json_field(order=_BOM_WITHOUT_REBAR, default=BillOfMaterials())

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.pole.checks


@dataclass(frozen=True, slots=True)
class SignDesign:
    """The ``sign`` kind: the whole design. ``checks`` are the pole's, then the base plate's and
    anchors' (if any), then the foundation's; ``passed`` is true when every one passes."""

    geometry: Geometry
    wind: Wind
    dead_load: DeadLoad
    loads_per_pole: tuple[PoleLoad, ...]
    pole: SelectedPole
    foundation: PierDesign
    base_plate: BasePlate | None
    checks: tuple[Check, ...]
    passed: bool = json_field(key="pass")
    bom: BillOfMaterials = field(default_factory=BillOfMaterials)
    pole_wind: PoleWind | None = None
    gust: GustEffect | None = None


Result = WindResult | EmbedmentResult | PoleResult | SignDesign


# ---------------------------------------------------------------- the envelope
@dataclass(frozen=True, slots=True)
class Trace:
    """Which inputs, constants and engine produced the result (hashes over canonical JSON)."""

    kind: str
    engine_version: str
    constants_version: str
    catalogue: str
    inputs: dict[str, Any]
    inputs_sha256: str
    result_sha256: str

    def to_json(self) -> dict[str, Any]:
        """As written (the inputs are the validated input's JSON, not rounded)."""
        return {
            "kind": self.kind,
            "engine_version": self.engine_version,
            "constants_version": self.constants_version,
            "catalogue": self.catalogue,
            "inputs": self.inputs,
            "inputs_sha256": self.inputs_sha256,
            "result_sha256": self.result_sha256,
        }


@dataclass(frozen=True, slots=True)
class Calculation:
    """One calculation: the typed result, what it rests on, and its trace.

    ``result_json`` is the result's JSON with ``warnings`` and ``assumptions`` appended, exactly as
    the CLI and the API write it (and as ``trace.result_sha256`` hashes it)."""

    result: Result
    warnings: tuple[DesignWarning, ...]
    assumptions: tuple[Assumption, ...]
    confidence: float
    trace: Trace
    result_json: dict[str, Any] = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The envelope ``{"result", "assumptions", "confidence", "trace"}`` as JSON values."""
        return {
            "result": self.result_json,
            "assumptions": self.result_json["assumptions"],
            "confidence": self.confidence,
            "trace": self.trace.to_json(),
        }


fast_init(globals())
