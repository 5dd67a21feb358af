"""Benchmark: the server's memory per open browser tab, and whether it comes back after tabs close.

Run ``python bench/tabs.py [--tabs N] [--cycles N] [--page list|project]``. It starts
``python app.py serve`` on a free port of 127.0.0.1 with a fresh data dir (its own embedded
PostgreSQL and Redis; see ``bench/designer.py``), creates projects through the API (one with a
design, a few saves and so a history), and stops the server by its PID. Not run as a test.

The tabs are light clients (``bench/light_clients.py``): the page fetched and its socket.io
connection held as a browser tab holds them, so the server keeps for each what it keeps for a
browser's (the NiceGUI client, its element tree, its tab storage, its socket); nothing is drawn.
Ten of them log in through the login page as the admin (ten browsers); every other tab shares one
of those cookie jars (more tabs of the same browser).

1. Idle tabs: ``--tabs`` (200) tabs opened, eight at a time, half on ``/projects``, then half on
   the project's page; the server process's resident memory (RSS, from ``/proc``) before, after
   each half and after a settle, and the ``signx_ui_clients`` gauge of ``/metrics`` (NiceGUI's
   ``Client.instances``). Then all are closed and the gauge is waited back to where it was (a
   project page keeps a closed tab's client for its 30 s reconnect timeout).
2. Open and close: ``--cycles`` (1,000) times a tab opens the page (``--page``, the project's by
   default, the heavier) and closes it, four tabs at a time; RSS every tenth of the way, then the
   gauge waited back to its level and RSS again; ``--rounds`` (2) such rounds. Memory that a closed
   tab's client left behind grows with every round; memory the allocator keeps for reuse (the
   clients that wait out their reconnect timeout meanwhile) is taken in the first and reused after.

Prints the machine, the load average, every reading and the per-tab figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.designer import ADMIN, create_projects, design, machine, serve  # noqa: E402
from bench.light_clients import LightClient  # noqa: E402
from bench.procstat import server_pid  # noqa: E402

BROWSERS = 10
GAUGE = re.compile(r"^signx_ui_clients (\S+)$", re.M)
MiB = 1024 * 1024


def ui_clients(base: str) -> int:
    """The server's NiceGUI clients, from ``/metrics`` (loopback may read it without a token)."""
    text = httpx.get(f"{base}/metrics", follow_redirects=True, timeout=30, trust_env=False).text
    found = GAUGE.search(text)
    if found is None:
        raise RuntimeError("no signx_ui_clients gauge in /metrics")
    return int(float(found.group(1)))


class Server:
    def __init__(self, base: str) -> None:
        self.base = base
        self.process = psutil.Process(server_pid(int(base.rsplit(":", 1)[1])))

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def clients(self) -> int:
        return ui_clients(self.base)

    def reading(self, label: str) -> tuple[int, int]:
        rss, clients = self.rss(), self.clients()
        load = os.getloadavg()[0]
        print(f"{label:58s} RSS {rss / MiB:8.1f} MiB   clients {clients:5d}   load {load:.1f}", flush=True)
        return rss, clients

    async def settle(self, clients: int, within: float = 90) -> float:
        """Wait until the gauge is at most ``clients``; the seconds it took."""
        start = time.monotonic()
        while (now := await asyncio.to_thread(self.clients)) > clients:
            if time.monotonic() - start > within:
                raise RuntimeError(f"{now} clients after {within:.0f} s, expected {clients}")
            await asyncio.sleep(0.5)
        return time.monotonic() - start


async def in_batches(work: list[Callable[[], Awaitable[None]]], at_once: int) -> None:
    gate = asyncio.Semaphore(at_once)

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(job) for job in work))


async def browsers(base: str, password: str) -> list[LightClient]:
    """``BROWSERS`` light clients logged in through the login page (their cookie jars)."""
    signed_in = [LightClient(base, f"browser-{i}") for i in range(BROWSERS)]
    await in_batches([lambda c=c: c.log_in(ADMIN, password) for c in signed_in], 4)
    for c in signed_in:
        await c.close_page()  # the cookies kept, not the page
    return signed_in


