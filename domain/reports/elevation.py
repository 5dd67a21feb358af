"""The to-scale elevation of the sign for the report: grade, pier(s) with their depth, pole(s),
base plates, cabinets and the dimensions a plan reviewer checks (overall height, clearance,
embedment, pier diameter, sign width, pole spacing).

One scale for both directions (feet to points), chosen to fit the box and then rounded down to a
drafting scale (1/8" = 1'-0", 3/16", 1/4", ...), which is printed under the drawing. Poles narrower
than a hairline are drawn at a hairline so they stay visible; everything else is to scale.
Pure: reportlab.graphics shapes only (no I/O, no plotly).
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.shapes import Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors

from domain.reports.steps import num

INK = colors.HexColor("#1f2933")
STEEL = colors.HexColor("#5b6b7a")
CONCRETE = colors.HexColor("#d9d4cc")
CABINET = colors.HexColor("#e8eef6")
DIM = colors.HexColor("#2f5d8a")
SOIL = colors.HexColor("#8a7a62")

# Drafting scales: inches on paper per foot of structure (1/32" ... 1/2" = 1'-0").
_SCALES = (
    (1 / 32, '1/32" = 1\'-0"'),
    (1 / 16, '1/16" = 1\'-0"'),
    (3 / 32, '3/32" = 1\'-0"'),
    (1 / 8, '1/8" = 1\'-0"'),
    (3 / 16, '3/16" = 1\'-0"'),
    (1 / 4, '1/4" = 1\'-0"'),
    (3 / 8, '3/8" = 1\'-0"'),
    (1 / 2, '1/2" = 1\'-0"'),
)


def _ft(x: float) -> str:
    """Feet and inches as on a drawing: 9'-6"."""
    total = round(x * 12)
    feet, inches = divmod(total, 12)
    return f"{feet}'-{inches}\""


def _num(d: dict[str, Any], key: str, default: float = 0.0) -> float:
    v = d.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else default


def drafting_scale(width_ft: float, height_ft: float, box_w: float, box_h: float) -> tuple[float, str]:
    """Points per foot and its label: the largest drafting scale at which the extent fits."""
    fit = min(box_w / max(width_ft, 1.0), box_h / max(height_ft, 1.0)) / 72.0  # in per ft
    chosen = _SCALES[0]
    for scale in _SCALES:
        if scale[0] <= fit:
            chosen = scale
    if chosen[0] > fit:  # taller than any listed scale fits: an exact ratio instead
        return fit * 72.0, f"1:{round(12 / fit)}"
    return chosen[0] * 72.0, chosen[1]


def _dim_vertical(g: Group, x: float, y0: float, y1: float, label: str, *, left: bool = True) -> None:
    g.add(Line(x, y0, x, y1, strokeColor=DIM, strokeWidth=0.6))
    for y in (y0, y1):
        g.add(Line(x - 3, y, x + 3, y, strokeColor=DIM, strokeWidth=0.6))
    # The label runs along the line (rotated a quarter turn), on its outer side.
    dx = -3 if left else 9
    text = Group(
        String(0, 0, label, fontName="Helvetica", fontSize=7, fillColor=DIM, textAnchor="middle"),
        transform=(0, 1, -1, 0, x + dx, (y0 + y1) / 2),
    )
    g.add(text)


def _dim_horizontal(g: Group, y: float, x0: float, x1: float, label: str) -> None:
    g.add(Line(x0, y, x1, y, strokeColor=DIM, strokeWidth=0.6))
    for x in (x0, x1):
        g.add(Line(x, y - 3, x, y + 3, strokeColor=DIM, strokeWidth=0.6))
    g.add(
        String(
            (x0 + x1) / 2, y + 3, label, fontName="Helvetica", fontSize=7, fillColor=DIM, textAnchor="middle"
        )
    )


