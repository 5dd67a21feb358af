"""/search as a person uses it: type, see highlighted results, pick a facet, the URL follows,
a reload keeps the view, save the search, export."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx
from nicegui import app, ui
from nicegui.testing import User
from ui_helpers import capture_urls, eventually, make_project

from domain.search.schemas import Segment
from pages.search_state import SearchView, highlight_html


def hit_names(user: User) -> list[str]:
    """The results' name markup in page order (``user.find`` gives a set)."""
    return [e.content for e in user.client.layout.descendants() if "hit-name" in e._markers]


async def test_typing_shows_ranked_highlighted_results_and_the_url_follows(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Harbor Pylon", customer="Acme")
    await make_project(services, me, "Other sign", customer="Harbor Foods")
    await make_project(services, me, "Unrelated")
    await user.open("/search")
    urls = capture_urls(user)
    await user.should_see("3 results")  # no words yet: every project, newest first

    user.find(marker="search-box").type("harb")

    await eventually(lambda: len(hit_names(user)) == 2, what="two results")
    html = hit_names(user)
    assert "<mark>Harbor</mark> Pylon" in html[0]  # the name match ranks first
    await user.should_see("2 results")
    assert urls[-1] == "/search?q=harb"
    customer = [e.content for e in user.find(marker="hit-customer").elements]
    assert "<mark>Harbor</mark> Foods" in customer


def described(user: User) -> list[Any]:
    """The cards' description elements (``ui.html``), shown or not."""
    return [e for e in user.client.layout.descendants() if "hit-description" in e._markers]


def hit_name_ids(user: User) -> list[int]:
    return [e.id for e in user.client.layout.descendants() if "hit-name" in e._markers]


async def test_typing_updates_the_result_cards_in_place(services, user: User, login):
    """An answer fills the cards already on the page (the same elements, new texts) and removes
    only the ones it does not need: the browser patches texts instead of mounting new cards."""
    me = await login("estimator")
    await make_project(services, me, "Harbor Pylon", customer="Zed")
    await make_project(services, me, "Harbor Monument", customer="Zed")
    await make_project(services, me, "Unrelated", customer="Zed", description="Old words")
    await user.open("/search")
    await user.should_see("3 results")
    before = hit_name_ids(user)
    # The newest first: "Unrelated", the one with a description.
    assert [(e.visible, e.content) for e in described(user)] == [
        (True, "Old words"),
        (False, ""),
        (False, ""),
    ]

    user.find(marker="search-box").type("harb")

    await eventually(lambda: len(hit_names(user)) == 2, what="two results")
    assert hit_name_ids(user) == before[:2]
    assert all("<mark>Harbor</mark>" in html for html in hit_names(user))
    # The first card showed a description; its new hit has none: hidden and emptied, so no
    # stale text stays behind in the page.
    assert [(e.visible, e.content) for e in described(user)] == [(False, ""), (False, "")]


def spinning(user: User) -> bool:
    return any(e.visible for e in user.client.layout.descendants() if "search-loading" in e._markers)


def facets_busy(user: User) -> bool:
    """Whether the facet panel says it is still counting (``aria-busy``)."""
    return any(e.props.get("aria-busy") for e in user.client.layout.descendants())


async def test_the_results_come_first_and_the_facets_follow_for_the_same_search(
    services, user: User, login, monkeypatch
):
    """Typed text is searched without the facets, shown, and then its facets are counted (the
    panel dimmed and busy meanwhile); another order of the same search counts nothing again."""
    me = await login("estimator")
    await make_project(services, me, "Harbor Pylon", account_id="ACC-H")
    await make_project(services, me, "Unrelated", account_id="ACC-U")
    await user.open("/search")
    await user.should_see("ACC-U (1)")
    asked: list[tuple[str, bool]] = []
    counting = asyncio.Event()
    real = app.state.services.search.search

    async def search(actor: Any, query: Any) -> Any:
        asked.append((query.q, query.facets))
        if query.facets:
            await counting.wait()  # the results are on the page before the counts
        return await real(actor, query)

    monkeypatch.setattr(app.state.services.search, "search", search)

    user.find(marker="search-box").type("harb")

    await user.should_see("1 result")
    assert facets_busy(user)
    await user.should_see("ACC-U (1)")  # the previous counts, dimmed, until counted
    counting.set()
    await eventually(lambda: not facets_busy(user), what="the facets counted")
    await user.should_not_see("ACC-U (1)")
    await user.should_see("ACC-H (1)")
    assert asked == [("harb", False), ("harb", True)]

    sort = user.find(marker="search-sort").elements.pop()
    sort.set_value("newest")  # the same matches: the same counts, not counted again

    await eventually(lambda: len(asked) == 3, what="the search in the new order")
    await asyncio.sleep(0.2)
    assert asked == [("harb", False), ("harb", True), ("harb", False)]
    assert not facets_busy(user)
    await user.should_see("ACC-H (1)")


async def test_more_typing_cancels_the_count_of_the_older_texts_facets(
    services, user: User, login, monkeypatch
):
    """A key typed while the facets of the text before are counted stops that count (its query
    is cancelled, not left to compete with the new search) and counts the new text's."""
    me = await login("estimator")
    await make_project(services, me, "Harbor Pylon", account_id="ACC-H")
    await make_project(services, me, "Harbor Monument", account_id="ACC-M")
    await user.open("/search")
    await user.should_see("2 results")
    asked: list[tuple[str, bool]] = []
    cancelled: list[str] = []
    real = app.state.services.search.search

    async def search(actor: Any, query: Any) -> Any:
        asked.append((query.q, query.facets))
        if query.facets and query.q == "harb":
            try:
                await asyncio.sleep(30)  # a long count
            except asyncio.CancelledError:
                cancelled.append(query.q)
                raise
        return await real(actor, query)

    monkeypatch.setattr(app.state.services.search, "search", search)
    box = user.find(marker="search-box")
    box.type("harb")
    await eventually(lambda: ("harb", True) in asked, what="the facets of harb being counted")
    assert facets_busy(user)

    box.type("or pyl")

    await user.should_see("1 result")
    await eventually(lambda: not facets_busy(user), what="the facets counted")
    assert cancelled == ["harb"]
    await user.should_see("ACC-H (1)")
    await user.should_not_see("ACC-M (1)")
    assert asked == [("harb", False), ("harb", True), ("harbor pyl", False), ("harbor pyl", True)]


async def test_a_stale_answer_never_replaces_the_newer_ones(services, user: User, login, monkeypatch):
    """Keys typed while a search runs are searched when it ends; the answer to the older text
    is dropped (no results, no address, no facets of it), whatever order they arrive in."""
    me = await login("estimator")
    await make_project(services, me, "Harbor Pylon", account_id="ACC-H")
    await make_project(services, me, "Unrelated", account_id="ACC-U")
    await user.open("/search")
    urls = capture_urls(user)
    await user.should_see("2 results")
    asked: list[tuple[str, bool]] = []
    release = asyncio.Event()
    real = app.state.services.search.search

    async def search(actor: Any, query: Any) -> Any:
        asked.append((query.q, query.facets))
        answer = await real(actor, query)
        if query.q == "harb":
            await release.wait()  # "harb" answers late: after more keys were typed
        return answer

    monkeypatch.setattr(app.state.services.search, "search", search)
    box = user.find(marker="search-box")

    box.type("harb")
    await eventually(lambda: asked == [("harb", False)], what="the first search running")
    await eventually(lambda: spinning(user), what="the spinner of a slow search")
    box.clear().type("unr")
    box.type("el")  # two more keystrokes while "harb" runs: one search of what the box holds
    await asyncio.sleep(0.2)
    assert asked == [("harb", False)]  # one search at a time
    release.set()

    await user.should_see("1 result")
    assert not spinning(user)
    await eventually(lambda: not facets_busy(user), what="the facets counted")
    assert ["<mark>Unrelated</mark>" in html for html in hit_names(user)] == [True]
    await user.should_see("ACC-U (1)")
    await user.should_not_see("ACC-H (1)")
    assert asked == [("harb", False), ("unrel", False), ("unrel", True)]
    assert urls == ["/search?q=unrel"]


async def test_the_next_page_is_read_by_key_and_the_url_says_which_page(services, user: User, login):
    me = await login("estimator")
    for i in range(25):
        await make_project(services, me, f"Depot {i:02d}")
    await user.open("/search?q=depot&sort=name")
    urls = capture_urls(user)
    await user.should_see("25 results")
    assert len(hit_names(user)) == 20 and "<mark>Depot</mark> 00" in hit_names(user)[0]

    pages = user.find(marker="search-pages").elements.pop()
    pages.set_value(2)

    await eventually(lambda: len(hit_names(user)) == 5, what="the second page")
    assert ["<mark>Depot</mark> 2" in html for html in hit_names(user)] == [True] * 5
    assert urls[-1] == "/search?q=depot&sort=name&page=2"
    await user.should_see("25 results")  # the count and the facets stay
    await user.should_see("ACME-01 (25)")


async def test_a_facet_narrows_the_results_and_a_reload_keeps_the_view(services, user: User, login):
    me = await login("manager")
    await make_project(services, me, "Depot A", account_id="ACC-A")
    await make_project(services, me, "Depot B", account_id="ACC-B")
    await user.open("/search?q=depot")
    urls = capture_urls(user)
    await user.should_see("2 results")
    await user.should_see("ACC-A (1)")

    user.find(marker="facet-account-ACC-B").click()

    await eventually(lambda: len(hit_names(user)) == 1, what="narrowed results")
    assert "<mark>Depot</mark> B</a>" in hit_names(user)[0]
    assert urls[-1] == "/search?q=depot&account_id=ACC-B"

    await user.open(urls[-1])
    await user.should_see("1 result")
    assert "<mark>Depot</mark> B</a>" in hit_names(user)[0]
    await user.should_see(kind=ui.input, content="depot")


async def test_hand_edited_links_are_read_tolerantly(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Depot A")
    await user.open("/search?q=depot&poles=7&created_from=yesterday&sort=sideways&page=999999999999999999999")
    await user.should_see("1 result")
    await user.should_see(marker="search-sort", content="Relevance")


async def test_no_match_says_so_and_a_typo_suggests_the_spelling(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Riverside Pylon")
    await user.open("/search?q=riversde")
    await user.should_see("No exact matches; showing similar words.")
    await user.should_see(marker="search-suggestion", content="riverside")
    await user.open("/search?q=zzqqxx")
    await user.should_see("No projects match.")


async def test_save_a_search_and_find_it_listed(services, user: User, login):
    me = await login("estimator")
    await make_project(services, me, "Depot A")
    await user.open("/search?q=depot&sort=name")
    user.find(marker="saved-name").type("My depots")
    user.find(marker="saved-save").click()
    await user.should_see(marker="saved-My depots")
    saved = await services.search.saved(me)
    assert [(s.name, s.url) for s in saved] == [("My depots", "/search?q=depot&sort=name")]
    # Another user does not see it.
    await user.open("/logout")
    other = await login("manager", "other@signx.test")
    await user.open("/search")
    await user.should_not_see(marker="saved-My depots")
    assert await services.search.saved(other) == []


async def test_the_export_link_downloads_every_match_for_the_signed_in_browser(services, user: User, login):
    me = await login("estimator")
    for i in range(30):
        await make_project(services, me, f"Depot {i}")
    await user.open("/search?q=depot")
    link = user.find(marker="search-export").elements.pop()
    assert link.props["href"] == "/search/export.csv?q=depot"
    # The simulated browser cannot download: fetch the link with this browser's session cookie.
    from nicegui import app

    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        signed_out = await client.get("/search/export.csv?q=depot")
        assert signed_out.status_code in (303, 307)  # to the login page
    rows = [r async for r in services.search.export(me, SearchView.from_query({"q": "depot"}).query())]
    assert len(rows) == 31


def test_highlights_escape_everything_but_the_marks():
    html = highlight_html([Segment(text="<img onerror=x>", match=False), Segment(text="Harbor&", match=True)])
    assert html == "&lt;img onerror=x&gt;<mark>Harbor&amp;</mark>"


def test_the_view_round_trips_and_drops_what_it_cannot_read():
    view = SearchView.from_query(
        {
            "q": " depot ",
            "account_id": "ACC-1",
            "poles": "7",
            "wind_min": "120",
            "wind_max": "calm",  # not a number: dropped
            "page": "3",
        }
    )
    assert view.filters == {"account_id": "ACC-1", "wind_min": "120"}
    assert view.url() == "/search?q=depot&account_id=ACC-1&wind_min=120&page=3"
    assert SearchView.from_query(dict(p.split("=") for p in view.url().split("?")[1].split("&"))) == view
    chosen = view.toggled({"wind_min": "140", "wind_max": "160"}, False)
    assert (
        chosen.filters == {"account_id": "ACC-1", "wind_min": "140", "wind_max": "160"} and chosen.page == 1
    )
    assert chosen.toggled({"wind_min": "140", "wind_max": "160"}, True).filters == {"account_id": "ACC-1"}
    assert SearchView.from_query({"page": "99999999999999999999999"}).page == 501
    assert view.export_url() == "/search/export.csv?q=depot&account_id=ACC-1&wind_min=120"
    assert list(csv.reader(io.StringIO("a,b"))) == [["a", "b"]]
