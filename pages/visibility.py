"""Whether the tab is on screen: live pages stop their timer and their feed while it is hidden.

The browser's ``visibilitychange`` (another tab in front, the window minimised, the screen
locked) is sent to the page as a global event; closing the tab ends the client, which pages
handle with ``client.on_delete``.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import events, ui

VISIBILITY_EVENT = "signx_visibility"
LISTEN = (
    "document.addEventListener('visibilitychange', () => "
    f"emitEvent('{VISIBILITY_EVENT}', document.visibilityState === 'visible'));"
)


def is_visible(args: object) -> bool:
    """The event's argument, also when it arrives wrapped in a list."""
    if isinstance(args, list | tuple):
        args = args[0] if args else True
    return args is True or args == "true"


def watch_visibility(handler: Callable[[bool], None]) -> None:
    """Call ``handler(visible)`` whenever this tab is hidden or shown again."""
    # Run once the tab is connected (a <script> added to a page already sent would never run).
    ui.run_javascript(LISTEN)

    def changed(e: events.GenericEventArguments) -> None:
        handler(is_visible(e.args))

    ui.on(VISIBILITY_EVENT, changed)
