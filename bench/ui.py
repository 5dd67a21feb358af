"""Benchmark: every-day user actions in real Chromium, from the action to its visible result, for
one client and with many light clients connected and acting once a second.

Run ``python bench/ui.py [--rounds N] [--light-clients N]``. It starts ``python app.py serve`` on a
free port of 127.0.0.1 with a fresh data dir (its own embedded PostgreSQL and Redis; see
``bench/designer.py``), creates projects through the API and stops the server by its PID.
Not run as a test.

The probe: one Chromium page (Playwright, the flags of ``tests.served``) signed in through the
login page, with a list tab on ``/projects`` and a project tab. Each action is timed inside the
page, not by Playwright: a capture-phase listener stamps ``performance.now()`` at the action's
``click``, a ``MutationObserver`` waits until what the person looks at differs from what it showed
at that stamp, and the sample ends at the next animation frame (the frame that paints it):

- filter: pick a status in the Status select (Estimating, then All statuses): the project count;
- sort: click the Name column's header: the names in the table;
- page: the table's next-page button, then the previous-page button: the "1-25 of N" label;
- dialog: the New project button: the dialog is in the page (it is built on the server);
- save: change the Customer field on the project's Overview, click Save: a new "Saved." toast;
- transition: Start estimating, then Back to draft: the status badge.

One round is these eight actions, about a second apart; ``--rounds`` rounds for one client, then
the same with ``--light-clients`` light clients (``bench/light_clients.py``: the page and its
socket.io connection without a browser) connected, each acting once a second at its own phase:
half type a search on the project list (alternately a project's name and nothing), half type a
new wind speed in the designer of a project of their own. They log in through the login page.

Prints the machine, the load average, per series and action the count, median, p95 and max in
milliseconds, the light clients' own action times, and the server stack's CPU (``bench/procstat.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.designer import ADMIN, design, machine, serve, signed_in_state, summary  # noqa: E402
from bench.light_clients import Designer, LightClient, ProjectList, Timeout  # noqa: E402
from bench.procstat import CpuMeter, describe  # noqa: E402
from tests.served import CHROMIUM_FLAGS, chromium_binary  # noqa: E402

ACTIONS = ("filter", "sort", "page", "dialog", "save", "transition")
ESTIMATING = 5  # projects moved to estimating, so the status filter changes the list

# Installed in every document of the probe's context: ``__ui.arm(check)`` before an action; the
# next click stamps the time and what ``check()`` returned; the first DOM change after which
# ``check()`` returns something else ends the sample at the next animation frame.
TIMER = """
(() => {
  sessionStorage.__loads = (+sessionStorage.__loads || 0) + 1;
  const ui = {samples: [], armed: null};
  window.__ui = ui;
  ui.arm = (check) => { ui.armed = {check, before: check(), t0: null}; };
  document.addEventListener('click', () => {
    const a = ui.armed;
    if (a && a.t0 === null) { a.t0 = performance.now(); a.before = a.check(); }
  }, true);
  const watch = () => new MutationObserver(() => {
    const a = ui.armed;
    if (!a || a.t0 === null || a.check() === a.before) return;
    ui.armed = null;
    requestAnimationFrame(() => ui.samples.push(performance.now() - a.t0));
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();
"""

COUNT = "document.querySelector('[data-bench=count]')?.textContent"
NAMES = "[...document.querySelectorAll('.q-table tbody tr td:first-child')].map(t => t.textContent).join('|')"
PAGINATION = "document.querySelector('.q-table__bottom')?.textContent"
DIALOG = (
    "[...document.querySelectorAll('.q-dialog')].some(d => d.textContent.includes('New project'))"
    " ? 'open' : ''"
)
NEW_TOAST = (
    "[...document.querySelectorAll('.q-notification:not([data-seen])')]"
    ".some(n => n.textContent.includes('Saved.')) ? 'saved' : ''"
)
BADGE = (
    "[...document.querySelectorAll('.q-badge')].map(b => b.textContent.trim())"
    ".find(t => /^(Draft|Estimating|Submitted|Accepted|Rejected)$/.test(t))"
)


def create_projects(client: httpx.Client, count: int, rng: random.Random) -> list[str]:
    """Projects named in a shuffled order, so sorting by name, by name descending and by creation
    show different first rows."""
    numbers = list(range(count))
    rng.shuffle(numbers)
    ids = []
    for n in numbers:
        body = {
            "name": f"Bench pylon {n:03d}",
            "account_id": "BENCH-01",
            "customer": "Bench",
            "site_address": "1 Main",
        }
        response = client.post("/api/v1/projects", json=body)
        response.raise_for_status()
        ids.append(response.json()["result"]["project_id"])
    return ids


def save_design(client: httpx.Client, project_id: str) -> str:
    """A passing design saved on the project (leaving draft needs one); returns the new ETag."""
    etag = client.get(f"/api/v1/projects/{project_id}").headers["etag"]
    response = client.post(
        f"/api/v1/projects/{project_id}/designs", json=design(115), headers={"If-Match": etag}
    )
    response.raise_for_status()
    return str(response.headers["etag"])


def to_estimating(client: httpx.Client, project_id: str) -> None:
    etag = save_design(client, project_id)
    response = client.post(
        f"/api/v1/projects/{project_id}/transitions", json={"to": "estimating"}, headers={"If-Match": etag}
    )
    response.raise_for_status()


class Probe:
    """The Chromium context and its two tabs' worth of actions."""

    def __init__(self, context: Any, base: str, project_id: str, lost: list[str]) -> None:
        self.context = context
        self.base = base
        self.project_id = project_id
        self.lost = lost
        self.samples: dict[str, list[float]] = {a: [] for a in ACTIONS}
        self.saves = 0
        self.listing: Any = None
        self.project: Any = None

    async def open_listing(self) -> None:
        """The list as it opens (``/projects``: all statuses, first page, newest first)."""
        if self.listing is None:
            self.listing = await self.context.new_page()
            self.listing.set_default_timeout(30_000)
        await self.listing.goto("/projects")
        count = self.listing.get_by_text(re.compile(r"^\d+ projects?$"))
        await count.evaluate("e => e.dataset.bench = 'count'")

    async def open_project(self) -> None:
        if self.project is None:
            self.project = await self.context.new_page()
            self.project.set_default_timeout(30_000)
        await self.project.goto(f"/projects/{self.project_id}")
        await self.project.get_by_label("Customer").wait_for()

    async def reloads(self) -> int:
        """Documents the two tabs loaded beyond their first (a page that lost its connection and
        was reloaded by NiceGUI, or reopened by ``round`` after a failed step)."""
        loads = [int(await p.evaluate("+sessionStorage.__loads")) for p in (self.listing, self.project)]
        return sum(loads) - len(loads)

    async def timed(self, page: Any, action: str, check: str, act: Any) -> None:
        """Arm the page's timer with ``check``, run ``act`` (it clicks), wait for the sample."""
        await page.bring_to_front()
        count = await page.evaluate("window.__ui.samples.length")
        await page.evaluate(f"window.__ui.arm(() => {check})")
        started = time.monotonic()
        await act(timeout=15_000)
        try:
            await page.wait_for_function(f"window.__ui.samples.length > {count}", polling=100, timeout=15_000)
        except Exception:
            await page.evaluate("window.__ui.armed = null")
            raise
        self.samples[action].append(await page.evaluate("window.__ui.samples.at(-1)"))
        await asyncio.sleep(max(0.0, started + 1 - time.monotonic()))  # about one action a second

    async def round(self) -> None:
        """The list's actions, then the project's. A step that fails (no visible result within
        15 s, or its control missing) is counted in ``lost`` with a screenshot, and that tab is
        opened afresh so the next round starts where it should."""
        try:
            await self.list_actions()
        except Exception as exc:
            await self.failed(self.listing, "list", exc)
            await self.open_listing()
        try:
            await self.project_actions()
        except Exception as exc:
            await self.failed(self.project, "project", exc)
            await self.open_project()

    async def failed(self, page: Any, where: str, exc: Exception) -> None:
        shot = Path(tempfile.gettempdir()) / f"signx-bench-ui-{where}-{len(self.lost)}.png"
        with contextlib.suppress(Exception):
            await page.screenshot(path=shot)
        reason = str(exc).splitlines()[0][:160]
        self.lost.append(f"{where}: {type(exc).__name__}: {reason} (screenshot {shot})")

    async def list_actions(self) -> None:
        page = self.listing
        status = page.get_by_label("Status")
        for option in ("Estimating", "All statuses"):
            await status.click()
            choice = page.get_by_role("option", name=option, exact=True)
            await choice.wait_for()
            await self.timed(page, "filter", COUNT, choice.click)
        await self.timed(page, "sort", NAMES, page.locator(".q-table thead th").filter(has_text="Name").click)
        bottom = page.locator(".q-table__bottom button")
        for icon in ("chevron_right", "chevron_left"):
            await self.timed(page, "page", PAGINATION, bottom.filter(has_text=icon).click)
        await self.timed(page, "dialog", DIALOG, page.get_by_role("button", name="New project").click)
        await page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        await page.get_by_role("dialog").wait_for(state="detached")

    async def project_actions(self) -> None:
        page = self.project
        self.saves += 1
        await page.get_by_label("Customer").fill(f"Bench customer {self.saves}")
        await page.evaluate("document.querySelectorAll('.q-notification').forEach(n => n.dataset.seen = 1)")
        await self.timed(page, "save", NEW_TOAST, page.get_by_role("button", name="Save", exact=True).click)
        move = page.get_by_role("button", name=re.compile(r"^(Start estimating|Back to draft)$"))
        await self.timed(page, "transition", BADGE, move.click)


async def open_probe(browser: Any, base: str, password: str, project_id: str, lost: list[str]) -> Probe:
    state = await signed_in_state(browser, base, password)
    context = await browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, storage_state=state
    )
    await context.add_init_script(TIMER)
    probe = Probe(context, base, project_id, lost)
    await probe.open_listing()
    await probe.open_project()
    return probe


async def light_loop(act: Any, stop: asyncio.Event, phase: float, got: list[float], lost: list[int]) -> None:
    """``act(n)`` once a second until ``stop``; its times in ``got``, its timeouts in ``lost``."""
    await asyncio.sleep(phase)
    start = time.monotonic()
    n = 0
    while not stop.is_set():
        try:
            got.append(await act(n))
        except Timeout:
            lost.append(1)
        n += 1
        await asyncio.sleep(max(0.0, start + n - time.monotonic()))


async def light_clients(
    base: str, password: str, count: int, project_ids: list[str], names: list[str]
) -> tuple[list[LightClient], list[Any]]:
    """``count`` light clients logged in through the login page (four at a time): even ones on the
    project list, odd ones on a designer each. Returns the clients and their actions."""
    gate = asyncio.Semaphore(4)

    async def one(i: int) -> tuple[LightClient, Any]:
        client = LightClient(base, f"light-{i}")
        async with gate:
            await client.log_in(ADMIN, password)
        if i % 2 == 0:
            listing = ProjectList(client)
            await listing.open()
            query = names[i % len(names)]
            return client, lambda n: listing.type_search(query if n % 2 == 0 else "")
        designer = Designer(client)
        await designer.open(project_ids[i // 2])
        return client, lambda n: designer.type_wind(95 + (7 * n + i) % 80)  # a new speed each time

    pairs = await asyncio.gather(*(one(i) for i in range(count)))
    return [c for c, _ in pairs], [a for _, a in pairs]


SERVER_PARTS = {"save": "save project", "transition": "move project"}


async def server_time(base: str) -> dict[str, tuple[float, float]]:
    """(seconds, count) the server spent in each page action so far, from its /metrics
    (``signx_page_action_duration_seconds``; loopback needs no token)."""
    async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
        text = (await client.get("/metrics")).text
    found: dict[str, list[float]] = {}
    for line in text.splitlines():
        m = re.match(r'signx_page_action_duration_seconds_(sum|count)\{action="([^"]+)"\} (\S+)', line)
        if m:
            found.setdefault(m.group(2), [0.0, 0.0])[["sum", "count"].index(m.group(1))] += float(m.group(3))
    return {action: (v[0], v[1]) for action, v in found.items()}


async def series(label: str, probe: Probe, rounds: int, meter: CpuMeter) -> None:
    """``rounds`` rounds of the probe, then its numbers (with the server's mean part of a save
    and a transition), the load and the CPU."""
    probe.samples = {a: [] for a in ACTIONS}
    probe.lost.clear()
    reloads = await probe.reloads()
    load = os.getloadavg()[0]
    before = await server_time(probe.base)
    meter.start()
    for _ in range(rounds):
        await probe.round()
    cores = meter.stop()
    after = await server_time(probe.base)
    for action in ACTIONS:
        line = summary(f"{label}: {action}", probe.samples[action])
        if action in SERVER_PARTS:
            spent, count = (
                a - b
                for a, b in zip(
                    after.get(SERVER_PARTS[action], (0, 0)),
                    before.get(SERVER_PARTS[action], (0, 0)),
                    strict=True,
                )
            )
            if count:
                line += f"   (server's part: mean {spent / count * 1000:.1f} ms)"
        print(line, flush=True)
    print(
        f"{label}: load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end;"
        f" CPU {describe(cores)}; the probe's tabs loaded {await probe.reloads() - reloads} more times;"
        f" {len(probe.lost)} failed steps{':' if probe.lost else ''}",
        flush=True,
    )
    for line in probe.lost:
        print(f"  {line}", flush=True)


async def bench(
    base: str,
    password: str,
    probe_project: str,
    light_projects: list[str],
    names: list[str],
    args: Any,
    meter: CpuMeter,
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
        )
        clients: list[LightClient] = []
        try:
            probe = await open_probe(browser, base, password, probe_project, [])
            await probe.round()  # warm-up
            await series("1 client", probe, args.rounds, meter)
            if not args.light_clients:
                return

            count = args.light_clients
            print(f"logging in {count} light clients through the login page", flush=True)
            clients, actions = await light_clients(base, password, count, light_projects, names)
            stop = asyncio.Event()
            rng = random.Random(3)
            light: dict[str, list[float]] = {"list search": [], "designer keystroke": []}
            light_lost: list[int] = []
            loops = [
                asyncio.create_task(
                    light_loop(
                        act,
                        stop,
                        rng.random(),
                        light["list search" if i % 2 == 0 else "designer keystroke"],
                        light_lost,
                    )
                )
                for i, act in enumerate(actions)
            ]
            label = f"{count} light clients"
            try:
                await asyncio.sleep(3)  # every light client has acted
                for samples in light.values():
                    samples.clear()
                light_lost.clear()
                setup = [c.reset_counts() for c in clients]
                print(f"light clients set up; what they met meanwhile: {sorted(set(setup))}", flush=True)
                await series(f"probe + {label}", probe, args.rounds, meter)
            finally:
                stop.set()
                await asyncio.gather(*loops, return_exceptions=True)
            for name, samples in light.items():
                print(summary(f"{label} (own timing): {name}", samples), flush=True)
            print(
                f"{label}: {len(light_lost)} actions unanswered within 10 s,"
                f" {sum(c.reloads for c in clients)} page reloads,"
                f" {sum(c.failed_loads for c in clients)} page loads answered 5xx,"
                f" {sum(c.disconnects for c in clients)} lost connections",
                flush=True,
            )
        finally:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rounds", type=int, default=20, help="rounds of the probe's actions per series (default 20)"
    )
    parser.add_argument(
        "--light-clients", type=int, default=50, help="light clients in the second series (default 50)"
    )
    parser.add_argument(
        "--projects",
        type=int,
        default=60,
        help="projects on the list besides the light clients' (default 60)",
    )
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, 1000))
    args.light_clients = max(0, min(args.light_clients, 500))
    if chromium_binary() is None:
        sys.exit("no Chromium binary (apt-get install -y chromium)")

    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}, load average {os.getloadavg()[0]:.1f}")
    with serve() as (base, password, api_key, data):
        meter = CpuMeter(int(base.rsplit(":", 1)[1]), data)
        rng = random.Random(11)
        designers = args.light_clients // 2
        with httpx.Client(
            base_url=base, headers={"X-API-Key": api_key}, timeout=30, trust_env=False
        ) as client:
            ids = create_projects(client, max(args.projects, 30) + designers + 1, rng)
            probe_project, light_projects, listed = ids[0], ids[1 : designers + 1], ids[designers + 1 :]
            save_design(client, probe_project)
            for project_id in listed[:ESTIMATING]:
                to_estimating(client, project_id)
            names = [client.get(f"/api/v1/projects/{pid}").json()["result"]["name"] for pid in listed[:20]]
        print(
            f"{len(ids)} projects, {ESTIMATING} of them estimating; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        asyncio.run(bench(base, password, probe_project, light_projects, names, args, meter))
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other work on this machine skews the times)")


if __name__ == "__main__":
    main()
