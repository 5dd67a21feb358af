"""The project page's designer: live results, fixing a section, saving revisions, the diff,
someone else's save meanwhile, the estimate, and leaving draft after a passing design."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from nicegui.testing import User
from ui_helpers import eventually, make_project, page_event

from domain.projects.lifecycle import Status
from tests.designs import save_passing_design


def one(user: User, marker: str) -> Any:
    (element,) = [e for e in user.current_layout.descendants() if marker in e._markers]
    return element


def text(user: User, marker: str) -> str:
    return str(one(user, marker).text)


def has(user: User, marker: str) -> bool:
    """An element with ``marker`` is on the page and shown (it and every element around it)."""
    return any(
        marker in e._markers and e.visible and all(a.visible for a in e.ancestors())
        for e in user.current_layout.descendants()
    )


async def open_designer(services: Any, user: User, login: Any) -> Any:
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="design-verdict", retries=60)
    return me, project


async def test_results_follow_the_form_and_a_bad_value_shows_beside_its_field(services, user: User, login):
    await open_designer(services, user, login)
    assert text(user, "design-verdict") == "All checks pass"
    assert text(user, "chosen-pole").startswith("Pole: Pipe10STD")
    assert not has(user, "unsaved-marker")
    ratios = [e.text for e in user.find(marker="check-ratio").elements]
    assert len(ratios) == 8

    user.find(marker="design-site.wind_speed_mph").clear().type("400")
    await eventually(lambda: one(user, "design-site.wind_speed_mph").error is not None, what="field error")
    assert "250" in one(user, "design-site.wind_speed_mph").error
    assert has(user, "unsaved-marker")

    user.find(marker="design-site.wind_speed_mph").clear().type("170")
    await eventually(lambda: one(user, "design-site.wind_speed_mph").error is None, what="error cleared")
    await eventually(
        lambda: has(user, "chosen-pole") and not text(user, "chosen-pole").startswith("Pole: Pipe10STD"),
        what="a heavier pole",
    )
    assert [e.text for e in user.find(marker="check-ratio").elements] != ratios
    figure = one(user, "elevation-chart").figure
    assert any(s["name"] == "pier" for s in figure["layout"]["shapes"])


async def test_clicking_a_passing_alternative_fixes_that_section(services, user: User, login):
    await open_designer(services, user, login)
    user.find(marker="alternative-Pipe12STD").click()
    await eventually(lambda: one(user, "design-supports.designation").value == "Pipe12STD", what="fixed")
    await eventually(lambda: text(user, "chosen-pole").startswith("Pole: Pipe12STD"), what="fixed section")
    assert has(user, "unsaved-marker")


async def test_cabinets_are_added_and_removed(services, user: User, login):
    await open_designer(services, user, login)
    user.find(marker="cabinet-add").click()
    await eventually(lambda: has(user, "cabinet-1"), what="a second cabinet")
    await eventually(
        lambda: (
            len(
                [
                    s
                    for s in one(user, "elevation-chart").figure["layout"]["shapes"]
                    if s["name"] == "cabinet 2"
                ]
            )
            == 1
        ),
        what="two cabinets drawn",
    )
    widths = [one(user, f"design-cabinets.{i}.width_ft") for i in (0, 1)]
    widths[0].value = 14  # tell the two apart
    await eventually(lambda: one(user, "design-cabinets.0.width_ft").value == 14, what="first width")
    user.find(marker="cabinet-down-0").click()
    await eventually(lambda: one(user, "design-cabinets.1.width_ft").value == 14, what="moved down")
    assert one(user, "design-cabinets.0.width_ft").value != 14
    await eventually(
        lambda: (
            [
                s["x1"] - s["x0"]
                for s in one(user, "elevation-chart").figure["layout"]["shapes"]
                if s["name"] == "cabinet 2"
            ]
            == [14]
        ),
        what="the moved cabinet drawn second",
    )
    user.find(marker="cabinet-remove-1").click()
    await eventually(lambda: not has(user, "cabinet-1"), what="one cabinet again")


async def test_a_design_save_keeps_what_is_typed_in_the_overview(services, user: User, login):
    _, project = await open_designer(services, user, login)
    user.find(marker="edit-name").clear().type("Main St Pylon, east")
    user.find(marker="design-save").click()
    await user.should_see("Saved as revision 1.", retries=60)
    assert one(user, "edit-name").value == "Main St Pylon, east"
    # The typed name saves on top of the design save (no conflict: it changed no overview field).
    user.find(marker="save").click()
    await user.should_see("Saved.", retries=40)
    stored = await services.projects.get(str(project.project_id))
    assert stored.name == "Main St Pylon, east"


async def test_save_makes_revisions_listed_and_compared_and_then_estimating_is_allowed(
    services, user: User, login
):
    _, project = await open_designer(services, user, login)
    user.find(marker="design-note").type("first cut")
    user.find(marker="design-save").click()
    await user.should_see("Saved as revision 1.", retries=60)
    assert not has(user, "unsaved-marker")
    assert text(user, "design-revision") == "Revision 1 saved"

    user.find(marker="design-site.wind_speed_mph").clear().type("140")
    await user.should_see(marker="unsaved-marker", retries=20)
    user.find(marker="design-save").click()
    await user.should_see("Saved as revision 2.", retries=60)

    page = await services.designs.list(project.project_id)
    assert [r.revision for r in page.items] == [2, 1] and page.items[1].note == "first cut"
    rows = one(user, "revision-list").rows
    assert [r["revision"] for r in rows] == [2, 1] and rows[1]["note"] == "first cut"
    user.find(marker="diff-compare").click()
    await user.should_see(marker="design-diff", retries=40)
    assert [e.text for e in user.find(marker="diff-input-path").elements] == ["Wind speed V (mph)"]

    user.find(marker="to-estimating").click()
    await user.should_see(marker="status-badge", content="Estimating", retries=40)
    assert (await services.projects.get(project.project_id)).status == Status.estimating


async def test_someone_elses_save_meanwhile_opens_a_dialog_instead_of_overwriting(
    services, user: User, login
):
    me, project = await open_designer(services, user, login)
    await save_passing_design(services, me, project)  # "someone" saves from elsewhere
    user.find(marker="design-site.wind_speed_mph").clear().type("140")
    user.find(marker="design-save").click()
    await user.should_see(marker="design-conflict-dialog", retries=40)
    assert (await services.designs.list(project.project_id)).total == 1
    user.find(marker="design-overwrite").click()
    await user.should_see("Saved as revision 2.", retries=60)


async def test_the_estimate_tab_shows_line_items_totals_and_the_price_list(services, user: User, login):
    await open_designer(services, user, login)
    await user.should_see(marker="estimate-total", retries=40)
    assert text(user, "estimate-price-list").endswith("price list v1")
    table = one(user, "estimate-lines")
    assert isinstance(table, ui.table) and len(table.rows) > 3


def ctrl_s(user: User) -> None:
    """Ctrl/Cmd+S: the shared script sends the page's save event (the key itself is tested in Chromium)."""
    page_event(user, "signx_save")