def elevation(result: dict[str, Any], sign_input: dict[str, Any], width: float, height: float) -> Drawing:
    """The elevation in a ``width`` x ``height`` point box."""
    geo = result.get("geometry") or {}
    fdn = result.get("foundation") or {}
    pole = result.get("pole") or {}
    plate = result.get("base_plate") or None
    cabinets = [c for c in sign_input.get("cabinets") or [] if isinstance(c, dict)]

    top = _num(geo, "top_height_ft")
    sign_h = _num(geo, "sign_height_ft", sum(_num(c, "height_ft") for c in cabinets))
    sign_w = _num(geo, "sign_width_ft", max((_num(c, "width_ft") for c in cabinets), default=0.0))
    clearance = top - sign_h
    count = int(_num(geo, "support_count", 1)) or 1
    spacing = _num(geo, "spacing_ft") if count > 1 else 0.0
    pole_h = _num(geo, "pole_height_ft", top)
    od_ft = _num(pole, "od_in") / 12.0
    pier_d = _num(fdn, "diameter_ft")
    depth = _num(fdn, "embedment_ft")
    mount = str(geo.get("mount") or "direct_burial")

    margin_l, margin_r, margin_b, margin_t = 100.0, 110.0, 34.0, 22.0
    extent_w = max(sign_w, spacing + pier_d, pier_d) + 2.0
    extent_h = top + depth + 1.0
    k, scale_label = drafting_scale(
        extent_w, extent_h, width - margin_l - margin_r, height - margin_b - margin_t
    )

    d = Drawing(width, height)
    g = Group()
    d.add(g)
    cx = margin_l + (width - margin_l - margin_r) / 2.0
    grade = margin_b + depth * k + 0.5 * k

    def X(ft: float) -> float:
        return cx + ft * k

    def Y(ft: float) -> float:
        return grade + ft * k

    # Grade with soil hatching.
    half = (width - margin_l - margin_r) / 2.0 + 40
    g.add(Line(cx - half, grade, cx + half, grade, strokeColor=INK, strokeWidth=1.2))
    step = 9.0
    x = cx - half
    while x < cx + half - 6:
        g.add(Line(x, grade, x + 6, grade - 6, strokeColor=SOIL, strokeWidth=0.4))
        x += step
    g.add(
        String(
            cx + half,
            grade + 3,
            "GRADE",
            fontName="Helvetica-Bold",
            fontSize=7,
            fillColor=INK,
            textAnchor="end",
        )
    )

    xs = [0.0] if count == 1 else [-spacing / 2.0 + i * spacing / (count - 1) for i in range(count)]
    pole_w = max(od_ft * k, 1.5)
    for px in xs:
        # Pier below grade.
        if pier_d > 0 and depth > 0:
            g.add(
                Rect(
                    X(px) - pier_d * k / 2,
                    Y(-depth),
                    pier_d * k,
                    depth * k,
                    fillColor=CONCRETE,
                    strokeColor=INK,
                    strokeWidth=0.8,
                )
            )
        # Pole: embedded to the pier bottom (direct burial) or from the base plate at grade.
        bottom = -depth if mount == "direct_burial" else 0.0
        height_pole = pole_h - bottom if mount == "direct_burial" else pole_h
        g.add(
            Rect(
                X(px) - pole_w / 2,
                Y(bottom),
                pole_w,
                height_pole * k,
                fillColor=STEEL,
                strokeColor=INK,
                strokeWidth=0.5,
            )
        )
        if isinstance(plate, dict):
            pw = _num(plate, "plate_width_in") / 12.0
            pt = max(_num(plate, "plate_thickness_in") / 12.0 * k, 1.5)
            g.add(Rect(X(px) - pw * k / 2, Y(0), pw * k, pt, fillColor=INK, strokeColor=INK, strokeWidth=0.3))
            embed = _num(plate, "anchor_embedment_in") / 12.0
            if embed > 0:
                for off in (-0.35, 0.35):
                    ax = X(px) + off * pw * k
                    g.add(
                        Line(
                            ax,
                            Y(0),
                            ax,
                            Y(-embed),
                            strokeColor=INK,
                            strokeWidth=0.6,
                            strokeDashArray=[2, 1.5],
                        )
                    )

    # Cabinets, top first, centred on the sign axis.
    y_top = top
    for i, cab in enumerate(cabinets, start=1):
        cw, ch = _num(cab, "width_ft"), _num(cab, "height_ft")
        g.add(
            Rect(
                X(-cw / 2), Y(y_top - ch), cw * k, ch * k, fillColor=CABINET, strokeColor=INK, strokeWidth=1.0
            )
        )
        label = f"CABINET {i}: {_ft(cw)} × {_ft(ch)}"
        size = 7 if cw * k > 90 else 6
        g.add(
            String(
                X(0),
                Y(y_top - ch / 2) - 2.5,
                label,
                fontName="Helvetica",
                fontSize=size,
                fillColor=INK,
                textAnchor="middle",
            )
        )
        y_top -= ch

    # Dimensions: on the left overall height and clearance, on the right the embedment.
    left = X(-max(sign_w / 2, spacing / 2 + pier_d / 2)) - 58
    _dim_vertical(g, left, Y(0), Y(top), f"{_ft(top)} overall")
    _dim_vertical(g, left - 18, Y(0), Y(clearance), f"{_ft(clearance)} clear")
    right = X(max(sign_w / 2, spacing / 2 + pier_d / 2)) + 22
    if depth > 0:
        _dim_vertical(g, right, Y(-depth), Y(0), f"{_ft(depth)} embedment", left=False)
    if pier_d > 0 and depth > 0:  # under each pier, centred
        for px in xs:
            g.add(
                String(
                    X(px),
                    Y(-depth) - 9,
                    f"Ø{_ft(pier_d)} pier",
                    fontName="Helvetica",
                    fontSize=7,
                    fillColor=INK,
                    textAnchor="middle",
                )
            )
    if sign_w > 0:
        _dim_horizontal(g, Y(top) + 8, X(-sign_w / 2), X(sign_w / 2), f"{_ft(sign_w)} sign width")
    if count > 1 and spacing > 0:
        _dim_horizontal(g, Y(clearance / 2), X(xs[0]), X(xs[-1]), f"{_ft(spacing)} poles c/c")
    # Wind arrow at the resultant.
    wind = result.get("wind") or {}
    yc = _num(wind, "resultant_height_ft")
    if yc > 0 and sign_w > 0:
        x0 = X(-sign_w / 2) - 44
        x1 = X(-sign_w / 2) - 4
        g.add(Line(x0, Y(yc), x1, Y(yc), strokeColor=colors.HexColor("#b03a2e"), strokeWidth=1.2))
        g.add(
            Polygon(
                [x1, Y(yc), x1 - 6, Y(yc) + 3, x1 - 6, Y(yc) - 3],
                fillColor=colors.HexColor("#b03a2e"),
                strokeColor=colors.HexColor("#b03a2e"),
            )
        )
        g.add(
            String(
                x0,
                Y(yc) + 4,
                f"F = {num(wind.get('force_lb'))} lb",
                fontName="Helvetica",
                fontSize=6.5,
                fillColor=colors.HexColor("#b03a2e"),
            )
        )
    section = str(pole.get("designation") or "")
    if section:
        label = f"{count} × {section} {pole.get('grade') or ''}".strip()
        px = X(xs[-1]) + pole_w / 2 + 4
        g.add(String(px, Y(clearance * 0.55), label, fontName="Helvetica", fontSize=7, fillColor=INK))
    g.add(
        String(
            width / 2,
            6,
            f"ELEVATION   Scale {scale_label}   (dimensions in feet and inches)",
            fontName="Helvetica-Bold",
            fontSize=7.5,
            fillColor=INK,
            textAnchor="middle",
        )
    )
    return d
