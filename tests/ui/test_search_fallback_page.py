"""/search when OpenSearch is configured but not answering: the database answers the same search
and the page says the results may be less fuzzy, instead of failing or going blank.

OpenSearch here is a loopback port where nothing listens (no OpenSearch server can run on these
machines): every request to it is refused, as by a cluster that is down.
"""

from __future__ import annotations

import socket

import pytest
from nicegui.testing import User
from ui_helpers import make_project

from domain.search.results import FALLBACK_NOTICE


@pytest.fixture
def opensearch_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requested before ``user``: app.py reads the setting when the fixture starts it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SIGNX_OPENSEARCH_URL", f"http://127.0.0.1:{port}")


def hit_names(user: User) -> list[str]:
    return [e.content for e in user.client.layout.descendants() if "hit-name" in e._markers]


async def test_a_failed_search_engine_is_answered_for_by_the_database_with_a_notice(
    services, opensearch_down, user: User, login
):
    me = await login("manager")
    await make_project(services, me, "Harbor Pylon")
    await make_project(services, me, "Depot Sign")

    await user.open("/search?q=harb")

    await user.should_see("1 result")
    assert "<mark>Harbor</mark> Pylon" in hit_names(user)[0]
    await user.should_see(marker="search-notice", content=FALLBACK_NOTICE)
    assert "less fuzzy" in FALLBACK_NOTICE


async def test_no_notice_when_postgresql_is_the_search_backend(services, user: User, login):
    me = await login("manager")
    await make_project(services, me, "Harbor Pylon")
    await user.open("/search?q=harb")
    await user.should_see("1 result")
    await user.should_not_see(marker="search-notice")
