"""/profile: who you are signed in as, and which e-mails you get.

Everyone is e-mailed about their own projects (submitted, accepted, rejected, a report ready)
when someone else did it; the switch here adds every other project. Each change is one service
call (its own transaction, audited) made as the person re-read at that moment.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from components.user_fields import role_label
from domain.errors import DomainError
from domain.users.schemas import ProfileOut
from pages.session import current_actor, login_url, services, to_login
from pages.shell import page_frame

PROFILE = "/profile"
OWN_PROJECTS_NOTE = (
    "You are always e-mailed when a project you own is submitted, accepted or rejected, or its "
    "calculation report is ready — unless you did it yourself."
)
EVERY_PROJECT_NOTE = (
    "Also e-mail me about every other project, and about what I do myself (a copy for my records)."
)


class ProfileScreen:
    def __init__(self, profile: ProfileOut) -> None:
        self.profile = profile
        self.busy = False
        self.switch: ui.switch

    def render(self) -> None:
        p = self.profile
        ui.label("Your profile").classes("text-2xl font-bold")
        with ui.card().classes("w-full max-w-2xl"):
            ui.label("Account").classes("text-lg font-bold")
            with ui.grid(columns="auto 1fr").classes("gap-x-6 gap-y-2 items-baseline"):
                ui.label("Name").classes("text-grey-7")
                ui.label(p.name or "(no name given)").mark("profile-name")
                ui.label("E-mail").classes("text-grey-7")
                ui.label(p.email).mark("profile-email")
                ui.label("Role").classes("text-grey-7")
                ui.label(role_label(p.role)).mark("profile-role")
            ui.label("Ask an admin to change your name, e-mail or role.").classes("text-sm text-grey-7")
        with ui.card().classes("w-full max-w-2xl"):
            ui.label("E-mail notifications").classes("text-lg font-bold")
            ui.label(OWN_PROJECTS_NOTE).classes("text-sm text-grey-8")
            self.switch = ui.switch(
                "E-mail me about every project", value=p.notify_all, on_change=self.toggle
            )
            self.switch.mark("notify-all")
            ui.label(EVERY_PROJECT_NOTE).classes("text-sm text-grey-7")

    async def toggle(self, e: events.ValueChangeEventArguments) -> None:
        wanted = bool(e.value)
        if wanted == self.profile.notify_all or self.busy:
            return
        self.busy = True
        self.switch.disable()
        try:
            actor = await current_actor()
            if actor is None:
                ui.notify("Your account is no longer active.", type="negative")
                ui.navigate.to(login_url(PROFILE))
                return
            try:
                self.profile = await services().users.set_notify_all(actor, wanted)
            except DomainError as exc:
                self.switch.set_value(self.profile.notify_all)
                ui.notify(f"Not saved: {exc.message}", type="negative")
                return
            if self.profile.notify_all:
                ui.notify("You will be e-mailed about every project.", type="positive")
            else:
                ui.notify("You will be e-mailed about your own projects only.", type="positive")
        finally:
            self.busy = False
            self.switch.enable()


@ui.page(PROFILE)
async def profile_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    profile = await services().users.profile(actor)
    with page_frame("Profile", actor):
        ProfileScreen(profile).render()
    return None
