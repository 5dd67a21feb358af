"""Benchmark: the designer's keystroke-to-updated-results time in real Chromium, and saving a design
revision through the API.

Run ``python bench/designer.py [--seconds N] [--light-clients N | --all-chromium --clients N]
[--saves N]``. It starts ``python app.py serve`` on a free port of 127.0.0.1 with a fresh data dir
(so the server starts its own embedded PostgreSQL and Redis there), takes the admin's password and
API key from the first-start message, and stops the server (which stops both) with SIGTERM by the
PID it started. Not run as a test.

Keystroke to updated results (timed inside the page, not by Playwright):
  Chromium (Playwright, the flags of ``tests.served``) opens a project's Design tab. A capture-phase
  ``input`` listener on the wind speed field stamps ``performance.now()``; a ``MutationObserver``
  on the document compares the results' text (the summary card with the chosen pole and the
  checks card with every ratio) and the elevation chart's SVG text (its Case A/B force labels)
  with what they were at that stamp. When both have changed, it waits for the next animation
  frame (the frame that paints them) and records ``frame time - input time``. Each keystroke is a
  ``fill`` of a new wind speed (one ``input`` event, like the last key of a typed number), once a
  second: an edit after a quiet spell, which the page evaluates at once
  (``pages.designer.evaluation_delay``; a burst of keystrokes waits 300 ms after its last). The
  time includes the event's trip to the server, the engine and price list run, the websocket
  round trip, the DOM update of the results and plotly's redraw. Charts below the fold (the
  utilisation and velocity-pressure charts at this viewport) are drawn when scrolled into view
  (``components/chart.js``), so the time covers the chart on screen.
  - one client: one tab types for ``--seconds``;
  - with ``--light-clients`` (default 19) other clients: the same tab (the probe) goes on typing
    while that many light clients (``bench/light_clients.py``: the page and its socket.io
    connection without a browser, logged in through the login page) each type a new wind speed
    once a second on a project of their own, at random phases. Each light client also times its
    own keystrokes (event sent to the update that changed its results cards and elevation chart),
    printed for information. Why light: twenty Chromium pages alone saturate a 2-core machine, and
    then the probe measures Chromium, not the server;
  - ``--all-chromium``: the old load series instead, ``--clients`` browser contexts (one
    Chromium), each on its own project, each typing once a second for ``--seconds``.
  Each load series also prints the load average and the CPU the server stack used meanwhile
  (``bench/procstat.py``: the app process, its PostgreSQL and Redis, from ``/proc``).

Saving a revision: ``POST /api/v1/projects/{id}/designs`` with ``If-Match`` (httpx, one
keep-alive connection), ``--saves`` times with a new wind speed each (201, a new revision, a new
ETag), then as many times with the last design again (200, the identical revision is returned).
Each timed from request to parsed response.

Prints the machine and, for every series, the count, median, p95 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.light_clients import Designer, LightClient, Timeout  # noqa: E402
from bench.procstat import CpuMeter, describe  # noqa: E402
from domain.engineering.examples import SIGN_EXAMPLE  # noqa: E402
from tests.served import CHROMIUM_FLAGS, chromium_binary, served_app  # noqa: E402

MODULE = "signage.single_pole.direct_burial"
ADMIN = "admin@signx.local"
WIND_LABEL = "Wind speed V (mph)"

# Installed in every tab: stamps each input event of the wind field and records the time until the
# results card and the elevation chart both show the new answer (next frame after the DOM change).
PROBE = """
(input) => {
  const results = () => {
    // The summary card (verdict, chosen pole) and the checks card (every ratio).
    let text = '';
    for (const card of document.querySelectorAll('.q-card')) {
      const t = card.textContent;
      if (t.includes('Pole:') || t.startsWith('Checks (')) text += t;
    }
    return text;
  };
  const chart = () => {
    const plot = document.querySelector('.js-plotly-plot');
    return plot ? plot.textContent : '';
  };
  const bench = {samples: [], pending: null};
  window.__bench = bench;
  input.addEventListener('input', () => {
    bench.pending = {t0: performance.now(), r: results(), c: chart(), rt: null, ct: null};
  }, true);
  new MutationObserver(() => {
    const p = bench.pending;
    if (!p) return;
    const now = performance.now();
    if (p.rt === null) { const r = results(); if (r && r !== p.r) p.rt = now; }
    if (p.ct === null) { const c = chart(); if (c && c !== p.c) p.ct = now; }
    if (p.rt !== null && p.ct !== null) {
      bench.pending = null;
      requestAnimationFrame(() => bench.samples.push({
        total: performance.now() - p.t0, results: p.rt - p.t0, chart: p.ct - p.t0,
      }));
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""


def machine() -> str:
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpus={os.cpu_count()} | python {platform.python_version()}"
    )


def summary(name: str, samples: list[float]) -> str:
    if len(samples) < 2:
        return f"{name:44s} n={len(samples)} (too few samples)"
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
    return (
        f"{name:44s} n={len(samples):4d}  median {statistics.median(samples):7.1f} ms"
        f"   p95 {p95:7.1f} ms   max {max(samples):7.1f} ms"
    )


@contextmanager
def serve() -> Iterator[tuple[str, str, str, Path]]:
    """(base URL, admin password, admin API key, data dir) of a fresh server; stopped by PID
    afterwards."""
    data = Path(tempfile.mkdtemp(prefix="signx-bench-"))
    data.chmod(0o755)  # embedded PostgreSQL runs as its own user when started by root
    log_path = data / "server.log"
    # The benchmark is one client saving as fast as it can: lift the API's throttles. The light
    # clients all log in as the admin (more than the 50 attempts an account gets per hour).
    limits = {
        "api_rate_per_key": "100000/minute",
        "api_rate_per_address": "100000/minute",
        "login_account_max_failures": "100000",
    }
    try:
        with served_app(None, data, log_path=log_path, ready_seconds=90, **limits) as base:
            print(f"server on {base}", flush=True)
            text = log_path.read_text()
            password = re.search(r"password: (\S+)", text)
            api_key = re.search(r"API key:\s+(\S+)", text)
            if not password or not api_key:
                raise RuntimeError(f"no first-start credentials in the log:\n{text[-3000:]}")
            yield base, password.group(1), api_key.group(1), data
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"server log kept: {log_path}")
        else:
            shutil.rmtree(data, ignore_errors=True)


def create_projects(client: httpx.Client, count: int) -> list[str]:
    ids = []
    for i in range(count):
        body = {
            "name": f"Bench pylon {i}",
            "account_id": "BENCH-01",
            "customer": "Bench",
            "site_address": "1 Main",
        }
        response = client.post("/api/v1/projects", json=body)
        response.raise_for_status()
        ids.append(response.json()["result"]["project_id"])
    return ids


def design(wind_mph: float) -> dict[str, Any]:
    return {
        "module": MODULE,
        "input": {**SIGN_EXAMPLE, "site": {**SIGN_EXAMPLE["site"], "wind_speed_mph": wind_mph}},
        "note": "bench",
    }


def bench_saves(client: httpx.Client, project_id: str, saves: int) -> tuple[list[float], list[float]]:
    etag = client.get(f"/api/v1/projects/{project_id}").headers["etag"]
    url = f"/api/v1/projects/{project_id}/designs"

    def save(body: dict[str, Any], expect: int) -> float:
        nonlocal etag
        start = time.perf_counter()
        response = client.post(url, json=body, headers={"If-Match": etag})
        response.json()
        elapsed = (time.perf_counter() - start) * 1e3
        if response.status_code != expect:
            raise RuntimeError(f"save answered {response.status_code}: {response.text[:500]}")
        etag = response.headers.get("etag", etag)
        return elapsed

    for i in range(5):  # warm-up: connection, pools, first engine call
        save(design(60 + i), 201)
    new = [save(design(100 + i * 0.1), 201) for i in range(saves)]
    same = [save(design(100 + (saves - 1) * 0.1), 200) for _ in range(saves)]
    return new, same


async def open_designer(browser: Any, base: str, state: Any, project_id: str) -> Any:
    """A tab on the project's Design tab with the probe installed. On a loaded machine the page
    can lose its connection and reload while it opens: then it is opened again (three tries)."""
    context = await browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, storage_state=state
    )
    page = await context.new_page()
    page.set_default_timeout(30_000)
    for attempt in range(3):
        try:
            await page.goto(f"/projects/{project_id}")
            await page.get_by_role("tab", name="Design").click()
            await page.locator(".js-plotly-plot").first.locator("text=/Case A [0-9,]+ lb/").wait_for()
            await page.get_by_text("Pole:").first.wait_for()
            await page.get_by_label(WIND_LABEL).evaluate(PROBE)
            return page
        except Exception:
            if attempt == 2:
                raise
            print(f"reopening the designer of {project_id} (attempt {attempt + 2})", flush=True)
    raise AssertionError("unreachable")


async def type_winds(
    page: Any,
    seconds: float,
    phase: float,
    rng: random.Random,
    lost: list[int],
    typed: list[int] | None = None,
) -> list[dict[str, float]]:
    """Type a new wind speed once a second; return the page's samples. The next keystroke waits
    for the answer to the last (so every answer is timed from its own keystroke; an answer slower
    than a second delays the next keystroke). A keystroke that gets no answer within 10 s (the
    page reloaded after losing its connection, or it is stuck) is counted in ``lost`` and the
    probe is installed again; each keystroke is counted in ``typed``."""
    wind = page.get_by_label(WIND_LABEL)
    got: list[dict[str, float]] = []
    await asyncio.sleep(phase)
    start = time.monotonic()
    n = 0
    last = 115
    while time.monotonic() - start < seconds:
        value = last
        while value == last:
            value = rng.randint(95, 175)
        last = value
        try:
            await wind.fill(str(value), timeout=10_000)
            if typed is not None:
                typed.append(1)
            await page.wait_for_function("window.__bench.pending === null", polling=50, timeout=10_000)
            await asyncio.sleep(max(0.0, start + n + 1 - time.monotonic()))
            got += await page.evaluate("window.__bench.samples.splice(0)")
        except Exception:
            lost.append(1)
            with contextlib.suppress(Exception):
                await page.reload()
                await page.get_by_role("tab", name="Design").click()
                await page.get_by_text("Pole:").first.wait_for()
                await wind.evaluate(PROBE)
        n += 1
    await asyncio.sleep(1.5)  # the last answer
    with contextlib.suppress(Exception):
        got += await page.evaluate("window.__bench.samples.splice(0)")
    return got


async def light_winds(
    designer: Designer, seconds: float, phase: float, rng: random.Random, lost: list[int]
) -> list[float]:
    """A light client typing a new wind speed once a second; its own keystroke-to-update times. A
    keystroke without an answer within 10 s is counted in ``lost``."""
    got: list[float] = []
    await asyncio.sleep(phase)
    start = time.monotonic()
    n = 0
    last = 115
    while time.monotonic() - start < seconds:
        value = last
        while value == last:
            value = rng.randint(95, 175)
        last = value
        try:
            got.append(await designer.type_wind(value))
        except Timeout:
            lost.append(1)
        n += 1
        await asyncio.sleep(max(0.0, start + n - time.monotonic()))
    return got


async def light_designers(base: str, password: str, project_ids: list[str]) -> list[Designer]:
    """One light client per project, each logged in through the login page (four at a time: the
    password check is deliberately slow) and on its project's Design tab."""
    gate = asyncio.Semaphore(4)

    async def one(i: int, project_id: str) -> Designer:
        client = LightClient(base, f"light-{i}")
        async with gate:
            await client.log_in(ADMIN, password)
        designer = Designer(client)
        await designer.open(project_id)
        return designer

    return list(await asyncio.gather(*(one(i, pid) for i, pid in enumerate(project_ids))))


async def signed_in_state(browser: Any, base: str, password: str) -> Any:
    """The admin's cookies after logging in through the login page in Chromium."""
    context = await browser.new_context(base_url=base)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Email").fill(ADMIN)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r".*/(?!login)[^/]*$"))
    await page.wait_for_timeout(500)
    state = await context.storage_state()
    await context.close()
    return state


def series(out: dict[str, list[float]], label: str, samples: list[dict[str, float]]) -> None:
    out[f"{label}: keystroke -> results + chart"] = [s["total"] for s in samples]
    out[f"{label}:   results card changed"] = [s["results"] for s in samples]
    out[f"{label}:   chart changed"] = [s["chart"] for s in samples]
    for name in [n for n in out if n.startswith(label)]:
        print(summary(name, out[name]), flush=True)


async def bench_browser(
    base: str,
    password: str,
    project_ids: list[str],
    seconds: float,
    clients: int,
    light: int | None,
    meter: CpuMeter,
) -> dict[str, list[float]]:
    """``light`` None: the all-Chromium mode (``clients`` tabs); else one Chromium probe tab and
    ``light`` light clients."""
    from playwright.async_api import async_playwright

    out: dict[str, list[float]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            state = await signed_in_state(browser, base, password)

            rng = random.Random(7)
            lost: list[int] = []
            one = await open_designer(browser, base, state, project_ids[0])
            await type_winds(one, 3, 0, rng, lost)  # warm-up
            meter.start()
            typed: list[int] = []
            got = await type_winds(one, seconds, 0, rng, lost, typed)
            cores = meter.stop()
            print(
                f"1 client: {len(got)} updates recorded for {len(typed)} keystrokes ({len(lost)} unanswered"
                f" within 10 s), load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            series(out, "1 client", got)
            print(f"1 client: CPU {describe(cores)}", flush=True)

            if light is not None:
                await bench_light(base, password, one, project_ids[1 : light + 1], seconds, rng, meter, out)
                return out
            await one.context.close()

            print(f"opening {clients} clients", flush=True)
            pages = [await open_designer(browser, base, state, pid) for pid in project_ids[:clients]]
            await asyncio.gather(
                *(type_winds(p, 2, rng.random(), random.Random(i), lost) for i, p in enumerate(pages))
            )
            lost.clear()
            typed.clear()
            meter.start()
            load = os.getloadavg()[0]
            answers = await asyncio.gather(
                *(
                    type_winds(p, seconds, rng.random(), random.Random(100 + i), lost, typed)
                    for i, p in enumerate(pages)
                )
            )
            cores = meter.stop()
            every = [sample for samples in answers for sample in samples]
            label = f"{clients} Chromium clients"
            series(out, label, every)
            print(
                f"{label}: {len(every)} updates recorded for {len(typed)} keystrokes,"
                f" {len(lost)} unanswered within 10 s (page reloaded), load average {load:.1f} at the"
                f" start, {os.getloadavg()[0]:.1f} at the end; CPU {describe(cores)}"
            )
        finally:
            await browser.close()
    return out


async def bench_light(
    base: str,
    password: str,
    probe: Any,
    project_ids: list[str],
    seconds: float,
    rng: random.Random,
    meter: CpuMeter,
    out: dict[str, list[float]],
) -> None:
    """The probe tab types as before while ``len(project_ids)`` light clients type on theirs."""
    count = len(project_ids)
    print(f"logging in {count} light clients through the login page", flush=True)
    designers = await light_designers(base, password, project_ids)
    try:
        lost: list[int] = []
        light_lost: list[int] = []
        await asyncio.gather(  # warm-up
            type_winds(probe, 2, 0, rng, lost),
            *(light_winds(d, 2, rng.random(), random.Random(i), light_lost) for i, d in enumerate(designers)),
        )
        lost.clear()
        light_lost.clear()
        setup = [d.client.reset_counts() for d in designers]
        print(f"light clients set up; what they met meanwhile: {sorted(set(setup))}", flush=True)
        load = os.getloadavg()[0]
        meter.start()
        typed: list[int] = []
        probe_task = asyncio.create_task(type_winds(probe, seconds, 0, rng, lost, typed))
        light_got = await asyncio.gather(
            *(
                light_winds(d, seconds, rng.random(), random.Random(100 + i), light_lost)
                for i, d in enumerate(designers)
            )
        )
        probe_got = await probe_task
        cores = meter.stop()
        label = f"probe + {count} light clients"
        series(out, label, probe_got)
        name = f"{count} light clients (own timing): keystroke -> update"
        out[name] = [ms for samples in light_got for ms in samples]
        print(summary(name, out[name]), flush=True)
        print(
            f"{label}: probe {len(probe_got)} updates for {len(typed)} keystrokes ({len(lost)} unanswered"
            f" within 10 s); light clients {len(out[name])} answered, {len(light_lost)} unanswered within"
            f" 10 s, {sum(d.client.reloads for d in designers)} page reloads,"
            f" {sum(d.client.failed_loads for d in designers)} page loads answered 5xx,"
            f" {sum(d.client.disconnects for d in designers)} lost connections; load average {load:.1f} at"
            f" the start, {os.getloadavg()[0]:.1f} at the end; CPU {describe(cores)}",
            flush=True,
        )
    finally:
        await asyncio.gather(*(d.client.close() for d in designers), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60, help="typing time per series (default 60)")
    parser.add_argument(
        "--light-clients",
        type=int,
        default=19,
        help="light clients typing beside the one Chromium probe in the load series (default 19)",
    )
    parser.add_argument(
        "--all-chromium",
        action="store_true",
        help="the old load series instead: --clients Chromium tabs, all typing",
    )
    parser.add_argument("--clients", type=int, default=20, help="Chromium tabs with --all-chromium")
    parser.add_argument("--saves", type=int, default=200, help="saves per save series")
    parser.add_argument("--skip-browser", action="store_true", help="only the API save series")
    args = parser.parse_args()
    if not args.skip_browser and chromium_binary() is None:
        sys.exit("no Chromium binary (apt-get install -y chromium)")
    light = None if args.all_chromium else max(0, min(args.light_clients, 500))
    projects = args.clients if light is None else light + 1

    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}, load average {os.getloadavg()[0]:.1f}")
    with serve() as (base, password, api_key, data):
        meter = CpuMeter(int(base.rsplit(":", 1)[1]), data)
        with httpx.Client(
            base_url=base, headers={"X-API-Key": api_key}, timeout=30, trust_env=False
        ) as client:
            project_ids = create_projects(client, max(projects, 1) + 1)
            new, same = bench_saves(client, project_ids[-1], args.saves)
        print(summary("save, new revision (201)", new))
        print(summary("save, identical design (200)", same), flush=True)
        print(f"load average after the saves {os.getloadavg()[0]:.1f}", flush=True)
        if not args.skip_browser:  # each series is printed as soon as it is measured
            asyncio.run(bench_browser(base, password, project_ids, args.seconds, args.clients, light, meter))
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other work on this machine skews the times)")


if __name__ == "__main__":
    main()
