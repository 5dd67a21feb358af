"""Two small dialogs the admin pages need: "are you sure?" and "copy this now, it is shown once".

Plain data and callbacks in; each dialog deletes itself when closed, so nothing (least of all a
secret) stays in the page after the person has dealt with it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import events, ui

from components.everyday import icon_button, submit_button


def once_warning(count: int) -> str:
    if count == 1:
        return "Copy it now: it will not be shown again. Only a hash of it is stored."
    return "Copy them now: they will not be shown again. Only hashes of them are stored."


# Clipboard access needs a secure context (HTTPS or localhost); an internal dashboard is often
# served over plain HTTP on the LAN, so fall back to the older execCommand route there.
COPY_JS = """(async (text) => {
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {}
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) {}
  area.remove();
  return ok;
})(%s)"""


def delete_when_closed(dialog: ui.dialog) -> ui.dialog:
    """Remove the dialog from the page once it is closed (by a button, Esc or a click outside)."""

    def closed(e: events.ValueChangeEventArguments) -> None:
        if not e.value:
            dialog.delete()

    dialog.on_value_change(closed)
    return dialog


async def close_then(dialog: ui.dialog, work: Callable[[], Awaitable[Any] | Any]) -> None:
    """Close ``dialog`` and then do ``work`` (navigate, notify, open the next dialog) in the page layout.

    A click handler runs in the slot of the button that was clicked, inside the dialog. Closing a
    dialog made with ``delete_when_closed`` deletes it and everything in it, so any UI call made
    after that from the button's slot fails ("The parent element this slot belongs to has been
    deleted"): the toast never shows, the browser never navigates. The page layout lives as long
    as the page, so the work runs there.
    """
    layout = dialog.client.layout
    dialog.close()
    with layout:
        result = work()
        if isinstance(result, Awaitable):
            await result


def confirm_dialog(
    title: str,
    message: str,
    *,
    confirm_label: str,
    on_confirm: Callable[[], Awaitable[Any] | Any],
    destructive: bool = True,
) -> ui.dialog:
    """Ask before doing something that cannot simply be undone; ``on_confirm`` runs after it closed."""
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[30rem] max-w-full"):
        dialog.mark("confirm-dialog")
        ui.label(title).classes("text-lg font-bold").mark("confirm-title")
        ui.label(message).classes("whitespace-pre-line")

        async def confirm() -> None:
            await close_then(dialog, on_confirm)

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat").mark("confirm-cancel")
            # Enter confirms (components/everyday.js); Esc or Cancel does nothing.
            submit_button(ui.button(confirm_label, on_click=confirm)).props(
                f"color={'negative' if destructive else 'primary'}"
            ).mark("confirm-ok")
    return delete_when_closed(dialog)


@dataclass(frozen=True)
class Secret:
    label: str
    value: str
    key: str  # marker suffix: ``secret-{key}`` for the value, ``copy-{key}`` for its button


async def copy_to_clipboard(text: str) -> None:
    try:
        copied = await ui.run_javascript(COPY_JS % json.dumps(text), timeout=3)
    except TimeoutError:
        copied = False
    if copied:
        ui.notify("Copied to the clipboard.", type="positive")
    else:
        ui.notify("Could not copy: select the text and copy it by hand.", type="warning")


def shown_once_dialog(title: str, intro: str, items: Sequence[Secret]) -> ui.dialog:
    """Show freshly generated secrets with copy buttons. Persistent (no closing by Esc or a click
    outside): closing it is the moment the secrets are gone, so it takes a deliberate click."""
    with ui.dialog(value=True).props("persistent") as dialog, ui.card().classes("w-[40rem] max-w-full"):
        dialog.mark("shown-once-dialog")
        ui.label(title).classes("text-lg font-bold").mark("shown-once-title")
        ui.label(intro)
        for item in items:
            ui.label(item.label).classes("text-sm font-bold text-grey-8 mt-2")
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                ui.label(item.value).classes(
                    "font-mono text-base select-all break-all bg-grey-2 rounded px-2 py-1 grow"
                ).mark(f"secret-{item.key}")
                icon_button(
                    "content_copy",
                    f"Copy the {item.label.lower()}",
                    lambda value=item.value: copy_to_clipboard(value),
                ).props("flat round").mark(f"copy-{item.key}")
        with ui.row().classes("w-full items-center no-wrap gap-2 mt-2 text-amber-10"):
            ui.icon("warning")
            ui.label(once_warning(len(items))).classes("font-medium").mark("shown-once-warning")
        with ui.row().classes("w-full justify-end"):
            ui.button(
                f"I have stored {'it' if len(items) == 1 else 'them'}", icon="check", on_click=dialog.close
            ).mark("shown-once-close")
    return delete_when_closed(dialog)
