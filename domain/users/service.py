"""Users: creation with generated secrets, password login (argon2) with throttling, API keys."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from domain.errors import Conflict, InvalidInput, NotFound
from domain.ports import FailureLimiter, UnitOfWork
from domain.users.models import ApiKey, User
from domain.users.roles import Role
from domain.users.schemas import Actor, NewCredentials, UserOut

_hasher = PasswordHasher()
# A hash of a random password: verifying against it when the email is unknown keeps the
# response time the same as for a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginThrottled(Exception):
    """Too many failed logins for this email in the window."""


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _key_hash(api_key: str) -> str:
    # API keys carry 256 bits of randomness, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(api_key.encode()).hexdigest()


def _user_out(u: User) -> UserOut:
    return UserOut(
        user_id=str(u.user_id),
        email=u.email,
        name=u.name,
        role=u.role,
        is_active=u.is_active,
        created_at=u.created_at,
    )


def _actor(u: User) -> Actor:
    return Actor(user_id=str(u.user_id), email=u.email, role=u.role, name=u.name)


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput("Not a valid email address.", fields=[{"field": "email", "message": "invalid"}])
    return email


class UserService:
    def __init__(
        self,
        db: UnitOfWork,
        limiter: FailureLimiter | None = None,
        *,
        observe: Callable[[str], None] = lambda _outcome: None,
    ) -> None:
        # No limiter (command-line use) means no login throttling: the CLI never logs people in.
        self.db = db
        self.limiter = limiter
        # Told each login outcome ("success", "failure", "throttled") for the metrics.
        self.observe = observe

    async def count(self) -> int:
        async with self.db.transaction() as session:
            return int((await session.execute(select(func.count()).select_from(User))).scalar_one())

    async def create(self, email: str, role: str, name: str = "") -> NewCredentials:
        """Create a user with a generated password and a first API key, returned once."""
        email = _normalise_email(email)
        if role not in {r.value for r in Role}:
            raise InvalidInput(
                f"Unknown role {role!r}; one of {', '.join(r.value for r in Role)}.",
                fields=[{"field": "role", "message": "unknown role"}],
            )
        password = secrets.token_urlsafe(12)
        async with self.db.transaction() as session:
            exists = await session.execute(select(User.user_id).where(User.email == email))
            if exists.first() is not None:
                raise Conflict(
                    f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}]
                )
            user = User(email=email, role=role, name=name, password_hash=_hasher.hash(password))
            session.add(user)
            await session.flush()
            api_key = self._new_key(session, user.user_id)
        return NewCredentials(email=email, role=role, password=password, api_key=api_key)

    @staticmethod
    def _new_key(session: object, user_id: uuid.UUID) -> str:
        prefix = secrets.token_hex(4)
        api_key = f"sx_{prefix}_{secrets.token_urlsafe(32)}"
        session.add(ApiKey(user_id=user_id, prefix=prefix, key_hash=_key_hash(api_key)))  # type: ignore[attr-defined]
        return api_key

    async def issue_api_key(self, user_id: str) -> str:
        async with self.db.transaction() as session:
            if await session.get(User, uuid.UUID(user_id)) is None:
                raise NotFound("No such user.")
            return self._new_key(session, uuid.UUID(user_id))

    async def set_password(self, email: str, password: str) -> None:
        if len(password) < 10:
            raise InvalidInput(
                "Passwords need at least 10 characters.",
                fields=[{"field": "password", "message": "too short"}],
            )
        async with self.db.transaction() as session:
            user = (
                await session.execute(select(User).where(User.email == _normalise_email(email)))
            ).scalar_one_or_none()
            if user is None:
                raise NotFound(f"No user {email}.")
            user.password_hash = _hasher.hash(password)

    async def authenticate_password(self, email: str, password: str) -> Actor | None:
        """The actor for valid credentials, None for wrong ones; raises LoginThrottled when locked out."""
        email = email.strip().lower()
        if self.limiter is not None and await self.limiter.blocked(email):
            self.observe("throttled")
            raise LoginThrottled(email)
        async with self.db.transaction() as session:
            user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
        stored = user.password_hash if user is not None and user.is_active else _DUMMY_HASH
        # argon2 is deliberately slow (tens of ms): keep it off the event loop.
        ok = await asyncio.to_thread(_verify, stored, password) and user is not None and user.is_active
        if not ok or user is None:
            self.observe("failure")
            if self.limiter is not None:
                await self.limiter.hit(email)
            return None
        self.observe("success")
        if self.limiter is not None:
            await self.limiter.clear(email)
        return _actor(user)

    async def authenticate_api_key(self, api_key: str) -> Actor | None:
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(User)
                    .join(ApiKey, ApiKey.user_id == User.user_id)
                    .where(ApiKey.key_hash == _key_hash(api_key), ApiKey.revoked_at.is_(None), User.is_active)
                )
            ).scalar_one_or_none()
        return _actor(row) if row is not None else None

    async def get_actor(self, user_id: str) -> Actor | None:
        try:
            uid = uuid.UUID(user_id)
        except ValueError:
            return None
        async with self.db.transaction() as session:
            user = await session.get(User, uid)
        return _actor(user) if user is not None and user.is_active else None

    async def list(self) -> list[UserOut]:
        async with self.db.transaction() as session:
            rows = (await session.execute(select(User).order_by(User.email))).scalars().all()
        return [_user_out(u) for u in rows]