def total(user: User) -> str:
    return text(user, "estimate-total")


async def test_pricing_and_line_overrides_change_the_total_and_are_saved_with_the_revision(
    services, user: User, login
):
    _, project = await open_designer(services, user, login)
    await user.should_see(marker="estimate-total", retries=40)
    plain = total(user)
    assert has(user, "estimate-chart") and one(user, "estimate-chart").figure["data"][0]["y"]

    user.find(marker="estimate-overrides.contingency_percent").clear().type("0")
    await eventually(lambda: total(user) != plain, what="total without contingency")
    assert has(user, "unsaved-marker")
    without_contingency = total(user)
    rows = {r["code"]: r for r in one(user, "estimate-lines").rows}
    assert rows["contingency"]["amount"] == "0.00"

    # The line fields exist only while their expansion is open (closed, a keystroke that changes
    # the lines rebuilds one element instead of every line's fields).
    assert not has(user, "line-qty-concrete")
    one(user, "estimate-overrides").value = True
    await user.should_see(marker="line-qty-concrete")
    user.find(marker="line-qty-concrete").clear().type("5")
    await eventually(
        lambda: {r["code"]: r for r in one(user, "estimate-lines").rows}["concrete"]["overridden"],
        what="concrete overridden",
    )
    rows = {r["code"]: r for r in one(user, "estimate-lines").rows}
    assert float(rows["concrete"]["quantity"]) == 5
    assert total(user) != without_contingency
    assert one(user, "line-reset-concrete").enabled
    user.find(marker="line-reset-concrete").click()
    await eventually(lambda: total(user) == without_contingency, what="back to the computed concrete")
    assert one(user, "line-qty-concrete").value != 5

    user.find(marker="line-price-concrete").clear().type("300")
    user.find(marker="cabinet-illuminated-0").click()  # non-illuminated
    await eventually(
        lambda: (
            "Non-illuminated"
            in {r["code"]: r for r in one(user, "estimate-lines").rows}["cabinet.1"]["label"]
            or {r["code"]: r for r in one(user, "estimate-lines").rows}["concrete"]["unit_price"] == "300.00"
        ),
        what="both changes priced",
    )
    await eventually(
        lambda: (
            {r["code"]: r for r in one(user, "estimate-lines").rows}["concrete"]["unit_price"] == "300.00"
        ),
        what="concrete at 300",
    )
    shown = total(user)
    user.find(marker="design-save").click()
    await user.should_see("Saved as revision 1.", retries=60)
    assert not has(user, "unsaved-marker")
    saved = await services.designs.get(project.project_id, 1)
    assert saved.pricing["overrides"]["lines"] == {"concrete": {"unit_price": 300}}
    assert saved.pricing["overrides"]["contingency_percent"] == 0
    assert saved.pricing["options"]["cabinets"][0]["illuminated"] is False
    assert shown == f"Total USD {saved.estimate['total']:,.2f}"


