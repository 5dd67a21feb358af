"""The calculation report PDF, read back with poppler (pdftotext, pdfinfo, pdftoppm) as a plan
reviewer's viewer would: what it says, that every page renders, and that it is byte-stable."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from domain.reports import ReportInput, render_calc_report
from tests.reports import TWO_POLE_BASE_PLATE, report_input

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def text_of(pdf: bytes, tmp_path: Path, name: str = "report") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def flat(text: str) -> str:
    """Whitespace collapsed, so a phrase that wrapped in a cell still matches."""
    return re.sub(r"\s+", " ", text)


def pages_of(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def single() -> ReportInput:
    return report_input()


@pytest.fixture(scope="module")
def single_pdf(single: ReportInput) -> bytes:
    return render_calc_report(single)


def test_same_revision_renders_to_identical_bytes(single: ReportInput, single_pdf: bytes) -> None:
    again = ReportInput.model_validate(single.model_dump())  # a copy, not the same object
    assert render_calc_report(again) == single_pdf
    assert single_pdf.startswith(b"%PDF-")


def test_another_revision_or_project_name_renders_other_bytes(single: ReportInput, single_pdf: bytes) -> None:
    other_revision = single.model_copy(update={"design": single.design.model_copy(update={"revision": 4})})
    renamed = single.model_copy(
        update={"project": single.project.model_copy(update={"name": "Elm St pylon"})}
    )
    assert render_calc_report(other_revision) != single_pdf
    assert render_calc_report(renamed) != single_pdf
    assert len({single.fingerprint(), other_revision.fingerprint(), renamed.fingerprint()}) == 3


def test_the_pdf_names_the_project_section_embedment_wind_formula_and_hashes(
    single: ReportInput, single_pdf: bytes, tmp_path: Path
) -> None:
    """The worked example (README): Pipe 10 STD, 9.5 ft of embedment in an 18 in pier, and for
    ASCE 7-22 qh = 0.00256 Kz Kzt Ke V^2 = 0.00256 x 0.9026 x 1 x 0.9785 x 115^2 = 29.9 psf
    (0.00256 x 0.9026 x 0.9785 x 13225 = 29.90)."""
    text = flat(text_of(single_pdf, tmp_path))
    assert "Main St pylon" in text
    assert "Pipe10STD" in text
    assert "embedment 9.5 ft" in text
    assert "qh = 0.00256 Kz Kzt Ke V²" in text
    assert "= 0.00256 × 0.9026 × 1 × 0.9785 × 115²" in text
    assert "qh = 29.9 psf" in text
    assert single.design.trace["result_sha256"] in text
    assert single.design.trace["inputs_sha256"] in text
    assert single.design.sha256 in text
    for section in (
        "Design criteria",
        "Wind analysis",
        "Load cases A, B and C",
        "Pole design",
        "Foundation",
        "Elevation",
        "Bill of materials and estimate",
        "Assumptions and warnings",
        "Calculation trace",
        "ENGINEER'S SEAL",
    ):
        assert section in text, section
    assert "Case C governs the base moment" in text  # the worked example: 50.8 ft-kip under Case C
    assert "$15,082.10" in text  # the README's estimate of the worked example on price list v1


def test_asce_7_16_puts_kd_in_the_velocity_pressure(tmp_path: Path) -> None:
    """ASCE 7-16 Eq. 26.10-1 has Kd inside qz: 0.00256 x 0.9026 x 1 x 0.85 x 0.9785 x 115^2 = 25.42 psf
    (Kz of 7-16 exposure C at 20 ft: 2.01 (20/900)^(2/9.5) = 0.9026, the same as 7-22's)."""
    text = flat(text_of(render_calc_report(report_input(code="asce7-16")), tmp_path))
    assert "qh = 0.00256 Kz Kzt Kd Ke V²" in text
    assert re.search(r"= 0\.00256 × 0\.90\d\d × 1 × 0\.85 × 0\.9785 × 115²", text)
    assert "ASCE 7-16 Eq. 26.10-1" in text


def test_every_page_has_the_project_and_page_n_of_n_and_renders_to_png(
    single_pdf: bytes, tmp_path: Path
) -> None:
    total = pages_of(single_pdf, tmp_path)
    assert 6 <= total <= 14
    path = tmp_path / "r.pdf"
    path.write_bytes(single_pdf)
    for page in range(1, total + 1):
        out = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert f"Page {page} of {total}" in out
        assert "Main St pylon" in out
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True, capture_output=True
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == total
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 1000 for p in pngs)


