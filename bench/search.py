# ruff: noqa: E501  (the word lists are data, one list to a line)
"""Search at scale: load N realistic projects into a fresh embedded PostgreSQL with COPY, then time
the search and the project list through the API (the whole HTTP stack over ASGI, in process).

    python bench/search.py [--projects 1000000] [--runs 40] [--explain]

Prints the load time, then count, p50, p95 and max per series, and with ``--explain`` the plans
of the main statements. Starts its own PostgreSQL in a temporary directory and stops it.
"""

from __future__ import annotations

import argparse
import asyncio
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
    finally:
        await outer.close()
        await engine.dispose()
    return time.perf_counter() - started


async def measure(database_url: str, redis_url: str, runs: int, explain: bool) -> None:
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
    series = {
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
        "sort by name (search, no text)": ("/api/v1/search", lambda i: {"sort": "name", "facets": "false"}),
        "list default (newest, with total)": ("/api/v1/projects", lambda i: {"limit": 25}),
        "list last page (offset 9,975)": ("/api/v1/projects", lambda i: {"limit": 25, "offset": 9975}),
        "list, rare word": ("/api/v1/projects", lambda i: {"q": rare_word(i * 104729).lower()}),
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://bench") as client:
        print(f"\n{'series':44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  result")
        for name, (path, params) in series.items():
            times: list[float] = []
            last = None
            for i in range(runs + 3):
                started = time.perf_counter()
                response = await client.get(path, params=params(i), headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                last = response.json()["result"]
                if i >= 3:  # the first three warm the caches
                    times.append(elapsed)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            total = f"total {last['total']:,}{'' if last.get('total_exact', True) else '+'}"
            print(
                f"{name:44} {len(times):>4} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}  {total}"
            )
    if explain:
        await explain_plans(services)
    await close()
    await release()


async def explain_plans(services) -> None:  # type: ignore[no-untyped-def]
    """EXPLAIN ANALYZE of the statement behind a selective word, a common word and the list."""
    from sqlalchemy import text

    from domain.search import repository as repo
    from domain.search.matching import text_clauses
    from domain.search.schemas import SearchFilters, SearchSort

    captured: list[tuple[str, dict]] = []
    original = repo.text

    def capture(sql: str):  # type: ignore[no-untyped-def]
        captured.append((sql, {}))
        return original(sql)

    cases = {"selective word": rare_word(12345).lower(), "common word, ranked + facets": "pylon"}
    async with services.search.uow() as tx:
        for label, q in cases.items():
            captured.clear()
            repo.text = capture  # type: ignore[assignment]
            clauses = text_clauses(q, SearchFilters())
            try:
                await repo.search(
                    tx.session, clauses, sort=SearchSort.relevance, limit=20, offset=0, facets=True,
                    today=datetime.now(UTC).date(),
                )  # fmt: skip
            finally:
                repo.text = original  # type: ignore[assignment]
            sql = captured[0][0]
            params = {**clauses.params, "cap": 10_001, "limit": 20, "offset": 0}
            params.update(repo._facets_sql(datetime.now(UTC).date())[1])
            plan = await tx.session.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql), params)
            print(f"\n-- {label}: q={q!r}")
            print("\n".join(r[0] for r in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    from infra.embedded import EmbeddedServers
    from infra.migrate import upgrade
    from tests.databases import create_database

    tmp = Path(tempfile.mkdtemp(prefix="signx-bench-search-"))
    tmp.chmod(0o755)
    embedded = EmbeddedServers(tmp)
    try:
        database_url = create_database(embedded.start_postgres(), "bench")
        redis_url = embedded.start_redis()
        upgrade(database_url)
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        owners = asyncio.run(_owners(database_url, redis_url))
        seconds = asyncio.run(load(database_url, args.projects, owners))
        print(f"loaded {args.projects:,} projects in {seconds:.0f} s")
        asyncio.run(measure(database_url, redis_url, args.runs, args.explain))
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        embedded.stop()


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
