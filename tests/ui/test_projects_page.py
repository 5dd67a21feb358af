"""The project list: filters and paging on the server, kept in the URL; the New project dialog."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from ui_helpers import capture_urls, eventually, make_project, names, new_user, table_rows

from domain.projects.lifecycle import Status
from pages.listing import ListView
from tests.designs import save_passing_design


async def test_the_list_shows_projects_newest_first_with_links_to_them(services, user: User, login):
    me = await login("estimator")
    first = await make_project(services, me, "Main St Pylon")
    await make_project(services, me, "Harbor Monument", customer="Harbor Bank")

    await user.open("/projects")

    await user.should_see("2 projects")
    assert names(user) == ["Harbor Monument", "Main St Pylon"]
    row = table_rows(user)[1]
    assert row["href"] == f"/projects/{first.project_id}"
    assert row["owner"] == "estimator@signx.test" and row["status"] == "draft"


async def test_the_status_filter_narrows_the_list_and_is_kept_in_the_url(services, user: User, login):
    me = await login("estimator")
    for name in ("Alpha Pylon", "Bravo Pylon", "Charlie Cabinet"):
        await make_project(services, me, name)
    moved = await save_passing_design(services, me, await make_project(services, me, "Delta Monument"))
    await services.projects.transition(me, moved.project_id, Status.estimating, if_match=moved.etag)
    await user.open("/projects")
    urls = capture_urls(user)

    user.find(marker="status-filter").click()
    user.find("Estimating").click()

    await eventually(lambda: names(user) == ["Delta Monument"], what="filtered rows")
    await user.should_see("1 project")
    assert urls[-1] == "/projects?status=estimating"

    # The shared or reloaded link shows the same view.
    await user.open(urls[-1])
    await user.should_see(kind=ui.select, content="Estimating")
    assert names(user) == ["Delta Monument"]


async def test_the_search_box_filters_by_text_and_is_kept_in_the_url(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Main St Pylon", customer="Acme Fuel")
    await make_project(services, me, "Harbor Monument", customer="Harbor Bank")
    await user.open("/projects")
    urls = capture_urls(user)

    user.find(marker="search").type("harb")

    await eventually(lambda: names(user) == ["Harbor Monument"], what="search results")
    assert urls[-1] == "/projects?q=harb"

    user.find(marker="search").clear().type("no such sign")
    await user.should_see("No projects match these filters.", retries=20)
    assert urls[-1] == "/projects?q=no+such+sign"


async def test_paging_and_sorting_happen_on_the_server_and_land_in_the_url(services, user: User, login):
    me = await login("estimator")
    for i in range(30):
        await make_project(services, me, f"Sign {i:02d}")
    await user.open("/projects")
    urls = capture_urls(user)
    assert len(table_rows(user)) == 25  # the default page size
    await user.should_see("30 projects")
    (table,) = user.find(marker="projects-table").elements
    assert table.pagination["rowsNumber"] == 30

    user.find(ui.table).trigger("request", {"pagination": {**table.pagination, "page": 2}, "filter": None})
    await eventually(lambda: len(table_rows(user)) == 5, what="page 2")
    assert names(user) == [f"Sign {i:02d}" for i in range(4, -1, -1)]
    assert urls[-1] == "/projects?page=2"

    by_name = {"page": 1, "rowsPerPage": 10, "sortBy": "name", "descending": False, "rowsNumber": 30}
    user.find(ui.table).trigger("request", {"pagination": by_name})
    await eventually(lambda: names(user)[:1] == ["Sign 00"], what="sorted by name")
    assert names(user) == [f"Sign {i:02d}" for i in range(10)]
    assert urls[-1] == "/projects?sort=name&per_page=10"

    await user.open("/projects?page=3&sort=name&per_page=10")
    assert names(user) == [f"Sign {i:02d}" for i in range(20, 30)]


async def test_the_new_project_dialog_shows_field_errors_then_creates_and_opens_the_project(
    services, user: User, login
):
    await login("estimator")
    await user.open("/projects")
    user.find(marker="new-project").click()
    await user.should_see(marker="new-project-dialog")

    user.find(marker="new-account_id").type("ACME 01!")
    user.find(marker="new-create").click()

    await user.should_see(marker="new-name", content="Required")
    await user.should_see(marker="new-account_id", content="Only letters, digits, dot, underscore and dash")
    assert (await services.projects.search(ListView().service_query())).total == 0

    user.find(marker="new-name").type("Elm St Pylon")
    user.find(marker="new-account_id").clear().type("ACME-01")
    user.find(marker="new-customer").type("Acme Fuel")
    user.find(marker="new-site_address").type("12 Elm St")
    user.find(marker="new-description").type("Double-faced pylon, 8 m")
    user.find(marker="new-create").click()

    await user.should_see(marker="project-name", content="Elm St Pylon", retries=40)
    page = await services.projects.search(ListView().service_query())
    (created,) = page.items
    assert (created.name, created.account_id, created.customer, created.site_address) == (
        "Elm St Pylon",
        "ACME-01",
        "Acme Fuel",
        "12 Elm St",
    )
    assert created.description == "Double-faced pylon, 8 m"


async def test_cancel_closes_the_new_project_dialog(services, user: User, login):
    await login("manager")
    await user.open("/projects")
    user.find(marker="new-project").click()
    await user.should_see(marker="new-project-dialog")
    user.find(marker="new-cancel").click()
    await user.should_not_see(marker="new-project-dialog")


async def test_roles_that_cannot_create_projects_see_no_new_button(services, user: User, login):
    estimator, _ = await new_user(services, "estimator", "eve@signx.test")
    await make_project(services, estimator, "Main St Pylon")
    await login("ops")
    await user.open("/projects")
    assert names(user) == ["Main St Pylon"]  # ops may view
    await user.should_not_see(marker="new-project")


async def test_a_hand_edited_url_with_bad_values_still_shows_a_list(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Main St Pylon")
    await user.open("/projects?status=bogus&page=-4&sort=password&per_page=9999")
    assert names(user) == ["Main St Pylon"]
    await user.open("/projects?page=7")  # past the end: the last page instead
    assert names(user) == ["Main St Pylon"]


def test_list_view_round_trips_through_the_query_string():
    view = ListView(q="main st", status="submitted", page=3, per_page=50, sort="name")
    params = dict(part.split("=") for part in view.query_string().split("&"))
    assert params == {"q": "main+st", "status": "submitted", "page": "3", "sort": "name", "per_page": "50"}
    assert ListView.from_query({"q": "main st", **{k: v for k, v in params.items() if k != "q"}}) == view
    assert ListView().url() == "/projects"
