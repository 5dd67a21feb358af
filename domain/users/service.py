"""The users module's one entry point for pages, the API and the command line.

The work is split by job: :mod:`domain.users.accounts` (creating and administering accounts),
:mod:`domain.users.authentication` (passwords, API keys, login throttling) and
:mod:`domain.users.repository` (every query). Callers keep one handle, ``services.users``.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.ports import FailureLimiter, PasswordHasher, UnitOfWork
from domain.users.accounts import AccountService
from domain.users.actor_cache import ActorCache
from domain.users.authentication import Authentication, LoginThrottled
from domain.users.profile import ProfileService

__all__ = ["LoginThrottled", "UserService"]


class UserService:
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
        self._limiters = [limiter for limiter in (per_address, per_account) if limiter is not None]
        self.accounts = AccountService(uow, hasher)
        self.auth = Authentication(
            uow, hasher, per_address=per_address, per_account=per_account, observe=observe, actors=actors
        )
        # Authentication
        self.authenticate_password = self.auth.authenticate_password
        self.authenticate_api_key = self.auth.authenticate_api_key
        self.get_actor = self.auth.get_actor
        # Accounts: the unchecked command-line verbs ...
        self.count = self.accounts.count
        self.list = self.accounts.list
        self.create = self.accounts.create
        self.issue_api_key = self.accounts.issue_api_key
        self.set_password = self.accounts.set_password
        # ... and the admin-checked ones.
        self.search = self.accounts.search
        self.add_user = self.accounts.add_user
        self.set_active = self.accounts.set_active
        self.set_role = self.accounts.set_role
        self.reset_password = self.accounts.reset_password
        self.new_api_key = self.accounts.new_api_key
        self.revoke_api_keys = self.accounts.revoke_api_keys
        self.events = self.accounts.events
        # A person's own profile, and who is e-mailed about a project.
        self.profiles = ProfileService(uow)
        self.profile = self.profiles.profile
        self.set_notify_all = self.profiles.set_notify_all
        self.mail_contacts = self.profiles.mail_contacts

    async def aclose(self) -> None:
        """Release the throttle's connections (the database is the composition root's to close)."""
        for limiter in self._limiters:
            await limiter.aclose()
