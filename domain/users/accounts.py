"""Accounts: creation with generated secrets, roles, activation, passwords, API keys, history.

Each verb is one transaction. The acting admin is re-read inside it: a page opened while the
actor was an admin must not keep its powers after a demotion or deactivation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.paging import MAX_LIMIT, MAX_OFFSET, Page
from domain.ports import PasswordHasher, UnitOfWork
from domain.text import has_control_characters
from domain.users.credentials import (
    check_name,
    check_password,
    generate_api_key,
    generate_password,
    key_hash,
    normalise_email,
)
from domain.users.models import User
from domain.users.repository import UserRepository
from domain.users.roles import Role, can_manage_users, is_promotion
from domain.users.schemas import Actor, NewCredentials, UserEventOut, UserOut


def user_out(u: User) -> UserOut:
    return UserOut(
        user_id=str(u.user_id),
        email=u.email,
        name=u.name,
        role=u.role,
        is_active=u.is_active,
        created_at=u.created_at,
    )


def end_sessions(user: User) -> None:
    """Every browser session of the user ends at its next page load or action (the row is locked)."""
    user.session_epoch = (user.session_epoch or 0) + 1


class AccountService:
    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self.uow = uow
        self.hasher = hasher

    async def count(self) -> int:
        async with self.uow() as tx:
            session = tx.session
            return await UserRepository(session).count()

    async def list(self) -> list[UserOut]:
        async with self.uow() as tx:
            session = tx.session
            return [user_out(u) for u in await UserRepository(session).all()]

    async def create(
        self, email: str, role: str, name: str = "", *, by: str = "command line"
    ) -> NewCredentials:
        """Create a user with a generated password and a first API key, returned once.

        The unchecked path for the command line and the first start (``by`` names who did it in
        the audit trail); people in the dashboard go through ``add_user``.
        """
        email, name = normalise_email(email), check_name(name)
        _check_role(role)
        password = generate_password()
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        async with self.uow() as tx:
            session = tx.session
            api_key = await _insert(
                UserRepository(session), by, email=email, role=role, name=name, password_hash=password_hash
            )
        return NewCredentials(email=email, role=role, password=password, api_key=api_key)

    async def add_user(self, actor: Actor, *, email: str, role: str, name: str = "") -> NewCredentials:
        """``create`` on behalf of an admin: the password and first API key are returned once."""
        email, name = normalise_email(email), check_name(name)
        _check_role(role)
        password = generate_password()
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            api_key = await _insert(
                users, actor.email, email=email, role=role, name=name, password_hash=password_hash
            )
        return NewCredentials(email=email, role=role, password=password, api_key=api_key)

    async def issue_api_key(self, user_id: str, *, by: str = "command line") -> str:
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            user = await _target(users, user_id)
            users.record(by, "api_key_issued", user.user_id)
            return _new_key(users, user.user_id)

    async def set_password(self, email: str, password: str, *, by: str = "command line") -> None:
        """Set a chosen password; the user's open browser sessions end."""
        check_password(password)
        email = normalise_email(email)
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            user = await users.by_email(email, lock=True)
            if user is None:
                raise NotFound(f"No user {email}.")
            user.password_hash = password_hash
            end_sessions(user)
            users.record(by, "password_set", user.user_id)

    async def search(self, actor: Actor, *, q: str = "", limit: int = 25, offset: int = 0) -> Page[UserOut]:
        """Users by email, optionally filtered by a text in the email or name; one page at a time."""
        limit = min(max(limit, 1), MAX_LIMIT)
        offset = min(max(offset, 0), MAX_OFFSET)
        text = "".join(c for c in q if not has_control_characters(c)).strip()[:200]
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            total, rows = await users.search(text, limit=limit, offset=offset)
        return Page(items=[user_out(u) for u in rows], total=total, limit=limit, offset=offset)

    async def set_active(self, actor: Actor, user_id: str, active: bool) -> UserOut:
        """(De)activate an account. A deactivated user can neither log in nor use any API key, and
        their browser sessions end for good; the keys are kept, so reactivating restores API access
        as it was (people log in again)."""
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            admins = await _admins(users, actor, lock=True)
            user = await _target(users, user_id)
            if not active and user.is_active:
                if str(user.user_id) == actor.user_id:
                    raise Conflict(
                        "You cannot deactivate your own account. Ask another admin to do it.",
                        fields=[{"field": "is_active", "message": "cannot deactivate yourself"}],
                    )
                _keep_an_admin(admins, user, field="is_active")
                end_sessions(user)
            if user.is_active != active:
                users.record(actor.email, "user_activated" if active else "user_deactivated", user.user_id)
            user.is_active = active
            return user_out(user)

    async def set_role(self, actor: Actor, user_id: str, role: str) -> UserOut:
        """Change a role. A promotion ends the user's browser sessions, so the new powers come with
        a new login and a new session identifier; a demotion takes effect at the next action."""
        _check_role(role)
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            admins = await _admins(users, actor, lock=True)
            user = await _target(users, user_id)
            if user.role == role:
                return user_out(user)
            if user.role == Role.admin:
                if str(user.user_id) == actor.user_id:
                    raise Conflict(
                        "You cannot take away your own admin role. Ask another admin to do it.",
                        fields=[{"field": "role", "message": "cannot demote yourself"}],
                    )
                _keep_an_admin(admins, user, field="role")
            users.record(actor.email, "role_changed", user.user_id, before=user.role, after=role)
            if is_promotion(user.role, role):
                end_sessions(user)
            user.role = role
            return user_out(user)

    async def reset_password(self, actor: Actor, user_id: str) -> str:
        """Replace the password with a generated one, returned once. The user's browser sessions
        end, and a login lock-out is lifted: the guesses that caused it were against the old
        password (the throttle counts per session epoch)."""
        password = generate_password()
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            user = await _target(users, user_id)
            user.password_hash = password_hash
            end_sessions(user)
            users.record(actor.email, "password_reset", user.user_id)
        return password

    async def new_api_key(self, actor: Actor, user_id: str) -> str:
        """``issue_api_key`` on behalf of an admin; the key is returned once. Earlier keys stay valid."""
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            user = await _target(users, user_id)
            if not user.is_active:
                raise Conflict(
                    f"{user.email} is deactivated: activate the account first, or the key would not work.",
                    fields=[{"field": "is_active", "message": "deactivated"}],
                )
            api_key = _new_key(users, user.user_id)
            users.record(actor.email, "api_key_issued", user.user_id)
        return api_key

    async def revoke_api_keys(self, actor: Actor, user_id: str) -> int:
        """Revoke every API key of the user; returns how many were still valid."""
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            user = await _target(users, user_id)
            revoked = await users.revoke_keys(user.user_id)
            users.record(actor.email, "api_keys_revoked", user.user_id, count=revoked)
        return revoked

    async def events(
        self, actor: Actor, user_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[UserEventOut]:
        """An account's audit trail, newest first."""
        limit, offset = min(max(limit, 1), MAX_LIMIT), min(max(offset, 0), MAX_OFFSET)
        async with self.uow() as tx:
            session = tx.session
            users = UserRepository(session)
            await _admins(users, actor, lock=False)
            user = await _target(users, user_id)
            total, rows = await users.events(user.user_id, limit=limit, offset=offset)
            items = [
                UserEventOut(
                    event_id=e.event_id,
                    user_id=str(e.user_id),
                    event_type=e.event_type,
                    actor=e.actor,
                    created_at=e.created_at,
                    data=e.data,
                )
                for e in rows
            ]
        return Page[UserEventOut](items=items, total=total, limit=limit, offset=offset)


async def _insert(
    users: UserRepository, by: str, *, email: str, role: str, name: str, password_hash: str
) -> str:
    """Insert the user, its first API key and the audit event; returns the key."""
    taken = Conflict(f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}])
    if await users.email_taken(email):
        raise taken
    user = User(email=email, role=role, name=name, password_hash=password_hash)
    try:
        await users.add(user)
    except IntegrityError as exc:  # the same email added at the same moment elsewhere
        raise taken from exc
    users.record(by, "user_added", user.user_id, role=role, name=name)
    return _new_key(users, user.user_id)


