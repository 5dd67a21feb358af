"""Calculation reports: the PDF of one saved design revision (pure layout in ``layout``), stored
content-addressed through the BlobStore port (``service``)."""

from domain.reports.layout import render_calc_report
from domain.reports.schemas import LAYOUT_VERSION, ReportDesign, ReportInput, ReportProject, ReportRef

__all__ = [
    "LAYOUT_VERSION",
    "ReportDesign",
    "ReportInput",
    "ReportProject",
    "ReportRef",
    "render_calc_report",
]
