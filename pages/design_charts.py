"""The designer's charts as plain plotly figure dicts: pure, so what they draw is unit-tested.

The elevation is to scale (x and y share one unit, ``scaleanchor``): grade at y = 0, the pier
below it to its embedment, the poles from the pier (or the plate at grade) to the top of the sign,
the cabinets stacked top first down to the clearance, dimension lines for the overall height and
the clearance, and the Case A/B resultants drawn at their heights beside the sign (an arrow onto its
edge, the label outside it). The velocity pressure profile is the wind module's own qz(z) for the
site; the estimate breakdown is its subtotals by group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.engineering.wind import kz, velocity_pressure
from pages.design_state import ratio_color

GRADE = "#6d4c41"
CONCRETE = "#bdbdbd"
STEEL = "#455a64"
CABINET = "#1976d2"
DIMENSION = "#424242"
WIND = "#d81b60"
PLOT_PX = 350  # the elevation's plotting height in pixels (420 less the margins)
LABEL_PX = 110  # about the width of "Case A 12,345 lb" at 11 px


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
    # The drawing is to scale, so a text label is as wide in feet as the chart's feet per pixel
    # make it: lay the labels out in feet from the sign's edge outwards, so none sits on the sign.
    edge = max(widest / 2, spacing / 2 + max(pier, pole_width) / 2)
    room = LABEL_PX / (PLOT_PX / (top + depth + 3))
    gap = 1.0
    shapes.append(_line(-(edge + gap + room), 0, edge + gap + room, 0, GRADE, "grade"))
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
    # The resultants: an arrow onto the sign's edge at the resultant's height, Case A from the
    # left, Case B (the eccentric one) from the right, each label beyond its arrow's tail.
    for case in (result.get("wind") or {}).get("cases") or []:
        if case.get("case") in ("A", "B") and case.get("height_ft") is not None:
            h = float(case["height_ft"])
            sign = -1 if case["case"] == "A" else 1
            annotations.append(
                {
                    "x": sign * (widest / 2),
                    "y": h,
                    "axref": "x",
                    "ayref": "y",
                    "ax": sign * (edge + gap),
                    "ay": h,
                    "xanchor": "right" if sign < 0 else "left",
                    "text": f"Case {case['case']} {float(case['force_lb']):,.0f} lb",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowcolor": WIND,
                    "font": {"color": WIND, "size": 11},
                    "name": f"resultant {case['case']}",
                }
            )
    # Dimensions beyond the labels: on the right the clearance and then the overall height, on the
    # left the embedment. The clearance's text sits inside its line (below the sign, where the Case
    # labels are not), the overall height's outside its own, so no text crosses a dimension line.
    dim_x = edge + gap + room + gap
    shapes.append(_line(dim_x + gap, 0, dim_x + gap, top, DIMENSION, "overall height", "dot"))
    annotations.append(_label(dim_x + gap, top / 2, f"overall {_ft(top)}", "left"))
    if clearance > 0:
        shapes.append(_line(dim_x, 0, dim_x, clearance, DIMENSION, "clearance", "dot"))
        annotations.append(_label(dim_x, clearance / 2, f"clearance {_ft(clearance)}", "right"))
    if depth:
        shapes.append(_line(-dim_x, -depth, -dim_x, 0, DIMENSION, "embedment", "dot"))
        annotations.append(_label(-dim_x, -depth / 2, f"embedment {_ft(depth)}", "right"))
    half = dim_x + 2 * gap + room
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
            "yaxis": {"autorange": "reversed", "automargin": True},
            "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
            "title": {"text": "Checks", "font": {"size": 14}},
            "height": max(200, 60 + 28 * len(checks)),
        },
    }


def velocity_pressure_profile(result: Mapping[str, Any], points: int = 41) -> dict[str, Any]:
    """qz against height above grade for the site (code, exposure, Kzt, Ke, V of the result), from
    grade to a little above the sign, with the sign's band shaded and qh at its top marked."""
    wind = result.get("wind") or {}
    geometry = result.get("geometry") or {}
    code, exposure = str(wind.get("code") or "asce7-22"), str(wind.get("exposure") or "C")
    kzt, ke_, v = (
        float(wind.get("kzt") or 1),
        float(wind.get("ke") or 1),
        float(wind.get("wind_speed_mph") or 0),
    )
    top = float(geometry.get("top_height_ft") or wind.get("top_height_ft") or 15)
    bottom = top - float(geometry.get("sign_height_ft") or wind.get("s_ft") or 0)
    z_max = max(top * 1.25, 20.0)
    heights = [z_max * i / (points - 1) for i in range(points)]
    pressures = [round(velocity_pressure(code, kz(code, exposure, z), kzt, ke_, v), 3) for z in heights]
    qh = float(wind.get("qh_psf") or velocity_pressure(code, kz(code, exposure, top), kzt, ke_, v))
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "x": pressures,
                "y": [round(z, 3) for z in heights],
                "line": {"color": WIND, "width": 2},
                "name": "qz",
                "hovertemplate": "z %{y:.1f} ft: qz %{x:.1f} psf<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [qh],
                "y": [top],
                "text": [f"qh {qh:.1f} psf"],
                "textposition": "middle left",
                "marker": {"color": WIND, "size": 8},
                "name": "qh",
                "hoverinfo": "skip",
            },
        ],
        "layout": {
            "shapes": [_rect(0, bottom, max(pressures + [qh]) * 1.1, top, "rgba(25,118,210,0.12)", "sign")],
            "xaxis": {"title": {"text": "qz (psf)"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": "height above grade (ft)"}, "range": [0, z_max]},
            "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
            "title": {
                "text": f"Velocity pressure ({code.upper()}, exposure {exposure})",
                "font": {"size": 14},
            },
            "showlegend": False,
            "height": 300,
        },
    }


GROUP_COLORS = {
    "materials": "#455a64",
    "cabinets": "#1976d2",
    "labour": "#ef8f00",
    "equipment": "#6d4c41",
    "fees": "#7b1fa2",
    "adjustments": "#2e7d32",
}


def estimate_breakdown(estimate: Mapping[str, Any]) -> dict[str, Any]:
    """The estimate's subtotals by group as one horizontal bar each, largest share readable."""
    groups = [(str(g), float(v)) for g, v in (estimate.get("subtotals") or {}).items() if float(v)]
    total = float(estimate.get("total") or 0) or 1.0
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [v for _, v in groups],
                "y": [g for g, _ in groups],
                "marker": {"color": [GROUP_COLORS.get(g, "#9e9e9e") for g, _ in groups]},
                "text": [f"${v:,.0f} ({v / total:.0%})" for _, v in groups],
                "textposition": "auto",
                "hoverinfo": "text+y",
            }
        ],
        "layout": {
            "xaxis": {"title": {"text": str(estimate.get("currency") or "USD")}, "rangemode": "tozero"},
            "yaxis": {"autorange": "reversed"},
            "margin": {"l": 100, "r": 10, "t": 30, "b": 40},
            "title": {
                "text": f"Breakdown — total ${float(estimate.get('total') or 0):,.2f}",
                "font": {"size": 14},
            },
            "height": max(200, 60 + 34 * len(groups)),
        },
    }