async def idle_tabs(server: Server, signed_in: list[LightClient], project_id: str, count: int) -> None:
    base_rss, base_clients = server.reading("before the idle tabs")
    tabs: list[LightClient] = []
    halves = (("/projects", count // 2), (f"/projects/{project_id}", count - count // 2))
    readings = []
    for path, n in halves:
        new = [signed_in[(len(tabs) + i) % BROWSERS].new_tab(f"tab-{len(tabs) + i}") for i in range(n)]
        started = time.monotonic()
        await in_batches([lambda t=t, p=path: t.open(p) for t in new], 8)
        tabs += new
        elapsed = time.monotonic() - started
        readings.append(server.reading(f"{len(tabs)} tabs open ({n} on {path} in {elapsed:.0f} s)"))
    await asyncio.sleep(10)  # pending updates sent, acks in, background tasks done
    rss, clients = server.reading(f"{len(tabs)} tabs open, 10 s later")
    lost = sum(t.disconnects + t.reloads for t in tabs)
    added = rss - base_rss
    list_rss = readings[0][0] - base_rss
    project_rss = readings[1][0] - readings[0][0]
    print(
        f"per tab: {list_rss / halves[0][1] / MiB:.2f} MiB on the list, "
        f"{project_rss / halves[1][1] / MiB:.2f} MiB on a project page; "
        f"all {count} tabs: +{added / MiB:.1f} MiB, {added / count / MiB:.2f} MiB a tab, "
        f"the process {rss / MiB:.0f} MiB in all ({clients - base_clients} clients added; "
        f"{lost} lost connections or reloads)",
        flush=True,
    )
    await asyncio.gather(*(t.close() for t in tabs))
    waited = await server.settle(base_clients)
    server.reading(f"all closed, clients back to {base_clients} {waited:.0f} s later")


async def cycles(server: Server, signed_in: list[LightClient], path: str, count: int, label: str) -> int:
    """``count`` open/close cycles of ``path`` by four tabs; then the clients waited back to where
    they were. Returns the RSS after."""
    base_rss, base_clients = server.reading(f"{label}: before {count} open/close cycles of {path}")
    tabs = [signed_in[i % BROWSERS].new_tab(f"cycle-{i}") for i in range(4)]
    started_cycles = 0
    samples: list[tuple[int, int]] = []
    step = max(1, count // 10)

    async def run(tab: LightClient) -> None:
        nonlocal started_cycles
        while started_cycles < count:
            started_cycles += 1
            n = started_cycles
            await tab.open(path)  # closes the tab's previous page first, as a navigation does
            if n % step == 0:
                samples.append((n, server.rss()))
                print(f"  {n:5d} cycles   RSS {samples[-1][1] / MiB:8.1f} MiB", flush=True)

    started = time.monotonic()
    await asyncio.gather(*(run(t) for t in tabs))
    elapsed = time.monotonic() - started
    await asyncio.gather(*(t.close() for t in tabs))
    lost = sum(t.disconnects + t.reloads + t.failed_loads for t in tabs)
    server.reading(
        f"{label}: {count} cycles in {elapsed:.0f} s ({count / elapsed:.1f} a second; {lost} lost or 5xx)"
    )
    waited = await server.settle(base_clients)
    server.reading(f"{label}: clients back to {base_clients} ({waited:.0f} s later)")
    await asyncio.sleep(10)
    rss, _ = server.reading(f"{label}: 10 s later")
    samples.sort()
    first = next((r for n, r in samples if n >= count // 5), samples[0][1])
    last = samples[-1][1]
    per_cycle = (last - first) / max(1, count - count // 5) / 1024
    print(
        f"{label}: RSS {(first - base_rss) / MiB:+.1f} MiB by cycle {count // 5} (the closed tabs' clients "
        f"kept for their reconnect timeout), then {(last - first) / MiB:+.1f} MiB to cycle {count} "
        f"({per_cycle:.2f} KiB a cycle); after the clients were deleted {(rss - base_rss) / MiB:+.1f} MiB "
        "against the start",
        flush=True,
    )
    return rss


async def bench(base: str, password: str, project_id: str, args: argparse.Namespace) -> None:
    server = Server(base)
    signed_in = await browsers(base, password)
    try:
        # Warm-up: every page's modules imported, pools and caches filled, then their clients gone.
        warm = signed_in[0].new_tab("warm-up")
        for path in ("/projects", f"/projects/{project_id}") * 3:
            await warm.open(path)
        await warm.close()
        await server.settle(0)
        await asyncio.sleep(5)
        if args.tabs:
            await idle_tabs(server, signed_in, project_id, args.tabs)
        if args.cycles:
            path = "/projects" if args.page == "list" else f"/projects/{project_id}"
            # The first round grows the heap to what the clients waiting out their reconnect
            # timeout need (the allocator keeps it for reuse); a leak would grow every round.
            before = server.rss()
            for n in range(1, args.rounds + 1):
                after = await cycles(server, signed_in, path, args.cycles, f"round {n}")
                print(f"round {n}: RSS {(after - before) / MiB:+.1f} MiB over the round", flush=True)
                before = after
    finally:
        await asyncio.gather(*(c.close() for c in signed_in), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tabs", type=int, default=200, help="idle tabs (default 200)")
    parser.add_argument("--cycles", type=int, default=1000, help="open/close cycles (default 1000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --cycles cycles (default 2)")
    parser.add_argument("--page", choices=("list", "project"), default="project")
    parser.add_argument("--projects", type=int, default=30, help="projects on the list (default 30)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}, load average {load}")
    with serve() as (base, password, api_key, _):
        with httpx.Client(base_url=base, headers={"X-API-Key": api_key}, timeout=30, trust_env=False) as api:
            ids = create_projects(api, max(1, args.projects))
            project_id = ids[0]
            for wind in (105, 115):  # two design revisions: a history, the designer's latest
                etag = api.get(f"/api/v1/projects/{project_id}").headers["etag"]
                api.post(
                    f"/api/v1/projects/{project_id}/designs", json=design(wind), headers={"If-Match": etag}
                ).raise_for_status()
        asyncio.run(bench(base, password, project_id, args))
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
