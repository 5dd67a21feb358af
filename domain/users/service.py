"""Users: creation with generated secrets, password login (argon2) with throttling, API keys."""

from __future__ import annotations

import asyncio
import hashlib
import logging
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
from domain.ports import FailureLimiter, UnitOfWork
from domain.projects.schemas import Page
from domain.users.models import ApiKey, User
from domain.users.roles import Role, can_manage_users
from domain.users.schemas import Actor, NewCredentials, UserOut

log = logging.getLogger(__name__)

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
            text = q.strip()[:200]
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
        email = _normalise_email(email)
        _check_role(role)
        name = _check_name(name)
        password = secrets.token_urlsafe(12)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        async with self.db.transaction() as session:
            await self._admins(session, actor, lock=False)
            exists = await session.execute(select(User.user_id).where(User.email == email))
            if exists.first() is not None:
                raise Conflict(
                    f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}]
                )
            user = User(email=email, role=role, name=name, password_hash=password_hash)
            session.add(user)
            try:
                await session.flush()
            except IntegrityError as exc:  # the same email added at the same moment by another admin
                raise Conflict(
                    f"A user {email} already exists.", fields=[{"field": "email", "message": "taken"}]
                ) from exc
            api_key = self._new_key(session, user.user_id)
        _audit(actor, "user_added", email, role=role)
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
            user.is_active = active
            out = _user_out(user)
        _audit(actor, "user_activated" if active else "user_deactivated", out.email)
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
            before = user.role
            user.role = role
            out = _user_out(user)
        _audit(actor, "role_changed", out.email, before=before, after=role)
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
        if self.limiter is not None:
            await self.limiter.clear(email)
        _audit(actor, "password_reset", email)
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
            email = user.email
        _audit(actor, "api_key_issued", email)
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
            email = user.email
        _audit(actor, "api_keys_revoked", email, count=revoked)
        return revoked

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


def _audit(actor: Actor, action: str, email: str, **details: object) -> None:
    # No user-events table (yet): the structured log is the trail of who changed which account.
    log.info("user admin: %s %s", action, email, extra={"actor": actor.email, "target": email, **details})