def test_the_pdf_is_dated_by_the_revision_not_the_clock(single_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(single_pdf)
    info = subprocess.run(
        ["pdfinfo", "-isodates", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"CreationDate:\s+2026-12-01T15:30:00", info), info
    assert "Main St pylon" in info  # the title


def test_a_two_pole_base_plate_design_renders_its_plate_anchors_and_pier(tmp_path: Path) -> None:
    report = report_input(TWO_POLE_BASE_PLATE)
    result = report.design.result
    pdf = render_calc_report(report)
    text = flat(text_of(pdf, tmp_path))
    assert "Two poles on base plates" in text
    assert result["pole"]["designation"] in text
    assert "Base plate and anchors" in text
    assert (
        f"{result['base_plate']['bolt_count']} × {result['base_plate']['bolt_diameter_in']:g} in F1554"
        in text
    )
    assert "pole-to-plate fillet weld" in text
    assert "Pier reinforcement" in text
    assert "poles c/c" in text  # the spacing dimension on the elevation
    assert pages_of(pdf, tmp_path) >= 8


def test_a_hostile_project_name_is_printed_as_written(tmp_path: Path) -> None:
    name = 'A & B <Signs> </para><b>"Bold" & Co'
    report = report_input(name=name, customer="<script>alert(1)</script>", note="Size < 10 & > 5 ft")
    text = flat(text_of(render_calc_report(report), tmp_path))
    assert 'A & B <Signs> </para><b>"Bold" & Co' in text
    assert "<script>alert(1)</script>" in text
    assert "Size < 10 & > 5 ft" in text


def test_a_very_long_name_is_shortened_in_the_footer_only(tmp_path: Path) -> None:
    name = "Riverside commerce park entrance monument and pylon, north gate " * 3
    text = text_of(render_calc_report(report_input(name=name.strip())), tmp_path)
    assert "…" in text  # the footer's shortened name
    assert "north gate Riverside" in flat(text)  # the cover prints it whole (wrapped)


def test_steps_and_formulas_recorded_by_the_engine_are_printed_as_recorded(
    single: ReportInput, tmp_path: Path
) -> None:
    result: dict[str, Any] = copy.deepcopy(single.design.result)
    result["wind"]["steps"] = [
        {
            "quantity": "Velocity pressure at h",
            "symbol": "qz",
            "formula": "qz = 0.00256 Kz Kzt Ke V^2",
            "substitution": "0.00256 (0.9026)(1.0)(0.9785)(115)^2",
            "value": 29.9,
            "unit": "psf",
            "clause": "ASCE 7-22 Eq. 26.10-1 (recorded)",
        }
    ]
    result["foundation"]["steps"] = [
        {
            "quantity": "Embedment",
            "symbol": "d",
            "formula": "d = 0.5 A (1 + (1 + 4.36 h/A)^0.5)",
            "substitution": "0.5 (3.137)(1 + (1 + 4.36 (16.43)/3.137)^0.5)",
            "value": 9.226,
            "unit": "ft",
            "clause": "IBC 2021 Eq. 18-1 (recorded)",
        }
    ]
    result["checks"][0].update(
        case="C", combination="D + 0.6W", formula="fb = M / S", substitution="853.7 / 1146 = 0.745 < 1"
    )
    report = single.model_copy(update={"design": single.design.model_copy(update={"result": result})})
    text = flat(text_of(render_calc_report(report), tmp_path))
    assert "0.00256 (0.9026)(1.0)(0.9785)(115)^2" in text
    assert "ASCE 7-22 Eq. 26.10-1 (recorded)" in text
    assert "0.00256 × 0.9026" not in text  # the rebuilt steps give way to the recorded ones
    assert "0.5 (3.137)(1 + (1 + 4.36 (16.43)/3.137)^0.5)" in text
    assert "fb = M / S = 853.7 / 1146 = 0.745 < 1" in text
    assert "Case C, D + 0.6W" in text


def test_a_result_from_an_older_engine_without_pole_wind_or_gust_still_renders(
    single: ReportInput, tmp_path: Path
) -> None:
    result = {
        k: v for k, v in single.design.result.items() if k not in ("pole_wind", "gust", "loads_per_pole")
    }
    report = single.model_copy(
        update={"design": single.design.model_copy(update={"result": result, "trace": {}})}
    )
    text = flat(text_of(render_calc_report(report), tmp_path))
    assert "qh = 29.9 psf" in text
    assert "Engine version —" in text


def test_progress_rises_to_100(single: ReportInput) -> None:
    seen: list[tuple[int, str]] = []
    render_calc_report(single, on_progress=lambda pct, msg: seen.append((pct, msg)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100 and percents[0] < 10
    assert len(set(percents)) >= 10
    assert any("wind" in m for _, m in seen)


def test_the_revision_time_is_printed_in_the_zone_asked_for(single: ReportInput, tmp_path: Path) -> None:
    """Saved 2026-12-01 15:30 UTC = 09:30 in Chicago (CST, UTC-6); an unknown zone falls back to UTC."""
    chicago = flat(
        text_of(render_calc_report(single.model_copy(update={"timezone": "America/Chicago"})), tmp_path)
    )
    assert "December 1, 2026 (2026-12-01 09:30 America/Chicago" in chicago
    unknown = flat(
        text_of(render_calc_report(single.model_copy(update={"timezone": "Mars/Olympus"})), tmp_path)
    )
    assert "(2026-12-01 15:30 UTC" in unknown
