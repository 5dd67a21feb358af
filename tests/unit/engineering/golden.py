"""Golden outputs of the engine: a fixed corpus of inputs and the sha256 of each output as the CLI
prints it and as the API serialises it.

Why: the engine's output is a contract (saved designs, reports and the docs' worked example carry
its hashes), so a change of structure inside the engine must not change one byte of it. The
corpus (the documented examples plus seeded random inputs of every kind, valid or refused) and its
hashes are stored in data/golden_outputs.jsonl; the test recomputes every hash.

Regenerate only when the output is meant to change (a new engine or constants version):
``.venv/bin/python -m tests.unit.engineering.golden``.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from domain.engineering import INPUT_MODELS, CalcInputError, calculate
from domain.engineering.constants import CONSTANTS
from domain.engineering.examples import EXAMPLES
from domain.engineering.sections import CATALOGUE

CORPUS = Path(__file__).with_name("data") / "golden_outputs.jsonl"
PER_KIND = 300
SEED = 20240607


def cli_text(kind: str, payload: dict[str, Any]) -> str:
    """What ``python app.py calc KIND`` prints for ``payload`` (see app.calc_command)."""
    try:
        env = calculate(kind, json.loads(json.dumps(payload)))
    except CalcInputError as exc:
        error = {"error": {"code": "invalid_input", "message": str(exc), "fields": exc.errors}}
        return json.dumps(error, indent=2)
    return json.dumps(env, indent=2, sort_keys=True)


def api_body(kind: str, payload: dict[str, Any]) -> bytes:
    """The deterministic part of ``POST /api/v1/calc/{kind}``'s body, rendered as the API renders it
    (api/calc.py: the request model's dump without unset fields, then api/envelope.py)."""
    try:
        body = INPUT_MODELS[kind].model_validate(payload).model_dump(mode="json", exclude_unset=True)
    except Exception:  # noqa: BLE001 - refused by the request model: the engine is not reached
        return b"request model refuses it"
    try:
        env = calculate(kind, body)
    except CalcInputError as exc:
        return JSONResponse({"fields": exc.errors}).body
    document = {
        "result": jsonable_encoder(env["result"]),
        "assumptions": env["assumptions"],
        "confidence": env["confidence"],
        "trace": env["trace"],
    }
    return JSONResponse(document).body


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# ---------------------------------------------------------------- corpus
def _num(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 3)


def _maybe(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def _wind(rng: random.Random) -> dict[str, Any]:
    height = _num(rng, 0.5, 30)
    p: dict[str, Any] = {
        "code": rng.choice(["asce7-16", "asce7-22"]),
        "wind_speed_mph": _num(rng, 50, 250),
        "exposure": rng.choice("BCD"),
        "width_ft": _num(rng, 0.5, 100),
        "height_ft": height,
        "top_height_ft": round(height + _num(rng, 0, 60), 3),
    }
    if _maybe(rng):
        p["kzt"] = _num(rng, 1.0, 2.0)
    if _maybe(rng):
        p["ground_elevation_ft"] = rng.choice([None, _num(rng, -300, 15000)])
    if _maybe(rng):
        p["solid_ratio"] = _num(rng, 0.7, 1.0)
    if _maybe(rng, 0.3):
        p["return_corner_ft"] = _num(rng, 0, 20)
    return p


def _embedment(rng: random.Random) -> dict[str, Any]:
    p: dict[str, Any] = {
        "lateral_force_lb": _num(rng, 1, 60000),
        "force_height_ft": _num(rng, 0.5, 60),
        "diameter_ft": _num(rng, 0.5, 8),
    }
    if _maybe(rng):
        p["shape"] = rng.choice(["round", "square"])
    if _maybe(rng, 0.8):
        if _maybe(rng, 0.8):
            p["soil_class"] = rng.randint(1, 5)
        else:
            p["lateral_bearing_psf_per_ft"] = _num(rng, 25, 2400)
    if _maybe(rng):
        p["isolated_pole_increase"] = _maybe(rng)
    if _maybe(rng):
        p["constrained"] = _maybe(rng)
    return p


def _pole(rng: random.Random) -> dict[str, Any]:
    designation = rng.choice(sorted(CATALOGUE))
    p: dict[str, Any] = {"designation": designation, "moment_ft_lb": _num(rng, 0, 400000)}
    if _maybe(rng):
        p["shear_lb"] = _num(rng, 0, 20000)
    if _maybe(rng, 0.4):
        p["torsion_ft_lb"] = _num(rng, 0, 50000)
    if _maybe(rng, 0.7):
        p["height_ft"] = _num(rng, 0.5, 60)
        if _maybe(rng, 0.4):
            p["axial_lb"] = _num(rng, 0, 20000)
    if _maybe(rng):
        p["method"] = rng.choice(["asd", "lrfd"])
    if _maybe(rng, 0.3):
        family = CATALOGUE[designation].family
        p["grade"] = "A53B" if family == "pipe" else rng.choice(["A500B", "A500C", "A1085"])
    return p


def _sign(rng: random.Random) -> dict[str, Any]:
    count = rng.choice([1, 2])
    family = rng.choice(["pipe", "round_hss", "square_hss"])
    mount = rng.choice(["direct_burial", "base_plate"])
    cabinets = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        cab: dict[str, Any] = {"width_ft": _num(rng, 1, 30), "height_ft": _num(rng, 0.5, 10)}
        if _maybe(rng):
            cab["weight_psf"] = _num(rng, 0, 40)
        if _maybe(rng, 0.3):
            cab["depth_in"] = _num(rng, 1, 48)
        cabinets.append(cab)
    supports: dict[str, Any] = {"count": count, "family": family, "mount": mount}
    if count == 2 and _maybe(rng):
        supports["spacing_ft"] = _num(rng, 2, 20)
    if _maybe(rng, 0.15):
        supports["designation"] = rng.choice(sorted(n for n, s in CATALOGUE.items() if s.family == family))
    if _maybe(rng, 0.2):
        supports["grade"] = "A53B" if family == "pipe" else rng.choice(["A500B", "A500C", "A1085"])
    foundation: dict[str, Any] = {"shape": rng.choice(["round", "square"])}
    if _maybe(rng, 0.8):
        foundation["soil_class"] = rng.randint(1, 5)
    elif _maybe(rng):
        foundation["lateral_bearing_psf_per_ft"] = _num(rng, 100, 1200)
    if _maybe(rng, 0.25):
        foundation["diameter_ft"] = _num(rng, 1.5, 6)
    foundation["isolated_pole_increase"] = _maybe(rng)
    foundation["constrained"] = _maybe(rng, 0.2)
    p: dict[str, Any] = {
        "code": rng.choice(["asce7-16", "asce7-22"]),
        "site": {"wind_speed_mph": _num(rng, 85, 180), "exposure": rng.choice("BCD")},
        "cabinets": cabinets,
        "clearance_ft": _num(rng, 0, 30),
        "supports": supports,
        "foundation": foundation,
        "criteria": {
            "method": rng.choice(["asd", "lrfd"]),
            "deflection_limit": rng.choice(["L/60", "L/80", "L/120"]),
        },
    }
    if _maybe(rng, 0.3):
        p["site"]["ground_elevation_ft"] = _num(rng, 0, 6000)
    if _maybe(rng, 0.2):
        p["site"]["kzt"] = _num(rng, 1.0, 1.5)
    if _maybe(rng, 0.3):
        p["solid_ratio"] = _num(rng, 0.7, 1.0)
    if _maybe(rng, 0.2):
        p["return_corner_ft"] = _num(rng, 0, 10)
    if mount == "base_plate" and _maybe(rng, 0.6):
        options: dict[str, Any] = {}
        a = CONSTANTS["anchors"]
        for name, make in (
            ("bolt_count", lambda: rng.choice([4, 6, 8, 12])),
            ("bolt_diameter_in", lambda: rng.choice(a["diameters_in"]["value"])),
            ("bolt_circle_in", lambda: _num(rng, 10, 40)),
            ("plate_width_in", lambda: _num(rng, 12, 48)),
            ("plate_thickness_in", lambda: rng.choice([0.75, 1.0, 1.5, 2.0])),
            ("plate_grade", lambda: rng.choice(["A36", "A572-50"])),
            ("anchor_grade", lambda: rng.choice(["F1554-36", "F1554-55", "F1554-105"])),
            ("anchor_embedment_in", lambda: _num(rng, 6, 48)),
            ("concrete_fc_psi", lambda: _num(rng, 2500, 6000)),
            ("anchor_reinforcement", lambda: _maybe(rng, 0.7)),
        ):
            if _maybe(rng, 0.25):
                options[name] = make()
        p["base_plate"] = options
    elif mount == "direct_burial" and _maybe(rng, 0.05):
        p["base_plate"] = {}
    return p


GENERATORS = {"wind": _wind, "embedment": _embedment, "pole": _pole, "sign": _sign}


def corpus() -> list[tuple[str, dict[str, Any]]]:
    """The documented examples, then PER_KIND seeded random inputs of each kind."""
    rng = random.Random(SEED)
    cases = [(kind, payload) for kind, payload in EXAMPLES.items()]
    for kind, make in GENERATORS.items():
        cases += [(kind, make(rng)) for _ in range(PER_KIND)]
    return cases


def record(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "input": payload,
        "cli_sha256": sha256(cli_text(kind, payload)),
        "api_sha256": sha256(api_body(kind, payload)),
    }


def main() -> None:
    lines = [json.dumps(record(kind, payload), sort_keys=True) for kind, payload in corpus()]
    CORPUS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
