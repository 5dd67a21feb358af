"""Benchmark: the API against the bare stack, side by side in one run.

Run ``python bench/api.py [--seconds N] [--rounds N] [--connections N ...]`` (needs ``wrk``:
``apt-get install wrk``). It starts an embedded PostgreSQL and Redis in a temporary data dir,
creates an estimator with an API key and a project, then serves:
  - the product: ``python app.py serve`` on those servers (no job worker beside it);
  - the baseline: ``bench/bare_api.py``, FastAPI + asyncpg reading the same row, no guarantees;
and drives each with wrk (2 threads) in alternating rounds, so both see the same machine state:
  - ``GET /api/v1/projects/{id}`` (product, with ``X-API-Key``) and ``GET /projects/{id}``
    (baseline) at each connection count;
  - ``PATCH /api/v1/projects/{id}`` (a new customer each request; the product refuses a write
    without the current ETag, so one connection chains them: a wrk Lua script sends the ETag of
    each answer with the next request) and ``POST /api/v1/projects`` (a new project each request);
  - ``--series patch-many``: PATCHes at each connection count, each connection chaining the ETags
    of a project of its own (one wrk thread per connection, so a Lua state sees only its own
    connection's answers): the writes' throughput, which one connection's latency bounds otherwise;
  - ``--series post-key``: the POSTs, each with an ``Idempotency-Key`` of its own.
``--series`` picks the series (default ``get patch post``: the GETs, PATCH and POST above).
Prints the machine, the load average, and per series the requests per second, p50, p95 and p99
latency, the server process's CPU time per request (user + system from ``/proc``: the column a busy
machine skews least; not measured in the ``--gc`` series), the medians over the rounds, and the
ratio product / baseline for the GET. Every server it started is stopped by PID. Not run as a test.

``--gc VARIANT ...`` serves one product per variant of its garbage-collector settings instead
(``default``: the settings as shipped; ``off``: neither freeze nor threshold; ``freeze``;
``freeze+N``: freeze and young threshold N; ``N``: threshold N alone), all on the same database,
driven in turn within each round with the GETs and PATCHes (no POSTs, no baseline), so the
variants are compared on the same machine state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.embedded import EmbeddedServers, free_port  # noqa: E402
from tests.served import served_app  # noqa: E402

PATCH_LUA = r"""
local etag = os.getenv("BENCH_ETAG")
local n = 0
request = function()
  n = n + 1
  local body = '{"customer": "Customer ' .. n .. '"}'
  return wrk.format("PATCH", nil, {["If-Match"] = etag, ["Content-Type"] = "application/json",
    ["X-API-Key"] = os.getenv("BENCH_KEY")}, body)
end
response = function(status, headers, body)
  if headers["ETag"] then etag = headers["ETag"] end
  if headers["etag"] then etag = headers["etag"] end
end
"""

# One thread per connection, each given a project of its own and its ETag (BENCH_TARGETS:
# "id etag id etag ...", one pair per thread) by setup(); each chains its own answers' ETags.
PATCH_MANY_LUA = r"""
local targets = {}
for word in string.gmatch(os.getenv("BENCH_TARGETS"), "%S+") do table.insert(targets, word) end
local threads = 0
setup = function(thread)
  thread:set("project", targets[threads * 2 + 1])
  thread:set("etag", targets[threads * 2 + 2])
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  local body = '{"customer": "Customer ' .. n .. '"}'
  return wrk.format("PATCH", "/api/v1/projects/" .. project, {["If-Match"] = etag,
    ["Content-Type"] = "application/json", ["X-API-Key"] = os.getenv("BENCH_KEY")}, body)
end
response = function(status, headers, body)
  if headers["ETag"] then etag = headers["ETag"] end
  if headers["etag"] then etag = headers["etag"] end
end
"""

POST_LUA = r"""
local n = 0
request = function()
  n = n + 1
  local body = '{"name": "Bench ' .. n .. '", "account_id": "A-1", "customer": "Acme", '
    .. '"site_address": "1 Elm St"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-API-Key"] = os.getenv("BENCH_KEY")}, body)
