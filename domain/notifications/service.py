"""E-mail notifications: decided and queued in the transaction of what they tell about, sent by a
``projects.email.send`` job.

A project moved to submitted, accepted or rejected (``ProjectService.apply_transition``, the one
path every status change takes) or a report job succeeded (``JobService.on_succeeded``): in that
same transaction the recipients are read (:func:`addressees`) and one job per recipient is
written with its outbox row. So a move that rolls back sends nothing, a committed one is never
without its e-mails, and sending happens later in a worker: a slow or refusing mail server never
delays or fails the move, it only makes the e-mail job retry (``RetryableJobError``) until
``SIGNX_JOB_MAX_ATTEMPTS``, after which the job shows as failed on the jobs page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.jobs.schemas import EMAIL, JobOut
from domain.jobs.service import JobService, RetryableJobError
from domain.notifications.messages import NOTICE_OF_STATUS, MailJob, Notice, addressees, compose
from domain.orm import utcnow
from domain.ports import Mailer, MailNotSent, Transaction
from domain.projects.schemas import ProjectOut, StatusChange
from domain.projects.service import ProjectService
from domain.users.service import UserService


class NotificationService:
    def __init__(
        self,
        *,
        projects: ProjectService,
        users: UserService,
        jobs: JobService,
        mailer: Mailer,
        link_base: str,
        mail_from: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.projects = projects
        self.users = users
        self.jobs = jobs
        self.mailer = mailer
        self.link_base = link_base.rstrip("/")
        self.mail_from = mail_from
        self.clock = clock

    # -- deciding (in the caller's transaction) ---------------------------------------------------

    async def project_moved(self, tx: Transaction, change: StatusChange) -> list[str]:
        """The e-mails of a move to submitted, accepted or rejected; the ids of the jobs queued."""
        notice = NOTICE_OF_STATUS.get(change.after)
        if notice is None:
            return []
        return await self._queue(
            tx,
            notice,
            change.project,
            actor_id=change.actor.user_id,
            actor_email=change.actor.email,
            actor_name=change.actor.name,
            reason=change.reason,
        )

    async def report_ready(self, tx: Transaction, job: JobOut) -> list[str]:
        """The e-mails of a report job that succeeded (in the transaction recording its success)."""
        if job.project_id is None:
            return []
        project = await self.projects.read_in(tx.session, job.project_id)
        return await self._queue(
            tx, Notice.report_ready, project, actor_id=job.requested_by, revision=job.revision
        )

    async def _queue(
        self,
        tx: Transaction,
        notice: Notice,
        project: ProjectOut,
        *,
        actor_id: str | None,
        actor_email: str = "",
        actor_name: str = "",
        reason: str | None = None,
        revision: int | None = None,
    ) -> list[str]:
        owner, opted_in = await self.users.mail_contacts(tx.session, project.owner_id)
        queued = []
        for addressee in addressees(owner, opted_in, actor_id):
            person = addressee.person
            mail = MailJob(
                notice=notice,
                message_id=f"{self.clock():%Y%m%d%H%M%S}.{uuid.uuid4().hex}",
                to_email=person.email,
                to_name=person.name,
                because=addressee.because,
                project_id=project.project_id,
                project_name=project.name,
                customer=project.customer,
                account_id=project.account_id,
                actor_email=actor_email,
                actor_name=actor_name,
                reason=reason,
                revision=revision,
            )
            job = await self.jobs.queue_in(
                tx,
                kind=EMAIL,
                project_id=uuid.UUID(project.project_id),
                payload=mail.model_dump(mode="json"),
                requested_by=actor_id,
            )
            queued.append(job.job_id)
        return queued

    # -- sending (the e-mail job's handler, in a worker) ------------------------------------------

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Compose and send one queued e-mail. A payload that is not a ``MailJob`` fails the job
        (no retry can mend it); a mail server that is away or refuses raises ``RetryableJobError``."""
        mail = MailJob.model_validate(payload)
        message = compose(mail, link_base=self.link_base, mail_from=self.mail_from, now=self.clock())
        try:
            await self.mailer.send(message)
        except MailNotSent as exc:
            raise RetryableJobError(f"e-mail to {mail.to_email} not sent: {exc}") from exc
        return {
            "to": mail.to_email,
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "via": self.mailer.name,
        }
