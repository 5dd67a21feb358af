"""The calculation report of one saved design revision: a reportlab PDF a plan reviewer can check.

Sections: cover sheet (project, revision, date, prepared by, a blank seal block), 1 design
criteria, 2 geometry and loads, 3 wind analysis step by step, 4 load cases A/B/C and the governing
case, 5 pole, 6 base plate and anchors (when mounted on a plate), 7 foundation, 8 elevation,
9 bill of materials and estimate, 10 assumptions and warnings, appendix A trace. Every page has the
project name, the revision and "Page n of N" in its footer (a canvas that holds its pages until the
count is known, then stamps them).

Deterministic by construction: reportlab's invariant mode (fixed document id and internal time
stamp), the PDF's creation date is the revision's ``created_at``, fonts are the Bitstream Vera
files shipped inside reportlab (the same bytes on every machine), and nothing reads a clock or
a random source. So the same ``ReportInput`` gives byte-identical bytes.

Pure: no database, no network, no UI; plain data in, bytes out. Every piece of text that is not
our own markup (project fields, notes, the engine's clauses, which contain ``<`` and ``&``) is
escaped before it reaches a Paragraph.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
    XPreformatted,
)

from domain.reports.elevation import elevation
from domain.reports.schemas import LAYOUT_VERSION, ReportInput
from domain.reports.steps import Step, base_plate_steps, edition, foundation_steps, num, unit, wind_steps

Progress = Callable[[int, str], None]

PAGE_W, PAGE_H = LETTER
MARGIN = 0.75 * inch
FRAME_W = PAGE_W - 2 * MARGIN

_FONTS_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
FONT, BOLD, MONO = "SignXSans", "SignXSans-Bold", "Courier"


_FONTS_LOCK = threading.Lock()


def _register_fonts() -> None:
    """Vera, shipped with reportlab (so every machine embeds the same font bytes); it has the
    engineering glyphs (≥ √ ∫ ² × Ø) that the standard Helvetica lacks. Once per process, under a
    lock: reports render in worker threads."""
    with _FONTS_LOCK:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT, os.path.join(_FONTS_DIR, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, os.path.join(_FONTS_DIR, "VeraBd.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b76")
RULE = colors.HexColor("#b8c2cc")
HEAD_BG = colors.HexColor("#e4e9ef")
ZEBRA = colors.HexColor("#f6f8fa")
PASS = colors.HexColor("#1e7b34")
FAIL = colors.HexColor("#b03a2e")

MODULE_LABELS = {
    "signage.single_pole.direct_burial": "Single pole, direct burial",
    "signage.single_pole.base_plate": "Single pole on a base plate",
    "signage.two_pole.direct_burial": "Two poles, direct burial",
    "signage.two_pole.base_plate": "Two poles on base plates",
}


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=8.6, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=7.5, leading=9.2, alignment=TA_RIGHT),
        "cell_b": ParagraphStyle("cell_b", parent=base, fontName=BOLD, fontSize=7.5, leading=9.2),
        "clause": ParagraphStyle("clause", parent=base, fontSize=6.5, leading=8, textColor=MUTED),
        "formula": ParagraphStyle("formula", parent=base, fontSize=7.5, leading=9.4),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=9.5,
            leading=12,
            spaceBefore=7,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=22, leading=27, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=12, leading=16, alignment=TA_CENTER, textColor=MUTED
        ),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=6.5, leading=7.8),
    }


# Greek letters in the Symbol font (standard PDF font, on every reader): the embedded Vera has none.
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩ",
        "abgdezhqiklmnxoprstufcywGDQLXPSFYW",
        strict=True,
    )
)
_GREEK_RE = re.compile("[" + "".join(_GREEK) + "]")


def _t(text: Any) -> str:
    """Escaped text for Paragraph markup (user and engine text alike), Greek letters set in Symbol."""
    escaped = escape("" if text is None else str(text))
    return _GREEK_RE.sub(lambda m: f'<font name="Symbol">{_GREEK[m.group(0)]}</font>', escaped)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _local(created_at: datetime, zone: str) -> tuple[datetime, str]:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    return created_at.astimezone(tz), zone


class _Report:
    """Builds the story of one report; one instance per rendering (no shared state)."""

    def __init__(self, report: ReportInput, progress: Progress) -> None:
        self.r = report
        self.progress = progress
        self.s = _styles()
        self.result = _dict(report.design.result)
        self.input = _dict(report.design.input)
        self.trace = _dict(report.design.trace)
        self.checks = [c for c in _list(self.result.get("checks")) if isinstance(c, dict)]
        self.section_no = 0

    # ------------------------------------------------------------------ helpers
    def p(self, text: Any, style: str = "body") -> Paragraph:
        return Paragraph(_t(text), self.s[style])

    def m(self, markup: str, style: str = "body") -> Paragraph:
        """Our own markup (callers escape every value they put in)."""
        return Paragraph(markup, self.s[style])

    def heading(self, title: str) -> list[Flowable]:
        self.section_no += 1
        return [CondPageBreak(1.4 * inch), self.m(f"{self.section_no}&nbsp;&nbsp;{_t(title)}", "h1")]

    def table(
        self,
        rows: list[list[Any]],
        widths: list[float],
        *,
        header: bool = True,
        numeric_cols: Iterable[int] = (),
        extra: list[tuple[Any, ...]] | None = None,
        zebra: bool = True,
    ) -> Table:
        """A ruled table; strings become wrapped Paragraphs (right-aligned in numeric columns)."""
        numeric = set(numeric_cols)
        cells: list[list[Any]] = []
        for r, row in enumerate(rows):
            out = []
            for c, cell in enumerate(row):
                is_head = header and r == 0
                if isinstance(cell, str) and not self._fits(cell, BOLD if is_head else FONT, widths[c]):
                    kind = "cell_b" if is_head else ("cell_r" if c in numeric else "cell")
                    out.append(self.p(cell, kind))
                else:  # short text is drawn by the table itself: far cheaper than a Paragraph
                    out.append(cell)
            cells.append(out)
        t = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, 7.5, 9.2),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("BOX", (0, 0), (-1, -1), 0.6, INK),
            ("TOPPADDING", (0, 0), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ]
        for c in sorted(numeric):
            style.append(("ALIGN", (c, 0), (c, -1), "RIGHT"))
        if header:
            style += [
                ("FONT", (0, 0), (-1, 0), BOLD, 7.5, 9.2),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
            ]
        if zebra:
            for r in range(1 if header else 0, len(cells)):
                if (r - (1 if header else 0)) % 2 == 1:
                    style.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
        t.setStyle(TableStyle(style + (extra or [])))
        return t

    @staticmethod
    def _fits(text: str, font: str, width: float) -> bool:
        """True when ``text`` fits on one line of a cell ``width`` wide (and needs no Symbol font)."""
        return (
            "\n" not in text
            and not _GREEK_RE.search(text)
            and pdfmetrics.stringWidth(text, font, 7.5) <= width - 7.5
        )

    def pairs(
        self, items: list[tuple[str, Any]], widths: tuple[float, float] = (1.9 * inch, FRAME_W - 1.9 * inch)
    ) -> Table:
        rows: list[list[Any]] = [[k, v if isinstance(v, Flowable) else str(v)] for k, v in items]
        return self.table(rows, list(widths), header=False, extra=[("FONT", (0, 0), (0, -1), BOLD, 7.5, 9.2)])

    def status(self, passed: Any) -> Paragraph:
        if passed is True:
            return self.m(f'<font color="{PASS.hexval()}"><b>OK</b></font>', "cell")
        if passed is False:
            return self.m(f'<font color="{FAIL.hexval()}"><b>NG</b></font>', "cell")
        return self.p("—", "cell")

    # ------------------------------------------------------------------ sections
    def cover(self) -> list[Flowable]:
        r, d = self.r, self.r.design
        when, zone = _local(d.created_at, r.timezone)
        passed = self.result.get("pass")
        pole = _dict(self.result.get("pole"))
        fdn = _dict(self.result.get("foundation"))
        geo = _dict(self.result.get("geometry"))
        governing = max(self.checks, key=lambda c: c.get("ratio") or 0.0, default={})
        story: list[Flowable] = [
            Spacer(1, 0.35 * inch),
            self.p("STRUCTURAL CALCULATIONS", "title"),
            Spacer(1, 4),
            self.p(f"Freestanding sign — {MODULE_LABELS.get(d.module, d.module)}", "subtitle"),
            Spacer(1, 0.3 * inch),
            self.pairs(
                [
                    ("Project", r.project.name),
                    ("Customer", r.project.customer or "—"),
                    ("Account", r.project.account_id or "—"),
                    ("Site address", r.project.site_address or "—"),
                    ("Design revision", f"{d.revision}   (sha256 {d.sha256[:16]}…)"),
                    ("Design module", d.module),
                    (
                        "Date",
                        f"{when:%B} {when.day}, {when:%Y}   "
                        f"({when:%Y-%m-%d %H:%M} {zone}, when the revision was saved)",
                    ),
                    ("Design by", d.created_by),
                    ("Prepared by", r.prepared_by),
                    ("Revision note", d.note or "—"),
                ]
            ),
            Spacer(1, 0.22 * inch),
            self.m("<b>Summary</b>", "h2"),
            self.pairs(
                [
                    (
                        "Result",
                        self.m(
                            (
                                f'<font color="{PASS.hexval()}"><b>ALL CHECKS PASS</b></font>'
                                if passed
                                else f'<font color="{FAIL.hexval()}"><b>DOES NOT PASS</b></font>'
                            ),
                            "cell",
                        ),
                    ),
                    (
                        "Sign",
                        f"{_n(geo, 'sign_width_ft')} ft wide × {_n(geo, 'sign_height_ft')} ft high, "
                        f"top at {_n(geo, 'top_height_ft')} ft above grade",
                    ),
                    (
                        "Poles",
                        f"{_n(geo, 'support_count')} × {pole.get('designation', '—')} "
                        f"{pole.get('grade', '')}",
                    ),
                    (
                        "Foundation",
                        f"Ø{_n(fdn, 'diameter_ft')} ft {fdn.get('shape', '')} pier, embedment "
                        f"{_n(fdn, 'embedment_ft')} ft",
                    ),
                    (
                        "Governing check",
                        f"{governing.get('name', '—')}: ratio {num(governing.get('ratio'), 3)} "
                        f"({governing.get('clause', '')})",
                    ),
                ]
            ),
            Spacer(1, 0.3 * inch),
            self._seal_block(),
            PageBreak(),
        ]
        return story

    def _seal_block(self) -> Table:
        lines = self.table(
            [
                ["Engineer of record", ""],
                ["License no. / state", ""],
                ["Signature", ""],
                ["Date", ""],
            ],
            [1.35 * inch, 2.2 * inch],
            header=False,
            zebra=False,
            extra=[("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 9)],
        )
        seal = Table(
            [[self.p("ENGINEER'S SEAL", "small")]],
            colWidths=[2.4 * inch],
            rowHeights=[2.4 * inch],
            style=[
                ("BOX", (0, 0), (-1, -1), 0.8, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ],
        )
        return Table(
            [[seal, lines]],
            colWidths=[2.7 * inch, FRAME_W - 2.7 * inch],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
            hAlign="LEFT",
        )

    def criteria(self) -> list[Flowable]:
        w = _dict(self.result.get("wind"))
        site = _dict(self.input.get("site"))
        crit = _dict(self.input.get("criteria"))
        fdn_in = _dict(self.input.get("foundation"))
        fdn = _dict(self.result.get("foundation"))
        code = str(w.get("code") or self.input.get("code") or "")
        ed = edition(code)
        elevation_ft = site.get("ground_elevation_ft")
        soil = (
            f"Geotechnical value {_n(fdn_in, 'lateral_bearing_psf_per_ft')} psf/ft (IBC 2021 Sec. 1806.2)"
            if fdn_in.get("lateral_bearing_psf_per_ft") is not None
            else f"IBC 2021 Table 1806.2 class {fdn_in.get('soil_class', '—')}: lateral bearing "
            f"{_n(fdn, 'lateral_bearing_psf_per_ft')} psf/ft"
        )
        if fdn_in.get("isolated_pole_increase"):
            soil += "; isolated pole, doubled (Sec. 1806.3.4)"
        frost = site.get("frost_depth_in")
        rows = [
            ("Wind load standard", f"{ed}, Chapters 26 and 29 (solid freestanding sign, Sec. 29.3)"),
            (
                "Building code",
                "IBC 2021 (embedment Sec. 1807.3.2); AISC 360-16 (steel); ACI 318-19 (concrete, anchors)",
            ),
            (
                "Basic wind speed V",
                f"{_n(w, 'wind_speed_mph')} mph, strength level (ultimate). Source: the mapped value for "
                f"the structure's risk category entered by the designer ({ed} Sec. 26.5, Fig. 26.5-1 / "
                "ASCE Hazard Tool); the risk category itself is not part of the design record: the reviewer "
                "confirms V against the site and risk category (signs are normally Risk Category II, "
                "IBC Table 1604.5).",
            ),
            ("Exposure category", f"{w.get('exposure', '—')} ({ed} Sec. 26.7)"),
            ("Topographic factor Kzt", f"{_n(w, 'kzt')} ({ed} Sec. 26.8)"),
            (
                "Ground elevation factor Ke",
                f"{_n(w, 'ke')}"
                + (
                    f" at {num(elevation_ft)} ft above sea level ({ed} Table 26.9-1)"
                    if isinstance(elevation_ft, int | float)
                    else f" (elevation not given; {ed} Table 26.9-1)"
                ),
            ),
            ("Directionality factor Kd", f"{_n(w, 'kd')} ({ed} Table 26.6-1, solid freestanding signs)"),
            ("Gust-effect factor", f"{_n(w, 'g')} ({ed} Sec. 26.11)"),
            ("Soil", soil),
            (
                "Frost depth",
                f"{num(frost)} in (IBC 2021 Sec. 1809.5)"
                if frost is not None
                else "not given (IBC 2021 Sec. 1809.4 minimum 12 in)",
            ),
            (
                "Design method",
                f"{str(crit.get('method', 'asd')).upper()} for the steel; soil at ASD (0.6 W); "
                "anchors and pier at "
                "strength level (ASCE 7 Sec. 2.3, 2.4)",
            ),
            (
                "Deflection limit",
                f"{crit.get('deflection_limit', '—')} of the pole height under service wind",
            ),
        ]
        return [*self.heading("Design criteria"), self.pairs(rows)]

    def geometry(self) -> list[Flowable]:
        geo = _dict(self.result.get("geometry"))
        dead = _dict(self.result.get("dead_load"))
        cabinets = [c for c in _list(self.input.get("cabinets")) if isinstance(c, dict)]
        rows: list[list[Any]] = [
            ["Cabinet (top first)", "Width (ft)", "Height (ft)", "Depth (in)", "Weight (psf)"]
        ]
        for i, c in enumerate(cabinets, start=1):
            rows.append(
                [
                    f"Cabinet {i}",
                    _n(c, "width_ft"),
                    _n(c, "height_ft"),
                    _n(c, "depth_in"),
                    _n(c, "weight_psf"),
                ]
            )
        spacing = geo.get("spacing_ft")
        items = [
            ("Top of sign h", f"{_n(geo, 'top_height_ft')} ft above grade"),
            (
                "Sign height s / width B",
                f"{_n(geo, 'sign_height_ft')} ft / {_n(geo, 'sign_width_ft')} ft",
            ),
            ("Sign area As", f"{_n(geo, 'area_ft2')} ft²"),
            ("Clearance to grade", f"{num(self.input.get('clearance_ft'))} ft"),
            ("Solid ratio (solid / gross area)", num(self.input.get("solid_ratio"))),
            (
                "Supports",
                f"{_n(geo, 'support_count')} pole(s), {str(geo.get('mount', '')).replace('_', ' ')}"
                + (f", {num(spacing)} ft apart" if spacing else ""),
            ),
            ("Pole height", f"{_n(geo, 'pole_height_ft')} ft"),
            (
                "Dead load",
                f"cabinets {_n(dead, 'cabinets_lb')} lb + poles {_n(dead, 'poles_lb')} lb + plates "
                f"{_n(dead, 'plates_lb')} lb = {_n(dead, 'total_lb')} lb",
            ),
        ]
        return [
            *self.heading("Geometry and dead load"),
            self.pairs(items),
            Spacer(1, 6),
            self.table(rows, [2.2 * inch] + [(FRAME_W - 2.2 * inch) / 4] * 4, numeric_cols=(1, 2, 3, 4)),
        ]

    def steps_table(self, steps: list[Step]) -> Table:
        rows: list[list[Any]] = [["Quantity", "Formula, values substituted, result", "Clause"]]
        for st in steps:
            value = num(st.value) if not isinstance(st.value, str) else st.value
            lines = [f"<b>{_t(st.formula)}</b>"]
            if st.substitution:
                lines.append(f"= {_t(st.substitution)}")
            symbol = _t(st.symbol) if st.symbol else ""
            result = (
                f"{symbol} = {_t(value)} {_t(unit(st.unit))}".strip()
                if symbol
                else f"= {_t(value)} {_t(unit(st.unit))}"
            )
            lines.append(f"<b>{result}</b>")
            rows.append(
                [
                    self.p(st.quantity, "cell"),
                    self.m("<br/>".join(lines), "formula"),
                    self.p(st.clause, "clause"),
                ]
            )
        return self.table(rows, [1.75 * inch, 3.35 * inch, FRAME_W - 5.1 * inch])

    def wind(self) -> list[Flowable]:
        return [
            *self.heading("Wind analysis"),
            self.p(
                "Strength-level wind on the sign face and the exposed poles; each step gives the "
                "formula, the "
                "values substituted and the result, with its clause.",
                "small",
            ),
            Spacer(1, 4),
            self.steps_table(wind_steps(self.result, self.input)),
        ]

    def load_cases(self) -> list[Flowable]:
        w = _dict(self.result.get("wind"))
        cases = [c for c in _list(w.get("cases")) if isinstance(c, dict)]
        per_pole = [c for c in _list(self.result.get("loads_per_pole")) if isinstance(c, dict)]
        story = [*self.heading("Load cases A, B and C")]
        rows: list[list[Any]] = [
            [
                "Case",
                "Force F (lb)",
                "Torsion (ft-lb)",
                "Height (ft)",
                "Moment at grade (ft-lb)",
                "ASD 0.6 F (lb)",
            ]
        ]
        for c in cases:
            f, y = c.get("force_lb") or 0.0, c.get("height_ft") or 0.0
            rows.append(
                [
                    str(c.get("case", "")),
                    num(f),
                    _n(c, "torsion_ft_lb"),
                    num(y),
                    num(f * y),
                    num(0.6 * f),
                ]
            )
        story.append(
            self.table(rows, [0.6 * inch] + [(FRAME_W - 0.6 * inch) / 5] * 5, numeric_cols=(1, 2, 3, 4, 5))
        )
        case_c = _dict(w.get("case_c"))
        if case_c.get("regions"):
            story += [Spacer(1, 6), self.m("<b>Case C regions</b> (distance from the windward edge)", "h2")]
            reg: list[list[Any]] = [
                ["From (ft)", "To (ft)", "Cf", "Pressure (psf)", "Area (ft²)", "Force (lb)"]
            ]
            for g in _list(case_c.get("regions")):
                if isinstance(g, dict):
                    cf = _n(g, "cf") + (" *" if g.get("starred") else "")
                    reg.append(
                        [
                            _n(g, "from_ft"),
                            _n(g, "to_ft"),
                            cf,
                            _n(g, "pressure_psf"),
                            _n(g, "area_ft2"),
                            _n(g, "force_lb"),
                        ]
                    )
            story.append(self.table(reg, [FRAME_W / 6] * 6, numeric_cols=range(6)))
        if per_pole:
            story += [
                Spacer(1, 6),
                self.m("<b>Actions on one pole</b> (sign and pole wind, strength level)", "h2"),
            ]
            pr: list[list[Any]] = [["Case", "Shear (lb)", "Height (ft)", "Moment (ft-lb)", "Torsion (ft-lb)"]]
            for c in per_pole:
                pr.append(
                    [
                        str(c.get("case", "")),
                        _n(c, "lateral_lb"),
                        _n(c, "height_ft"),
                        _n(c, "moment_ft_lb"),
                        _n(c, "torsion_ft_lb"),
                    ]
                )
            story.append(
                self.table(pr, [0.6 * inch] + [(FRAME_W - 0.6 * inch) / 4] * 4, numeric_cols=(1, 2, 3, 4))
            )
            by_m = max(per_pole, key=lambda c: c.get("moment_ft_lb") or 0.0)
            by_t = max(per_pole, key=lambda c: c.get("torsion_ft_lb") or 0.0)
            text = (
                f"<b>Governing:</b> Case {_t(by_m.get('case'))} governs the base moment "
                f"({_t(_n(by_m, 'moment_ft_lb'))} ft-lb per pole)"
            )
            if (by_t.get("torsion_ft_lb") or 0.0) > 0:
                text += (
                    f"; Case {_t(by_t.get('case'))} governs torsion ({_t(_n(by_t, 'torsion_ft_lb'))} ft-lb)"
                )
            story += [
                Spacer(1, 4),
                self.m(text + ". Every case is checked; the checks below use the worst.", "body"),
            ]
        return story

    def check_rows(self, checks: list[dict[str, Any]]) -> Table:
        rows: list[list[Any]] = [["Check", "Demand", "Capacity", "Unit", "Ratio", "", "Clause"]]
        extra: list[tuple[Any, ...]] = []
        worst = max((c.get("ratio") or 0.0 for c in checks), default=0.0)
        for c in checks:
            name = _t(c.get("name", ""))
            sub = [x for x in (c.get("case"), c.get("combination")) if x]
            if sub:
                label = ", ".join(
                    f"Case {x}" if i == 0 and c.get("case") else str(x) for i, x in enumerate(sub)
                )
                name += f'<br/><font size="6.5" color="{MUTED.hexval()}">{_t(label)}</font>'
            ratio = c.get("ratio")
            bold = ratio is not None and ratio == worst
            rows.append(
                [
                    self.m(f"<b>{name}</b>" if bold else name, "cell"),
                    _n(c, "demand"),
                    _n(c, "capacity"),
                    unit(c.get("unit")),
                    self.m(f"<b>{_t(num(ratio, 3))}</b>" if bold else _t(num(ratio, 3)), "cell_r"),
                    self.status(c.get("pass")),
                    self.p(c.get("clause", ""), "clause"),
                ]
            )
            formula, substitution = c.get("formula"), c.get("substitution")
            if formula or substitution:
                text = f"<b>{_t(formula)}</b>" if formula else ""
                if substitution:
                    text += (" = " if text else "") + _t(substitution)
                rows.append([self.m(text, "formula"), "", "", "", "", "", ""])
                r = len(rows) - 1
                extra += [("SPAN", (0, r), (-1, r)), ("LEFTPADDING", (0, r), (-1, r), 14)]
        widths = [1.5 * inch, 0.62 * inch, 0.62 * inch, 0.45 * inch, 0.5 * inch, 0.3 * inch]
        widths.append(FRAME_W - sum(widths))
        return self.table(rows, widths, numeric_cols=(1, 2, 4), extra=extra, zebra=False)

    def _group(self, which: str) -> list[dict[str, Any]]:
        def kind(c: dict[str, Any]) -> str:
            name = str(c.get("name", ""))
            if name.startswith("pole "):
                return "pole"
            if name.startswith(("embedment", "pier", "backfill")):
                return "foundation"
            return "plate"

        return [c for c in self.checks if kind(c) == which]

    def pole(self) -> list[Flowable]:
        pole = _dict(self.result.get("pole"))
        gust = _dict(self.result.get("gust"))
        props = [
            (
                "Section",
                f"{pole.get('designation', '—')} ({str(pole.get('family', '')).replace('_', ' ')}), "
                f"{pole.get('grade', '')}, Fy = {_n(pole, 'fy_ksi')} ksi"
                + ("   (chosen: lightest passing section)" if pole.get("chosen") else "   (as given)"),
            ),
            ("Weight", f"{_n(pole, 'w_plf')} lb/ft"),
            ("Outside size / design wall", f"{_n(pole, 'od_in')} in / {_n(pole, 'tdes_in')} in"),
            (
                "Compactness",
                f"{pole.get('compactness', '—')}: D/t or b/t = {_n(pole, 'slenderness')}, "
                f"lambda_p = {_n(pole, 'lambda_p')}, lambda_r = {_n(pole, 'lambda_r')} "
                "(AISC 360-16 Table B4.1b)",
            ),
            (
                "Nominal flexural strength Mn",
                f"{_n(pole, 'mn_kip_in')} kip-in; available {_n(pole, 'allowable_kip_in')} kip-in",
            ),
            (
                "Nominal shear / torsion / axial",
                f"Vn = {_n(pole, 'vn_kip')} kip, Tn = {_n(pole, 'tn_kip_in')} kip-in, "
                f"Pn = {_n(pole, 'pn_kip')} kip",
            ),
            ("Deflection at the top", f"{_n(pole, 'deflection_in')} in (service wind)"),
            (
                "Natural frequency n1",
                f"{num(pole.get('natural_frequency_hz') or gust.get('natural_frequency_hz'))} Hz "
                + ("(flexible: Gf used)" if gust.get("flexible") else "(rigid, ≥ 1 Hz)"),
            ),
            ("Governing", f"{pole.get('governing', '—')}, ratio {num(pole.get('ratio'), 3)}"),
        ]
        story = [
            *self.heading("Pole design"),
            self.pairs(props),  # type: ignore[arg-type]
            Spacer(1, 6),
            self.check_rows(self._group("pole")),
        ]
        alternatives = [a for a in _list(pole.get("alternatives")) if isinstance(a, dict)]
        if alternatives:
            rows: list[list[Any]] = [["Passing alternative", "Weight (lb/ft)", "Ratio", "Governed by"]]
            for a in alternatives:
                rows.append(
                    [
                        str(a.get("designation", "")),
                        _n(a, "w_plf"),
                        num(a.get("ratio"), 3),
                        str(a.get("governing", "")),
                    ]
                )
            story += [
                Spacer(1, 6),
                self.table(
                    rows, [1.6 * inch, 1.0 * inch, 0.8 * inch, FRAME_W - 3.4 * inch], numeric_cols=(1, 2)
                ),
            ]
        return story

    def base_plate(self) -> list[Flowable]:
        bp = _dict(self.result.get("base_plate"))
        if not bp:
            return []
        weld = _dict(bp.get("weld"))
        reinf = _dict(bp.get("anchor_reinforcement"))
        items = [
            (
                "Anchor rods",
                f"{_n(bp, 'bolt_count')} × {_n(bp, 'bolt_diameter_in')} in {bp.get('anchor_grade', '')} on a "
                f"{_n(bp, 'bolt_circle_in')} in bolt circle (At = {_n(bp, 'anchor_tensile_area_in2')} in²), "
                f"{_n(bp, 'anchor_length_in')} in long, embedment {_n(bp, 'anchor_embedment_in')} in",
            ),
            (
                "Force per rod (strength)",
                f"tension {_n(bp, 'tension_per_bolt_kip')} kip, shear {_n(bp, 'shear_per_bolt_kip')} kip",
            ),
            (
                "Base plate",
                f"{_n(bp, 'plate_width_in')} in square × {_n(bp, 'plate_thickness_in')} in "
                f"{bp.get('plate_grade', '')}, "
                f"{_n(bp, 'plate_weight_lb')} lb each",
            ),
            (
                "Plate yield line",
                f"M = {_n(bp, 'plate_moment_kip_in')} kip-in on a {_n(bp, 'plate_yield_line_in')} in line",
            ),
            (
                "Concrete",
                f"f'c = {_n(bp, 'concrete_fc_psi')} psi, edge distance {_n(bp, 'edge_distance_in')} in",
            ),
        ]
        if weld:
            items.append(
                (
                    "Pole-to-plate weld",
                    f"{weld.get('type', '')} {_n(weld, 'size_in')} in all round "
                    f"(min. {_n(weld, 'min_size_in')} in, "
                    f"required {_n(weld, 'required_size_in')} in), E{_n(weld, 'electrode_ksi')}, "
                    f"{_n(weld, 'force_per_in_kip')} kip/in on {_n(weld, 'length_in')} in",
                )
            )
        if reinf:
            items.append(
                (
                    "Anchor reinforcement",
                    f"{_n(reinf, 'bars_per_anchor')} × {reinf.get('bar_size', '')} "
                    f"Grade {_n(reinf, 'grade_ksi')} per "
                    f"anchor, ld = {_n(reinf, 'development_length_in')} in",
                )
            )
        story = [*self.heading("Base plate and anchors"), self.pairs(items)]
        steps = base_plate_steps(self.result)
        if steps:
            story += [Spacer(1, 6), self.steps_table(steps)]
        return [*story, Spacer(1, 6), self.check_rows(self._group("plate"))]

    def foundation(self) -> list[Flowable]:
        fdn = _dict(self.result.get("foundation"))
        items = [
            (
                "Pier",
                f"{fdn.get('shape', '')} Ø{_n(fdn, 'diameter_ft')} ft"
                + (" (chosen)" if fdn.get("diameter_chosen") else " (as given)")
                + f", embedment {_n(fdn, 'embedment_ft')} ft "
                f"(required {_n(fdn, 'required_embedment_ft')} ft), "
                f"{_n(fdn, 'concrete_yd3')} yd³ each",
            ),
            ("Equation", f"{fdn.get('equation', '—')}, {_n(fdn, 'iterations')} iterations"),
        ]
        reinf = _dict(fdn.get("reinforcement"))
        if reinf:
            items.append(
                (
                    "Pier reinforcement",
                    f"{_n(reinf, 'bar_count')} {reinf.get('bar_size', '')} on a "
                    f"{_n(reinf, 'bar_circle_in')} in circle "
                    f"(As = {_n(reinf, 'steel_area_in2')} in², min. {_n(reinf, 'min_steel_area_in2')} in²), "
                    f"{reinf.get('tie_size', '')} ties at {_n(reinf, 'tie_spacing_in')} in, "
                    f"cover {_n(reinf, 'cover_in')} in; "
                    f"Mu = {_n(reinf, 'moment_kip_in')} kip-in ≤ "
                    f"phi Mn = {_n(reinf, 'phi_mn_kip_in')} kip-in, "
                    f"Vu = {_n(reinf, 'shear_kip')} kip ≤ phi Vn = {_n(reinf, 'phi_vn_kip')} kip",
                )
            )
        return [
            *self.heading("Foundation"),
            self.pairs(items),
            Spacer(1, 6),
            self.steps_table(foundation_steps(self.result)),
            Spacer(1, 6),
            self.check_rows(self._group("foundation")),
        ]

    def drawing(self) -> list[Flowable]:
        d = elevation(self.result, self.input, FRAME_W, 7.4 * inch)
        return [PageBreak(), *self.heading("Elevation"), d]

    def materials(self) -> list[Flowable]:
        bom = _dict(self.result.get("bom"))
        rows: list[list[Any]] = [["Item", "Description", "Count", "Size", "Quantity"]]
        for s in _list(bom.get("steel")):
            rows.append(
                [
                    "Steel",
                    f"{s.get('item', '')}: {s.get('designation', '')} {s.get('grade', '')}",
                    _n(s, "count"),
                    f"{_n(s, 'length_ft')} ft",
                    f"{_n(s, 'weight_lb')} lb",
                ]
            )
        for s in _list(bom.get("plates")):
            rows.append(
                [
                    "Plate",
                    f"{s.get('item', '')} {s.get('grade', '')}",
                    _n(s, "count"),
                    f"{_n(s, 'width_in')} × {_n(s, 'width_in')} × {_n(s, 'thickness_in')} in",
                    f"{_n(s, 'weight_lb')} lb",
                ]
            )
        for s in _list(bom.get("anchor_bolts")):
            rows.append(
                [
                    "Anchor rods",
                    str(s.get("grade", "")),
                    _n(s, "count"),
                    f"{_n(s, 'diameter_in')} in × {_n(s, 'length_in')} in",
                    "",
                ]
            )
        for s in _list(bom.get("rebar")):
            rows.append(
                [
                    "Rebar",
                    f"{s.get('item', '')} {s.get('bar_size', '')}",
                    _n(s, "count"),
                    f"{_n(s, 'length_ft')} ft",
                    f"{_n(s, 'weight_lb')} lb",
                ]
            )
        for s in _list(bom.get("concrete")):
            rows.append(
                [
                    "Concrete",
                    f"{s.get('item', '')} ({s.get('shape', '')})",
                    _n(s, "count"),
                    f"Ø{_n(s, 'width_ft')} × {_n(s, 'depth_ft')} ft",
                    f"{_n(s, 'yd3')} yd³",
                ]
            )
        rows.append(
            [
                "Totals",
                "steel and plates / rebar / concrete",
                "",
                "",
                f"{_n(bom, 'steel_weight_lb')} lb / {num(bom.get('rebar_weight_lb') or 0)} lb / "
                f"{_n(bom, 'concrete_yd3')} yd³",
            ]
        )
        bold_last = [
            ("FONTNAME", (0, len(rows) - 1), (-1, len(rows) - 1), BOLD),
            ("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.6, INK),
        ]
        story = [
            *self.heading("Bill of materials and estimate"),
            self.table(
                rows,
                [0.95 * inch, 2.35 * inch, 0.5 * inch, 1.5 * inch, FRAME_W - 5.3 * inch],
                numeric_cols=(2, 4),
                extra=bold_last,
            ),
        ]
        est = _dict(self.r.design.estimate)
        if est:
            subtotals = _dict(est.get("subtotals"))
            money: list[list[Any]] = [["Group", "Amount"]]
            for group, amount in subtotals.items():
                money.append([str(group).capitalize(), _money(amount)])
            money.append([f"Total ({est.get('currency', 'USD')})", _money(est.get("total"))])
            last = len(money) - 1
            story += [
                Spacer(1, 8),
                self.m(
                    f"<b>Estimate summary</b> (price list {_t(est.get('price_list', '—'))}, "
                    "priced when the revision was saved)",
                    "h2",
                ),
                self.table(
                    money,
                    [2.4 * inch, 1.4 * inch],
                    numeric_cols=(1,),
                    extra=[
                        ("LINEABOVE", (0, last), (-1, last), 0.6, INK),
                        ("BACKGROUND", (0, last), (-1, last), HEAD_BG),
                    ],
                ),
            ]
        return story

    def assumptions(self) -> list[Flowable]:
        warnings = [w for w in _list(self.result.get("warnings")) if isinstance(w, dict)]
        assumptions = [a for a in _list(self.result.get("assumptions")) if isinstance(a, dict)]
        story = [*self.heading("Assumptions and warnings")]
        if warnings:
            rows: list[list[Any]] = [["Warning", "Message"]]
            rows += [[str(w.get("code", "")), str(w.get("message", ""))] for w in warnings]
            story.append(
                self.table(
                    rows, [1.4 * inch, FRAME_W - 1.4 * inch], extra=[("TEXTCOLOR", (0, 1), (-1, -1), FAIL)]
                )
            )
        else:
            story.append(self.p("No warnings."))
        story.append(Spacer(1, 6))
        rows = [["#", "Assumption", "Basis"]]
        for i, a in enumerate(assumptions, start=1):
            rows.append([str(i), self.p(a.get("text", ""), "cell"), self.p(a.get("clause", ""), "clause")])
        story.append(self.table(rows, [0.3 * inch, 4.2 * inch, FRAME_W - 4.5 * inch]))
        est_assumptions = [
            a for a in _list(_dict(self.r.design.estimate).get("assumptions")) if isinstance(a, dict)
        ]
        if est_assumptions:
            rows = [["#", "Estimate assumption", "Basis"]]
            for i, a in enumerate(est_assumptions, start=1):
                rows.append(
                    [str(i), self.p(a.get("text", ""), "cell"), self.p(a.get("clause", ""), "clause")]
                )
            story += [Spacer(1, 6), self.table(rows, [0.3 * inch, 4.2 * inch, FRAME_W - 4.5 * inch])]
        return story

    def appendix(self) -> list[Flowable]:
        d = self.r.design
        t = self.trace
        items = [
            ("Engine version", t.get("engine_version", "—")),
            ("Constants version", t.get("constants_version", "—")),
            ("Section catalogue", t.get("catalogue", "—")),
            ("Inputs SHA-256", t.get("inputs_sha256", "—")),
            ("Result SHA-256", t.get("result_sha256", "—")),
            ("Design revision SHA-256", d.sha256),
            ("Report layout", LAYOUT_VERSION),
        ]
        inputs = t.get("inputs") if isinstance(t.get("inputs"), dict) else d.input
        text = json.dumps(inputs, indent=1, sort_keys=True, ensure_ascii=False)
        return [
            PageBreak(),
            self.m("Appendix A&nbsp;&nbsp;Calculation trace", "h1"),
            self.p(
                "The hashes are SHA-256 over the canonical JSON (sorted keys, no spaces) of the engine's "
                "normalised inputs and of its result; recomputing the revision with the same engine and "
                "constants versions reproduces them exactly.",
                "small",
            ),
            Spacer(1, 4),
            self.pairs([(k, self.p(v, "mono")) for k, v in items]),
            Spacer(1, 8),
            self.m("<b>Normalised inputs</b>", "h2"),
            XPreformatted(_t(text), self.s["mono"]),
        ]

    def story(self) -> list[Flowable]:
        parts: list[Flowable] = []
        sections: list[tuple[str, Callable[[], list[Flowable]]]] = [
            ("cover sheet", self.cover),
            ("design criteria", self.criteria),
            ("geometry", self.geometry),
            ("wind analysis", self.wind),
            ("load cases", self.load_cases),
            ("pole design", self.pole),
            ("base plate and anchors", self.base_plate),
            ("foundation", self.foundation),
            ("elevation drawing", self.drawing),
            ("bill of materials and estimate", self.materials),
            ("assumptions", self.assumptions),
            ("trace appendix", self.appendix),
        ]
        for i, (label, build) in enumerate(sections):
            self.progress(5 + 45 * i // len(sections), f"Writing the {label}")
            parts += build()
        return parts


def _n(d: dict[str, Any], key: str) -> str:
    return num(d.get(key))


def _money(amount: Any) -> str:
    if not isinstance(amount, int | float):
        return "—"
    return f"${amount:,.2f}"


def _canvas_class(report: ReportInput, created: datetime) -> type[Canvas]:
    """A canvas that keeps each page until the last, then stamps the header, the footer and
    'Page n of N' on every one (the classic two-pass page count, in one layout pass)."""
    project = report.project.name
    footer_mid = f"Design revision {report.design.revision} · {report.design.sha256[:12]}"
    pdf_date = "D:" + created.strftime("%Y%m%d%H%M%S") + "+00'00'"

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.setDateFormatter(lambda *_parts: pdf_date)

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, PAGE_H - MARGIN + 14, PAGE_W - MARGIN, PAGE_H - MARGIN + 14)
            self.line(MARGIN, MARGIN - 16, PAGE_W - MARGIN, MARGIN - 16)
            self.setFillColor(MUTED)
            self.setFont(FONT, 7)
            self.drawString(MARGIN, PAGE_H - MARGIN + 18, "Structural calculations: freestanding sign")
            self.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN + 18, f"{created:%Y-%m-%d}")
            name = _fit(project, FONT, 7.5, FRAME_W * 0.45)
            self.setFillColor(INK)
            self.setFont(BOLD, 7.5)
            self.drawString(MARGIN, MARGIN - 27, name)
            self.setFont(FONT, 7.5)
            self.drawCentredString(PAGE_W / 2 + 40, MARGIN - 27, footer_mid)
            self.drawRightString(PAGE_W - MARGIN, MARGIN - 27, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def render_calc_report(report: ReportInput, *, on_progress: Progress | None = None) -> bytes:
    """The calculation report of ``report`` as PDF bytes; ``on_progress(percent, message)`` is told
    how far it got (0-100). CPU-bound (tens of milliseconds): call it off the event loop."""
    progress: Progress = on_progress or (lambda _pct, _msg: None)
    _register_fonts()
    progress(2, "Preparing the report")
    created, _zone = _local(report.design.created_at, "UTC")
    story = _Report(report, progress).story()

    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Structural calculations: {report.project.name}, design revision {report.design.revision}",
        author=report.prepared_by,
        subject=f"{report.design.module} revision {report.design.revision} ({report.design.sha256})",
        creator="SignX Studio",
        invariant=1,
        pageCompression=1,
    )
    frame = Frame(
        MARGIN,
        MARGIN,
        FRAME_W,
        PAGE_H - 2 * MARGIN,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    flowables = len(story)

    def on_flowable(kind: str, value: int) -> None:
        if kind == "PROGRESS" and flowables:
            progress(50 + 45 * min(value, flowables) // flowables, "Laying out the pages")

    doc.setProgressCallBack(on_flowable)
    doc.build(story, canvasmaker=_canvas_class(report, created))
    progress(100, "Report ready")
    return buffer.getvalue()


__all__ = ["render_calc_report"]
