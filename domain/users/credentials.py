"""The rules for secrets: generated passwords, API keys and how keys are stored. Pure."""

from __future__ import annotations

import hashlib
import secrets

from domain.errors import InvalidInput
from domain.text import has_control_characters

MIN_PASSWORD_LENGTH = 10


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def generate_api_key() -> tuple[str, str]:
    """A new key and its public prefix (shown in lists so people can tell keys apart)."""
    prefix = secrets.token_hex(4)
    return f"sx_{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_hash(api_key: str) -> str:
    # API keys carry 256 bits of randomness, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(api_key.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.",
            fields=[{"field": "password", "message": "too short"}],
        )


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or has_control_characters(email) or len(email) > 320:
        raise InvalidInput("Not a valid email address.", fields=[{"field": "email", "message": "invalid"}])
    return email


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if has_control_characters(name):
        raise InvalidInput(
            "Names must not contain control characters.",
            fields=[{"field": "name", "message": "control characters"}],
        )
    if len(name) > 200:
        raise InvalidInput(
            "Names have at most 200 characters.",
            fields=[{"field": "name", "message": "at most 200 characters"}],
        )
    return name
