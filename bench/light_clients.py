"""Light NiceGUI clients: a page and its websocket without a browser, for load beside one real
Chromium probe (``bench/designer.py``, ``bench/ui.py``).

Twenty Chromium pages alone use most of this 2-core machine, so a benchmark whose other clients
are browsers measures Chromium, not the server. A light client costs the server what a browser
tab costs it (the same page render, the same socket.io connection, the same events and the same
updates sent back) and costs the machine almost nothing on the client side: it keeps the element
tree as data and draws nothing.

What it speaks is what ``nicegui/static/nicegui.js`` and ``templates/index.html`` speak:

- ``GET`` the page with httpx (cookies kept, redirects followed, like a browser's navigation) and
  read what the HTML embeds: ``createApp(parseElements(String.raw`{elements}`), {query: {...}})``,
  the element tree as JSON (HTML-escaped) and the socket.io query with ``client_id`` and
  ``next_message_id``;
- connect to ``/_nicegui_ws/socket.io`` (websocket transport) with that query plus a new
  ``tab_id`` and ``document_id`` (the page's ``implicit_handshake`` does the handshake on connect);
- apply every ``update`` message to the tree (an element replaced whole, ``None`` deletes it,
  ``preserved_props`` kept) and drop messages whose ``_id`` it has seen, as the browser does;
  ``ack`` the last message id every 3 s;
- answer ``run_javascript`` requests that wait for a result (the time zone question of
  ``pages.local_time`` is answered ``UTC``; anything else ``None``) and follow ``open`` (a
  navigation: the page is fetched again) and a reload request (``try_reconnect``, a failed rewind);
- emit ``event`` messages ``{id, client_id, listener_id, args}`` for an element's listener, with
  each argument JSON-encoded as ``stringifyEventArgs`` does: ``update:modelValue`` of a field found
  by its label, ``click`` of a button found by its text.

``python bench/light_clients.py [--seconds N]`` starts a server (as ``bench/designer.py`` does),
logs one light client in through the login page, opens a project's designer and types a new wind
speed once a second, printing its own keystroke-to-update times.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import socketio

ELEMENTS = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.S)
QUERY = re.compile(r"\bquery:\s*(\{.*?\}),\s*\n", re.S)
UNESCAPE = (("&#36;", "$"), ("&#96;", "`"), ("&gt;", ">"), ("&lt;", "<"), ("&amp;", "&"))
TIME_ZONE_QUESTION = "Intl.DateTimeFormat().resolvedOptions().timeZone"
WIND_LABEL = "Wind speed V (mph)"
MESSAGES = ("update", "run_javascript", "open", "notify", "download", "load_js_components", "try_reconnect")


def parse_page(html: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The element tree and the socket.io query a NiceGUI page embeds."""
    elements = ELEMENTS.search(html)
    query = QUERY.search(html)
    if not elements or not query:
        raise ValueError(f"not a NiceGUI page: {html[:300]!r}")
    raw = elements.group(1)
    for escaped, plain in UNESCAPE:
        raw = raw.replace(escaped, plain)
    # The query is a Python dict rendered into JavaScript (nicegui.js defines True/False/None).
    return json.loads(raw), ast.literal_eval(query.group(1))


class Timeout(Exception):
    pass