async def test_an_unsaved_design_is_restored_after_a_reload_and_can_be_discarded(services, user: User, login):
    _, project = await open_designer(services, user, login)
    assert not one(user, "tab-design").props.get("alert")
    user.find(marker="design-site.wind_speed_mph").clear().type("140")
    user.find(marker="estimate-overrides.contingency_percent").clear().type("5")
    await user.should_see(marker="unsaved-marker", retries=20)
    # The tab shows it, and carries the mark the browser's leave warning looks for.
    assert one(user, "tab-design").props.get("alert") == "warning"
    assert "data-unsaved" in one(user, "tab-design").props

    await user.open(f"/projects/{project.project_id}")  # an accidental reload
    await user.should_see(marker="draft-restored", retries=40)
    await user.should_see("Restored your unsaved changes")
    assert one(user, "design-site.wind_speed_mph").value == 140
    assert one(user, "estimate-overrides.contingency_percent").value == 5
    assert has(user, "unsaved-marker") and one(user, "tab-design").props.get("alert") == "warning"

    user.find(marker="draft-discard").click()
    await eventually(lambda: one(user, "design-site.wind_speed_mph").value == 115, what="saved values back")
    assert not has(user, "unsaved-marker") and not has(user, "draft-restored")
    assert "data-unsaved" not in one(user, "tab-design").props
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="design-verdict", retries=60)
    assert not has(user, "draft-restored")
    assert one(user, "design-site.wind_speed_mph").value == 115


async def test_base_plate_section_appears_with_the_mount_and_feeds_the_engine(services, user: User, login):
    await open_designer(services, user, login)
    assert not has(user, "base-plate-section")
    user.find(marker="design-supports.mount").click()
    user.find("Base plate").click()
    await user.should_see(marker="base-plate-section", retries=20)
    assert one(user, "design-base_plate.bolt_circle_in").props["hint"] == "6–120 in; empty: auto"
    assert one(user, "design-base_plate.anchor_shear_reinforcement").value == "none"
    await eventually(lambda: has(user, "plate-summary"), seconds=6, what="plate and anchors")
    assert any(e.text.startswith("Anchors ") for e in user.find(marker="plate-summary").elements)
    one(user, "design-base_plate.bolt_count").value = 8  # picked from the select
    await eventually(
        lambda: any(e.text.startswith("Anchors 8 ×") for e in user.find(marker="plate-summary").elements),
        seconds=6,
        what="eight anchors",
    )
    user.find(marker="design-foundation.lateral_bearing_psf_per_ft").clear().type("10")
    await eventually(
        lambda: one(user, "design-foundation.lateral_bearing_psf_per_ft").error is not None,
        what="bound error",
    )


async def test_velocity_pressure_chart_follows_the_wind_speed(services, user: User, login):
    await open_designer(services, user, login)
    await eventually(lambda: bool(one(user, "pressure-chart").figure["data"]), what="qz chart")
    before = one(user, "pressure-chart").figure["data"][0]["x"][-1]
    user.find(marker="design-site.wind_speed_mph").clear().type("150")
    await eventually(
        lambda: one(user, "pressure-chart").figure["data"][0]["x"][-1] > before, what="higher qz"
    )


async def test_ctrl_s_saves_the_open_form(services, user: User, login):
    _, project = await open_designer(services, user, login)
    user.find(marker="edit-name").clear().type("Main St Pylon North")
    assert "data-unsaved" in one(user, "tab-overview").props  # the leave warning is armed
    ctrl_s(user)  # the Overview tab is open
    await user.should_see("Saved.", retries=40)
    assert (await services.projects.get(project.project_id)).name == "Main St Pylon North"
    assert "data-unsaved" not in one(user, "tab-overview").props

    user.find(marker="tab-design").click()
    user.find(marker="design-site.wind_speed_mph").clear().type("130")
    await user.should_see(marker="unsaved-marker", retries=20)
    ctrl_s(user)
    await user.should_see("Saved as revision 1.", retries=60)
    assert (await services.designs.list(project.project_id)).total == 1


async def test_the_assumptions_are_listed_one_a_line(services, user: User, login):
    await open_designer(services, user, login)
    lines = text(user, "design-assumptions").splitlines()
    assert len(lines) > 10
    assert all(line.endswith(")") for line in lines)
