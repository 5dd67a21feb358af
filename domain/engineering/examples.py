"""Example inputs: the API's request examples, the benchmark's design and the tests' reference
inputs, so all of them speak of the same cases.

SIGN_EXAMPLE is the worked example of the README and docs/engineering.md: a 12 ft x 6 ft cabinet
at 14 ft clearance on one A53 Gr B pipe, 115 mph, exposure C, ASCE 7-22. WIND_EXAMPLE is the
derived 115 mph case of the engineering reference, EMBEDMENT_EXAMPLE its Eq. 18-1 forum case."""

from __future__ import annotations

from typing import Any

SIGN_EXAMPLE: dict[str, Any] = {
    "code": "asce7-22",
    "site": {"wind_speed_mph": 115, "exposure": "C", "kzt": 1.0, "ground_elevation_ft": 600},
    "cabinets": [{"width_ft": 12, "height_ft": 6, "depth_in": 16, "weight_psf": 12}],
    "clearance_ft": 14,
    "solid_ratio": 1.0,
    "supports": {
        "count": 1,
        "spacing_ft": None,
        "family": "pipe",
        "grade": "A53B",
        "mount": "direct_burial",
        "designation": None,
    },
    "foundation": {
        "shape": "round",
        "diameter_ft": None,
        "soil_class": 4,
        "isolated_pole_increase": True,
        "constrained": False,
    },
    "criteria": {"method": "asd", "deflection_limit": "L/80"},
}

WIND_EXAMPLE: dict[str, Any] = {
    "code": "asce7-16",
    "wind_speed_mph": 115,
    "exposure": "C",
    "width_ft": 16,
    "height_ft": 8,
    "top_height_ft": 25,
}
EMBEDMENT_EXAMPLE: dict[str, Any] = {
    "lateral_force_lb": 480,
    "force_height_ft": 5,
    "diameter_ft": 1.5,
    "soil_class": 5,
}
POLE_EXAMPLE: dict[str, Any] = {
    "designation": "Pipe8STD",
    "moment_ft_lb": 30000,
    "shear_lb": 1500,
    "height_ft": 20,
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "wind": WIND_EXAMPLE,
    "embedment": EMBEDMENT_EXAMPLE,
    "pole": POLE_EXAMPLE,
    "sign": SIGN_EXAMPLE,
}
