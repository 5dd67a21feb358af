"""A page answers in time under load: its data is fetched while its frame is built, and a slow fetch
no longer holds the HTTP response.

NiceGUI gives a page function ``response_timeout`` seconds (3 by default) to build; past it the
browser gets an error page. Under overload (PostgreSQL saturated) the page functions waited on their
queries and ran past it ("Response for /projects not ready after 3.0 seconds"). Now:

- the data is fetched as a task; when it is ready within ``FIRST_PAINT_S`` the page goes out whole
  (one response, nothing filled in afterwards: the usual case, and the fastest to look at);
- otherwise the frame goes out at once with a skeleton in place of the content, and the content is
  drawn over the websocket when the browser has connected and the data has come.

``RESPONSE_TIMEOUT_S`` is raised above NiceGUI's 3 s for what is left before the first answer (the
sign-in check, one indexed query): under overload that is slower, not an error page.
``RECONNECT_TIMEOUT_S``: a page whose websocket stalls (a busy server missing pings, a laptop waking)
keeps its client for that long, so it reconnects where it was, with what was typed, instead of being
reloaded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from nicegui import ui

T = TypeVar("T")

FIRST_PAINT_S = 1.0
RESPONSE_TIMEOUT_S = 15.0
RECONNECT_TIMEOUT_S = 30.0


class Gone(Exception):
    """The browser left (its client was deleted) before the page's data arrived."""


async def fetched(load: Awaitable[T], skeleton: Callable[[], None]) -> T:
    """The result of ``load``, awaited in a page function; when it takes longer than ``FIRST_PAINT_S``,
    ``skeleton()`` is drawn in the current slot and the response goes out, and the result is returned
    (the skeleton removed) once the browser has connected and the data came. Raises what ``load``
    raises, or ``Gone`` when the browser left meanwhile (the page function then just returns)."""
    task = asyncio.ensure_future(load)
    try:
        done, _ = await asyncio.wait({task}, timeout=FIRST_PAINT_S)
    except asyncio.CancelledError:  # the page's build was cancelled: so is its fetch
        task.cancel()
        raise
    if done:
        return task.result()
    client = ui.context.client
    with ui.column().classes("w-full gap-3").props('aria-busy="true"').mark("page-loading") as holder:
        skeleton()
    await client.connected()  # the response goes out now; returns when connected (or deleted)
    if client.is_deleted:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        raise Gone
    try:
        result = await task
    finally:
        if not client.is_deleted:
            holder.delete()  # the content (or what the page says instead, e.g. "not found") goes here
    if client.is_deleted:
        raise Gone
    return result


def form_skeleton(rows: int = 5) -> None:
    """Grey bars shaped like a heading and a form, while the data comes."""
    ui.skeleton("text").classes("text-2xl w-64")
    ui.skeleton("text").classes("w-96 max-w-full")
    with ui.card().classes("w-full gap-3"):
        for _ in range(rows):
            ui.skeleton("QInput").classes("w-full")


def table_skeleton(rows: int = 8) -> None:
    """Grey bars shaped like a heading, the filters and a table, while the data comes."""
    ui.skeleton("text").classes("text-2xl w-48")
    with ui.row().classes("w-full gap-4"):
        ui.skeleton("QInput").classes("w-96 max-w-full")
        ui.skeleton("QInput").classes("w-48")
    for _ in range(rows):
        ui.skeleton("rect", height="2rem").classes("w-full")
