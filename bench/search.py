# ruff: noqa: E501  (the word lists are data, one list to a line)
"""Search at scale: load N realistic projects into a fresh embedded PostgreSQL with COPY, then time
the search and the project list through the API (the whole HTTP stack over ASGI, in process), and
keystroke-to-results on the search page in real Chromium.

    python bench/search.py [--projects 1000000] [--runs 40] [--explain] [--series WORDS]
                           [--keystrokes 40] [--data-dir DIR | --database-url URL --redis-url URL]

Prints the machine, load average and time, the load time, then count, p50, p95 and max per
series, and with ``--explain`` the plans of the main statements (EXPLAIN ANALYZE, as the service
runs them). ``--series prefix,deep`` runs only the series whose names contain those words
("keystroke" names the browser series; ``--keystrokes 0`` skips it). Starts its own PostgreSQL and
Redis in a temporary directory and stops them; ``--data-dir DIR`` keeps them in DIR (the first run
loads, later runs measure the same database: the load of a million projects takes minutes);
``--database-url`` measures a database this script loaded before on a server of your own. The browser series starts ``python app.py serve`` on 127.0.0.1 (on the same
database) and stops it by PID; it needs a Chromium binary (skipped without one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("SIGNX_PASSWORD_TIME_COST", "1")
os.environ.setdefault("SIGNX_PASSWORD_MEMORY_KIB", "8")
os.environ.setdefault("SIGNX_PASSWORD_PARALLELISM", "1")

WORDS = {
    "place": [
        "Main",
        "Harbor",
        "River",
        "Lake",
        "Oak",
        "Pine",
        "Maple",
        "Cedar",
        "Elm",
        "Summit",
        "Valley",
        "Canyon",
        "Mesa",
        "Prairie",
        "Bay",
        "Ridge",
        "Meadow",
        "Bridge",
        "Station",
        "Market",
        "Depot",
        "Plaza",
        "Crossing",
        "Junction",
        "Landing",
        "Point",
        "Grove",
        "Park",
        "Hill",
        "Creek",
    ],
    "kind": [
        "Pylon",
        "Monument",
        "Pole",
        "Cabinet",
        "Marquee",
        "Billboard",
        "Directory",
        "Entrance",
        "Canopy",
        "Wayfinding",
    ],
    "brand": [
        "Acme",
        "Zenith",
        "Apex",
        "Summit",
        "Pioneer",
        "Liberty",
        "Horizon",
        "Evergreen",
        "Keystone",
        "Sterling",
        "Cornerstone",
        "Beacon",
        "Frontier",
        "Heritage",
        "Granite",
        "Crescent",
        "Citadel",
        "Meridian",
        "Northstar",
        "Redwood",
        "Café",
        "Müller",
        "Zoë",
    ],
    "trade": [
        "Fuel",
        "Foods",
        "Bank",
        "Motors",
        "Dental",
        "Pharmacy",
        "Hotel",
        "Storage",
        "Fitness",
        "Brewing",
        "Market",
        "Clinic",
    ],
    "street": [
        "Main",
        "Oak",
        "Pine",
        "Maple",
        "Cedar",
        "Elm",
        "Washington",
        "Lincoln",
        "Jefferson",
        "Park",
        "Lake",
        "Hill",
        "Church",
        "Center",
    ],
    "suffix": ["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Hwy"],
    "city": [
        "Springfield",
        "Riverton",
        "Fairview",
        "Franklin",
        "Greenville",
        "Bristol",
        "Clinton",
        "Salem",
        "Madison",
        "Georgetown",
        "Arlington",
        "Ashland",
        "Dover",
        "Milton",
        "Newport",
        "Oxford",
    ],
    "desc": [
        "replace",
        "existing",
        "faces",
        "with",
        "LED",
        "illuminated",
        "cabinet",
        "repaint",
        "poles",
        "upgrade",
        "foundation",
        "new",
        "permit",
        "required",
        "wind",
        "study",
        "double",
        "faced",
        "single",
        "faced",
        "reuse",
        "existing",
        "footing",
        "customer",
        "supplied",
        "artwork",
        "relocate",
        "sign",
        "closer",
        "to",
        "road",
        "retrofit",
        "base",
        "plate",
        "anchors",
    ],
}
SECTIONS = [
    "Pipe6STD",
    "Pipe8STD",
    "Pipe10STD",
    "Pipe12STD",
    "HSS8.625X0.322",
    "HSS10.750X0.500",
    "HSS8X8X1/2",
]
STATUSES = ["draft"] * 5 + ["estimating"] * 2 + ["submitted"] * 2 + ["accepted", "rejected"]


def rare_word(i: int) -> str:
    """A word that occurs in about 10 projects of a million (a selective search)."""
    return "Q" + format(i % 100_000, "05d")


def record(i: int, owners: list[uuid.UUID], now: datetime, rng: random.Random) -> tuple:
    w = WORDS
    name = f"{rng.choice(w['place'])} {rng.choice(w['kind'])} {rare_word(i)}"
    customer = f"{rng.choice(w['brand'])} {rng.choice(w['trade'])}"
    address = (
        f"{rng.randint(1, 9999)} {rng.choice(w['street'])} {rng.choice(w['suffix'])}, {rng.choice(w['city'])}"
    )
    description = " ".join(rng.choices(w["desc"], k=rng.randint(4, 16)))
    created = now - timedelta(seconds=(1_000_000_000 - i * 997) % 94_608_000 + i)
    owner = owners[i % len(owners)]
    has_design = rng.random() < 0.8
    poles = rng.choice([1, 1, 1, 2]) if has_design else None
    return (
        uuid.UUID(int=rng.getrandbits(128)),
        f"ACC-{rng.randint(1, 5000):05d}",
        name,
        customer,
        description,
        address,
        rng.choice(STATUSES),
        1,
        format(i, "016x"),
        owner,
        created,
        owner,
        created + timedelta(days=rng.randint(0, 60)),
        owner,
        1 if has_design else None,
        (rng.random() < 0.9) if has_design else None,
        rng.choice(SECTIONS) if has_design else None,
        f"{rng.choice([4, 6, 8, 10, 12, 16])}x{rng.choice([3, 4, 6, 8])}" if has_design else None,
        poles,
        rng.choice(["direct_burial", "base_plate"]) if has_design else None,
        Decimal(rng.choice([90, 100, 105, 110, 115, 120, 130, 140, 150, 160, 170])) if has_design else None,
        Decimal(rng.randint(400_000, 15_000_000)) / 100 if has_design else None,
    )


COLUMNS = [
    "project_id", "account_id", "name", "customer", "description", "site_address", "status", "revision",
    "etag", "owner_id", "created_at", "created_by", "updated_at", "updated_by", "design_revision",
    "design_pass", "design_section", "design_cabinets", "design_pole_count", "design_mount",
    "design_wind_mph", "design_total",
]  # fmt: skip


async def load(database_url: str, count: int, owners: list[uuid.UUID]) -> float:
    """COPY ``count`` projects, with the projects' secondary indexes dropped during the load and
    built again after it (as ``pg_get_indexdef`` had them); returns the seconds taken."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    outer = await engine.connect()
    conn = (await outer.get_raw_connection()).driver_connection
    assert conn is not None
    started = time.perf_counter()
    try:
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'projects' "
            "AND indexname <> 'pk_projects'"
        )
        for ix in indexes:
            await conn.execute(f'DROP INDEX "{ix["indexname"]}"')
        rng = random.Random(7)
        now = datetime.now(UTC)
        batch = 50_000
        for start in range(0, count, batch):
            rows = [record(i, owners, now, rng) for i in range(start, min(count, start + batch))]
            await conn.copy_records_to_table("projects", records=rows, columns=COLUMNS)
            print(f"  loaded {start + len(rows):,} ({time.perf_counter() - started:.0f} s)", flush=True)
        await conn.execute("SET maintenance_work_mem = '512MB'")
        for ix in indexes:
            await conn.execute(ix["indexdef"])
        print(f"  indexes built ({time.perf_counter() - started:.0f} s)", flush=True)
        await conn.execute("VACUUM ANALYZE projects")
        # Written out now, not while the series run: a server that has been answering for a
        # while is not flushing a million freshly loaded rows (2 GB of WAL) in the background.
        await conn.execute("CHECKPOINT")
    finally:
        await outer.close()
        await engine.dispose()
    return time.perf_counter() - started


