"""/users: admins manage accounts (add, role, activate/deactivate, reset password, API keys).

Everyone else gets a short refusal. Every action is one user-service verb; the service checks
the admin role again (freshly read), so a page left open after a demotion cannot do anything.
Generated passwords and keys are shown once, in a dialog that deletes itself when closed; they are
never kept in this page's state.

The view (``?q=&page=``) lives in the URL so it can be shared and reloaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from components.dialogs import Secret, close_then, confirm_dialog, delete_when_closed, shown_once_dialog
from components.everyday import busy, form_dialog, icon_button, mark_unsaved, search_box, submit_button
from components.timeline import event_timeline
from components.user_fields import FIELD_LABELS, ROLE_LABELS, UserFields, role_label
from components.when import time_label
from domain.errors import DomainError, Forbidden, NotFound
from domain.orm import utcnow
from domain.paging import Page
from domain.users.roles import can_manage_users
from domain.users.schemas import Actor, UserOut
from pages.listing import clean_search, fetch_page, last_page, page_number
from pages.local_time import remembered_zone, shown
from pages.session import HOME, current_actor, services, to_login
from pages.shell import page_frame

USERS = "/users"
PER_PAGE = 25
REFUSED = "Only admins manage users"
CLEANED_NOTE = "Control characters (such as tabs or NUL) were removed from the search text."

T = TypeVar("T")


def _url(q: str, page: int) -> str:
    params: dict[str, str | int] = {}
    if q:
        params["q"] = q
    if page != 1:
        params["page"] = page
    return f"{USERS}?{urlencode(params)}" if params else USERS


def _errors_by_field(exc: DomainError) -> dict[str, str]:
    """One message per named field: the service's sentence when it names a single field."""
    named = [f for f in exc.fields if f.get("field")]
    if len(named) == 1:
        return {named[0]["field"]: exc.message}
    return {f["field"]: f.get("message", "invalid") for f in named}


