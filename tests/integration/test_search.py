"""The search service on a real PostgreSQL: ranking, prefixes, accents, the typo fallback, facets
and their counts, the capped total, CSV export, saved searches, escaping."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.errors import Forbidden, NotFound
from domain.orm import utcnow
from domain.projects import repository as projects_repo
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate, ProjectQuery
from domain.search import repository as repo
from domain.search.matching import text_clauses
from domain.search.postgres import PostgresSearch
from domain.search.schemas import SEARCH_CAP, SavedSearchIn, SearchFilters, SearchQuery, SearchSort
from infra.db import Database
from infra.uow import SqlUnitOfWork
from tests.designs import save_passing_design


@pytest.fixture
async def estimator(services):
    creds = await services.users.create("est@example.com", "estimator")
    return await services.users.authenticate_api_key(creds.api_key)


async def make(services, actor, name, **fields):
    return await services.projects.create(
        actor, ProjectCreate(name=name, account_id=fields.pop("account_id", "ACC-1"), **fields)
    )


async def found(services, actor, q, **params):
    return await services.search.search(actor, SearchQuery(q=q, **params))


def names(result):
    return [h.name for h in result.items]


async def test_ranking_weights_name_over_customer_over_address_over_description(services, estimator):
    """The same word in the name, the customer, the address and the description (created in the
    reverse order, so newest-first would give the opposite) ranks in that order."""
    await make(services, estimator, "In description", description="Repaint the harbor sign")
    await make(services, estimator, "In address", site_address="1 Harbor Road")
    await make(services, estimator, "In customer", customer="Harbor Foods")
    await make(services, estimator, "Harbor pylon")
    await make(services, estimator, "Unrelated", description="nothing here")
    result = await found(services, estimator, "harbor")
    assert names(result) == ["Harbor pylon", "In customer", "In address", "In description"]
    assert result.total == 4 and result.total_exact
    ranks = [h.rank for h in result.items]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]


async def test_last_word_is_a_prefix_and_every_word_must_match(services, estimator):
    await make(services, estimator, "Harbor Pylon")
    await make(services, estimator, "Harbor Monument")
    assert sorted(names(await found(services, estimator, "harb"))) == ["Harbor Monument", "Harbor Pylon"]
    assert names(await found(services, estimator, "harbor pyl")) == ["Harbor Pylon"]
    # Only the last word is a prefix: "harb" alone in front is not a word of either name, and
    # the typo fallback answers (marked fuzzy) rather than an exact match.
    assert (await found(services, estimator, "harb pylon")).fuzzy


async def test_accents_and_case_are_ignored_both_ways(services, estimator):
    await make(services, estimator, "Café Münchën Sign", customer="Øresund Łódź")
    for q in ("cafe munchen", "CAFÉ", "MUNCHEN", "oresund lodz", "café münchën"):
        assert names(await found(services, estimator, q)) == ["Café Münchën Sign"], q
    await make(services, estimator, "Cafe Plain")
    assert sorted(names(await found(services, estimator, "café"))) == ["Cafe Plain", "Café Münchën Sign"]


async def test_highlights_mark_the_matched_words_as_plain_text(services, estimator):
    await make(
        services,
        estimator,
        "<b>Harbor</b> Pylon",
        customer="Harbour & Sons",
        description="x " * 200 + "the harbor sign is here " + "y " * 200,
    )
    hit = (await found(services, estimator, "harbor")).items[0]
    assert [(s.text, s.match) for s in hit.highlights["name"]] == [
        ("<b>", False),
        ("Harbor", True),
        ("</b> Pylon", False),
    ]
    # The description is a snippet around its first match, cut with ellipses.
    snippet = hit.highlights["description"]
    joined = "".join(s.text for s in snippet)
    assert joined.startswith("…") and joined.endswith("…") and len(joined) <= 162
    assert [s.text for s in snippet if s.match] == ["harbor"]
    assert not any(s.match for s in hit.highlights["customer"])  # "harbour" is another word


async def test_typo_falls_back_to_similar_words_and_suggests_the_spelling(services, estimator):
    await make(services, estimator, "Riverside Pylon")
    await make(services, estimator, "Riverside Monument")
    await make(services, estimator, "Downtown Banner")
    result = await found(services, estimator, "riversde")
    assert result.fuzzy and result.suggestion == "riverside"
    assert sorted(names(result)) == ["Riverside Monument", "Riverside Pylon"]
    assert [s.text for s in result.items[0].highlights["name"] if s.match] == ["Riverside"]
    exact = await found(services, estimator, "riverside")
    assert not exact.fuzzy and exact.suggestion is None and exact.total == 2
    nothing = await found(services, estimator, "zzqqxx")
    assert nothing.total == 0 and nothing.items == [] and nothing.suggestion is None


async def test_like_wildcards_are_literal(services, estimator):
    await make(services, estimator, "Pole at 100% scale")
    await make(services, estimator, "Sign q_z")
    await make(services, estimator, "Sign qxz")
    assert names(await found(services, estimator, "%")) == ["Pole at 100% scale"]
    assert names(await found(services, estimator, "_")) == ["Sign q_z"]
    assert (await found(services, estimator, "%%%")).total == 0


def facet(result, name):
    return {b.value: b.count for b in next(f for f in result.facets if f.name == name).buckets}


async def test_facets_count_the_matches_and_a_selected_facet_narrows_the_others(
    services, estimator, manager_actor
):
    a = await make(services, estimator, "Depot pylon A", account_id="ACC-A", customer="Depot Inc")
    b = await make(services, estimator, "Depot pylon B", account_id="ACC-B", customer="Depot Inc")
    await make(services, manager_actor, "Depot pylon C", account_id="ACC-A", customer="Other Co")
    await make(services, estimator, "Elsewhere", account_id="ACC-A")
    await save_passing_design(services, estimator, a)
    await save_passing_design(services, estimator, b)

    result = await found(services, estimator, "depot")
    assert result.total == 3
    assert facet(result, "status") == {"draft": 3}
    assert facet(result, "account") == {"ACC-A": 2, "ACC-B": 1}
    assert facet(result, "customer") == {"Depot Inc": 2, "Other Co": 1}
    owners = next(f for f in result.facets if f.name == "owner")
    assert {b.label: b.count for b in owners.buckets} == {"est@example.com": 2, "mgr@example.com": 1}
    assert facet(result, "mount") == {"direct_burial": 2}
    assert facet(result, "poles") == {"1": 2}
    # The worked example: 115 mph, $15,082.10 (README), saved today.
    assert facet(result, "wind") == {"lt100": 0, "100-120": 2, "120-140": 0, "140-160": 0, "ge160": 0}
    assert facet(result, "price") == {"lt10k": 0, "10k-25k": 2, "25k-50k": 0, "50k-100k": 0, "ge100k": 0}
    assert facet(result, "created") == {"7d": 3, "30d": 3, "365d": 3, "older": 0}

    # Choosing account ACC-A narrows the results and every other facet's counts.
    narrowed = await found(services, estimator, "depot", account_id="ACC-A")
    assert sorted(names(narrowed)) == ["Depot pylon A", "Depot pylon C"]
    assert facet(narrowed, "customer") == {"Depot Inc": 1, "Other Co": 1}
    assert facet(narrowed, "mount") == {"direct_burial": 1}
    selected = [b for b in next(f for f in narrowed.facets if f.name == "account").buckets if b.selected]
    assert [b.value for b in selected] == ["ACC-A"]
    # A range bucket's parameters filter to exactly its count.
    bucket = next(b for b in next(f for f in result.facets if f.name == "price").buckets if b.count)
    priced = await services.search.search(estimator, SearchQuery(q="depot", **bucket.params))
    assert priced.total == 2 and all(h.design.total == Decimal("15082.10") for h in priced.items)
    assert (await found(services, estimator, "depot", mount="base_plate")).total == 0
    assert (await found(services, estimator, "depot", poles=1, wind_min=110, wind_max=120)).total == 2


@pytest.fixture
async def manager_actor(services):
    creds = await services.users.create("mgr@example.com", "manager")
    return await services.users.authenticate_api_key(creds.api_key)


async def test_the_design_headline_on_the_project_follows_the_latest_revision(services, estimator):
    project = await make(services, estimator, "Headline sign")
    assert (await found(services, estimator, "pipe10std")).total == 0
    await save_passing_design(services, estimator, project)
    hit = (await found(services, estimator, "headline")).items[0]
    assert hit.design.section == "Pipe10STD" and hit.design.cabinets == "12x6"
    assert hit.design.mount == "direct_burial" and hit.design.pole_count == 1
    assert hit.design.wind_mph == 115.0 and hit.design.total == Decimal("15082.10")
    # The headline is in the document (weight D): the section and the cabinet size are words.
    assert names(await found(services, estimator, "pipe10std")) == ["Headline sign"]
    assert names(await found(services, estimator, "12x6")) == ["Headline sign"]
    assert [s.text for s in hit.highlights["design"]] == ["Pipe10STD · cabinets 12x6"]


async def test_sorts_and_paging(services, estimator):
    for n in ("Charlie sign", "Alpha sign", "Bravo sign"):
        await make(services, estimator, n)
    assert names(await found(services, estimator, "sign", sort="name")) == [
        "Alpha sign",
        "Bravo sign",
        "Charlie sign",
    ]
    newest = names(await found(services, estimator, "sign", sort="newest"))
    assert newest == ["Bravo sign", "Alpha sign", "Charlie sign"]
    assert names(await found(services, estimator, "sign", sort="oldest")) == newest[::-1]
    page2 = await found(services, estimator, "sign", sort="newest", limit=2, offset=2)
    assert names(page2) == ["Charlie sign"] and page2.total == 3


async def test_price_sort_puts_projects_without_a_design_last(services, estimator):
    priced = await make(services, estimator, "Priced sign")
    await save_passing_design(services, estimator, priced)
    await make(services, estimator, "Unpriced sign")
    for sort in (SearchSort.price_high, SearchSort.price_low):
        assert names(await found(services, estimator, "sign", sort=sort)) == ["Priced sign", "Unpriced sign"]


async def bulk_projects(servers, owner_id: str, count: int, *, name: str = "Bulk pylon") -> None:
    """``count`` projects in one INSERT (the services would take minutes for thousands)."""
    engine = create_async_engine(servers["database_url"])
    now = utcnow()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO projects (project_id, account_id, name, customer, description, site_address,"
                " status, revision, etag, owner_id, created_at, created_by, updated_at, updated_by) "
                "SELECT gen_random_uuid(), 'ACC-' || (i % 7), :name || ' ' || i, 'Bulk Co', '', '',"
                " 'draft', 1, 'e', :owner, CAST(:now AS timestamptz) - i * interval '1 second', :owner,"
                " CAST(:now AS timestamptz), :owner "
                "FROM generate_series(1, :count) AS i"
            ),
            {"name": name, "owner": uuid.UUID(owner_id), "now": now, "count": count},
        )
    await engine.dispose()


async def test_totals_are_exact_up_to_the_cap_and_a_lower_bound_beyond(services, servers, estimator):
    await bulk_projects(servers, estimator.user_id, SEARCH_CAP + 5)
    result = await found(services, estimator, "bulk", limit=5)
    assert (result.total, result.total_exact) == (SEARCH_CAP, False)
    assert sum(facet(result, "account").values()) == SEARCH_CAP + 1  # over the capped candidates
    listed = await services.projects.search(ProjectQuery(limit=5))
    assert (listed.total, listed.total_exact) == (SEARCH_CAP, False)
    narrowed = await found(services, estimator, "bulk 1000")  # "1000" and 10000-10005 as prefixes
    assert narrowed.total_exact and narrowed.total == 7
    # The deepest page a search serves, from either end.
    deep = await found(services, estimator, "bulk", sort="oldest", limit=5, offset=SEARCH_CAP)
    assert [h.name for h in deep.items] == [f"Bulk pylon {i}" for i in range(5, 0, -1)]
    newest = await found(services, estimator, "bulk", sort="newest", limit=5, offset=SEARCH_CAP)
    assert [h.name for h in newest.items] == [f"Bulk pylon {i}" for i in range(10_001, 10_006)]
    assert (newest.total, newest.total_exact) == (SEARCH_CAP, False)


async def test_beyond_the_cap_facets_count_the_newest_matches_whatever_the_sort(services, servers, estimator):
    """Past 10,000 matches the facets count the newest 10,001 (what the page says), not whichever
    rows a scan met first: three old projects, stored first, are not among them."""
    for n in range(3):
        old = await make(services, estimator, f"Bulk pylon old {n}", account_id="ACC-OLD")
        await _age(servers, old.project_id, days=400)
    await bulk_projects(servers, estimator.user_id, SEARCH_CAP + 1)
    for sort in SearchSort:
        result = await found(services, estimator, "bulk", sort=sort, limit=1)
        assert "ACC-OLD" not in facet(result, "account"), sort
        assert sum(facet(result, "account").values()) == SEARCH_CAP + 1, sort
        assert facet(result, "created")["older"] == 0, sort
    # Narrowed to the old ones, they are all there is.
    assert (await found(services, estimator, "bulk", account_id="ACC-OLD")).total == 3


async def _age(servers, project_id: str, *, days: int) -> None:
    engine = create_async_engine(servers["database_url"])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE projects SET created_at = created_at - make_interval(days => :d)"
                " WHERE project_id = :p"
            ),
            {"d": days, "p": uuid.UUID(project_id)},
        )
    await engine.dispose()


async def test_every_search_is_planned_for_its_words(services, servers, estimator):
    """asyncpg prepares each statement, and after five runs PostgreSQL may keep a generic plan,
    made without the words (at a million projects the generic plan of the search took 2.3 s for
    "pole", its own 40 ms). The search and the project list's ``q`` ask for a plan per run."""
    for n in range(3):
        await make(services, estimator, f"Harbor pylon {n}", description="poles and cabinet")
    words = ["harbor", "pylon", "pol", "harbor pyl", "cabinet", "zzz", "pylon 1", "har"]
    statement = "%WITH cand AS MATERIALIZED%projects.search @@%"  # the words, not the typo fallback

    async def plans(run) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        """(generic, custom) plans of the statements like ``statement`` after ``run``, on one
        connection (prepared statements belong to their connection)."""
        db = Database(servers["database_url"], pool_size=1, max_overflow=0)
        try:
            await run(db)
            async with db.transaction() as session:
                row = (
                    await session.execute(
                        text(
                            "SELECT sum(generic_plans) AS generic, sum(custom_plans) AS custom "
                            "FROM pg_prepared_statements WHERE statement LIKE :s"
                        ),
                        {"s": statement},
                    )
                ).one()
            return int(row.generic), int(row.custom)
        finally:
            await db.dispose()

    async def bare(db: Database) -> None:  # the statement without asking
        for q in words:
            async with db.transaction() as session:
                await repo.search(
                    session, text_clauses(q, SearchFilters()), sort=SearchSort.relevance, limit=20,
                    offset=0, facets=True, today=utcnow().date(),
                )  # fmt: skip

    async def searched(db: Database) -> None:  # as the search runs it
        index = PostgresSearch(SqlUnitOfWork(db))
        for q in words:
            await index.search(SearchQuery(q=q))

    generic, _ = await plans(bare)
    assert generic > 0  # what PostgreSQL does unasked, on these very rows
    assert await plans(searched) == (0, len(words))

    # The list's statements differ (an ORM query, a count and a page); they run under the same
    # setting, in the transaction of the list's q.
    db = Database(servers["database_url"], pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as session:
            await projects_repo.search(
                session, q="harbor", status=None, account_id=None, sort="-created_at", limit=50, offset=0
            )
            mode = (await session.execute(text("SHOW plan_cache_mode"))).scalar()
    finally:
        await db.dispose()
    assert mode == "force_custom_plan"


def test_offsets_and_limits_are_bounded():
    for bad in ({"offset": SEARCH_CAP + 1}, {"offset": 9223372036854775808}, {"limit": 0}, {"limit": 101}):
        with pytest.raises(ValidationError) as info:
            SearchQuery(**bad)
        assert info.value.errors()[0]["loc"] == (next(iter(bad)),)
    # A reversed range is two valid bounds (it matches nothing; see the API test), not an error.
    assert SearchQuery(wind_min=150, wind_max=100).active()["wind_max"] == 100


async def test_export_streams_every_matching_row_not_a_page(services, servers, estimator):
    await bulk_projects(servers, estimator.user_id, 10_000)
    await make(services, estimator, "=HYPERLINK(evil) pylon", account_id="ACC-X")
    rows = [r async for r in services.search.export(estimator, SearchQuery(q="pylon", limit=1))]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["project_id", "name", "account_id"]
    assert len(body) == 10_001
    assert "'=HYPERLINK(evil) pylon" in [r[1] for r in body]  # not run as a formula
    by_name = [r async for r in services.search.export(estimator, SearchQuery(q="bulk", sort="name"))]
    assert len(by_name) == 10_001 and [r[1] for r in by_name[1:3]] == ["Bulk pylon 1", "Bulk pylon 10"]


async def test_saved_searches_belong_to_their_user(services, estimator, manager_actor):
    first = await services.search.save(estimator, SavedSearchIn(name="Depots", url="/search?q=depot"))
    await services.search.save(estimator, SavedSearchIn(name="Accepted", url="/search?status=accepted"))
    again = await services.search.save(
        estimator, SavedSearchIn(name="Depots", url="/search?q=depot&sort=name")
    )
    assert again.saved_search_id == first.saved_search_id
    mine = await services.search.saved(estimator)
    assert [(s.name, s.url) for s in mine] == [
        ("Accepted", "/search?status=accepted"),
        ("Depots", "/search?q=depot&sort=name"),
    ]
    assert await services.search.saved(manager_actor) == []
    with pytest.raises(NotFound):
        await services.search.delete_saved(manager_actor, first.saved_search_id)
    await services.search.delete_saved(estimator, first.saved_search_id)
    assert [s.name for s in await services.search.saved(estimator)] == ["Accepted"]
    for url in ("https://evil.example/search", "//evil.example/search", "/projects?q=x", "/search\\x"):
        with pytest.raises(ValidationError):
            SavedSearchIn(name="x", url=url)


async def test_a_deactivated_user_cannot_save_searches(services, estimator):
    admin = await services.users.create("adm@example.com", "admin")
    admin_actor = await services.users.authenticate_api_key(admin.api_key)
    await services.users.set_active(admin_actor, estimator.user_id, False)
    with pytest.raises(Forbidden):
        await services.search.save(estimator, SavedSearchIn(name="x", url="/search"))


async def test_date_and_status_filters(services, servers, estimator):
    old = await make(services, estimator, "Old sign")
    await make(services, estimator, "New sign")
    engine = create_async_engine(servers["database_url"])
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE projects SET created_at = created_at - interval '400 days' WHERE project_id = :p"),
            {"p": uuid.UUID(old.project_id)},
        )
    await engine.dispose()
    result = await found(services, estimator, "sign")
    assert facet(result, "created") == {"7d": 1, "30d": 1, "365d": 1, "older": 1}
    created = next(f for f in result.facets if f.name == "created")
    older = next(b for b in created.buckets if b.value == "older")
    assert names(await found(services, estimator, "sign", **older.params)) == ["Old sign"]
    today = utcnow().date()
    recent = await found(services, estimator, "", created_from=today - timedelta(days=1))
    assert names(recent) == ["New sign"]
    assert (await found(services, estimator, "", status=Status.accepted)).total == 0
