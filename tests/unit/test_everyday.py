"""The pure rules behind the everyday polish: how times read, badge contrast, the list's owner sort,
remembered page size and export address, readable history lines, CSV cells, and the first-start
hint for a new password."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app import passwd_command
from components.everyday import BRAND
from components.status import STATUS_COLORS, STATUS_LABELS, STATUS_TEXT_COLORS
from components.timeline import describe, event_title
from domain.csv_export import safe_cell
from pages.jobs_view import STATUS_COLORS as JOB_COLORS
from pages.jobs_view import status_text_color
from pages.listing import ListView
from pages.local_time import exact, relative, shown

NOW = datetime(2026, 3, 10, 18, 30, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")

# Quasar's palette (quasar.css), for the colours the badges use.
PALETTE = {
    "white": "#ffffff",
    "grey-8": "#616161",
    "grey-10": "#212121",
    "blue-9": "#1565c0",
    "amber-4": "#ffca28",
    "green-9": "#2e7d32",
    "red-9": "#c62828",
    "blue-grey-7": "#546e7a",
    "blue-grey-8": "#455a64",
    "blue-grey-10": "#263238",
}


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=5, seconds=10), "5 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=3, minutes=50), "3 h ago"),
        (timedelta(hours=23, minutes=59), "23 h ago"),
        (timedelta(days=2), "2026-03-08 13:30"),  # older: the local date and time (Chicago, UTC-5)
        (-timedelta(minutes=10), "2026-03-10 13:40"),  # ahead of the clock: never "in -10 min"
    ],
)
def test_recent_times_read_relative_and_older_ones_as_the_local_date(ago, text):
    assert relative(NOW - ago, CHICAGO, NOW) == text


def test_the_hover_text_is_the_exact_local_time_and_names_its_zone():
    moment = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    assert exact(moment, CHICAGO) == "2026-07-01 07:05 (America/Chicago)"  # daylight saving: UTC-5
    assert exact(moment, ZoneInfo("UTC")) == "2026-07-01 12:05 (UTC)"
    at = shown(moment, CHICAGO, moment + timedelta(minutes=5))
    assert (at.text, at.iso) == ("5 min ago", "2026-07-01T12:05:00+00:00")


# --- contrast ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(STATUS_LABELS))
def test_every_status_badge_reads_at_aa_contrast(status):
    background = PALETTE[STATUS_COLORS[status]]
    text = PALETTE[STATUS_TEXT_COLORS.get(status, "white")]
    assert contrast(background, text) >= 4.5


@pytest.mark.parametrize("status", list(JOB_COLORS))
def test_every_job_status_badge_reads_at_aa_contrast(status):
    assert contrast(PALETTE[JOB_COLORS[status]], PALETTE[status_text_color(status)]) >= 4.5


def test_the_brand_colours_read_at_aa_contrast_with_white():
    for name, colour in BRAND.items():
        assert contrast(colour, "#ffffff") >= 4.5, name


def test_the_contrast_formula_matches_the_issues_measurements():
    assert round(contrast("#ffa000", "#ffffff"), 2) == 2.04  # the old Submitted badge
    assert round(contrast("#9e9e9e", "#ffffff"), 2) == 2.68  # the old Draft badge
    assert round(contrast("#90a4ae", "#ffffff"), 2) == 2.59  # the old role badge


# --- the list ------------------------------------------------------------------------------------


def test_the_owner_column_sorts_and_round_trips_through_the_url():
    view = ListView().with_pagination({"sortBy": "owner", "descending": False, "page": 3})
    assert view.sort == "owner" and view.page == 1
    assert view.url() == "/projects?sort=owner"
    assert ListView.from_query({"sort": "-owner"}).pagination(10)["sortBy"] == "owner"
    assert view.service_query().sort == "owner"


def test_a_remembered_page_size_applies_unless_the_link_names_one():
    assert ListView.from_query({}, per_page=50).per_page == 50
    assert ListView.from_query({"per_page": "10"}, per_page=50).per_page == 10
    assert ListView.from_query({}, per_page=33).per_page == 25  # not an offered size: the default


def test_the_export_address_carries_the_filters_and_sort_but_not_the_page():
    view = ListView(q="harbor", status="draft", page=4, per_page=50, sort="owner")
    assert view.export_url() == "/projects.csv?q=harbor&status=draft&sort=owner"
    assert ListView().export_url() == "/projects.csv"
    assert view.filtered and not ListView(page=3).filtered


# --- history lines ---------------------------------------------------------------------------------


def test_account_history_reads_with_labels_not_stored_keys():
    changed = {"event_type": "role_changed", "data": {"before": "estimator", "after": "ops"}}
    assert describe(changed) == ["Role: Estimator → Ops"]
    added = {"event_type": "user_added", "data": {"role": "manager", "name": "Pat Lee"}}
    assert describe(added) == ["Role: Manager", "Name: “Pat Lee”"]
    unknown = {"event_type": "files.uploaded", "data": {"file_name": "plan.pdf"}}
    assert describe(unknown) == ["File name: “plan.pdf”"]
    assert event_title("files.uploaded") == "Files uploaded"


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@sum") == "'@sum"
    assert safe_cell("Role: Ops") == "Role: Ops"


# --- the first-start hint ----------------------------------------------------------------------------


def test_the_password_hint_names_this_interpreter_and_app_relative_to_where_the_server_started():
    root = Path(__file__).resolve().parents[2]
    venv_python = str(root / ".venv" / "bin" / "python")
    assert passwd_command("a@b.test", executable=venv_python, cwd=root) == (
        ".venv/bin/python app.py user passwd a@b.test"
    )
    # Started from elsewhere: absolute paths, still one command that works as printed.
    beside = root.parent / f"{root.name}-elsewhere"  # not above the app (as /tmp is for /tmp/ci)
    elsewhere = passwd_command("a@b.test", executable="/usr/bin/python3", cwd=beside)
    assert elsewhere == f"/usr/bin/python3 {root / 'app.py'} user passwd a@b.test"
    assert passwd_command("o'neil@b.test", executable=sys.executable, cwd=root).endswith(
        "user passwd 'o'\"'\"'neil@b.test'"
    )