end
"""

# The same POSTs, each with an Idempotency-Key of its own (unique per thread and request).
POST_KEY_LUA = r"""
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  local body = '{"name": "Bench ' .. n .. '", "account_id": "A-1", "customer": "Acme", '
    .. '"site_address": "1 Elm St"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-API-Key"] = os.getenv("BENCH_KEY"),
    ["Idempotency-Key"] = os.getenv("BENCH_RUN") .. "-" .. tid .. "-" .. n}, body)
end
"""


# requests/s, p50 ms, p95 ms, p99 ms, non-2xx, the server's CPU ms per request (NaN: not measured)
Run = tuple[float, float, float, float, int, float]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(
    url: str,
    seconds: int,
    connections: int,
    *,
    script: str | None = None,
    headers=(),
    env=None,
    pid=None,
    threads: int | None = None,
) -> Run:
    """(requests/s, p50 ms, p95 ms, p99 ms, non-2xx, CPU ms per request of process ``pid``) of
    one wrk run (``threads``: wrk's threads, at most 2 unless given)."""
    cpu0 = _cpu_seconds(pid) if pid else 0.0
    threads = threads or min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    # wrk prints the 50/75/90/99 percentiles; p95 comes from a small Lua done() hook.
    done = subprocess.run(cmd + [url], capture_output=True, text=True, env={**os.environ, **(env or {})})
    out = done.stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))
    p95m = re.search(r"p95 ([\d.]+)", out)
    p95 = float(p95m.group(1)) / 1000 if p95m else float("nan")
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    cpu_ms = (_cpu_seconds(pid) - cpu0) * 1000 / max(total, 1) if pid else float("nan")
    return rps, p50, p95, p99, int(bad.group(1)) if bad else 0, cpu_ms


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("p95 %d\\n", latency:percentile(95)))
end
"""


def _script(tmp: Path, name: str, body: str) -> str:
    path = tmp / name
    path.write_text(body + DONE_LUA)
    return str(path)


async def _setup(
    database_url: str, redis_url: str, data_dir: Path, *, more: int = 0
) -> tuple[str, str, list[str]]:
    """The estimator's API key, its project's id, and the ids of ``more`` projects of its own."""
    from bootstrap import wire
    from domain.projects.schemas import ProjectCreate
    from infra.migrate import upgrade
    from infra.settings import Settings

    await asyncio.to_thread(upgrade, database_url)
    services, release = wire(Settings(data_dir=data_dir), database_url, redis_url)
    try:
        creds = await services.users.create("bench@example.com", "estimator")
        actor = await services.users.authenticate_api_key(creds.api_key)
        project = await services.projects.create(
            actor,
            ProjectCreate(name="Elm St Pylon", account_id="A-1", customer="Acme", site_address="1 Elm St"),
        )
        others = [
            (
                await services.projects.create(
                    actor, ProjectCreate(name=f"Pylon {n}", account_id="A-1", customer="Acme")
                )
            ).project_id
            for n in range(more)
        ]
        return creds.api_key, project.project_id, others
    finally:
        await release()


def full_collections(base: str) -> str:
    """The server's full garbage collections since it started (``signx_gc_full_collection_seconds``):
    how many, their mean, and the bucket the longest fell in."""
    from prometheus_client.parser import text_string_to_metric_families

    body = httpx.get(f"{base}/metrics", follow_redirects=True, trust_env=False, timeout=30).text
    buckets: list[tuple[float, float]] = []
    count = total = 0.0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "signx_gc_full_collection_seconds_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name == "signx_gc_full_collection_seconds_count":
                count = sample.value
            elif sample.name == "signx_gc_full_collection_seconds_sum":
                total = sample.value
    if not count:
        return "no full collections"
    buckets.sort()
    longest = next(le for le, n in buckets if n >= count)
    below = max((le for le, n in buckets if n < count), default=0.0)
    return (
        f"{count:.0f} full collections, mean {total / count * 1e3:.1f} ms, "
        f"the longest {below * 1e3:g}-{longest * 1e3:g} ms"
    )


def gc_settings(variant: str) -> dict[str, str]:
    """The ``SIGNX_GC_*`` settings of a ``--gc`` variant (see the module's docstring)."""
    if variant == "default":
        return {}
    if variant == "off":
        return {"gc_freeze": "false", "gc_young_threshold": "0"}
    if variant == "freeze":
        return {"gc_freeze": "true", "gc_young_threshold": "0"}
    freeze, _, threshold = variant.rpartition("+")
    if freeze not in ("", "freeze") or not threshold.isdigit():
        raise SystemExit(f"--gc: unknown variant {variant!r}")
    return {"gc_freeze": "true" if freeze else "false", "gc_young_threshold": threshold}


def _print(series: dict[str, list[Run]], rounds: int, seconds: int) -> None:
    print(
        f"{'series':52} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
        f"{'CPU ms/req':>10}  (median of {rounds} rounds of {seconds} s)"
    )
    for name, runs in series.items():
        med = [statistics.median(r[i] for r in runs) for i in (0, 1, 2, 3, 5)]
        print(
            f"{name:52} {med[0]:9.0f} {med[1]:8.1f} {med[2]:8.1f} {med[3]:8.1f} {sum(r[4] for r in runs):8d} "
            f"{med[4]:10.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument(
        "--profile", metavar="FILE", help="run the product under cProfile, write its stats to FILE"
    )
    parser.add_argument(
        "--gc",
        nargs="+",
        metavar="VARIANT",
        help="compare products with these garbage-collector settings: default, off, freeze, freeze+N, N",
    )
    parser.add_argument(
        "--series",
        nargs="+",
        choices=["get", "patch", "patch-many", "post", "post-key"],
        default=["get", "patch", "post"],
        help="the series to run (patch-many: PATCH at each connection count, a project per connection)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 2
    variants = {v: gc_settings(v) for v in args.gc or ()}
    tmp = Path(tempfile.mkdtemp(prefix="signx-bench-api-"))
    embedded = EmbeddedServers(tmp / "servers")
    bare: subprocess.Popen | None = None
    try:
        database_url = embedded.start_postgres()
        redis_url = embedded.start_redis()
        many = max(args.connections) if "patch-many" in args.series else 0
        key, project_id, others = asyncio.run(_setup(database_url, redis_url, tmp / "data", more=many))
        servers = {"database_url": database_url, "redis_url": redis_url}
        # The rate limits lifted far above what wrk sends (the limiter still runs on every request,
        # so its cost is in the numbers).
        lifted = "100000000/minute"
        limits = {"log_level": "WARNING", "api_rate_per_key": lifted, "api_rate_per_address": lifted}
        get = _script(tmp, "get.lua", "")
        patch = _script(tmp, "patch.lua", PATCH_LUA)
        post = _script(tmp, "post.lua", POST_LUA)
        post_key = _script(tmp, "post_key.lua", POST_KEY_LUA)
        patch_many = _script(tmp, "patch_many.lua", PATCH_MANY_LUA)

        def etag_of(base: str, project: str = project_id) -> str:
            url = f"{base}/api/v1/projects/{project}"
            return str(httpx.get(url, headers={"X-API-Key": key}, trust_env=False).headers["etag"])

        def header() -> None:
            print(
                f"machine: {platform.platform()} | {platform.machine()} | cpus={os.cpu_count()} | "
                f"python {platform.python_version()}"
            )
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        if variants:
            with contextlib.ExitStack() as stack:
                bases = {
                    name: stack.enter_context(served_app(servers, tmp / f"data-{n}", **limits, **settings))
                    for n, (name, settings) in enumerate(variants.items())
                }
                header()
                series: dict[str, list[Run]] = {}
                for _ in range(args.rounds):
                    for name, base in bases.items():
                        for c in args.connections:
                            series.setdefault(f"GET product gc={name}, {c} conn", []).append(
                                _wrk(
                                    f"{base}/api/v1/projects/{project_id}",
                                    args.seconds,
                                    c,
                                    script=get,
                                    headers=[f"X-API-Key: {key}"],
                                )
                            )
                    for name, base in bases.items():
                        series.setdefault(f"PATCH product gc={name}, 1 conn", []).append(
                            _wrk(
                                f"{base}/api/v1/projects/{project_id}",
                                args.seconds,
                                1,
                                script=patch,
                                env={"BENCH_KEY": key, "BENCH_ETAG": etag_of(base)},
                            )
                        )
                _print(series, args.rounds, args.seconds)
                for name, base in bases.items():
                    print(f"gc={name}: {full_collections(base)}")
                print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return 0

        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_api.py"), str(bare_port), dsn])
        bare_url = f"http://127.0.0.1:{bare_port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{bare_url}/hello", trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        profiling = ("-m", "cProfile", "-o", str(Path(args.profile).resolve())) if args.profile else ()
        pids: list[int] = []
        with served_app(servers, tmp / "data", python_args=profiling, started=pids.append, **limits) as base:
            app = pids[0]  # under cProfile, the profiled interpreter itself (python -m cProfile)
            header()
            etag = etag_of(base)
            series = {}

            def product(name: str, path: str, connections: int, script: str, **options: Any) -> None:
                run = _wrk(f"{base}{path}", args.seconds, connections, script=script, pid=app, **options)
                series.setdefault(name, []).append(run)

            one = f"/api/v1/projects/{project_id}"
            for _ in range(args.rounds):
                for c in args.connections if "get" in args.series else ():
                    product(f"GET product, {c} conn", one, c, get, headers=[f"X-API-Key: {key}"])
                    series.setdefault(f"GET bare FastAPI+asyncpg, {c} conn", []).append(
                        _wrk(f"{bare_url}/projects/{project_id}", args.seconds, c, script=get, pid=bare.pid)
                    )
                if "get" in args.series:
                    series.setdefault("GET bare hello, 8 conn", []).append(
                        _wrk(f"{bare_url}/hello", args.seconds, 8, script=get, pid=bare.pid)
                    )
                if "patch" in args.series:
                    chained = {"BENCH_KEY": key, "BENCH_ETAG": etag}
                    product("PATCH product, 1 conn (ETag chained)", one, 1, patch, env=chained)
                    etag = etag_of(base)
                for c in args.connections if "patch-many" in args.series else ():
                    targets = " ".join(f"{p} {etag_of(base, p)}" for p in others[:c])
                    env = {"BENCH_KEY": key, "BENCH_TARGETS": targets}
                    name = f"PATCH product, {c} conn (a project each, ETag chained)"
                    product(name, "/api/v1/projects", c, patch_many, env=env, threads=c)
                if "post" in args.series:
                    product("POST product, 8 conn", "/api/v1/projects", 8, post, env={"BENCH_KEY": key})
                if "post-key" in args.series:
                    env = {"BENCH_KEY": key, "BENCH_RUN": f"{time.time_ns()}"}
                    product(
                        "POST product, 8 conn (Idempotency-Key)", "/api/v1/projects", 8, post_key, env=env
                    )
            _print(series, args.rounds, args.seconds)
            for c in args.connections if "get" in args.series else ():
                p = statistics.median(r[0] for r in series[f"GET product, {c} conn"])
                b = statistics.median(r[0] for r in series[f"GET bare FastAPI+asyncpg, {c} conn"])
                print(f"ratio product / bare read at {c} connections: {p / b:.3f}")
            print(f"product: {full_collections(base)}")
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    finally:
        if bare is not None and bare.poll() is None:
            bare.send_signal(signal.SIGTERM)
            bare.wait(20)
        embedded.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
