"""SignX Studio engineering engine: pure, deterministic, cited structural calculations for signs.

ASCE 7-16/7-22 wind on solid freestanding signs, AISC 360-16 pole checks on AISC v16 sections,
IBC 2021 pole embedment and ACI 318-19 anchors. No I/O beyond reading the packaged data files.

Public API::

    from domain.engineering import KINDS, calculate, CalcInputError, INPUT_MODELS, designations, GRADES
    envelope = calculate("sign", payload)   # {"result", "assumptions", "confidence", "trace"}
    calc = run("sign", payload)             # the same, typed: calc.result is a SignDesign
    calc.result.pole.design.designation, calc.result.checks, calc.to_json() == envelope

See docs/engineering.md for every input field, assumption and clause, and a worked example.
"""

from .constants import CONSTANTS_VERSION
from .envelope import ENGINE_VERSION, KINDS, calculate, run, validate
from .errors import CalcInputError
from .results import (
    BasePlate,
    BillOfMaterials,
    Calculation,
    Check,
    EmbedmentResult,
    PierDesign,
    PoleDesign,
    PoleResult,
    Result,
    SelectedPole,
    SignDesign,
    Wind,
    WindResult,
)
from .schemas import INPUT_MODELS
from .sections import DESIGNATIONS, FAMILIES, GRADES, designations

__all__ = [
    "CONSTANTS_VERSION",
    "BasePlate",
    "BillOfMaterials",
    "Calculation",
    "Check",
    "EmbedmentResult",
    "PierDesign",
    "PoleDesign",
    "PoleResult",
    "Result",
    "SelectedPole",
    "SignDesign",
    "Wind",
    "WindResult",
    "DESIGNATIONS",
    "ENGINE_VERSION",
    "FAMILIES",
    "GRADES",
    "INPUT_MODELS",
    "KINDS",
    "CalcInputError",
    "calculate",
    "designations",
    "run",
    "validate",
]
