"""The command line: `user add` prints credentials once and they work; bad input exits 2."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NICEGUI_", "PYTEST"))}
    return subprocess.run(
        [sys.executable, "app.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_user_add_json_prints_working_password_and_api_key(services):
    done = run("user", "add", "Pat@Example.com", "--role", "manager", "--name", "Pat", "--json")
    assert done.returncode == 0, done.stderr
    creds = json.loads(done.stdout)
    assert set(creds) == {"email", "role", "password", "api_key"}
    assert creds["email"] == "pat@example.com" and creds["role"] == "manager"
    actor = await services.users.authenticate_api_key(creds["api_key"])
    assert actor is not None and actor.role == "manager"
    assert await services.users.authenticate_password("pat@example.com", creds["password"]) is not None


async def test_user_add_refuses_duplicates_and_unknown_roles(services):
    assert run("user", "add", "sam@example.com", "--role", "ops").returncode == 0
    again = run("user", "add", "sam@example.com", "--role", "ops")
    assert again.returncode == 2
    assert json.loads(again.stderr)["error"]["fields"] == [{"field": "email", "message": "taken"}]
    bad_role = run("user", "add", "kim@example.com", "--role", "boss")
    assert bad_role.returncode == 2 and "--role" in bad_role.stderr


async def test_user_passwd_sets_a_new_password(services):
    await services.users.create("lee@example.com", "estimator")
    done = run("user", "passwd", "lee@example.com", stdin="a-long-new-password\n")
    assert done.returncode == 0, done.stderr
    assert await services.users.authenticate_password("lee@example.com", "a-long-new-password") is not None
    short = run("user", "passwd", "lee@example.com", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr


async def test_the_first_start_hint_for_a_new_password_works_as_printed(services):
    """The banner prints ``passwd_command``; run exactly that line in a shell from where the server
    was started, with a PATH whose ``python`` is not the venv's (as in a fresh terminal)."""
    from app import passwd_command

    await services.users.create("admin@signx.local", "admin")
    line = passwd_command("admin@signx.local", cwd=ROOT)
    assert not line.startswith("python ")  # that needed the venv active
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NICEGUI_", "PYTEST"))}
    env["PATH"] = "/usr/bin:/bin"
    done = await asyncio.to_thread(
        subprocess.run,
        line,
        shell=True,
        cwd=ROOT,
        env=env,
        input="a-long-new-password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert await services.users.authenticate_password("admin@signx.local", "a-long-new-password") is not None
