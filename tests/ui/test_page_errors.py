"""Bad links and failing pages: the app's own pages, never an exception, a message or SQL."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from nicegui import ui
from nicegui.testing import User
from ui_helpers import capture_urls, make_project, names

from domain.paging import MAX_OFFSET
from pages.listing import ListView, clean_search, page_number

# What the 500 pages showed: the exception's class and message, the SQL and its parameters.
LEAKS = ("Traceback", "Error:", "Exception", "SELECT ", "password_hash", "asyncpg", "sqlalchemy", "pydantic")


def assert_no_internals(body: str) -> None:
    found = [word for word in LEAKS if word in body]
    assert not found, f"the page shows internals: {found}"


@pytest.mark.parametrize(
    "path",
    [
        "/projects?q=%00",
        "/projects?q=pylon%00%1b",
        "/projects?page=99999999999999999999",
        "/projects?page=1" + "0" * 5000,
        "/projects?per_page=99999999999999999999",
        "/users?page=99999999999999999999",
        "/users?q=%00",
    ],
)
async def test_hand_made_query_strings_show_a_list_not_an_error(services, user: User, login, path: str):
    await login("admin")

    response = await user.http_client.get(path)

    assert response.status_code == 200
    assert_no_internals(response.text)


async def test_control_characters_in_the_search_are_dropped_and_the_person_is_told(
    services, user: User, login
):
    me = await login("estimator")
    await make_project(services, me, "Main St Pylon")
    await make_project(services, me, "Harbor Monument")
    urls = capture_urls(user)

    await user.open("/projects?q=pyl%00on")

    await user.should_see(marker="search-note")
    await user.should_see("Control characters (such as tabs or NUL) were removed from the search text.")
    assert names(user) == ["Main St Pylon"]
    assert urls[-1] == "/projects?q=pylon"

    await user.open("/projects?q=pylon")
    await user.should_not_see(marker="search-note")


async def test_a_page_past_the_end_shows_the_last_page_and_the_url_says_so(services, user: User, login):
    me = await login("estimator")
    for i in range(12):
        await make_project(services, me, f"Pylon {i:02d}")
    urls = capture_urls(user)

    await user.open("/projects?page=999&per_page=10")

    await user.should_see("12 projects")
    assert names(user) == ["Pylon 01", "Pylon 00"]
    assert urls[-1] == "/projects?page=2&per_page=10"

    await user.open("/projects?page=99999999999999999999")
    assert names(user)[0] == "Pylon 11"
    assert urls[-1] == "/projects"


async def test_a_users_page_past_the_end_shows_the_last_page_and_the_url_says_so(services, user: User, login):
    await login("admin")
    urls = capture_urls(user)

    await user.open("/users?page=99999999999999999999")

    await user.should_see("admin@signx.test")
    assert urls[-1] == "/users"


async def test_an_unknown_address_shows_the_frame_with_a_friendly_message(services, user: User, login):
    me = await login("estimator")

    response = await user.http_client.get("/no/such/page")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert me.email in response.text  # the header of a signed-in page
    assert_no_internals(response.text)
    # No bare status code in what the person reads (asset addresses carry hashes that may hold
    # any digits: they are left out).
    body = re.sub(r"/_nicegui/[^\"']*", "", response.text.split("<body", 1)[1])
    assert "404" not in body.replace('"status": 404', "")


async def test_an_unknown_address_signed_out_goes_to_the_login(services, user: User):
    response = await user.http_client.get("/no/such/page")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?redirect_to=%2Fno%2Fsuch%2Fpage"


async def test_the_api_keeps_its_json_not_found(services, user: User):
    # Outside /v1, so no API key is needed to learn that nothing is there.
    response = await user.http_client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


async def test_a_failing_page_shows_a_generic_message_with_the_request_id_and_logs_the_details(
    services, user: User, login, caplog: pytest.LogCaptureFixture
):
    @ui.page("/failing-probe")
    def failing() -> None:
        ui.label("half a page")
        raise RuntimeError("SELECT users.password_hash FROM users WHERE secret")

    await login("estimator")
    caplog.set_level(logging.ERROR, logger="signx.pages")

    response = await user.http_client.get("/failing-probe", headers={"X-Request-ID": "probe-1234"})

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "probe-1234" in response.text
    assert "half a page" not in response.text
    assert_no_internals(response.text)
    (record,) = [r for r in caplog.records if r.name == "signx.pages"]
    assert record.exc_info is not None and "password_hash" in str(record.exc_info[1])
    assert record.path == "/failing-probe"  # type: ignore[attr-defined]
    await asyncio.sleep(0.1)  # NiceGUI logs the exception too, partly from a background task
    caplog.clear()  # these ERROR lines are what this test expects, not a failure of it


def test_page_numbers_from_links_are_clamped_and_tolerant():
    assert page_number("99999999999999999999", 25) == MAX_OFFSET // 25 + 1
    assert page_number("99999999999999999999", 100) == MAX_OFFSET // 100 + 1
    assert page_number("1" + "0" * 5000, 25) == 1  # too long for int(): unreadable, so page 1
    assert page_number("-4", 25) == page_number("0", 25) == page_number("x", 25) == page_number(None, 25) == 1
    assert page_number(7, 25) == 7
    assert ListView.from_query({"page": "99999999999999999999"}).page == MAX_OFFSET // 25 + 1
    assert ListView.from_query({"page": "99999999999999999999", "per_page": "100"}).page == 1001
    assert ListView().with_pagination({"page": 10**30, "rowsPerPage": "x"}).page == MAX_OFFSET // 25 + 1


def test_search_text_loses_control_characters_and_says_so():
    assert clean_search("  pyl\x00on\t ") == ("pylon", True)
    assert clean_search("Main St") == ("Main St", False)
    assert clean_search(None) == ("", False)
    assert clean_search("x" * 500)[0] == "x" * 200
