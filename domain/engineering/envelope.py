"""Public entry point: validate, run one calculation kind, round, hash, and wrap in the envelope.

Why the envelope: the CLI, the API and the report all show the same four things, the result, the
assumptions it rests on (each with a clause), a confidence, and a trace that lets a reviewer prove
which inputs, constants and engine produced which numbers (byte-identical JSON for equal inputs:
no timestamps, floats rounded to 6 significant digits before hashing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from .constants import CONSTANTS_VERSION
from .errors import CalcInputError
from .foundations import embedment_result
from .notes import Notes
from .poles import Demand, check_pole, pole_assumptions
from .results import (
    SIGNIFICANT_DIGITS,
    BillOfMaterials,
    Calculation,
    EmbedmentResult,
    PoleResult,
    Result,
    SignDesign,
    SteelItem,
    Trace,
    WindResult,
    to_json,
    unusual_float_count,
)
from .schemas import (
    INPUT_MODELS,
    MAX_TOP_HEIGHT_FT,
    EmbedmentInput,
    PoleInput,
    SignInput,
    WindInput,
)
from .sections import CATALOGUE, default_grade, grade_properties
from .sign import design_sign
from .wind import Panel, sign_wind

ENGINE_VERSION = "1.2.0"
KINDS: tuple[str, ...] = ("wind", "embedment", "pole", "sign")
__all__ = ["ENGINE_VERSION", "KINDS", "SIGNIFICANT_DIGITS", "calculate", "run", "validate"]


# ---------------------------------------------------------------- validation
def _message(err: Any) -> str:
    if err["type"] == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        if expected.count(",") > 8:  # a catalogue enum: do not print 366 designations
            return f"unknown value {err.get('input')!r}; see designations()"
    return str(err["msg"])


def _semantic_errors(model: BaseModel) -> list[dict[str, str]]:
    """Cross-field rules the field types cannot express, each naming its field."""
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    def soil(prefix: str, soil_class: object, per_ft: object) -> None:
        if soil_class is not None and per_ft is not None:
            bad(
                prefix + "lateral_bearing_psf_per_ft",
                "give soil_class or lateral_bearing_psf_per_ft, not both",
            )

    if isinstance(model, WindInput) and model.top_height_ft < model.height_ft:
        bad("top_height_ft", "top of the sign must be at least the sign height above grade")
    if isinstance(model, EmbedmentInput):
        soil("", model.soil_class, model.lateral_bearing_psf_per_ft)
    if isinstance(model, PoleInput):
        family = CATALOGUE[model.designation].family
        if model.grade is not None and grade_properties(model.grade, family) is None:
            bad("grade", f"{model.grade} is not made in {family} shapes")
        if model.axial_lb > 0 and model.height_ft is None:
            bad("height_ft", "required when axial_lb > 0 (buckling length)")
    if isinstance(model, SignInput):
        sup = model.supports
        family = sup.family
        if sup.designation is not None:
            actual = CATALOGUE[sup.designation].family
            if "family" in sup.model_fields_set and actual != sup.family:
                bad("supports.designation", f"{sup.designation} is a {actual} section, not {sup.family}")
            family = actual
        if sup.grade is not None and grade_properties(sup.grade, family) is None:
            bad("supports.grade", f"{sup.grade} is not made in {family} shapes")
        if sup.count == 1 and sup.spacing_ft is not None:
            bad("supports.spacing_ft", "spacing applies to two supports only")
        soil("foundation.", model.foundation.soil_class, model.foundation.lateral_bearing_psf_per_ft)
        top = model.clearance_ft + sum(c.height_ft for c in model.cabinets)
        if top > MAX_TOP_HEIGHT_FT:
            message = (
                f"the top of the sign, clearance_ft + cabinet heights = {top:g} ft, exceeds "
                f"{MAX_TOP_HEIGHT_FT:g} ft (taller poles are towers; dynamic gust effects not covered)"
            )
            bad("clearance_ft", message)
            bad("cabinets", message)
    return errors


def validate(kind: str, payload: Any) -> BaseModel:
    """Parse ``payload`` into the kind's input model or raise CalcInputError listing every bad field."""
    if kind not in KINDS:
        raise CalcInputError(
            [{"field": "kind", "message": f"unknown kind {kind!r}; one of {', '.join(KINDS)}"}]
        )
    if not isinstance(payload, dict):
        raise CalcInputError([{"field": "payload", "message": "must be a JSON object"}])
    try:
        model = INPUT_MODELS[kind].model_validate(payload)
    except ValidationError as exc:
        raise CalcInputError(
            [
                {"field": ".".join(str(p) for p in e["loc"]) or "payload", "message": _message(e)}
                for e in exc.errors()
            ]
        ) from None
    errors = _semantic_errors(model)
    if errors:
        raise CalcInputError(errors)
    return model


# ---------------------------------------------------------------- kinds
def _wind(model: BaseModel, notes: Notes) -> WindResult:
    assert isinstance(model, WindInput)
    wind = sign_wind(
        code=model.code,
        wind_speed_mph=model.wind_speed_mph,
        exposure=model.exposure,
        kzt=model.kzt,
        ground_elevation_ft=model.ground_elevation_ft,
        panels=[Panel(model.width_ft, model.height_ft)],
        top_height_ft=model.top_height_ft,
        solid_ratio=model.solid_ratio,
        return_corner_ft=model.return_corner_ft,
        notes=notes,
    )
    return WindResult(wind=wind)


def _embedment(model: BaseModel, notes: Notes) -> EmbedmentResult:
    assert isinstance(model, EmbedmentInput)
    return embedment_result(notes=notes, **model.model_dump())


