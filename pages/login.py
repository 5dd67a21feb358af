"""/login: email + password. Hashing (argon2) and throttling live in the user service; the
sign-in itself (a fresh session id) completes over HTTP, see ``pages.session``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from components.frame import APP_NAME
from domain.users.service import LoginThrottled
from pages.session import add_session_routes, begin_sign_in, current_actor, safe_redirect, services

add_session_routes()

THROTTLED = "Too many failed attempts, try again in a few minutes."
WRONG = "Wrong email or password."


@ui.page("/login")
async def login_page(request: Request, redirect_to: str = "") -> RedirectResponse | None:
    target = safe_redirect(redirect_to)
    # Throttling counts per account and client address (behind a proxy, uvicorn takes the
    # address from X-Forwarded-For when FORWARDED_ALLOW_IPS trusts the proxy).
    address = request.client.host if request.client else ""
    if await current_actor() is not None:
        return RedirectResponse(target, status_code=303)

    ui.page_title(f"Log in · {APP_NAME}")
    ui.dark_mode(None)  # follows the system until the person has signed in and chosen
    with ui.element("main").classes("w-full"), ui.card().classes("absolute-center w-96 max-w-[92vw] gap-3"):
        ui.label(APP_NAME).classes("text-2xl font-bold").props("role=heading aria-level=1")
        ui.label("Log in with your work email.").classes("text-grey-8")
        email = ui.input("Email").props("outlined type=email autocomplete=username autofocus")
        email.classes("w-full")
        password = (
            ui.input("Password", password=True, password_toggle_button=True)
            .props("outlined autocomplete=current-password")
            .classes("w-full")
        )
        message = ui.label("").classes("text-negative").mark("login-message")
        message.visible = False
        button = ui.button("Log in", on_click=lambda: attempt()).classes("w-full").mark("login-button")
    email.mark("email")
    password.mark("password")

    def say(text: str) -> None:
        message.text = text
        message.visible = bool(text)

    async def attempt() -> None:
        if "loading" in button.props:  # Enter while a check runs must not start a second one
            return
        email_text = str(email.value or "").strip()
        secret = str(password.value or "")
        if not email_text or not secret:
            say("Enter your email and password.")
            return
        button.props("loading")  # the spinner while the password is checked (argon2 takes a moment)
        button.disable()
        try:
            actor = await services().users.authenticate_password(email_text, secret, address=address)
        except LoginThrottled:
            say(THROTTLED)
            return
        finally:
            button.props(remove="loading")
            button.enable()
        if actor is None:
            password.value = ""
            say(WRONG)
            return
        say("")
        button.props("loading")  # busy until the next page has loaded
        button.disable()
        ui.navigate.to(begin_sign_in(actor, target))

    email.on("keydown.enter", attempt)
    password.on("keydown.enter", attempt)
    return None