class LightClient:
    """One browser tab's worth of NiceGUI client, without the browser. ``name`` is for messages."""

    def __init__(self, base: str, name: str = "light") -> None:
        self.base = base
        self.name = name
        self.http = httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=60, trust_env=False)
        self.path = ""
        self.elements: dict[str, dict[str, Any]] = {}
        self.client_id = ""
        self.next_message_id = 0
        self.acked = -1
        self.query: dict[str, Any] = {}
        self.sio: socketio.AsyncClient | None = None
        self.opened: list[str] = []  # paths the server sent this tab to (``open`` messages)
        self.notifications: list[str] = []
        self.reloads = 0  # pages fetched again because the server asked (reload, failed rewind)
        self.disconnects = 0
        self.failed_loads = 0  # pages answered with a server error (then fetched again)
        self.changed = asyncio.Event()  # set after every applied update
        self._ack_task: asyncio.Task[None] | None = None
        self._reload_task: asyncio.Task[None] | None = None

    def reset_counts(self) -> str:
        """Say and zero the counts so far (after setting up, before a measured series)."""
        said = f"{self.reloads} reloads, {self.disconnects} lost connections, {self.failed_loads} 5xx pages"
        self.reloads = self.disconnects = self.failed_loads = 0
        return said

    # --- page and socket ----------------------------------------------------------------------
    async def open(self, path: str) -> None:
        """Navigate to ``path``: close this tab's socket, fetch the page, connect its socket."""
        await self._close_socket()
        for _ in range(3):  # an error page is reloaded, as a person would
            response = await self.http.get(path)
            if response.status_code < 500:
                break
            self.failed_loads += 1
        response.raise_for_status()
        self.path = response.url.raw_path.decode()
        self.elements, query = parse_page(response.text)
        self.client_id = str(query["client_id"])
        self.next_message_id = int(query.get("next_message_id") or 0)
        self.acked = -1
        self.query = {**query, "tab_id": str(uuid.uuid4()), "document_id": str(uuid.uuid4())}
        sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)
        for message in MESSAGES:
            sio.on(message, self._handler(message))
        sio.on("disconnect", lambda *_: self._on_disconnect(sio))
        await sio.connect(
            self._url(),
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())},
            transports=["websocket"],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=30,
        )
        self.sio = sio
        self._ack_task = asyncio.create_task(self._ack_loop())

    def _url(self) -> str:
        query = {**self.query, "next_message_id": self.next_message_id}
        encoded = {
            k: (str(v).lower() if isinstance(v, bool) else v) for k, v in query.items() if v is not None
        }
        return f"{self.base}?{urlencode(encoded)}"

    async def _close_socket(self) -> None:
        if self._ack_task is not None:
            self._ack_task.cancel()
            self._ack_task = None
        if self.sio is not None:
            sio, self.sio = self.sio, None
            with contextlib.suppress(Exception):
                await sio.disconnect()

    def new_tab(self, name: str) -> LightClient:
        """Another tab of the same browser: a page and socket of its own, this one's cookies."""
        tab = LightClient(self.base, name)
        tab.http.cookies.update(self.http.cookies)
        return tab

    async def close_page(self) -> None:
        """Close this tab's page (its socket), keeping the browser's cookies."""
        await self._close_socket()

    async def close(self) -> None:
        if self._reload_task is not None:
            self._reload_task.cancel()
        await self._close_socket()
        await self.http.aclose()

    def _on_disconnect(self, sio: socketio.AsyncClient) -> None:
        current = self.sio
        if current is None or current is not sio:
            return  # this tab closed it (a navigation)
        self.disconnects += 1
        current.connection_url = self._url()  # a reconnect carries the messages seen so far (see nicegui.js)

    async def _ack_loop(self) -> None:
        while True:
            await asyncio.sleep(3)
            if self.sio is not None and self.sio.connected and self.acked < self.next_message_id:
                with contextlib.suppress(Exception):
                    await self.sio.emit(
                        "ack", {"client_id": self.client_id, "next_message_id": self.next_message_id}
                    )
                    self.acked = self.next_message_id

    def _handler(self, message: str) -> Callable[[Any], Any]:
        async def handle(data: Any = None) -> None:
            if isinstance(data, dict) and "_id" in data:
                if data["_id"] < self.next_message_id:
                    return
                self.next_message_id = data.pop("_id") + 1
            await getattr(self, f"_on_{message}")(data)

        return handle

    async def _on_update(self, msg: dict[str, Any]) -> None:
        for element_id, element in msg.items():
            if element is None:
                self.elements.pop(element_id, None)
                continue
            old = self.elements.get(element_id)
            for prop in element.pop("preserved_props", None) or ():
                if old is not None and prop in old.get("props", {}):
                    element.setdefault("props", {})[prop] = old["props"][prop]
            self.elements[element_id] = element
        self.changed.set()
        self.changed = asyncio.Event()

    async def _on_run_javascript(self, msg: dict[str, Any]) -> None:
        code = str(msg.get("code", ""))
        if "window.location.reload()" in code:
            self._reload()
        elif msg.get("request_id") and self.sio is not None:
            result = "UTC" if code.strip() == TIME_ZONE_QUESTION else None
            await self.sio.emit(
                "javascript_response",
                {"request_id": msg["request_id"], "client_id": self.client_id, "result": result},
            )

    async def _on_open(self, msg: dict[str, Any]) -> None:
        self.opened.append(str(msg["path"]))
        self.changed.set()
        self.changed = asyncio.Event()

    async def _on_notify(self, msg: dict[str, Any]) -> None:
        self.notifications.append(str(msg.get("message", "")))

    async def _on_download(self, _: Any) -> None:
        pass

    async def _on_load_js_components(self, _: Any) -> None:
        pass

    async def _on_try_reconnect(self, _: Any) -> None:
        self._reload()

    def _reload(self) -> None:
        """What the browser does when told to reload: fetch the page again (in the background)."""
        self.reloads += 1
        if self._reload_task is None or self._reload_task.done():
            self._reload_task = asyncio.create_task(self.open(self.path))

    # --- finding elements ---------------------------------------------------------------------
    def find(
        self,
        *,
        tag: str | None = None,
        label: str | None = None,
        text: str | None = None,
        prop: str | None = None,
    ) -> str:
        """The id of the first element matching all given: ``tag``, ``label`` (its label prop),
        ``text`` (its text or label), ``prop`` (it has that prop)."""
        for element_id, element in self.elements.items():
            props = element.get("props") or {}
            if tag is not None and element.get("tag") != tag:
                continue
            if label is not None and props.get("label") != label:
                continue
            if text is not None and text not in (element.get("text"), props.get("label")):
                continue
            if prop is not None and prop not in props:
                continue
            return element_id
        raise LookupError(f"{self.name}: no element {tag=} {label=} {text=} {prop=} on {self.path}")

    def children(self, element_id: str) -> Iterator[str]:
        element = self.elements.get(element_id) or {}
        yield from (str(c) for c in element.get("children") or ())
        for slot in (element.get("slots") or {}).values():
            yield from (str(c) for c in (slot or {}).get("ids") or ())

    def subtree_text(self, element_id: str) -> str:
        """The texts (and labels) of an element and everything inside it, in tree order."""
        parts: list[str] = []
        stack = [element_id]
        while stack:
            current = stack.pop()
            element = self.elements.get(current)
            if element is None:
                continue
            props = element.get("props") or {}
            for value in (element.get("text"), props.get("label"), props.get("innerHTML")):
                if value:
                    parts.append(str(value))
            stack.extend(reversed(list(self.children(current))))
        return "\n".join(parts)

    # --- acting -------------------------------------------------------------------------------
    async def emit(self, element_id: str, event: str, *args: Any) -> None:
        """Emit ``event`` of the element's listener, as nicegui.js does for a DOM or Vue event."""
        element = self.elements[element_id]
        listeners = [e for e in element.get("events") or () if e["type"] == event and not e.get("js_handler")]
        if not listeners:
            tag = element.get("tag")
            raise LookupError(f"{self.name}: element {element_id} ({tag}) has no {event} listener")
        if self.sio is None:
            raise RuntimeError(f"{self.name}: not connected")
        for listener in listeners:
            wanted = listener.get("args")
            sent = args if wanted is None else args[: len(wanted)]
            await self.sio.emit(
                "event",
                {
                    "id": int(element_id),
                    "client_id": self.client_id,
                    "listener_id": listener["listener_id"],
                    "args": [json.dumps(a) for a in sent],
                },
            )

    def field(self, label: str) -> str:
        """The id of the input (text, number, select) with this label."""
        for element_id, element in self.elements.items():
            if (element.get("props") or {}).get("label") == label and self.value_event(element_id):
                return element_id
        raise LookupError(f"{self.name}: no field labelled {label!r} on {self.path}")

    def value_event(self, element_id: str) -> str:
        """The event a value element sends its new value with (``update:modelValue``, or
        ``update:value`` for NiceGUI's own input)."""
        for listener in self.elements[element_id].get("events") or ():
            if listener["type"].startswith("update:"):
                return str(listener["type"])
        return ""

    async def set_value(self, element_id: str, value: Any) -> None:
        """What typing into a field (or picking an option) sends."""
        await self.emit(element_id, self.value_event(element_id), value)

    async def wait_until(self, condition: Callable[[], bool], within: float) -> float:
        """Wait until ``condition()`` holds after an update (or an ``open``); returns the
        ``perf_counter`` time it first did. Raises Timeout."""
        deadline = time.perf_counter() + within
        while not condition():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise Timeout(f"{self.name}: no matching update within {within:.0f} s on {self.path}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return time.perf_counter()

    async def timed(
        self, act: Callable[[], Awaitable[None]], watch: Callable[[], Any], within: float = 10
    ) -> float:
        """Run ``act`` (an emit) and return the milliseconds until ``watch()`` (a snapshot of what
        the person would look at) differs from what it was before."""
        before = watch()
        start = time.perf_counter()
        await act()
        end = await self.wait_until(lambda: watch() != before, within)
        return (end - start) * 1e3

    # --- flows --------------------------------------------------------------------------------
    async def log_in(self, email: str, password: str, target: str = "/projects") -> None:
        """Through the login page: fill both fields, press the button, follow the server's
        navigation to ``/login/complete`` (which moves the sign-in to a new session cookie)."""
        await self.open(f"/login?{urlencode({'redirect_to': target})}")
        await self.set_value(self.field("Email"), email)
        await self.set_value(self.field("Password"), password)
        self.opened.clear()
        await self.emit(self.find(tag="q-btn", text="Log in"), "click")
        refusal = ("Wrong email or password", "Too many failed attempts")

        def refused() -> str:
            return next(
                (t for e in self.elements.values() if (t := e.get("text") or "").startswith(refusal)), ""
            )

        await self.wait_until(lambda: bool(self.opened or refused()), 60)
        if not self.opened:
            raise RuntimeError(f"{self.name}: login refused: {refused()}")
        await self.open(self.opened.pop())
        if self.path.startswith("/login"):
            raise RuntimeError(f"{self.name}: login refused, still on {self.path}")


class Designer:
    """A light client on a project's Design tab, typing new wind speeds."""

    def __init__(self, client: LightClient) -> None:
        self.client = client
        self.wind = ""
        self.summary = ""
        self.checks = ""
        self.chart = ""

    async def open(self, project_id: str) -> None:
        c = self.client
        await c.open(f"/projects/{project_id}")
        tabs = c.find(tag="q-tabs")
        with contextlib.suppress(LookupError):  # what the Design tab's click sends
            await c.emit(tabs, "update:modelValue", "Design")
        self.wind = c.field(WIND_LABEL)
        await c.wait_until(self._ready, 30)

    def _ready(self) -> bool:
        """The first evaluation has filled the summary card (``Pole:``), the checks card and the
        elevation chart."""
        c = self.client
        self.summary = self.checks = self.chart = ""
        for element_id, element in c.elements.items():
            if element.get("tag") == "q-card":
                text = c.subtree_text(element_id)
                if "Pole:" in text:
                    self.summary = element_id
                elif text.startswith("Checks ("):
                    self.checks = element_id
            elif not self.chart and isinstance((element.get("props") or {}).get("options"), dict):
                self.chart = element_id  # the first chart: the elevation (plotly's figure in ``options``)
        return bool(self.summary and self.checks and self.chart and self.results()[0])

    def results(self) -> tuple[str, str]:
        """What the person reads: the summary and checks cards' texts, and the elevation chart."""
        c = self.client
        text = c.subtree_text(self.summary) + c.subtree_text(self.checks)
        chart = (c.elements.get(self.chart) or {}).get("props", {}).get("options")
        return text, json.dumps(chart, sort_keys=True)

    async def type_wind(self, value: float, within: float = 10) -> float:
        """Milliseconds from the keystroke's event to the update that changed both the results
        cards and the elevation chart."""
        c = self.client
        before = self.results()
        start = time.perf_counter()
        await c.set_value(self.wind, value)

        def answered() -> bool:
            now = self.results()
            return now[0] != before[0] and now[1] != before[1]

        end = await c.wait_until(answered, within)
        return (end - start) * 1e3


class ProjectList:
    """A light client on ``/projects``, typing searches."""

    def __init__(self, client: LightClient) -> None:
        self.client = client
        self.search = ""
        self.count = ""
        self.table = ""

    async def open(self) -> None:
        c = self.client
        await c.open("/projects")
        self.search = c.field("Search")
        self.count = next(
            i for i, e in c.elements.items() if re.fullmatch(r"\d+ projects?", e.get("text") or "")
        )
        self.table = c.find(prop="columns")  # the table (its rows and columns are props)

    def shown(self) -> tuple[str, str]:
        """What the person reads: the count and the table's rows."""
        c = self.client
        rows = (c.elements.get(self.table) or {}).get("props", {}).get("rows")
        return str((c.elements.get(self.count) or {}).get("text")), json.dumps(rows)

    async def type_search(self, text: str, within: float = 10) -> float:
        """Milliseconds from the search field's event to the update that changed the list (the
        browser sends it 350 ms after the last keystroke: that wait is not in this time)."""
        c = self.client
        return await c.timed(lambda: c.set_value(self.search, text), self.shown, within)


def main() -> None:
    import argparse
    import random
    import statistics
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.designer import create_projects, serve, summary  # noqa: PLC0415

    parser = argparse.ArgumentParser(description="One light client typing in the designer.")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    with serve() as (base, password, api_key, _):
        with httpx.Client(base_url=base, headers={"X-API-Key": api_key}, timeout=30, trust_env=False) as api:
            (project_id,) = create_projects(api, 1)

        async def run() -> list[float]:
            client = LightClient(base, "light-0")
            try:
                await client.log_in("admin@signx.local", password)
                print(f"logged in, on {client.path}", flush=True)
                designer = Designer(client)
                await designer.open(project_id)
                rng = random.Random(1)
                got: list[float] = []
                start = time.monotonic()
                n = 0
                while time.monotonic() - start < args.seconds:
                    got.append(await designer.type_wind(rng.randint(95, 175)))
                    n += 1
                    await asyncio.sleep(max(0.0, start + n - time.monotonic()))
                return got
            finally:
                await client.close()

        got = asyncio.run(run())
        print(summary("light client: keystroke -> update", got))
        print(f"median {statistics.median(got):.1f} ms")


if __name__ == "__main__":
    main()
