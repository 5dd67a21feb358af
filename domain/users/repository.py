"""Every query on users, API keys and the account audit trail. One instance per transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orm import utcnow
from domain.users.models import ApiKey, User, UserEvent
from domain.users.roles import Role

# Where a transaction collects the users it changed (``session.info``), for the unit of work.
USERS_CHANGED = "signx.users_changed"


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count()).select_from(User))).scalar_one())

    async def all(self) -> Sequence[User]:
        return (await self.session.execute(select(User).order_by(User.email))).scalars().all()

    async def get(self, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
        return await self.session.get(User, user_id, with_for_update=lock)

    async def by_email(self, email: str, *, lock: bool = False) -> User | None:
        query = select(User).where(User.email == email)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def email_taken(self, email: str) -> bool:
        return (
            await self.session.execute(select(User.user_id).where(User.email == email))
        ).first() is not None

    async def add(self, user: User) -> None:
        """Insert now: a duplicate email raises IntegrityError here, not at commit."""
        self.session.add(user)
        await self.session.flush()

    async def active_admins(self, *, lock: bool) -> Sequence[User]:
        """With ``lock``, the rows stay locked until the transaction ends, taken in user_id order
        so two transactions locking them never deadlock."""
        query = select(User).where(User.role == Role.admin, User.is_active).order_by(User.user_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalars().all()

    async def search(self, text: str, *, limit: int, offset: int) -> tuple[int, Sequence[User]]:
        """Users whose email or name contains ``text`` (taken literally), by email."""
        where = []
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
        total = (
            await self.session.execute(select(func.count()).select_from(User).where(*where))
        ).scalar_one()
        query = select(User).where(*where).order_by(User.email).limit(limit).offset(offset)
        return int(total), (await self.session.execute(query)).scalars().all()

    async def mail_contacts(self, owner_id: uuid.UUID) -> Sequence[User]:
        """Active users to e-mail about a project of ``owner_id``: the owner and whoever asked for
        every project, by e-mail address."""
        query = (
            select(User)
            .where(User.is_active, or_(User.user_id == owner_id, User.notify_all))
            .order_by(User.email)
        )
        return (await self.session.execute(query)).scalars().all()

    def add_key(self, user_id: uuid.UUID, *, prefix: str, key_hash: str) -> None:
        self.session.add(ApiKey(user_id=user_id, prefix=prefix, key_hash=key_hash))

    async def by_key_hash(self, key_hash: str) -> User | None:
        """The active user owning this unrevoked key."""
        query = (
            select(User)
            .join(ApiKey, ApiKey.user_id == User.user_id)
            .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), User.is_active)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def revoke_keys(self, user_id: uuid.UUID) -> int:
        result = await self.session.execute(
            update(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def record(self, actor: str, event_type: str, user_id: uuid.UUID, **data: object) -> None:
        """The audit event of an account change, written in the change's own transaction. The unit
        of work reports the changed users after the commit (cached API-key actors are forgotten)."""
        self.session.add(UserEvent(user_id=user_id, event_type=event_type, actor=actor, data=data))
        self.session.info.setdefault(USERS_CHANGED, set()).add(str(user_id))

    async def events(self, user_id: uuid.UUID, *, limit: int, offset: int) -> tuple[int, Sequence[UserEvent]]:
        where = UserEvent.user_id == user_id
        total = (
            await self.session.execute(select(func.count()).select_from(UserEvent).where(where))
        ).scalar_one()
        query = select(UserEvent).where(where).order_by(UserEvent.event_id.desc()).limit(limit).offset(offset)
        return int(total), (await self.session.execute(query)).scalars().all()