def series_table() -> dict[str, tuple[str, Any]]:
    """The API series: name -> (path, parameters of run i)."""
    return {
        "selective word (search)": ("/api/v1/search", lambda i: {"q": rare_word(i * 7919).lower()}),
        "common word, ranked + facets": ("/api/v1/search", lambda i: {"q": random.choice(WORDS["kind"])}),
        "prefix (search)": ("/api/v1/search", lambda i: {"q": random.choice(WORDS["place"])[:3]}),
        "two words (search)": (
            "/api/v1/search",
            lambda i: {"q": f"{random.choice(WORDS['place'])} {random.choice(WORDS['kind'])}"},
        ),
        "deep page, offset 9,980 (search, newest)": (
            "/api/v1/search",
            lambda i: {
                "q": random.choice(WORDS["kind"]),
                "sort": "newest",
                "offset": 9980,
                "facets": "false",
            },
        ),
        "deep page by key, after row 9,980 (newest)": (
            "/api/v1/search",
            lambda i: {
                "q": (word := random.choice(WORDS["kind"])),
                "sort": "newest",
                "after": CURSORS[("search", word)],
                "facets": "false",
            },
        ),
        "sort by name (search, no text)": ("/api/v1/search", lambda i: {"sort": "name", "facets": "false"}),
        "list default (newest, with total)": ("/api/v1/projects", lambda i: {"limit": 25}),
        "list last page (offset 9,975)": ("/api/v1/projects", lambda i: {"limit": 25, "offset": 9975}),
        "list, page by key after row 9,975": (
            "/api/v1/projects",
            lambda i: {"limit": 25, "after": CURSORS[("list", "")]},
        ),
        "list, rare word": ("/api/v1/projects", lambda i: {"q": rare_word(i * 104729).lower()}),
    }