class UsersScreen:
    def __init__(self, actor: Actor, *, q: str, page: int, cleaned: bool = False) -> None:
        self.actor = actor
        self.q = q
        self.cleaned = cleaned  # control characters were dropped from the search text
        self.page = page
        self.users: list[UserOut] = []
        self.total = 0
        # Errors from the last action on a row, shown next to the control they concern.
        self.row_errors: dict[str, dict[str, str]] = {}
        self.busy = False  # one action at a time: a double click must not send twice
        self.requests = 0  # answers to superseded searches (fast typing) are dropped
        self.root: ui.element  # the page's content column, set by render()
        self.zone = remembered_zone()

    @property
    def pages(self) -> int:
        return last_page(self.total, PER_PAGE)

    @property
    def url(self) -> str:
        return _url(self.q, self.page)

    # --- data -----------------------------------------------------------------------------
    async def load(self) -> None:
        self.requests += 1
        ticket = self.requests

        async def at(page: int) -> Page[UserOut]:
            return await services().users.search(
                self.actor, q=self.q, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
            )

        page, result = await fetch_page(at, self.page, PER_PAGE)
        if ticket != self.requests:
            return
        self.page = page
        self.users, self.total = list(result.items), result.total

    async def reload(self) -> None:
        try:
            await self.load()
        except Forbidden as exc:  # demoted or deactivated meanwhile: the reloaded page refuses
            ui.notify(exc.message, type="negative")
            ui.navigate.to(_url(self.q, self.page))
            return
        self.table.refresh()

    # --- rendering ------------------------------------------------------------------------
    def render(self) -> None:
        self.root = ui.context.slot.parent
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Users").classes("text-2xl font-bold")
            ui.button("Add user", icon="person_add", on_click=self.open_add_dialog).mark("add-user")
        with ui.row().classes("w-full items-end gap-4"):
            search = search_box(
                ui.input("Search", value=self.q, placeholder="Email or name")
                .props("outlined dense clearable debounce=350")
                .classes("w-full sm:w-96")
                .mark("user-search")
            )
            search.on_value_change(self.on_search)
        self.note = ui.label(CLEANED_NOTE).classes("text-amber-10").mark("search-note")
        self.note.visible = self.cleaned
        self.table()

    @ui.refreshable_method
    def table(self) -> None:
        ui.label(f"{self.total} user{'s' if self.total != 1 else ''}").classes("text-grey-8").mark(
            "user-count"
        )
        if not self.users:
            ui.label("No users match this search.").classes("text-grey-7").mark("no-users")
            return
        with (
            ui.element("q-markup-table")
            .props("flat bordered wrap-cells")
            .classes("w-full overflow-x-auto")
            .mark("users-table")
        ):
            with ui.element("thead"), ui.element("tr"):
                for heading in ("Email", "Name", "Role", "Status", "Created", "Actions"):
                    with ui.element("th").classes("text-left"):
                        ui.label(heading)
            with ui.element("tbody"):
                for user in self.users:
                    self.row(user)
        if self.pages > 1:
            ui.pagination(1, self.pages, direction_links=True, value=self.page, on_change=self.on_page).mark(
                "user-pages"
            )

    def row(self, user: UserOut) -> None:
        me = user.user_id == self.actor.user_id
        errors = self.row_errors.get(user.user_id, {})
        with ui.element("tr").mark(f"user-row-{user.email}"):
            with ui.element("td"), ui.row().classes("items-center gap-2 no-wrap"):
                ui.label(user.email).mark("user-email-cell")
                if me:
                    ui.badge("you", color="blue-grey-8")
            with ui.element("td"):
                ui.label(user.name or "—")
            with ui.element("td"):
                role = (
                    ui.select(ROLE_LABELS, value=user.role)
                    .props(f'dense outlined options-dense aria-label="Role of {user.email}"')
                    .classes("min-w-[9rem]")
                    .mark("role")
                )
                role.error = errors.get("role")
                if me:
                    role.disable()
                    role.tooltip("You cannot change your own role. Ask another admin.")
                role.on_value_change(lambda e, u=user: self.change_role(u, str(e.value or "")))
            with ui.element("td"):
                if user.is_active:
                    ui.badge("Active", color="green-9").mark("active-state")
                else:
                    ui.badge("Deactivated", color="grey-8").mark("active-state")
                if errors.get("is_active"):
                    ui.label(errors["is_active"]).classes("text-negative text-xs").mark("active-error")
            with ui.element("td"):
                created = shown(user.created_at, self.zone, utcnow())
                time_label(created.text, created.exact, created.iso).classes("text-sm").mark("user-created")
            with ui.element("td"), ui.row().classes("items-center gap-1 no-wrap"):
                if user.is_active:
                    toggle = ui.button("Deactivate", on_click=lambda u=user: self.ask_deactivate(u))
                    toggle.props("flat dense color=negative no-caps").mark("deactivate")
                    if me:
                        toggle.disable()
                        toggle.tooltip("You cannot deactivate your own account. Ask another admin.")
                else:
                    ui.button("Activate", on_click=busy(partial(self.activate, user))).props(
                        "flat dense color=positive no-caps"
                    ).mark("activate")
                # Named for screen readers, without a tooltip: a tooltip stayed over the open menu
                # and covered its first item ("Reset password").
                more = icon_button(
                    "more_vert", f"Password, API keys and history of {user.email}", tooltip=False
                )
                more.props("flat dense round").mark("more-actions")
                with more, ui.menu():
                    ui.menu_item("Reset password", on_click=lambda u=user: self.ask_reset_password(u)).mark(
                        "reset-password"
                    )
                    item = ui.menu_item("New API key", on_click=lambda u=user: self.new_api_key(u))
                    item.mark("new-api-key")
                    if not user.is_active:
                        item.disable()
                    ui.menu_item("Revoke all API keys", on_click=lambda u=user: self.ask_revoke(u)).mark(
                        "revoke-api-keys"
                    )
                    ui.menu_item("History", on_click=lambda u=user: self.show_history(u)).mark("history")

    # --- navigation -----------------------------------------------------------------------
    async def on_search(self, e: events.ValueChangeEventArguments) -> None:
        text, cleaned = clean_search(e.value)
        self.note.visible = cleaned
        if text == self.q:
            return
        self.q, self.page = text, 1
        await self.reload()
        ui.navigate.history.replace(_url(self.q, self.page))

    async def on_page(self, e: events.ValueChangeEventArguments) -> None:
        page = page_number(e.value, PER_PAGE)
        if page == self.page:
            return
        self.page = page
        await self.reload()
        ui.navigate.history.replace(_url(self.q, self.page))

    # --- actions --------------------------------------------------------------------------
    # Handlers run in the slot of the control that was clicked; the table refresh (or the closing
    # dialog) deletes that control, so everything an action shows afterwards is shown from
    # ``self.root``, the page's content column, which lives as long as the page.

    async def run(self, user: UserOut | None, action: Callable[[], Awaitable[T]]) -> T | None:
        """Run one service call. A refusal is shown (next to its control when it names a field)
        and ``None`` returned. The list is re-read afterwards either way: it shows what is stored."""
        if self.busy:
            return None
        self.busy = True
        try:
            with self.root:
                if user is not None:
                    self.row_errors.pop(user.user_id, None)
                result: T | None = None
                try:
                    result = await action()
                except Forbidden as exc:
                    # Demoted or deactivated meanwhile: reloading the page shows the refusal.
                    ui.notify(exc.message, type="negative")
                    ui.navigate.to(_url(self.q, self.page))
                    return None
                except NotFound:
                    ui.notify("This user no longer exists.", type="negative")
                except DomainError as exc:
                    if user is not None:
                        self.row_errors[user.user_id] = _errors_by_field(exc)
                    ui.notify(exc.message, type="negative", multi_line=True)
                await self.reload()
                return result
        finally:
            self.busy = False

    async def change_role(self, user: UserOut, role: str) -> None:
        if role == user.role or role not in ROLE_LABELS:
            return
        changed = await self.run(user, lambda: services().users.set_role(self.actor, user.user_id, role))
        if changed is not None:
            with self.root:
                ui.notify(f"{changed.email} is now {role_label(changed.role).lower()}.", type="positive")

    def ask_deactivate(self, user: UserOut) -> None:
        confirm_dialog(
            f"Deactivate {user.email}?",
            "They can no longer log in, an open session ends on its next page, and their API keys "
            "stop working. Nothing is deleted: activating the account again restores access.",
            confirm_label="Deactivate",
            on_confirm=lambda: self.set_active(user, False),
        )

    async def activate(self, user: UserOut) -> None:
        await self.set_active(user, True)

    async def set_active(self, user: UserOut, active: bool) -> None:
        changed = await self.run(user, lambda: services().users.set_active(self.actor, user.user_id, active))
        if changed is not None:
            with self.root:
                state = "active again" if changed.is_active else "deactivated"
                ui.notify(f"{changed.email} is {state}.", type="positive")

    def ask_reset_password(self, user: UserOut) -> None:
        confirm_dialog(
            f"Reset the password of {user.email}?",
            "Their current password stops working at once. The new password is shown once, for you "
            "to pass on.",
            confirm_label="Reset password",
            on_confirm=lambda: self.reset_password(user),
        )

    async def reset_password(self, user: UserOut) -> None:
        password = await self.run(user, lambda: services().users.reset_password(self.actor, user.user_id))
        if password is not None:
            with self.root:
                shown_once_dialog(
                    "New password",
                    f"The new password of {user.email}:",
                    [Secret("Password", password, "password")],
                )

    async def new_api_key(self, user: UserOut) -> None:
        api_key = await self.run(user, lambda: services().users.new_api_key(self.actor, user.user_id))
        if api_key is not None:
            with self.root:
                shown_once_dialog(
                    "New API key",
                    f"A new API key for {user.email}. Their earlier keys keep working until revoked.",
                    [Secret("API key", api_key, "api-key")],
                )

    def ask_revoke(self, user: UserOut) -> None:
        confirm_dialog(
            f"Revoke every API key of {user.email}?",
            "Scripts and integrations using any of their keys stop working at once. Their password "
            "login is not affected; issue a new key if they still need one.",
            confirm_label="Revoke all keys",
            on_confirm=lambda: self.revoke(user),
        )

    async def revoke(self, user: UserOut) -> None:
        count = await self.run(user, lambda: services().users.revoke_api_keys(self.actor, user.user_id))
        if count is None:
            return
        with self.root:
            if count == 0:
                ui.notify(f"{user.email} had no valid API keys to revoke.")
            else:
                ui.notify(
                    f"Revoked {count} API key{'s' if count != 1 else ''} of {user.email}.", type="positive"
                )

    async def show_history(self, user: UserOut) -> None:
        trail = await self.run(user, lambda: services().users.events(self.actor, user.user_id, limit=50))
        if trail is None:
            return
        with (
            self.root,
            ui.dialog() as dialog,
            ui.card().classes("w-[36rem] max-w-full").mark("history-dialog"),
        ):
            ui.label(f"History of {user.email}").classes("text-lg font-bold")
            now = utcnow()

            def when(moment: Any) -> tuple[str, str]:
                at = shown(moment, self.zone, now)
                return at.text, at.exact

            event_timeline([e.model_dump() for e in trail.items], when)
            if trail.total > len(trail.items):
                ui.label(f"The newest {len(trail.items)} of {trail.total} events.").classes("text-grey-7")
            ui.button("Close", on_click=dialog.close).props("flat")
        delete_when_closed(dialog).open()  # one dialog per look, not one more left behind each time

    def open_add_dialog(self) -> None:
        """The Add user dialog; built on demand and removed when closed."""
        with ui.dialog(value=True) as dialog, form_dialog(ui.card().classes("w-[32rem] max-w-full")) as card:
            dialog.mark("add-user-dialog")
            ui.label("Add user").classes("text-lg font-bold")
            ui.label("A password and an API key are generated and shown once.").classes("text-sm text-grey-8")
            fields = UserFields(prefix="add")
            for element in (fields.email, fields.name):
                element.on_value_change(
                    lambda: mark_unsaved(card, bool(fields.email.value or fields.name.value))
                )
            problem = ui.label("").classes("text-negative").mark("add-user-problem")
            problem.visible = False
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=dialog.close).props("flat").mark("add-cancel")
                add_button = submit_button(ui.button("Add user", icon="check")).mark("add-submit")

        async def add() -> None:
            if self.busy:
                return
            values = fields.values()
            missing = {f: "Required" for f in ("email", "role") if not values[f].strip()}
            fields.show_errors(missing)
            problem.visible = False
            if missing:
                return
            self.busy = True
            try:
                creds = await services().users.add_user(
                    self.actor, email=values["email"], role=values["role"], name=values["name"]
                )
            except Forbidden as exc:
                message = exc.message

                def refused() -> None:
                    ui.notify(message, type="negative")
                    ui.navigate.to(_url(self.q, self.page))

                await close_then(dialog, refused)
                return
            except DomainError as exc:
                errors = {f: m for f, m in _errors_by_field(exc).items() if f in FIELD_LABELS}
                fields.show_errors(errors)
                if not errors:
                    problem.text = exc.message
                    problem.visible = True
                return
            finally:
                self.busy = False

            async def added() -> None:
                shown_once_dialog(
                    f"{creds.email} was added",
                    f"Role: {role_label(creds.role)}. Pass these on to them by a safe route.",
                    [
                        Secret("Password", creds.password, "password"),
                        Secret("API key", creds.api_key, "api-key"),
                    ],
                )
                await self.reload()

            mark_unsaved(card, False)
            await close_then(dialog, added)

        add_button.on_click(busy(add))  # spinner and disabled while it runs: one user per click
        delete_when_closed(dialog)


def refusal(actor: Actor) -> None:
    with ui.card().classes("w-full items-start").mark("users-refused"):
        ui.label(REFUSED).classes("text-2xl font-bold")
        ui.label(
            f"You are signed in as {role_label(actor.role).lower()}. Ask an admin to add an account, "
            "change a role or reset a password."
        )
        ui.link("Back to projects", HOME)


@ui.page(USERS)
async def users_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    with page_frame("Users", actor):
        if not can_manage_users(actor.role):
            refusal(actor)
            return None
        params = request.query_params
        q, cleaned = clean_search(params.get("q"))
        screen = UsersScreen(actor, q=q, page=page_number(params.get("page"), PER_PAGE), cleaned=cleaned)
        try:
            await screen.load()
        except Forbidden:
            refusal(actor)  # demoted between reading the actor and listing
            return None
        screen.render()
    if screen.url != request.url.path + (f"?{request.url.query}" if request.url.query else ""):
        ui.navigate.history.replace(screen.url)  # the page and search actually shown
    return None
