"""The designer's charts as plain plotly figure dicts: pure, so what they draw is unit-tested.

The elevation is to scale (x and y share one unit, ``scaleanchor``): grade at y = 0, the pier
below it to its embedment, the poles from the pier (or the plate at grade) to the top of the sign,
the cabinets stacked top first down to the clearance, dimension lines for the overall height and
the clearance, and the Case A/B resultant drawn at its height.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pages.design_state import ratio_color

GRADE = "#6d4c41"
CONCRETE = "#bdbdbd"
STEEL = "#455a64"
CABINET = "#1976d2"
DIMENSION = "#424242"
WIND = "#d81b60"


def _rect(x0: float, y0: float, x1: float, y1: float, fill: str, name: str, **line: Any) -> dict[str, Any]:
    return {
        "type": "rect",
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "fillcolor": fill,
        "line": {"color": line.get("color", fill), "width": line.get("width", 1)},
        "name": name,
    }


def _line(
    x0: float, y0: float, x1: float, y1: float, color: str, name: str, dash: str = "solid"
) -> dict[str, Any]:
    return {
        "type": "line",
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "line": {"color": color, "width": 2, "dash": dash},
        "name": name,
    }


def _ft(value: float) -> str:
    return f"{value:.4g} ft"


def elevation(state: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    """Front elevation of the designed sign, to scale, in feet."""
    geometry = result.get("geometry") or {}
    foundation = result.get("foundation") or {}
    pole = result.get("pole") or {}
    cabinets: Sequence[Mapping[str, Any]] = state.get("cabinets") or []
    clearance = float(state.get("clearance_ft") or 0)
    top = float(geometry.get("top_height_ft") or clearance + sum(float(c["height_ft"]) for c in cabinets))
    count = int(geometry.get("support_count") or 1)
    spacing = float(geometry.get("spacing_ft") or 0) if count == 2 else 0.0
    pole_width = float(pole.get("od_in") or pole.get("b_in") or 8) / 12
    depth = float(foundation.get("embedment_ft") or 0)
    pier = float(foundation.get("diameter_ft") or 0)
    buried = geometry.get("mount", "direct_burial") == "direct_burial"
    widest = max((float(c["width_ft"]) for c in cabinets), default=1.0)

    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    centres = [0.0] if count == 1 else [-spacing / 2, spacing / 2]
    half = max(widest / 2, spacing / 2 + pier) + 3
    shapes.append(_line(-half, 0, half, 0, GRADE, "grade"))
    for x in centres:
        if depth and pier:
            shapes.append(_rect(x - pier / 2, -depth, x + pier / 2, 0, CONCRETE, "pier", color="#757575"))
        bottom = -depth if buried else 0.0
        shapes.append(_rect(x - pole_width / 2, bottom, x + pole_width / 2, top, STEEL, "pole"))
    y = top
    for index, cabinet in enumerate(cabinets):
        w, h = float(cabinet["width_ft"]), float(cabinet["height_ft"])
        shapes.append(
            _rect(-w / 2, y - h, w / 2, y, CABINET, f"cabinet {index + 1}", color="#0d47a1", width=2)
        )
        y -= h
    # Dimensions on the right: overall height and clearance; on the left: embedment.
    dim_x = half - 1
    shapes.append(_line(dim_x, 0, dim_x, top, DIMENSION, "overall height", "dot"))
    annotations.append(_label(dim_x, top / 2, f"overall {_ft(top)}", "left"))
    if clearance > 0:
        shapes.append(_line(dim_x - 1.5, 0, dim_x - 1.5, clearance, DIMENSION, "clearance", "dot"))
        annotations.append(_label(dim_x - 1.5, clearance / 2, f"clearance {_ft(clearance)}", "left"))
    if depth:
        left = -half + 1
        shapes.append(_line(left, -depth, left, 0, DIMENSION, "embedment", "dot"))
        annotations.append(_label(left, -depth / 2, f"embedment {_ft(depth)}", "right"))
    for case in (result.get("wind") or {}).get("cases") or []:
        if case.get("case") in ("A", "B") and case.get("height_ft") is not None:
            h = float(case["height_ft"])
            x = 0.0 if case["case"] == "A" else 0.2 * widest
            annotations.append(
                {
                    "x": x,
                    "y": h,
                    "ax": -60 if case["case"] == "A" else 60,
                    "ay": 0,
                    "text": f"Case {case['case']} {float(case['force_lb']):,.0f} lb",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowcolor": WIND,
                    "font": {"color": WIND, "size": 11},
                    "name": f"resultant {case['case']}",
                }
            )
    return {
        "data": [
            {
                "type": "scatter",
                "x": [-half, half],
                "y": [-depth - 1, top + 2],
                "mode": "markers",
                "marker": {"opacity": 0},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        ],
        "layout": {
            "shapes": shapes,
            "annotations": annotations,
            "xaxis": {"range": [-half, half], "zeroline": False, "title": {"text": "ft"}},
            "yaxis": {
                "range": [-depth - 1, top + 2],
                "scaleanchor": "x",
                "scaleratio": 1,
                "zeroline": False,
                "title": {"text": "ft above grade"},
            },
            "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
            "title": {"text": "Elevation (to scale)", "font": {"size": 14}},
            "showlegend": False,
            "height": 420,
        },
    }


def _label(x: float, y: float, text: str, side: str) -> dict[str, Any]:
    return {
        "x": x,
        "y": y,
        "text": text,
        "showarrow": False,
        "xanchor": side,
        "textangle": 0,
        "font": {"size": 11, "color": DIMENSION},
        "name": text,
    }


def utilisation(checks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every check's utilisation as a horizontal bar coloured by its ratio; a line at 1.0."""
    names = [str(c.get("name")) for c in checks]
    ratios = [float(c.get("ratio") or 0) for c in checks]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": ratios,
                "y": names,
                "marker": {"color": [ratio_color(r) for r in ratios]},
                "text": [f"{r:.2f}" for r in ratios],
                "textposition": "auto",
                "hovertext": [str(c.get("clause") or "") for c in checks],
                "hoverinfo": "text+x",
            }
        ],
        "layout": {
            "shapes": [_line(1, -0.5, 1, len(checks) - 0.5, "#c62828", "limit", "dash")],
            "xaxis": {"range": [0, max([1.2, *[r * 1.1 for r in ratios]])], "title": {"text": "utilisation"}},
            "yaxis": {"autorange": "reversed"},
            "margin": {"l": 170, "r": 10, "t": 30, "b": 40},
            "title": {"text": "Checks", "font": {"size": 14}},
            "height": max(200, 60 + 28 * len(checks)),
        },
    }
