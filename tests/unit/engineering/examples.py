"""Input payloads shared by the engineering tests (the issue's example and the reference cases)."""

WIND = {
    "code": "asce7-16",
    "wind_speed_mph": 115,
    "exposure": "C",
    "width_ft": 16,
    "height_ft": 8,
    "top_height_ft": 25,
}
EMBEDMENT = {"lateral_force_lb": 480, "force_height_ft": 5, "diameter_ft": 1.5, "soil_class": 5}
POLE = {"designation": "Pipe8STD", "moment_ft_lb": 30000, "shear_lb": 1500, "height_ft": 20}
SIGN = {
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
