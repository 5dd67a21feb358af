"""A moment on screen: short text (``5 min ago``) in a ``<time>`` element whose hover text is the
exact local time with its zone. The page formats both (``pages.local_time``); this only shows them."""

from __future__ import annotations

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement


class _Time(TextElement):
    def __init__(self, text: str) -> None:
        super().__init__(tag="time", text=text)


def time_label(text: str, exact: str, iso: str) -> ui.element:
    """``text`` shown, ``exact`` on hover (``title``), ``iso`` as the ``datetime`` attribute."""
    element = _Time(text)
    element.props(f'datetime="{iso}" title="{_attribute(exact)}"')
    return element


def time_slot(field: str) -> str:
    """A ``q-table`` body-cell template for ``field``: its text, and on hover the row's
    ``{field}_exact``."""
    return (
        '<q-td :props="props">'
        f'<time :datetime="props.row.{field}_iso" :title="props.row.{field}_exact">'
        "{{ props.value }}</time>"
        "</q-td>"
    )


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;")


def show_time(element: ui.element, text: str, exact: str, iso: str) -> None:
    """Make a ``time_label`` show another moment (a list that updates its rows in place). An
    attribute is set only when it changes: setting one sends the element to the browser again."""
    if element.props.get("datetime") != iso:
        element.props["datetime"] = iso
    if element.props.get("title") != exact:
        element.props["title"] = exact
    if isinstance(element, TextElement):
        element.text = text
