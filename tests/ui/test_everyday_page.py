"""The everyday habits as the page logic sees them: empty states, the owner sort, the remembered page
size, the CSV exports, Ctrl/Cmd+S, the theme kept per account, unsaved marks, busy buttons, the
shortcuts overlay. (The keys themselves, the leave question and the layouts: tests/browser.)"""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from nicegui import ui
from nicegui.testing import User
from ui_helpers import capture_urls, eventually, make_project, names, new_user, page_event, submit_login

from components.everyday import busy
from domain.projects.schemas import ProjectUpdate
from pages import preferences


def one(user: User, marker: str) -> Any:
    (element,) = [e for e in user.current_layout.descendants() if marker in e._markers]
    return element


def rows_of(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


async def test_an_empty_list_says_how_to_start_and_a_filtered_one_how_to_widen(services, user: User, login):
    await login("estimator")
    await user.open("/projects")
    await user.should_see("No projects yet.")
    await user.should_not_see("No projects match these filters.")
    user.find(marker="create-first").click()
    await user.should_see(marker="new-project-dialog")

    await user.open("/projects?q=nothing+like+this")
    await user.should_see("No projects match these filters.")
    await user.should_not_see("No projects yet.")
    urls = capture_urls(user)
    user.find(marker="clear-filters").click()
    await user.should_see("No projects yet.", retries=40)
    assert urls[-1] == "/projects"


async def test_someone_who_cannot_create_projects_is_told_who_does(services, user: User, login):
    await login("ops")
    await user.open("/projects")
    await user.should_see("No projects yet.")
    await user.should_see("Estimators create projects")
    await user.should_not_see(marker="create-first")


async def test_the_owner_column_sorts_by_the_owners_email(services, user: User, login):
    zed, _ = await new_user(services, "estimator", "zed@signx.test")
    me = await login("estimator", "amy@signx.test")
    await make_project(services, zed, "Zed's Pylon")
    await make_project(services, me, "Amy's Pylon")
    await make_project(services, zed, "Zed's Monument")
    await user.open("/projects")
    urls = capture_urls(user)
    (table,) = user.find(marker="projects-table").elements
    assert next(c for c in table.columns if c["name"] == "owner")["sortable"] is True

    pagination = {**table.pagination, "sortBy": "owner", "descending": False}
    user.find(ui.table).trigger("request", {"pagination": pagination, "filter": None})
    await eventually(lambda: names(user)[0] == "Amy's Pylon", what="sorted by owner")
    assert [r["owner"] for r in table.rows] == ["amy@signx.test", "zed@signx.test", "zed@signx.test"]
    assert urls[-1] == "/projects?sort=owner"

    user.find(ui.table).trigger("request", {"pagination": {**pagination, "descending": True}, "filter": None})
    await eventually(lambda: names(user)[-1] == "Amy's Pylon", what="owner descending")


async def sign_in_again(user: User, email: str, password: str) -> None:
    """Log out and in: a new browser session (the session storage starts empty)."""
    user.find(marker="logout").click()
    await user.should_see(marker="login-button", retries=40)
    await user.open("/login")
    await submit_login(user, email, password)
    await user.should_see(marker="logout", retries=40)


async def test_the_page_size_is_remembered_for_the_account(services, user: User):
    me, password = await new_user(services, "estimator")
    other, other_password = await new_user(services, "manager")
    for i in range(12):
        await make_project(services, me, f"Sign {i:02d}")
    await user.open("/login")
    await submit_login(user, me.email, password)
    await user.should_see(marker="logout", retries=40)
    await user.open("/projects")
    (table,) = user.find(marker="projects-table").elements
    assert table.pagination["rowsPerPage"] == 25

    pagination = {**table.pagination, "rowsPerPage": 10}
    user.find(ui.table).trigger("request", {"pagination": pagination, "filter": None})
    await eventually(lambda: len(table.rows) == 10, what="ten rows")

    await sign_in_again(user, me.email, password)
    urls = capture_urls(user)
    await user.open("/projects")
    (table,) = user.find(marker="projects-table").elements
    assert table.pagination["rowsPerPage"] == 10 and len(table.rows) == 10
    await eventually(lambda: bool(urls) and urls[-1] == "/projects?per_page=10", what="the address says so")
    await user.open("/projects?per_page=50")  # a link naming a size shows that size
    (table,) = user.find(marker="projects-table").elements
    assert table.pagination["rowsPerPage"] == 50

    await sign_in_again(user, other.email, other_password)  # someone else's choice is their own
    await user.open("/projects")
    (table,) = user.find(marker="projects-table").elements
    assert table.pagination["rowsPerPage"] == 25


async def test_the_list_exports_every_matching_row_in_its_order(services, user: User, login):
    me = await login("estimator")
    for i in range(30):
        await make_project(
            services, me, f"Depot {i:02d}", customer="=cmd|' /C calc'!A0" if i == 3 else "Acme"
        )
    await make_project(services, me, "Harbor Monument")
    await user.open("/projects?q=depot&sort=name")
    link = one(user, "projects-export")
    assert link.props["href"] == "/projects.csv?q=depot&sort=name"

    response = await user.http_client.get(link.props["href"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="projects.csv"' in response.headers["content-disposition"]
    rows = rows_of(response.text)
    assert rows[0][:7] == ["project_id", "name", "account_id", "customer", "site_address", "status", "owner"]
    assert [r[1] for r in rows[1:]] == [f"Depot {i:02d}" for i in range(30)]  # all 30, not a page of 25
    assert rows[4][3] == "'=cmd|' /C calc'!A0"  # a spreadsheet shows it as text

    # The link follows the filters as they change.
    user.find(marker="status-filter").click()
    user.find("Draft").click()
    await eventually(lambda: "status=draft" in link.props["href"], what="the export link")


async def test_a_projects_history_exports_with_readable_lines(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await services.projects.update(
        me, project.project_id, ProjectUpdate(customer="Acme West"), if_match=project.etag
    )
    await user.open(f"/projects/{project.project_id}")
    href = one(user, "history-export").props["href"]
    assert href == f"/projects/{project.project_id}/history.csv"

    response = await user.http_client.get(href)
    assert response.status_code == 200
    assert 'filename="Main-St-Pylon-history.csv"' in response.headers["content-disposition"]
    rows = rows_of(response.text)
    assert rows[0] == ["event_id", "time_utc", "actor", "event", "details", "request_id"]
    assert [(r[2], r[3]) for r in rows[1:]] == [(me.email, "Created"), (me.email, "Updated")]
    assert rows[2][4] == "Customer: “Acme Fuel” → “Acme West”"

    missing = await user.http_client.get("/projects/00000000-0000-4000-8000-000000000000/history.csv")
    assert missing.status_code == 404 and "No project" in missing.text
    bad = await user.http_client.get("/projects/not-an-id/history.csv")
    assert bad.status_code == 404


async def test_exports_need_a_signed_in_browser(services, user: User):
    await user.open("/login")  # nobody signed in
    for path in ("/projects.csv", "/projects/00000000-0000-4000-8000-000000000000/history.csv"):
        response = await user.http_client.get(path, follow_redirects=False)
        assert response.status_code in (303, 307) and response.headers["location"].startswith("/login")


async def test_ctrl_s_saves_the_overview_form(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="edit-customer").clear().type("Keyboard Fuel")
    assert "data-unsaved" in one(user, "tab-overview").props

    page_event(user, "signx_save")

    await user.should_see("Saved.", retries=40)
    assert (await services.projects.get(project.project_id)).customer == "Keyboard Fuel"
    assert "data-unsaved" not in one(user, "tab-overview").props


async def test_the_new_project_dialog_counts_as_unsaved_once_something_is_typed(services, user: User, login):
    await login("estimator")
    await user.open("/projects")
    user.find(marker="new-project").click()
    card = one(user, "new-project-dialog").default_slot.children[0]
    assert "data-form" in card.props and "data-unsaved" not in card.props
    assert "data-submit" in one(user, "new-create").props
    user.find(marker="new-name").type("Half typed")
    assert "data-unsaved" in card.props
    user.find(marker="new-name").clear()
    assert "data-unsaved" not in card.props


async def test_the_theme_choice_is_kept_for_the_account(services, user: User, login):
    me = await login("estimator")
    await user.open("/projects")
    (dark,) = [e for e in user.current_layout.descendants() if isinstance(e, ui.dark_mode)]
    assert dark.value is None  # follows the system
    user.find(marker="theme-dark").click()
    assert dark.value is True
    assert preferences.theme(me.user_id) == "dark"

    await user.open("/search")
    (dark,) = [e for e in user.current_layout.descendants() if isinstance(e, ui.dark_mode)]
    assert dark.value is True
    assert one(user, "theme").props["aria-label"] == "Theme: dark"
    user.find(marker="theme-auto").click()
    assert preferences.theme(me.user_id) == "auto" and dark.value is None


async def test_question_mark_opens_the_shortcuts_overlay(services, user: User, login):
    await login("estimator")
    await user.open("/projects")
    page_event(user, "signx_shortcuts")
    await user.should_see("Keyboard shortcuts")
    await user.should_see("Save the open form")
    user.find(marker="shortcuts-close").click()
    await user.should_not_see(marker="shortcuts-dialog")


async def test_a_busy_button_shows_a_spinner_and_takes_no_second_click(services, user: User, login):
    gate = asyncio.Event()
    runs: list[int] = []

    async def slow() -> None:
        runs.append(1)
        await gate.wait()

    @ui.page("/busy-probe")
    def probe() -> None:
        ui.button("Go", on_click=busy(slow)).mark("go")

    await login("estimator")
    await user.open("/busy-probe")
    button = one(user, "go")
    user.find(marker="go").click()
    await eventually(lambda: runs == [1], what="the action started")
    assert "loading" in button.props and not button.enabled
    user.find(marker="go").click()  # the impatient second click
    gate.set()
    await eventually(lambda: "loading" not in button.props, what="the spinner gone")
    assert button.enabled and runs == [1]


async def test_icon_buttons_have_names(services, user: User, login):
    await login("admin")
    other, _ = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/users")
    for element in user.current_layout.descendants():
        if isinstance(element, ui.button) and not element.props.get("label") and not element.text:
            assert element.props.get("aria-label"), f"an icon button without a name: {element.props}"
    with user.scope(marker=f"user-row-{other.email}"):
        (more,) = user.find(marker="more-actions").elements
    assert not [e for e in more.descendants() if isinstance(e, ui.tooltip)]  # it covered "Reset password"
