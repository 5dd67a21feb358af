"""The habits every page shares, as small hooks a page opts into (the browser side is
``everyday.js``, the colours and focus ring ``everyday.css``; both are on every page).

- ``mark_unsaved(element, unsaved)``: while set, leaving the page (a link, reload, closing the
  tab) asks first.
- ``on_save(handler)``: what Ctrl/Cmd+S does on this page.
- ``search_box(input)``: the field ``/`` focuses.
- ``submit_button(button)`` / ``form_dialog(card)``: Enter in the dialog presses the button;
  Ctrl/Cmd+S does too when the dialog holds a form.
- ``busy(action)``: a click handler that shows the button's spinner and keeps it disabled while the
  action runs, so nothing is sent twice.
- ``icon_button(icon, label, ...)``: a button with only an icon still has a name for screen
  readers (``aria-label``) and a tooltip.
- ``keep_draft(form, key, ...)`` / ``draft_field(input, name)`` / ``on_draft(handler)`` /
  ``forget_draft(key)``: what is typed in the form is kept in the browser's sessionStorage at every
  keystroke, and offered back to the page after a reload.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from nicegui import Client, app, events, ui
from nicegui.elements.mixins.disableable_element import DisableableElement

HERE = Path(__file__).parent
SAVE_EVENT = "signx_save"
SHORTCUTS_EVENT = "signx_shortcuts"
DRAFT_EVENT = "signx_draft"

# What the ``?`` overlay lists: (keys, what they do).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+S / ⌘S", "Save the open form"),
    ("/", "Go to the search box"),
    ("Enter", "Confirm the open dialog"),
    ("Esc", "Close the open dialog"),
    ("?", "Show these shortcuts"),
)


def _asset_html() -> str:
    css = (HERE / "everyday.css").read_text(encoding="utf-8")
    js = (HERE / "everyday.js").read_text(encoding="utf-8")
    return f"<style>\n{css}</style>\n<script>\n{js}</script>"


# Quasar's brand colours, darkened where NiceGUI's defaults fail 4.5:1 with white text or on white:
# primary #5898d4 (3.1:1) -> #1565c0 (5.8:1), positive #21ba45 (2.6:1) -> #2e7d32 (5.1:1), info
# #31ccec -> #0277bd (4.8:1), warning #f2c037 -> #9a4a00 (6.3:1). Negative #c10015 passes (6.4:1).
BRAND = {"primary": "#1565c0", "positive": "#2e7d32", "info": "#0277bd", "warning": "#9a4a00"}


def install() -> None:
    """Put the shared stylesheet and script in the head of every page and set the brand colours
    (once per app)."""
    app.colors(**BRAND)
    html = _asset_html()
    if html not in Client.shared_head_html:
        ui.add_head_html(html, shared=True)


def mark_unsaved(element: ui.element, unsaved: bool) -> None:
    """``data-unsaved`` on ``element`` while its form has unsaved edits (see ``everyday.js``)."""
    if unsaved:
        element.props("data-unsaved")
    else:
        element.props(remove="data-unsaved")


def on_save(handler: Callable[[], Awaitable[Any] | Any]) -> None:
    """Ctrl/Cmd+S on the current page calls ``handler`` (the browser's own "Save page as" never
    opens on the app's pages)."""

    async def saved(_: events.GenericEventArguments) -> None:
        result = handler()
        if inspect.isawaitable(result):
            await result

    ui.on(SAVE_EVENT, saved)


def keep_draft(form: ui.element, key: str, *, etag: str, base: Mapping[str, str]) -> None:
    """The browser keeps the values typed in ``form`` under ``key`` (per tab, in sessionStorage)
    together with ``etag`` and ``base``, the version and the values the edits build on. Called again
    when the form's base moves (a save). The browser writes the draft itself at every keystroke, so it
    is kept even while the websocket is down; see ``everyday.js``, "drafts"."""
    form.props["data-draft"] = key
    form.props["data-draft-etag"] = etag
    form.props["data-draft-base"] = json.dumps(dict(base), ensure_ascii=False)


def draft_field(element: ui.element, name: str) -> None:
    """``element`` (an input or textarea in a ``keep_draft`` form) is kept as the draft's ``name``."""
    element.props["data-draft-field"] = name


def on_draft(handler: Callable[[str, Any], Awaitable[Any] | Any]) -> None:
    """``handler(key, draft)`` gets, once per page load, the draft the browser kept for each
    ``keep_draft`` form on the page. ``draft`` is what the browser stored; check it like any input.
    (Keystrokes typed while the websocket is down reach the server after the reconnect: socket.io
    holds them until then. A draft is what is left when the page is reloaded instead.)"""

    async def offered(e: events.GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        result = handler(str(args.get("key") or ""), args.get("draft"))
        if inspect.isawaitable(result):
            await result

    ui.on(DRAFT_EVENT, offered)


def forget_draft(key: str) -> None:
    """The draft under ``key`` is done with (saved or discarded): the browser drops it."""
    ui.run_javascript(f"window.signx && signx.drafts.clear({json.dumps(key)})")


def search_box(element: ui.input) -> ui.input:
    """The field ``/`` focuses."""
    return element.props("data-search-box")


def submit_button(button: ui.button) -> ui.button:
    """The dialog's main button: Enter in the dialog presses it."""
    return button.props("data-submit")


def form_dialog(card: ui.element) -> ui.element:
    """A dialog that holds a form: Ctrl/Cmd+S presses its ``submit_button`` too."""
    return card.props("data-form")


def busy(
    action: Callable[[], Awaitable[Any] | Any],
) -> Callable[[events.ClickEventArguments], Awaitable[None]]:
    """A click handler running ``action`` while its button shows a spinner and is disabled.

    A second click meanwhile (a double click, an impatient Enter) does nothing. The button gets back
    the enabled state it had; a button the action removed (a refreshed card, a closed dialog) is
    left alone.
    """

    async def run(e: events.ClickEventArguments) -> None:
        button = e.sender
        assert isinstance(button, DisableableElement)
        if "loading" in button.props:
            return
        was_enabled = button.enabled
        button.props("loading")
        button.disable()
        try:
            result = action()
            if inspect.isawaitable(result):
                await result
        finally:
            if not button.is_deleted:
                button.props(remove="loading")
                button.set_enabled(was_enabled)

    return run


def icon_button(
    icon: str, label: str, on_click: Callable[..., Any] | None = None, *, tooltip: bool = True
) -> ui.button:
    """A button showing only ``icon``, named ``label`` for screen readers (and in a tooltip)."""
    button = ui.button(icon=icon, on_click=on_click).props(f'aria-label="{_attribute(label)}"')
    if tooltip:
        button.tooltip(label)
    return button


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;")


def show_shortcuts() -> ui.dialog:
    """The ``?`` overlay: every shortcut and what it does. Built when asked for and removed when
    closed (Esc, a click outside, or Close)."""
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[26rem] max-w-full").mark("shortcuts-dialog"):
        ui.label("Keyboard shortcuts").classes("text-lg font-bold").props("role=heading aria-level=2")
        with ui.element("dl").classes("w-full grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 m-0"):
            for keys, meaning in SHORTCUTS:
                with ui.element("dt"):
                    ui.html(" ".join(f"<kbd>{k}</kbd>" for k in keys.split(" / ")), sanitize=False).classes(
                        "signx-keys"
                    )
                with ui.element("dd").classes("m-0"):
                    ui.label(meaning)
        with ui.row().classes("w-full justify-end"):
            submit_button(ui.button("Close", on_click=dialog.close).props("flat")).mark("shortcuts-close")

    def closed(e: events.ValueChangeEventArguments) -> None:
        if not e.value:
            dialog.delete()

    dialog.on_value_change(closed)
    return dialog


def listen_for_shortcuts() -> None:
    """``?`` on this page opens the overlay."""
    ui.on(SHORTCUTS_EVENT, show_shortcuts)