# The ``next`` cursors the keyset series continue from (read untimed before the series run).
CURSORS: dict[tuple[str, str], str] = {}


async def read_cursors(client: Any, headers: dict[str, str]) -> None:
    """The cursor of row 9,980 of each kind of sign, newest first (the page at offset 9,960's
    ``next``), and of row 9,975 of the list: what a person paging by key would hold there."""
    for word in WORDS["kind"]:
        params = {"q": word, "sort": "newest", "offset": 9960, "limit": 20, "facets": "false"}
        response = await client.get("/api/v1/search", params=params, headers=headers)
        CURSORS[("search", word)] = response.json()["result"]["next"]
    response = await client.get("/api/v1/projects", params={"limit": 25, "offset": 9950}, headers=headers)
    CURSORS[("list", "")] = response.json()["result"]["next"]


def chosen(names: list[str], pick: str | None) -> list[str]:
    """The names that contain one of the comma-separated words of ``pick`` (all of them: None)."""
    if not pick:
        return names
    words = [w.strip().lower() for w in pick.split(",") if w.strip()]
    return [n for n in names if any(w in n.lower() for w in words)]


async def measure(
    database_url: str, redis_url: str, runs: int, explain: bool, pick: str | None
) -> tuple[str, str]:
    """Time the chosen API series; returns (email, password) of a manager for the browser series.

    Each series starts with three untimed requests (other words than the timed ones): they warm
    the connection pool, the statements' first planning and the index pages they touch. The data
    was just written, so the operating system's cache holds it, as it would on a server that has
    been answering for a while; PostgreSQL's own buffers are the embedded server's default."""
    import httpx
    from fastapi import FastAPI

    from bootstrap import install_http, wire
    from infra.settings import Settings

    settings = Settings()
    services, release = wire(settings, database_url, redis_url)
    creds = await services.users.create(f"bench-{uuid.uuid4().hex[:6]}@signx.test", "manager")
    app = FastAPI()
    close = install_http(app, services, Settings(api_rate_per_key="1000000/minute",
                                                 api_rate_per_address="1000000/minute"), redis_url)  # fmt: skip
    headers = {"X-API-Key": creds.api_key}
    table = series_table()
    names = chosen(list(table), pick)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://bench") as client:
        if names:
            await read_cursors(client, headers)
            print(f"\n{'series':44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  result")
        for name in names:
            path, params = table[name]
            times: list[float] = []
            last: dict[str, Any] = {}
            for i in range(runs + 3):
                started = time.perf_counter()
                response = await client.get(path, params=params(i), headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                last = response.json()["result"]
                if i >= 3:  # the first three warm the caches
                    times.append(elapsed)
            total = f"total {last['total']:,}{'' if last.get('total_exact', True) else '+'}"
            print(f"{name:44} {summary(times)}  {total}", flush=True)
    if explain:
        await explain_plans(database_url)
    await close()
    await release()
    return creds.email, creds.password


def summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return f"{len(times):>4} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}"


async def explain_plans(database_url: str) -> None:
    """EXPLAIN ANALYZE of each statement behind the main series, as the services run them (in a
    transaction that asks for plans made for the words)."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from domain.projects import repository as projects_repo
    from domain.search import repository as repo
    from domain.search.matching import text_clauses
    from domain.search.schemas import SearchFilters, SearchQuery, SearchSort

    today = datetime.now(UTC).date()
    search_cases = {
        "selective word": (rare_word(12345).lower(), SearchSort.relevance, 0, True),
        "common word, ranked + facets": ("pylon", SearchSort.relevance, 0, True),
        "prefix": ("har", SearchSort.relevance, 0, True),
        "two words": ("main pylon", SearchSort.relevance, 0, True),
        "deep page, offset 9,980": ("pylon", SearchSort.newest, 9980, False),
    }
    engine = create_async_engine(database_url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        captured.append((statement, parameters))

    async def show(label: str, session: AsyncSession) -> None:
        statements = [c for c in captured if not c[0].lstrip().upper().startswith("SET")]
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        assert raw is not None
        for statement, parameters in statements:
            plan = await raw.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, *parameters)
            print(f"\n-- {label}")
            print("\n".join(r[0] for r in plan))

    try:
        for label, (q, sort, offset, facets) in search_cases.items():
            async with AsyncSession(engine) as session, session.begin():
                await repo.plan_for_the_values(session)
                captured.clear()
                await repo.search(
                    session, text_clauses(q, SearchFilters()), sort=sort, limit=20, offset=offset,
                    facets=facets, today=today,
                )  # fmt: skip
                await show(f"{label}: q={q!r}, sort={sort.value}, offset {offset}, facets {facets}", session)
        cursor = CURSORS.get(("search", "Pylon"))
        if cursor:
            after = SearchQuery(q="pylon", sort=SearchSort.newest, after=cursor).keyset()
            async with AsyncSession(engine) as session, session.begin():
                await repo.plan_for_the_values(session)
                captured.clear()
                await repo.search(
                    session, text_clauses("pylon", SearchFilters()), sort=SearchSort.newest, limit=21,
                    offset=0, facets=False, today=today, after=after,
                )  # fmt: skip
                await show("deep page by key: q='pylon', sort=newest, after row 9,980", session)
        async with AsyncSession(engine) as session, session.begin():
            q = rare_word(54321).lower()
            captured.clear()
            await projects_repo.search(
                session, q=q, status=None, account_id=None, sort="-created_at", limit=50, offset=0
            )
            await show(f"list, rare word: q={q!r}", session)
    finally:
        await engine.dispose()


# -- keystroke to updated results in real Chromium --------------------------------------------------

# Installed on the search box: stamps each input event (a key typed) and records the time until
# the page shows the answer, and then until it shows the answer's facets. The page replaces the
# address (history.replaceState) right after it has sent the refreshed results, and NiceGUI sends a
# moment's element updates before its JavaScript calls, so the results are on screen at the next
# animation frame after the call. The facets are counted after that, the facet panel aria-busy
# meanwhile: they are on screen at the next animation frame after it is no longer busy.
PROBE = """
(box) => {
  const bench = {samples: [], facets: [], pending: null, counting: null};
  window.__bench = bench;
  box.addEventListener('input', () => { bench.pending = {t0: performance.now(), q: box.value}; }, true);
  const replace = history.replaceState.bind(history);
  history.replaceState = (...args) => {
    replace(...args);
    const p = bench.pending;
    if (!p) return;
    bench.pending = null;
    bench.counting = p;
    const answered = performance.now();
    requestAnimationFrame(() => bench.samples.push(
      {total: performance.now() - p.t0, answered: answered - p.t0, q: p.q}));
  };
  // The facets are counted after the results are shown: the panel is aria-busy meanwhile.
  new MutationObserver((changes) => {
    const p = bench.counting;
    if (!p || !changes.some((c) => c.oldValue === 'true' && !c.target.hasAttribute('aria-busy'))) return;
    bench.counting = null;
    requestAnimationFrame(() => bench.facets.push({total: performance.now() - p.t0, q: p.q}));
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['aria-busy'], attributeOldValue: true});
}
"""


def typed_words(count: int, rng: random.Random) -> list[str]:
    """Words as people search for them (a kind of sign, a place, a brand, a city, a trade)."""
    pools = [WORDS["kind"], WORDS["place"], WORDS["brand"], WORDS["city"], WORDS["trade"]]
    return [rng.choice(rng.choice(pools)).lower() for _ in range(count)]


def keystrokes(database_url: str, redis_url: str, email: str, password: str, count: int) -> None:
    """Type ``count`` keys into the search page of ``python app.py serve`` (on the bench's
    database), each after a quiet spell, and print the keystroke-to-results times."""
    from tests.served import chromium_binary, served_app

    if chromium_binary() is None:
        print("\nno Chromium binary: the keystroke series is skipped")
        return
    data = Path(tempfile.mkdtemp(prefix="signx-bench-search-serve-"))
    data.chmod(0o755)
    servers = {"database_url": database_url, "redis_url": redis_url}
    with served_app(servers, data, ready_seconds=120) as base:
        samples, facets = asyncio.run(_type(base, email, password, count))
    print(f"\n{'series':44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    if samples:
        totals = [s["total"] for s in samples]
        print(f"{'keystroke -> results shown (Chromium)':44} {summary(totals)}")
        print(f"{'  keystroke -> answer sent (replaceState)':44} {summary([s['answered'] for s in samples])}")
    if facets:
        print(f"{'keystroke -> facets shown (Chromium)':44} {summary([f['total'] for f in facets])}")
    print(f"  {len(samples)} answers to {count} keys; load average {os.getloadavg()[0]:.1f}")


async def _type(
    base: str, email: str, password: str, count: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The keystroke-to-results samples, and the keystroke-to-facets ones."""
    from playwright.async_api import async_playwright

    from tests.served import CHROMIUM_FLAGS, chromium_binary

    rng = random.Random(11)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(60_000)
            await page.goto("/login")
            await page.get_by_label("Email").fill(email)
            await page.get_by_label("Password", exact=True).fill(password)
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(lambda url: "/login" not in url)
            await page.goto("/search")
            box = page.get_by_label("Search", exact=True)
            await box.wait_for()
            await box.evaluate(PROBE)
            samples: list[dict[str, Any]] = []
            typed = 0
            for word in typed_words(count, rng):
                await box.click()
                await page.keyboard.press("Control+A")
                await page.keyboard.press("Backspace")  # a fresh word; the emptied box is not timed
                await asyncio.sleep(1.5)
                await page.evaluate("window.__bench.samples.splice(0); window.__bench.pending = null")
                for ch in word:
                    if typed == count:
                        break
                    await page.keyboard.type(ch)
                    typed += 1
                    # Each key gets its own answer: wait for it (10 s at most), then pause a little.
                    for _ in range(100):
                        await asyncio.sleep(0.1)
                        got = await page.evaluate("window.__bench.samples.splice(0)")
                        if got:
                            samples += got
                            break
                    await asyncio.sleep(0.5)
                if typed == count:
                    break
            facets = await page.evaluate("window.__bench.facets")
            return samples, [f for f in facets if f["q"]]  # not the emptied box's
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--series", help="only the series whose names contain one of these comma-separated words"
    )
    parser.add_argument("--keystrokes", type=int, default=40, help="keys typed in Chromium (0: no browser)")
    parser.add_argument(
        "--data-dir",
        help="keep the embedded servers here: the first run loads the projects, later runs measure them",
    )
    parser.add_argument("--database-url", help="measure a database this script loaded before (no load)")
    parser.add_argument("--redis-url", help="with --database-url: a Redis for the rate limits and sessions")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    if args.database_url:
        run(args.database_url, args.redis_url, args)
        return

    from sqlalchemy.engine import make_url

    from infra.embedded import EmbeddedServers
    from infra.migrate import upgrade
    from tests.databases import create_database

    if args.data_dir:
        tmp = Path(args.data_dir).resolve()
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="signx-bench-search-"))
    tmp.chmod(0o755)
    marker = tmp / "bench-loaded.json"
    embedded = EmbeddedServers(tmp)
    try:
        admin_url = embedded.start_postgres()
        redis_url = embedded.start_redis()
        if marker.exists():
            loaded = json.loads(marker.read_text())
            if loaded["projects"] != args.projects:
                sys.exit(f"{tmp} holds {loaded['projects']:,} projects, not {args.projects:,}")
            database_url = make_url(admin_url).set(database="bench").render_as_string(hide_password=False)
            print(f"measuring the {args.projects:,} projects loaded in {tmp} at {loaded['at']}")
        else:
            database_url = create_database(admin_url, "bench")
            upgrade(database_url)
            owners = asyncio.run(_owners(database_url, redis_url))
            seconds = asyncio.run(load(database_url, args.projects, owners))
            print(f"loaded {args.projects:,} projects in {seconds:.0f} s")
            if args.data_dir:
                at = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
                marker.write_text(json.dumps({"projects": args.projects, "at": at}))
        run(database_url, redis_url, args)
    finally:
        embedded.stop()


def run(database_url: str, redis_url: str, args: argparse.Namespace) -> None:
    email, password = asyncio.run(measure(database_url, redis_url, args.runs, args.explain, args.series))
    if args.keystrokes > 0 and chosen(["keystroke"], args.series):
        keystrokes(database_url, redis_url, email, password, args.keystrokes)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


async def _owners(database_url: str, redis_url: str) -> list[uuid.UUID]:
    from bootstrap import wire
    from infra.settings import Settings

    services, release = wire(Settings(), database_url, redis_url)
    try:
        owners = []
        for n in range(20):
            creds = await services.users.create(f"owner{n}@signx.test", "estimator")
            actor = await services.users.authenticate_api_key(creds.api_key)
            owners.append(uuid.UUID(actor.user_id))
        return owners
    finally:
        await release()


if __name__ == "__main__":
    main()
