"""Times in the reader's own time zone, recent ones as "5 min ago" with the exact time on hover.

The server cannot know where the reader is, the browser can: the script every page carries
(``components/everyday.js``) puts the browser's zone (``Intl.DateTimeFormat().resolvedOptions()
.timeZone``) in the ``signx_tz`` cookie, the login page included, so every signed-in page formats
local times from its first render. Live pages also ask their tab once and remember the answer in
the browser session. Without either (a browser without ``Intl``, a zone this server does not know)
times are shown in UTC, and the exact time on hover names the zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nicegui import Client, app, ui

log = logging.getLogger(__name__)

STORAGE_KEY = "time_zone"
COOKIE = "signx_tz"
RECENT = timedelta(hours=24)  # younger than this reads "5 min ago", older as the date and time
ASK_BROWSER = "Intl.DateTimeFormat().resolvedOptions().timeZone"
UTC_ZONE = ZoneInfo("UTC")


def zone_named(name: object) -> ZoneInfo:
    """The zone of an IANA name from the browser; UTC for anything unknown or malformed."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def remembered_zone() -> ZoneInfo:
    """The zone of this page's browser: its cookie, else what the tab told us before, else UTC."""
    try:
        request = ui.context.client.request
    except RuntimeError:  # no page (a background task without a client context)
        request = None
    cookie = request.cookies.get(COOKIE) if request is not None else None
    if cookie:
        zone = zone_named(unquote(cookie))
        if zone.key != "UTC" or unquote(cookie) == "UTC":
            return zone
    return zone_named(app.storage.user.get(STORAGE_KEY))


async def ask_browser_zone(client: Client) -> ZoneInfo:
    """Ask this tab's browser for its zone and remember it (from the page's task or one it made)."""
    try:
        await client.connected(timeout=30)
        name = await client.run_javascript(ASK_BROWSER, timeout=3)
    except TimeoutError:
        return remembered_zone()
    zone = zone_named(name)
    app.storage.user[STORAGE_KEY] = zone.key
    return zone


def local(moment: datetime | None, zone: ZoneInfo, *, seconds: bool = False) -> str:
    """``2024-05-01 14:03`` in ``zone``; an empty string for no time."""
    if moment is None:
        return ""
    shown = moment.astimezone(zone)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def zone_label(zone: ZoneInfo) -> str:
    return "UTC" if zone.key == "UTC" else zone.key.replace("_", " ")


def exact(moment: datetime, zone: ZoneInfo) -> str:
    """``2024-05-01 14:03 (Europe/Berlin)``: the hover text of a time, naming the zone."""
    return f"{local(moment, zone)} ({zone_label(zone)})"


def relative(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """``just now``, ``5 min ago``, ``3 h ago`` within ``RECENT``; the local date and time beyond
    (and for a time ahead of ``now`` by more than a clock's drift)."""
    seconds = (now - moment).total_seconds()
    if -60 < seconds < 60:
        return "just now"
    if seconds < 0 or seconds >= RECENT.total_seconds():
        return local(moment, zone)
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


@dataclass(frozen=True)
class Shown:
    """How a moment reads on a page: ``text`` (relative when recent), ``exact`` (for the hover) and
    ``iso`` (the machine-readable value of a ``<time>`` element)."""

    text: str
    exact: str
    iso: str


def shown(moment: datetime, zone: ZoneInfo, now: datetime) -> Shown:
    return Shown(relative(moment, zone, now), exact(moment, zone), moment.isoformat())
