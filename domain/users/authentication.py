"""Who is acting: password logins (throttled), API keys, and re-reading a signed-in user.

Login throttling has two counters, both counting attempts before the (slow) check so attempts
already running when a limit is reached cannot slip past it:

- per account and client address: a handful of attempts per window; a success clears it. One
  address guessing cannot lock the account for anyone else.
- per account, from any address: a larger, slower limit that bounds guessing spread over many
  addresses. Locking an account this way takes many addresses and lasts only its window.

Both are keyed by the account's session epoch too, so setting or resetting the password starts
fresh counts: the guesses that caused a lock-out were against the old password.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable

from domain.ports import FailureLimiter, PasswordHasher, UnitOfWork
from domain.users.actor_cache import ActorCache
from domain.users.credentials import key_hash
from domain.users.models import User
from domain.users.repository import UserRepository
from domain.users.schemas import Actor


class LoginThrottled(Exception):
    """Too many login attempts for this account (from this address, or from all of them)."""


def actor_of(u: User) -> Actor:
    return Actor(
        user_id=str(u.user_id), email=u.email, role=u.role, name=u.name, session_epoch=u.session_epoch or 0
    )


class Authentication:
    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        *,
        per_address: FailureLimiter | None = None,
        per_account: FailureLimiter | None = None,
        observe: Callable[[str], None] = lambda _outcome: None,
        actors: ActorCache | None = None,
    ) -> None:
        # No limiters (command-line use) means no login throttling: the CLI never logs people in.
        self.uow = uow
        self.hasher = hasher
        self.per_address = per_address
        self.per_account = per_account
        # Told each login outcome ("success", "failure", "throttled") for the metrics.
        self.observe = observe
        self._dummy_hash: str | None = None
        # API-key actors seen lately (none without a way to hear of user changes: the CLI).
        self.actors = actors if actors is not None else ActorCache()

    async def _unknown_user_hash(self) -> str:
        """A hash of a random password, made with the current parameters: verifying against it when
        the email is unknown keeps the response time the same as for a wrong password."""
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(self.hasher.hash, secrets.token_urlsafe(16))
        return self._dummy_hash

    async def authenticate_password(self, email: str, password: str, *, address: str = "") -> Actor | None:
        """The actor for valid credentials, None for wrong ones; raises LoginThrottled when locked out.

        ``address`` is the client's network address (empty when unknown).
        """
        email = email.strip().lower()
        async with self.uow() as tx:
            session = tx.session
            user = await UserRepository(session).by_email(email)
        account = f"{email}#{user.session_epoch if user is not None else 0}"
        if (self.per_address is not None and not await self.per_address.attempt(f"{account}|{address}")) or (
            self.per_account is not None and not await self.per_account.attempt(account)
        ):
            self.observe("throttled")
            raise LoginThrottled(email)
        usable = user is not None and user.is_active
        stored = user.password_hash if user is not None and usable else await self._unknown_user_hash()
        # argon2 is deliberately slow (tens of ms): keep it off the event loop.
        ok = await asyncio.to_thread(self.hasher.verify, stored, password)
        if not ok or user is None or not usable:
            self.observe("failure")
            return None
        self.observe("success")
        if self.per_address is not None:
            await self.per_address.clear(f"{account}|{address}")
        if self.hasher.needs_rehash(stored):
            await self._rehash(user.user_id, stored, password)
        return actor_of(user)

    async def _rehash(self, user_id: uuid.UUID, stored: str, password: str) -> None:
        """Upgrade a hash made with older (cheaper) parameters, now that the password is known.
        Only if it is still the hash we verified: a password changed meanwhile wins."""
        fresh = await asyncio.to_thread(self.hasher.hash, password)
        async with self.uow() as tx:
            session = tx.session
            user = await UserRepository(session).get(user_id, lock=True)
            if user is not None and user.password_hash == stored:
                user.password_hash = fresh

    async def authenticate_api_key(self, api_key: str) -> Actor | None:
        hashed = key_hash(api_key)
        known = self.actors.get(hashed)
        if known is not None:
            return known
        async with self.uow.read() as tx:
            user = await UserRepository(tx.session).by_key_hash(hashed)
        if user is None:
            return None
        actor = actor_of(user)
        self.actors.put(hashed, actor)
        return actor

    async def get_actor(self, user_id: str) -> Actor | None:
        """The active user, freshly read (with the session epoch a browser session must match)."""
        try:
            uid = uuid.UUID(user_id)
        except ValueError:
            return None
        async with self.uow() as tx:
            session = tx.session
            user = await UserRepository(session).get(uid)
        return actor_of(user) if user is not None and user.is_active else None
