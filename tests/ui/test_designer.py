"""The project page's designer: live results, fixing a section, saving revisions, the diff,
someone else's save meanwhile, the estimate, and leaving draft after a passing design."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from nicegui.testing import User
from ui_helpers import eventually, make_project

from domain.projects.lifecycle import Status
from tests.designs import save_passing_design


def one(user: User, marker: str) -> Any:
    (element,) = [e for e in user.current_layout.descendants() if marker in e._markers]
    return element


def text(user: User, marker: str) -> str:
    return str(one(user, marker).text)


def has(user: User, marker: str) -> bool:
    return any(marker in e._markers for e in user.current_layout.descendants())


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
    user.find(marker="cabinet-remove-1").click()
    await eventually(lambda: not has(user, "cabinet-1"), what="one cabinet again")


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
    assert [e.text for e in user.find(marker="diff-input-path").elements] == ["site.wind_speed_mph"]

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


async def test_the_assumptions_are_listed_one_a_line(services, user: User, login):
    await open_designer(services, user, login)
    lines = text(user, "design-assumptions").splitlines()
    assert len(lines) > 10
    assert all(line.endswith(")") for line in lines)
