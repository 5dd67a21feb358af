"""Users: creation with generated secrets, password login (argon2) with throttling, API keys."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import Callable, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.orm import utcnow
from domain.paging import Page
from domain.ports import FailureLimiter, UnitOfWork
from domain.text import has_control_characters
from domain.users.models import ApiKey, User, UserEvent
from domain.users.roles import Role, can_manage_users
from domain.users.schemas import Actor, NewCredentials, UserEventOut, UserOut

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
    if not local or "." not in domain or " " in email or has_control_characters(email) or len(email) > 320:
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

    async def create(
        self, email: str, role: str, name: str = "", *, by: str = "command line"
    ) -> NewCredentials:
        """Create a user with a generated password and a first API key, returned once.

        The unchecked path for the command line and the first start (``by`` names who did it in
        the audit trail); people in the dashboard go through ``add_user``.
        """
        email, name = _normalise_email(email), _check_name(name)
        _check_role(role)
        password = secrets.token_urlsafe(12)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        async with self.db.transaction() as session:
            api_key = await self._insert(
                session, by, email=email, role=role, name=name, password_hash=password_hash
            )
        return NewCredentials(email=email, role=role, password=password, api_key=api_key)

    async def _insert(
        self, session: AsyncSession, by: str, *, email: str, role: str, name: str, password_hash: str
    ) -> str:
        """Insert the user, its first API key and the audit event; returns the key."""
        exists = await session.execute(select(User.user_id).where(User.email == email))
        if exists.first() is not None:
            raise Conflict(f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}])
        user = User(email=email, role=role, name=name, password_hash=password_hash)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:  # the same email added at the same moment elsewhere
            raise Conflict(
                f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}]
            ) from exc
        _record(session, by, "user_added", user.user_id, role=role, name=name)
        return self._new_key(session, user.user_id)

    @staticmethod
    def _new_key(session: object, user_id: uuid.UUID) -> str:
        prefix = secrets.token_hex(4)
        api_key = f"sx_{prefix}_{secrets.token_urlsafe(32)}"
        session.add(ApiKey(user_id=user_id, prefix=prefix, key_hash=_key_hash(api_key)))  # type: ignore[attr-defined]
        return api_key

    async def issue_api_key(self, user_id: str, *, by: str = "command line") -> str:
        async with self.db.transaction() as session:
            if await session.get(User, uuid.UUID(user_id)) is None:
                raise NotFound("No such user.")
            _record(session, by, "api_key_issued", uuid.UUID(user_id))
            return self._new_key(session, uuid.UUID(user_id))

    async def set_password(self, email: str, password: str, *, by: str = "command line") -> None:
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
            user.password_hash = await asyncio.to_thread(_hasher.hash, password)
            _record(session, by, "password_set", user.user_id)

    async def authenticate_password(self, email: str, password: str) -> Actor | None:
        """The actor for valid credentials, None for wrong ones; raises LoginThrottled when locked out."""
        email = email.strip().lower()
        # Count the attempt before the (slow) check, atomically: attempts already running when the
        # limit is reached must not slip past it. A success clears the count.
        if self.limiter is not None and not await self.limiter.attempt(email):
            self.observe("throttled")
            raise LoginThrottled(email)
        async with self.db.transaction() as session:
            user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
        stored = user.password_hash if user is not None and user.is_active else _DUMMY_HASH
        # argon2 is deliberately slow (tens of ms): keep it off the event loop.
        ok = await asyncio.to_thread(_verify, stored, password) and user is not None and user.is_active
        if not ok or user is None:
            self.observe("failure")
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

    # --- user management (admins only) ------------------------------------------------------
    # Each verb is one transaction. The actor is re-read inside it: a page opened while the
    # actor was an admin must not keep its powers after a demotion or deactivation.

    async def search(self, actor: Actor, *, q: str = "", limit: int = 25, offset: int = 0) -> Page[UserOut]:
        """Users by email, optionally filtered by a text in the email or name; one page at a time."""
        limit = min(max(limit, 1), 200)
        offset = max(offset, 0)
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            where = []
            text = "".join(c for c in q if not has_control_characters(c)).strip()[:200]
            if text:
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                where.append(
                    or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\"))
                )
            total = (await session.execute(select(func.count()).select_from(User).where(*where))).scalar_one()
            rows = (
                (
                    await session.execute(
                        select(User).where(*where).order_by(User.email).limit(limit).offset(offset)
                    )
                )
                .scalars()
                .all()
            )
        return Page(items=[_user_out(u) for u in rows], total=int(total), limit=limit, offset=offset)

    async def add_user(self, actor: Actor, *, email: str, role: str, name: str = "") -> NewCredentials:
        """``create`` on behalf of an admin: the password and first API key are returned once."""
        email, name = _normalise_email(email), _check_name(name)
        _check_role(role)
        password = secrets.token_urlsafe(12)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            api_key = await self._insert(
                session, actor.email, email=email, role=role, name=name, password_hash=password_hash
            )
        return NewCredentials(email=email, role=role, password=password, api_key=api_key)

    async def set_active(self, actor: Actor, user_id: str, active: bool) -> UserOut:
        """(De)activate an account. A deactivated user can neither log in nor use any API key;
        the keys are kept, so reactivating restores access as it was."""
        async with self.db.transaction() as session:
            admins = await self._admins(session, actor, lock=True)
            user = await self._target(session, user_id)
            if not active and user.is_active:
                if str(user.user_id) == actor.user_id:
                    raise Conflict(
                        "You cannot deactivate your own account. Ask another admin to do it.",
                        fields=[{"field": "is_active", "message": "cannot deactivate yourself"}],
                    )
                _keep_an_admin(admins, user, field="is_active")
            if user.is_active != active:
                _record(
                    session, actor.email, "user_activated" if active else "user_deactivated", user.user_id
                )
            user.is_active = active
            out = _user_out(user)
        return out

    async def set_role(self, actor: Actor, user_id: str, role: str) -> UserOut:
        _check_role(role)
        async with self.db.transaction() as session:
            admins = await self._admins(session, actor, lock=True)
            user = await self._target(session, user_id)
            if user.role == role:
                return _user_out(user)
            if user.role == Role.admin:
                if str(user.user_id) == actor.user_id:
                    raise Conflict(
                        "You cannot take away your own admin role. Ask another admin to do it.",
                        fields=[{"field": "role", "message": "cannot demote yourself"}],
                    )
                _keep_an_admin(admins, user, field="role")
            _record(session, actor.email, "role_changed", user.user_id, before=user.role, after=role)
            user.role = role
            out = _user_out(user)
        return out

    async def reset_password(self, actor: Actor, user_id: str) -> str:
        """Replace the password with a generated one, returned once. Also lifts a login lock-out:
        the guesses that caused it were against the old password."""
        password = secrets.token_urlsafe(12)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            user = await self._target(session, user_id)
            user.password_hash = password_hash
            email = user.email
            _record(session, actor.email, "password_reset", user.user_id)
        if self.limiter is not None:
            await self.limiter.clear(email)
        return password

    async def new_api_key(self, actor: Actor, user_id: str) -> str:
        """``issue_api_key`` on behalf of an admin; the key is returned once. Earlier keys stay valid."""
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            user = await self._target(session, user_id)
            if not user.is_active:
                raise Conflict(
                    f"{user.email} is deactivated: activate the account first, or the key would not work.",
                    fields=[{"field": "is_active", "message": "deactivated"}],
                )
            api_key = self._new_key(session, user.user_id)
            _record(session, actor.email, "api_key_issued", user.user_id)
        return api_key

    async def revoke_api_keys(self, actor: Actor, user_id: str) -> int:
        """Revoke every API key of the user; returns how many were still valid."""
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            user = await self._target(session, user_id)
            result = await session.execute(
                update(ApiKey)
                .where(ApiKey.user_id == user.user_id, ApiKey.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            revoked = int(result.rowcount or 0)  # type: ignore[attr-defined]
            _record(session, actor.email, "api_keys_revoked", user.user_id, count=revoked)
        return revoked

    async def events(
        self, actor: Actor, user_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[UserEventOut]:
        """An account's audit trail, newest first."""
        limit, offset = min(max(limit, 1), 200), max(offset, 0)
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            user = await self._target(session, user_id)
            where = UserEvent.user_id == user.user_id
            total = (
                await session.execute(select(func.count()).select_from(UserEvent).where(where))
            ).scalar_one()
            rows = (
                await session.execute(
                    select(UserEvent)
                    .where(where)
                    .order_by(UserEvent.event_id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).scalars()
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
        return Page[UserEventOut](items=items, total=int(total), limit=limit, offset=offset)

    @staticmethod
    async def _admins(session: AsyncSession, actor: Actor, *, lock: bool) -> Sequence[User]:
        """The active admins, after checking the actor (freshly read) is one of them.

        With ``lock`` their rows stay locked until the transaction ends, in user_id order (so two
        admins never deadlock): changes that could remove an admin run one after another, and two
        admins demoting each other at the same moment cannot leave nobody to manage users.
        """
        refused = Forbidden("Only admins manage users.")
        if not can_manage_users(actor.role):
            raise refused
        query = select(User).where(User.role == Role.admin, User.is_active).order_by(User.user_id)
        if lock:
            query = query.with_for_update()
        admins = (await session.execute(query)).scalars().all()
        if actor.user_id not in {str(a.user_id) for a in admins}:
            raise refused  # demoted or deactivated since the actor was read
        return admins

    @staticmethod
    async def _target(session: AsyncSession, user_id: str) -> User:
        try:
            uid = uuid.UUID(str(user_id))
        except ValueError:
            uid = None
        user = await session.get(User, uid, with_for_update=True) if uid is not None else None
        if user is None:
            raise NotFound("No such user.", fields=[{"field": "user_id", "message": "not found"}])
        return user


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise InvalidInput(
            f"Unknown role {role!r}; one of {', '.join(r.value for r in Role)}.",
            fields=[{"field": "role", "message": "unknown role"}],
        )


def _check_name(name: str) -> str:
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


def _keep_an_admin(admins: Sequence[User], user: User, *, field: str) -> None:
    """Refuse to remove the last active admin: nobody could manage users any more."""
    if user.role == Role.admin and user.is_active and not any(a.user_id != user.user_id for a in admins):
        raise Conflict(
            f"{user.email} is the last active admin. Make someone else an admin first.",
            fields=[{"field": field, "message": "last active admin"}],
        )


def _record(session: AsyncSession, actor: str, event_type: str, user_id: uuid.UUID, **data: object) -> None:
    """The audit event of an account change, written in the change's own transaction."""
    session.add(UserEvent(user_id=user_id, event_type=event_type, actor=actor, data=data))
