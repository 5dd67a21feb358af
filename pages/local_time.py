"""Times in the reader's own time zone.

The server cannot know where the reader is, the browser can: each tab asks it once
(``Intl.DateTimeFormat().resolvedOptions().timeZone``) and remembers the answer in the
browser session, so the next page formats local times from its first render. Until a tab
has answered (or when it names a zone this server does not know) times are shown in UTC,
and every page says which zone it shows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nicegui import Client, app

log = logging.getLogger(__name__)

STORAGE_KEY = "time_zone"
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
    """The zone this browser session told us before (UTC when it has not yet)."""
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
