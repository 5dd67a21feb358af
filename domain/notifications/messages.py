"""The e-mails the dashboard sends: who gets one, and what it says. Pure (the two template files
of this package are read once, at import).

One e-mail job is queued per recipient (``MailJob`` is its payload), in the transaction of the
change it tells about; the worker composes the message from the payload alone, so a retry sends
the same text under the same ``Message-ID``. Every value that came from a person (project name,
customer, the reason of a rejection) is HTML-escaped in the HTML part; the plain-text part
carries it as typed.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from enum import StrEnum
from pathlib import Path
from string import Template
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from domain.projects.lifecycle import Status
from domain.text import has_control_characters
from domain.users.schemas import Contact


class Notice(StrEnum):
    report_ready = "report_ready"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"


# The moves people are told about; the others (draft <-> estimating, reopen) send nothing.
NOTICE_OF_STATUS: Mapping[Status, Notice] = {
    Status.submitted: Notice.submitted,
    Status.accepted: Notice.accepted,
    Status.rejected: Notice.rejected,
}

Because = Literal["owner", "all"]


@dataclass(frozen=True)
class Addressee:
    person: Contact
    because: Because  # "owner": it is their project; "all": they asked for every project


def addressees(owner: Contact | None, opted_in: Iterable[Contact], actor_id: str | None) -> list[Addressee]:
    """Who hears about something ``actor_id`` did to a project of ``owner`` (None: the owner's
    account is deactivated): the owner, and everyone who asked to be e-mailed about every project.
    Nobody is told of their own action, unless they asked for every project (then they get a
    copy, "all"). Each person once: the owner first, then by e-mail address."""
    chosen: list[Addressee] = []
    seen: set[str] = set()
    if owner is not None and owner.user_id != actor_id:
        chosen.append(Addressee(owner, "owner"))
        seen.add(owner.user_id)
    for person in sorted(opted_in, key=lambda p: p.email):
        if person.notify_all and person.user_id not in seen:
            chosen.append(Addressee(person, "all"))
            seen.add(person.user_id)
    return chosen


class MailJob(BaseModel):
    """The payload of one ``projects.email.send`` job: everything the message says, fixed when
    the change happened (a rename afterwards does not rewrite a mail already queued)."""

    model_config = ConfigDict(extra="ignore")

    notice: Notice
    message_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    to_email: str = Field(min_length=3, max_length=320)
    to_name: str = Field("", max_length=200)
    because: Because
    project_id: str = Field(max_length=64)
    project_name: str = Field(max_length=200)
    customer: str = Field("", max_length=200)
    account_id: str = Field("", max_length=64)
    actor_email: str = Field("", max_length=320)
    actor_name: str = Field("", max_length=200)
    reason: str | None = Field(None, max_length=2000)
    revision: int | None = None  # the design revision a report is of


_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEXT = Template((_TEMPLATES / "message.txt").read_text(encoding="utf-8"))
HTML = Template((_TEMPLATES / "message.html").read_text(encoding="utf-8"))

SUBJECTS: Mapping[Notice, Template] = {
    Notice.submitted: Template("Submitted for review: $project"),
    Notice.accepted: Template("Accepted: $project"),
    Notice.rejected: Template("Rejected: $project"),
    Notice.report_ready: Template("Report ready: $project, revision $revision"),
}
HEADLINES: Mapping[Notice, Template] = {
    Notice.submitted: Template("$actor submitted the project “$project” for review."),
    Notice.accepted: Template("$actor accepted the project “$project”."),
    Notice.rejected: Template("$actor rejected the project “$project”."),
    Notice.report_ready: Template(
        "The calculation report of design revision $revision of “$project” is ready: "
        "download it from the project's Reports panel."
    ),
}
WHY: Mapping[str, str] = {
    "owner": "you own this project",
    "all": "you asked to be e-mailed about every project",
}


def project_link(link_base: str, project_id: str) -> str:
    return f"{link_base.rstrip('/')}/projects/{quote(project_id, safe='')}"


def _one_line(value: str) -> str:
    """Header values never carry line breaks or other control characters (no header injection)."""
    return "".join(" " if has_control_characters(c) else c for c in value).strip()


def _greeting(job: MailJob) -> str:
    return _one_line(job.to_name) or job.to_email.split("@", 1)[0]


def subject(job: MailJob) -> str:
    revision = "" if job.revision is None else str(job.revision)
    return _one_line(SUBJECTS[job.notice].substitute(project=job.project_name, revision=revision))


def _texts(job: MailJob, escape: bool) -> dict[str, str]:
    def e(value: str) -> str:
        return html.escape(value, quote=True) if escape else value

    actor = job.actor_name or job.actor_email or "Someone"
    revision = "" if job.revision is None else str(job.revision)
    headline = HEADLINES[job.notice].substitute(
        actor=e(actor), project=e(job.project_name), revision=revision
    )
    return {
        "greeting": e(_greeting(job)),
        "headline": headline,
        "project_name": e(job.project_name),
        "customer": e(job.customer or "-"),
        "account_id": e(job.account_id or "-"),
        "why": e(WHY[job.because]),
        "subject": e(subject(job)),
    }


def text_body(job: MailJob, link_base: str) -> str:
    values = _texts(job, escape=False)
    details = ""
    if job.reason:
        indented = "\n".join(f"    {line}" for line in job.reason.strip().splitlines())
        details = f"\nReason given:\n{indented}\n"
    return TEXT.substitute(
        values,
        details=details,
        link=project_link(link_base, job.project_id),
        profile_link=f"{link_base.rstrip('/')}/profile",
    )


def html_body(job: MailJob, link_base: str) -> str:
    values = _texts(job, escape=True)
    details = ""
    if job.reason:
        reason = "<br>".join(html.escape(line, quote=True) for line in job.reason.strip().splitlines())
        details = (
            '<p style="margin:0 0 12px;padding:8px 12px;background:#fef2f2;border-left:4px solid #b91c1c">'
            f"<strong>Reason given:</strong><br>{reason}</p>"
        )
    return HTML.substitute(
        values,
        details=details,
        link=html.escape(project_link(link_base, job.project_id), quote=True),
        profile_link=html.escape(f"{link_base.rstrip('/')}/profile", quote=True),
    )


def compose(job: MailJob, *, link_base: str, mail_from: str, now: datetime) -> EmailMessage:
    """The message of ``job``: plain text and HTML as multipart/alternative (text first, so a
    reader without HTML shows the text)."""
    message = EmailMessage()
    message["Subject"] = subject(job)
    message["From"] = mail_from
    message["To"] = formataddr((_one_line(job.to_name), job.to_email))
    message["Date"] = format_datetime(now)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "signx.local"
    message["Message-ID"] = f"<{job.message_id}@{domain}>"
    # RFC 3834: no out-of-office replies to a machine's mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_body(job, link_base))
    message.add_alternative(html_body(job, link_base), subtype="html")
    return message