def _pole(model: BaseModel, notes: Notes) -> PoleResult:
    assert isinstance(model, PoleInput)
    section = CATALOGUE[model.designation]
    grade = model.grade or default_grade(section.family)
    props = grade_properties(grade, section.family)
    assert props is not None
    demand = Demand(
        case="given",
        moment_kip_in=model.moment_ft_lb * 12.0 / 1000.0,
        shear_kip=model.shear_lb / 1000.0,
        torsion_kip_in=model.torsion_ft_lb * 12.0 / 1000.0,
        axial_kip=model.axial_lb / 1000.0,
    )
    design = check_pole(
        section,
        props["Fy_ksi"],
        model.method,
        [demand],
        model.height_ft,
        None,
        combination=f"{model.method.upper()}, demands as given",
    )
    pole_assumptions(notes, model.method, section.family, grade)
    notes.assume("Demands taken as given, at the level of the selected method.", "AISC 360-16 Sec. B3")
    if model.height_ft is None:
        notes.assume(
            "No height given: shear and torsion strengths use the long-member lower bound.",
            "AISC 360-16 Eq. G5-1, H3-2b",
        )
    weight = section.w_plf * model.height_ft if model.height_ft else 0.0
    pole = SteelItem("pole", section.label, grade, 1, model.height_ft or 0.0, section.w_plf, weight)
    return PoleResult(
        pole=design,
        grade=grade,
        method=model.method,
        bom=BillOfMaterials(steel=(pole,), steel_weight_lb=weight),
    )


def _sign(model: BaseModel, notes: Notes) -> SignDesign:
    assert isinstance(model, SignInput)
    if model.base_plate is not None and model.supports.mount != "base_plate":
        notes.warn("base_plate_ignored", "base_plate options are ignored for mount 'direct_burial'.")
    return design_sign(model, notes)


_RUNNERS: dict[str, Callable[[BaseModel, Notes], Result]] = {
    "wind": _wind,
    "embedment": _embedment,
    "pole": _pole,
    "sign": _sign,
}


FAILING_CONFIDENCE = 0.5
"""The highest confidence a result with a failing check shows: a failing design is not one to rely
on, however standard its methods (a heuristic, documented in docs/engineering.md)."""


def _passes(result: Result) -> bool:
    if isinstance(result, SignDesign):
        return result.passed
    if isinstance(result, PoleResult):
        return result.pole.passed
    return all(c.passed for c in getattr(result, "checks", ()))


# ---------------------------------------------------------------- output
def _sha256(obj: Any) -> str:
    """SHA-256 of the canonical JSON text of ``obj``: sorted keys, no spaces, ASCII only, floats as
    Python's repr. This text is the contract (saved designs and the docs carry these hashes)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _result_sha256(result_json: dict[str, Any], unusual_floats: bool) -> str:
    """:func:`_sha256` of a result (or of the inputs), through orjson when its text is provably the
    same bytes (about eight times faster on a design's 20-40 kB). orjson writes sorted keys and
    shortest floats exactly as the canonical text does, except for floats outside [1e-4, 1e16)
    (``unusual_floats``: the serialiser saw one, or :func:`_usual_floats` found one), for non-ASCII
    text and DEL (json.dumps escapes them), and it refuses integers beyond 64 bits; those take
    json.dumps (tests/unit/engineering compares both)."""
    if not unusual_floats:
        try:
            text = orjson.dumps(result_json, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits
            pass
        else:
            if text.isascii() and b"\x7f" not in text:
                return hashlib.sha256(text).hexdigest()
    return _sha256(result_json)


def _usual_floats(obj: Any) -> bool:
    """True when every float in the JSON value ``obj`` is one orjson writes as the canonical text
    does: zero, or in [1e-4, 1e16) in size (both write 0.0 and -0.0 as repr does)."""
    t = type(obj)
    if t is float:
        return 1e-4 <= obj < 1e16 or -1e16 < obj <= -1e-4 or obj == 0.0
    if t is dict or t is list:
        for v in obj.values() if t is dict else obj:
            tv = type(v)
            if tv is float:
                if not (1e-4 <= v < 1e16 or -1e16 < v <= -1e-4 or v == 0.0):
                    return False
            elif (tv is dict or tv is list) and not _usual_floats(v):
                return False
    return True


def run(kind: str, payload: dict[str, Any]) -> Calculation:
    """Run calculation ``kind`` on ``payload`` and return the typed result with its assumptions,
    warnings, confidence and trace; raise CalcInputError on bad input."""
    model = validate(kind, payload)
    notes = Notes()
    result = _RUNNERS[kind](model, notes)
    if not _passes(result):
        notes.cap(FAILING_CONFIDENCE)
    warnings, assumptions = tuple(notes.warnings), tuple(notes.assumptions)
    mark = unusual_float_count()
    result_json = to_json(result)
    result_json["warnings"] = to_json(warnings)
    result_json["assumptions"] = to_json(assumptions)
    unusual_floats = unusual_float_count() != mark
    inputs = model.model_dump(mode="json")
    trace = Trace(
        kind=kind,
        engine_version=ENGINE_VERSION,
        constants_version=CONSTANTS_VERSION,
        catalogue="AISC Shapes Database v16.0",
        inputs=inputs,
        inputs_sha256=_result_sha256(inputs, not _usual_floats(inputs)),
        result_sha256=_result_sha256(result_json, unusual_floats),
    )
    return Calculation(
        result=result,
        warnings=warnings,
        assumptions=assumptions,
        confidence=round(notes.confidence, 2),
        trace=trace,
        result_json=result_json,
    )


def calculate(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run calculation ``kind`` on ``payload`` and return the envelope
    ``{"result", "assumptions", "confidence", "trace"}`` as JSON values; raise CalcInputError on
    bad input. ``run`` gives the same calculation typed."""
    return run(kind, payload).to_json()
