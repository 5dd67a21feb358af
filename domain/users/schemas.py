"""Plain data about users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Actor:
    """Who is acting: carried from the login session or API key into every service call."""

    user_id: str
    email: str
    role: str
    name: str = ""
    # The account's session epoch when this was read: a browser session signed in under an
    # older epoch has ended (password reset, deactivation, promotion).
    session_epoch: int = 0


class UserOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime


class UserEventOut(BaseModel):
    event_id: int
    user_id: str
    event_type: str
    actor: str
    created_at: datetime
    data: dict[str, Any]


class NewCredentials(BaseModel):
    """Returned once, when a user is created: the password and API key are never stored in clear."""

    email: str
    role: str
    password: str
    api_key: str


class ProfileOut(BaseModel):
    """What a person sees and chooses about their own account (the profile page)."""

    user_id: str
    email: str
    name: str
    role: str
    notify_all: bool


@dataclass(frozen=True)
class Contact:
    """An active user who may be e-mailed, and whether they asked to hear about every project."""

    user_id: str
    email: str
    name: str
    notify_all: bool
