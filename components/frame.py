"""The layout every signed-in page shares: header with navigation, who is signed in, logout, the
theme and the keyboard shortcuts; a skip link to the content.

Takes plain data and callbacks; knows nothing about sessions or the database, so the pages
decide who the user is, what logging out means and where a theme choice is kept.

On a phone (below 600 px) the header stays one line: the navigation, the account and Logout move
into the menu button at its left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from nicegui import ui

from components.everyday import icon_button, listen_for_shortcuts, show_shortcuts
from domain.users.roles import can_manage_users, can_view_jobs

APP_NAME = "SignX Studio"
SKIP_LINK = '<a class="signx-skip" href="#main">Skip to main content</a>'
# A click on Logout (or any way out) first asks when a form has unsaved edits (everyday.js).
GUARDED = "(...args) => signx.leave(() => emit(...args))"

THEME_DARK: dict[str, bool | None] = {"auto": None, "light": False, "dark": True}
THEME_ICONS = {"auto": "brightness_auto", "light": "light_mode", "dark": "dark_mode"}
THEME_CHOICES = {"auto": "Follow the system", "light": "Light", "dark": "Dark"}


def theme_label(theme: str) -> str:
    return {
        "auto": "Theme: follows the system",
        "light": "Theme: light",
        "dark": "Theme: dark",
    }.get(theme, "Theme")


def _links(user_role: str) -> list[tuple[str, str, str, bool]]:
    """(label, address, marker, new tab) of the navigation this role sees."""
    links = [("Projects", "/projects", "projects", False), ("Search", "/search", "search", False)]
    if can_view_jobs(user_role):
        links.append(("Jobs", "/jobs", "jobs", False))
    if can_manage_users(user_role):  # the pure role rule on the role passed in: still plain data
        links.append(("Users", "/users", "users", False))
    links.append(("API docs", "/api/docs", "api-docs", True))
    return links


@contextmanager
def frame(
    title: str,
    *,
    user_email: str,
    user_role: str,
    on_logout: Callable[[], Any],
    wide: bool = False,
    theme: str = "auto",
    on_theme: Callable[[str], Any] | None = None,
) -> Iterator[ui.element]:
    """Header + a centred main column; the page builds its content inside the ``with`` block.
    ``wide`` for pages whose tables have many columns (the job monitor). ``theme`` is the person's
    choice (auto, light or dark); ``on_theme`` keeps a new choice."""
    ui.page_title(f"{title} · {APP_NAME}" if title else APP_NAME)
    ui.add_body_html(SKIP_LINK)
    dark = ui.dark_mode(THEME_DARK.get(theme))
    links = _links(user_role)
    link = "text-white no-underline"
    with ui.header(elevated=True).classes(
        "items-center justify-between no-wrap gap-2 px-2 sm:px-6 py-2 bg-slate-800"
    ):
        with ui.row().classes("items-center no-wrap gap-2 sm:gap-6 min-w-0"):
            menu = icon_button("menu", "Menu", tooltip=False).props("flat round dense color=white")
            menu.classes("sm:hidden").mark("nav-menu")
            with menu, ui.menu().mark("nav-menu-items"), ui.list().props("dense"):
                for label, href, marker, new_tab in links:
                    item = ui.item(label).props(f'clickable href="{href}"').mark(f"menu-nav-{marker}")
                    if new_tab:
                        item.props('target="_blank"')
                ui.separator()
                profile = ui.item().props('clickable href="/profile"').mark("menu-profile")
                with profile, ui.column().classes("gap-0"):
                    ui.label(user_email).classes("text-sm").mark("menu-user-email")
                    ui.label(f"{user_role.title()} · profile and e-mail").classes("text-xs text-grey-8")
                ui.item("Log out").props("clickable").on("click", on_logout, js_handler=GUARDED).mark(
                    "menu-logout"
                )
            ui.link(APP_NAME, "/projects").classes(f"text-lg font-bold whitespace-nowrap {link}").mark(
                "app-name"
            )
            with ui.element("nav").props('aria-label="Main"').classes("row items-center gap-6 max-sm:hidden"):
                for label, href, marker, new_tab in links:
                    ui.link(label, href, new_tab=new_tab).classes(link).mark(f"nav-{marker}")
        with ui.row().classes("items-center no-wrap gap-1 sm:gap-3"):
            _ThemeControl(theme, dark, on_theme)
            keys = icon_button("keyboard", "Keyboard shortcuts (?)", show_shortcuts)
            keys.props("flat round dense color=white")
            keys.classes("max-sm:hidden").mark("shortcuts")
            with (
                ui.link(target="/profile")
                .classes("row items-center no-wrap gap-1 text-white no-underline max-md:hidden")
                .mark("nav-profile")
                .tooltip("Your profile and e-mail notifications")
            ):
                ui.icon("person")
                ui.label(user_email).mark("user-email")
            # White on the dark header with dark text: 12:1 (the old grey badge was 2.6:1).
            with ui.element("span").classes("max-sm:hidden"):  # q-badge's own display wins over hidden
                ui.badge(user_role, color="white", text_color="blue-grey-10").mark("user-role")
            ui.button("Logout", icon="logout").props("flat color=white").classes("max-sm:hidden").on(
                "click", on_logout, js_handler=GUARDED
            ).mark("logout")
    listen_for_shortcuts()
    width = "max-w-screen-2xl" if wide else "max-w-6xl"
    # NiceGUI's page is the <main> landmark already; this column is where the skip link lands.
    with ui.column().props("id=main tabindex=-1").classes(f"w-full {width} mx-auto p-4 gap-4") as content:
        yield content


class _ThemeControl:
    """The theme button: follow the system, light or dark; a choice is passed to ``on_theme``."""

    def __init__(self, theme: str, dark: ui.dark_mode, on_theme: Callable[[str], Any] | None) -> None:
        self.theme = theme if theme in THEME_DARK else "auto"
        self.dark = dark
        self.on_theme = on_theme
        self.button = icon_button(THEME_ICONS[self.theme], theme_label(self.theme), tooltip=False)
        self.button.props("flat round dense color=white").mark("theme")
        with self.button, ui.menu().mark("theme-menu"), ui.list().props("dense"):
            self.choices()

    @ui.refreshable_method
    def choices(self) -> None:
        for value, text in THEME_CHOICES.items():
            with ui.item(on_click=lambda v=value: self.choose(v)).props("clickable").mark(f"theme-{value}"):
                with ui.item_section().props("avatar"):
                    ui.icon("check" if value == self.theme else THEME_ICONS[value])
                ui.item_section(text)

    def choose(self, value: str) -> None:
        self.theme = value
        self.dark.value = THEME_DARK[value]
        self.button.props(f'icon={THEME_ICONS[value]} aria-label="{theme_label(value)}"')
        self.choices.refresh()
        if self.on_theme is not None:
            self.on_theme(value)