def _new_key(users: UserRepository, user_id: uuid.UUID) -> str:
    api_key, prefix = generate_api_key()
    users.add_key(user_id, prefix=prefix, key_hash=key_hash(api_key))
    return api_key


async def _admins(users: UserRepository, actor: Actor, *, lock: bool) -> Sequence[User]:
    """The active admins, after checking the actor (freshly read) is one of them.

    With ``lock`` their rows stay locked until the transaction ends, in user_id order (so two
    admins never deadlock): changes that could remove an admin run one after another, and two
    admins demoting each other at the same moment cannot leave nobody to manage users.
    """
    refused = Forbidden("Only admins manage users.")
    if not can_manage_users(actor.role):
        raise refused
    admins = await users.active_admins(lock=lock)
    if actor.user_id not in {str(a.user_id) for a in admins}:
        raise refused  # demoted or deactivated since the actor was read
    return admins


async def _target(users: UserRepository, user_id: str) -> User:
    try:
        uid = uuid.UUID(str(user_id))
    except ValueError:
        uid = None
    user = await users.get(uid, lock=True) if uid is not None else None
    if user is None:
        raise NotFound("No such user.", fields=[{"field": "user_id", "message": "not found"}])
    return user


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise InvalidInput(
            f"Unknown role {role!r}; one of {', '.join(r.value for r in Role)}.",
            fields=[{"field": "role", "message": "unknown role"}],
        )


def _keep_an_admin(admins: Sequence[User], user: User, *, field: str) -> None:
    """Refuse to remove the last active admin: nobody could manage users any more."""
    if user.role == Role.admin and user.is_active and not any(a.user_id != user.user_id for a in admins):
        raise Conflict(
            f"{user.email} is the last active admin. Make someone else an admin first.",
            fields=[{"field": field, "message": "last active admin"}],
        )
