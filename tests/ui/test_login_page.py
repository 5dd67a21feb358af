"""Logging in and out of the dashboard, as a person sees it."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from ui_helpers import eventually, new_user, submit_login

from pages.session import safe_redirect


async def test_a_logged_out_visitor_is_sent_to_the_login_page_and_back_after_login(services, user: User):
    _, password = await new_user(services, "estimator")
    await user.open("/projects?status=submitted")
    await user.should_see("Log in with your work email.")
    await user.should_not_see(marker="logout")

    await submit_login(user, "estimator@signx.test", password)

    await user.should_see(marker="logout", retries=40)
    # Back on the list the visitor asked for, with the filter from the link applied.
    await user.should_see(kind=ui.select, content="Submitted")


async def test_login_shows_who_is_signed_in_and_logout_ends_the_session(services, user: User):
    _, password = await new_user(services, "manager", "mia@signx.test")
    await user.open("/login")
    await submit_login(user, "MIA@signx.test", password)

    await user.should_see("mia@signx.test", retries=40)
    await user.should_see(marker="user-role", content="manager")
    await user.should_see("SignX Studio")
    await user.should_see("API docs")

    user.find(marker="logout").click()
    await user.should_see("Log in with your work email.", retries=20)
    await user.open("/projects")
    await user.should_see("Log in with your work email.")
    await user.should_not_see("mia@signx.test")


async def test_a_wrong_password_is_refused_with_a_clear_message(services, user: User):
    await new_user(services, "estimator")
    await user.open("/login")
    await submit_login(user, "estimator@signx.test", "not-the-password")

    await user.should_see("Wrong email or password.", retries=40)
    await user.should_not_see(marker="logout")
    user.find(marker="password").type("x")  # the password field was emptied for the next try
    (field,) = user.find(marker="password").elements
    assert field.value == "x"


async def test_an_unknown_email_gets_the_same_message(services, user: User):
    await user.open("/login")
    await submit_login(user, "nobody@signx.test", "whatever-password")
    await user.should_see("Wrong email or password.", retries=40)


async def test_five_failures_lock_the_account_even_for_the_right_password(services, user: User):
    _, password = await new_user(services, "estimator")
    await user.open("/login")
    (field,) = user.find(marker="password").elements
    for attempt in range(5):
        await submit_login(user, "estimator@signx.test", f"wrong-{attempt}")
        # The page empties the password field after each refusal.
        await eventually(lambda: field.value == "", what=f"refusal {attempt + 1}")
        await user.should_see("Wrong email or password.")

    await submit_login(user, "estimator@signx.test", password)

    await user.should_see("Too many failed attempts, try again in a few minutes.", retries=40)
    await user.should_not_see(marker="logout")


async def test_an_empty_form_asks_for_both_fields(services, user: User):
    await user.open("/login")
    user.find(marker="login-button").click()
    await user.should_see("Enter your email and password.")


async def test_the_root_path_leads_to_the_project_list(services, user: User, login):
    await login("estimator")
    await user.open("/")
    await user.should_see("No projects yet.")  # no filters set: nothing to "match"
    await user.should_see(marker="new-project")


def test_login_redirects_stay_on_this_site():
    assert safe_redirect("/projects/abc?x=1") == "/projects/abc?x=1"
    assert safe_redirect("//evil.example/x") == "/projects"
    assert safe_redirect("https://evil.example") == "/projects"
    assert safe_redirect("/\\evil.example") == "/projects"
    # Browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example".
    for sneaky in ("/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example", "/\x00/x", "/\x7f/x"):
        assert safe_redirect(sneaky) == "/projects", repr(sneaky)
    assert safe_redirect("/login") == "/projects"
    assert safe_redirect("") == "/projects"


async def test_a_deactivated_user_is_logged_out_at_the_next_page_load(servers, services, user: User, login):
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    me = await login("estimator")
    await user.open("/projects")
    await user.should_see(marker="logout")

    # No service verb deactivates users yet; flip the flag the way an admin tool would.
    engine = create_async_engine(servers["database_url"])
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET is_active = false WHERE email = :e"), {"e": me.email})
    await engine.dispose()

    await user.open("/projects")
    await user.should_see("Log in with your work email.")
    await user.should_not_see(marker="logout")
