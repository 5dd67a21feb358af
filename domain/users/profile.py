"""A person's own account: what they see of it and what they choose (the e-mails they get), and
who is e-mailed about a project. Each verb is one transaction; the person is re-read in it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Forbidden
from domain.ports import UnitOfWork
from domain.users.models import User
from domain.users.repository import UserRepository
from domain.users.schemas import Actor, Contact, ProfileOut


def profile_out(u: User) -> ProfileOut:
    return ProfileOut(
        user_id=str(u.user_id), email=u.email, name=u.name, role=u.role, notify_all=u.notify_all
    )


def contact(u: User) -> Contact:
    return Contact(user_id=str(u.user_id), email=u.email, name=u.name, notify_all=u.notify_all)


class ProfileService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def profile(self, actor: Actor) -> ProfileOut:
        async with self.uow(actor.user_id) as tx:
            return profile_out(await _me(tx.users, tx.actor))

    async def set_notify_all(self, actor: Actor, notify_all: bool) -> ProfileOut:
        """Whether ``actor`` is e-mailed about every project (always about their own). Audited
        when it changes."""
        async with self.uow(actor.user_id) as tx:
            user = await _me(tx.users, tx.actor, lock=True)
            if user.notify_all != bool(notify_all):
                user.notify_all = bool(notify_all)
                tx.users.record(
                    tx.actor.email, "notifications_changed", user.user_id, notify_all=user.notify_all
                )
            return profile_out(user)

    @staticmethod
    async def mail_contacts(session: AsyncSession, owner_id: str) -> tuple[Contact | None, list[Contact]]:
        """In the caller's transaction: the project owner (None when deactivated) and the active
        users who want to hear about every project."""
        owner_uuid = uuid.UUID(owner_id)
        rows = await UserRepository(session).mail_contacts(owner_uuid)
        owner = next((contact(u) for u in rows if u.user_id == owner_uuid), None)
        return owner, [contact(u) for u in rows if u.notify_all]


async def _me(users: UserRepository, actor: Actor, *, lock: bool = False) -> User:
    user = await users.get(uuid.UUID(actor.user_id), lock=lock)
    if user is None:  # the unit of work re-read the actor; gone since only in a race with a delete
        raise Forbidden("Your account is deactivated or no longer exists.")
    return user
