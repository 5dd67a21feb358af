"""E-mail notifications on the real database, sent to a real SMTP server (aiosmtpd on 127.0.0.1):
who is e-mailed about which change, what the message says, and that a mail server that refuses
or is away makes the e-mail job retry while the change that caused it stands.

The e-mail jobs run through the job service's ``execute`` with the worker's own handlers
(``workers.root.handlers``), as a worker runs them; the whole road through the relay and a real
worker process (delivery and retry) is in tests/browser/test_notifications_browser.py.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from sqlalchemy import text

from domain.errors import InvalidInput
from domain.jobs.schemas import EMAIL, REPORT, JobQuery, JobStatus
from domain.jobs.service import Outcome, RetryableJobError
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.schemas import Actor
from infra.embedded import free_port
from tests.designs import save_passing_design
from tests.mail import Account, Inbox, parts, self_signed, smtp_server
from workers.root import handlers

# aiosmtpd warns when it takes AUTH outside STARTTLS: the login tests' servers do so on purpose
# (plain login, and smtps, where the whole connection is TLS but aiosmtpd only counts STARTTLS).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

PUBLIC = "https://signx.example.com"
NEW = ProjectCreate(name="Elm St Pylon", account_id="ACME-01", customer="Acme Fuel", site_address="1 Elm St")


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp_port(inbox: Inbox) -> Iterator[int]:
    with smtp_server(inbox) as port:
        yield port


async def wired(servers: dict[str, str], **settings: Any) -> tuple[Any, Any]:
    from bootstrap import wire
    from infra.settings import Settings

    return wire(Settings(public_url=PUBLIC, **settings), servers["database_url"], servers["redis_url"])


@pytest.fixture
async def mailing(servers: dict[str, str], smtp_port: int) -> AsyncIterator[Any]:
    """The services sending through the test's SMTP server."""
    services, release = await wired(servers, smtp_url=f"smtp://127.0.0.1:{smtp_port}")
    yield services
    await release()


async def person(services: Any, role: str, name: str = "", *, notify_all: bool = False) -> Actor:
    creds = await services.users.create(f"{role}-{uuid.uuid4().hex[:6]}@example.com", role, name)
    actor = await services.users.authenticate_api_key(creds.api_key)
    assert actor is not None
    if notify_all:
        await services.users.set_notify_all(actor, True)
    return actor  # type: ignore[no-any-return]


async def submitted(services: Any, owner: Actor, data: ProjectCreate = NEW) -> ProjectOut:
    """A project of ``owner`` with a passing design, moved by them to submitted."""
    project = await services.projects.create(owner, data)
    project = await save_passing_design(services, owner, project)
    project = await services.projects.transition(
        owner, project.project_id, Status.estimating, if_match=project.etag
    )
    return await services.projects.transition(  # type: ignore[no-any-return]
        owner, project.project_id, Status.submitted, if_match=project.etag
    )


async def payloads(services: Any) -> list[dict[str, Any]]:
    async with services.jobs.uow() as tx:
        rows = await tx.session.execute(
            text("SELECT payload FROM jobs WHERE kind = :kind ORDER BY created_at, payload->>'to_email'"),
            {"kind": EMAIL},
        )
        return [dict(r[0]) for r in rows]


async def run_email_jobs(services: Any) -> list[Outcome]:
    jobs = (await services.jobs.list(JobQuery(kind=EMAIL, status=JobStatus.queued, limit=100))).items
    return [await services.jobs.execute(j.job_id, worker="test:1", handlers=handlers(services)) for j in jobs]


async def test_a_rejection_emails_the_owner_the_reason_and_a_link(mailing, inbox):
    owner = await person(mailing, "estimator", "Eve Estimator")
    manager = await person(mailing, "manager", "Max Manager")
    project = await submitted(mailing, owner)
    assert await payloads(mailing) == []  # the owner submitted it: nobody else asked to hear

    reason = "Footing too shallow for the frost line.\nRedo the embedment <at 42 in>."
    rejected = await mailing.projects.transition(
        manager, project.project_id, Status.rejected, if_match=project.etag, reason=reason
    )
    assert rejected.status is Status.rejected
    assert await run_email_jobs(mailing) == [Outcome.SUCCEEDED]

    [mail] = inbox.messages()
    assert mail.rcpt_tos == [owner.email]
    message = mail.message
    assert message["Subject"] == "Rejected: Elm St Pylon"
    assert message["To"] == f"Eve Estimator <{owner.email}>"
    assert message["From"] == "SignX Studio <signx@localhost>"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = parts(message)
    link = f"{PUBLIC}/projects/{project.project_id}"
    assert "Max Manager rejected the project “Elm St Pylon”." in plain
    assert "    Footing too shallow for the frost line.\n    Redo the embedment <at 42 in>." in plain
    assert f"Open the project: {link}" in plain
    assert f'href="{link}"' in html
    assert "Redo the embedment &lt;at 42 in&gt;." in html and "<at 42 in>" not in html
    # The reason is in the project's history too, with the move.
    events = await mailing.projects.events(project.project_id, limit=1)
    assert events.items[0].data["reason"] == reason


async def test_owner_and_opted_in_users_are_told_never_the_actor_unless_they_opted_in(mailing, inbox):
    owner = await person(mailing, "estimator", "Eve")
    watcher = await person(mailing, "ops", "Olga", notify_all=True)
    manager = await person(mailing, "manager", "Max", notify_all=True)
    bystander = await person(mailing, "admin", "Ada")  # not opted in, not the owner: never
    gone = await person(mailing, "estimator", "Gus", notify_all=True)
    await mailing.users.set_active(bystander, gone.user_id, False)  # deactivated: never

    project = await submitted(mailing, owner)
    # Submitted by the owner: the two who asked for every project hear, the owner does not.
    sent = await payloads(mailing)
    assert {(p["to_email"], p["because"], p["notice"]) for p in sent} == {
        (manager.email, "all", "submitted"),
        (watcher.email, "all", "submitted"),
    }

    async with mailing.jobs.uow() as tx:
        await tx.session.execute(text("DELETE FROM jobs"))
    await mailing.projects.transition(manager, project.project_id, Status.accepted, if_match=project.etag)
    # Accepted by a manager who opted in: the owner, the watcher, and the manager's own copy.
    sent = await payloads(mailing)
    assert {(p["to_email"], p["because"]) for p in sent} == {
        (owner.email, "owner"),
        (manager.email, "all"),
        (watcher.email, "all"),
    }
    assert {p["actor_email"] for p in sent} == {manager.email}
    assert await run_email_jobs(mailing) == [Outcome.SUCCEEDED] * 3
    assert sorted(r.rcpt_tos[0] for r in inbox.messages()) == sorted(
        [owner.email, manager.email, watcher.email]
    )
    assert {r.message["Subject"] for r in inbox.messages()} == {"Accepted: Elm St Pylon"}


async def test_moves_other_than_submit_accept_reject_send_nothing(mailing):
    owner = await person(mailing, "estimator")
    await person(mailing, "manager", notify_all=True)
    project = await mailing.projects.create(owner, NEW)
    project = await save_passing_design(mailing, owner, project)
    project = await mailing.projects.transition(
        owner, project.project_id, Status.estimating, if_match=project.etag
    )
    await mailing.projects.transition(owner, project.project_id, Status.draft, if_match=project.etag)
    assert await payloads(mailing) == []


async def test_a_refusing_server_makes_the_job_retry_and_the_move_stands(mailing, inbox):
    owner = await person(mailing, "estimator")
    manager = await person(mailing, "manager")
    project = await submitted(mailing, owner)
    inbox.refuse = "554 5.7.1 Relay access denied"

    moved = await mailing.projects.transition(
        manager, project.project_id, Status.rejected, if_match=project.etag, reason="Over budget"
    )
    assert moved.status is Status.rejected
    [job] = (await mailing.jobs.list(JobQuery(kind=EMAIL))).items
    with pytest.raises(RetryableJobError, match="554 5.7.1 Relay access denied"):
        await mailing.jobs.execute(job.job_id, worker="test:1", handlers=handlers(mailing))
    assert inbox.refused == 1 and inbox.messages() == []
    assert (await mailing.projects.get(project.project_id)).status is Status.rejected

    # The next attempt, once the server takes mail again, delivers it (once).
    inbox.refuse = None
    outcome = await mailing.jobs.execute(job.job_id, worker="test:1", handlers=handlers(mailing))
    assert outcome is Outcome.SUCCEEDED
    assert [r.rcpt_tos for r in inbox.messages()] == [[owner.email]]
    done = await mailing.jobs.get(job.job_id)
    assert (done.status, done.attempts) == (JobStatus.succeeded, 2)
    assert done.result is not None and done.result["via"] == "smtp"


async def test_a_server_that_is_not_there_makes_the_job_retry(servers):
    closed = free_port()  # nothing listens on it
    services, release = await wired(servers, smtp_url=f"smtp://127.0.0.1:{closed}", smtp_timeout_seconds=5)
    try:
        owner = await person(services, "estimator")
        manager = await person(services, "manager")
        project = await submitted(services, owner)
        await services.projects.transition(
            manager, project.project_id, Status.rejected, if_match=project.etag, reason="No"
        )
        [job] = (await services.jobs.list(JobQuery(kind=EMAIL))).items
        with pytest.raises(RetryableJobError, match="ConnectionRefusedError"):
            await services.jobs.execute(job.job_id, worker="test:1", handlers=handlers(services))
        assert (await services.projects.get(project.project_id)).status is Status.rejected
    finally:
        await release()


async def test_login_over_smtp(servers, inbox):
    account = Account("signx@example.com", "p@ss:word")
    with smtp_server(inbox, account=account) as port:
        url = f"smtp://signx%40example.com:p%40ss%3Aword@127.0.0.1:{port}"
        services, release = await wired(servers, smtp_url=url)
        try:
            owner = await person(services, "estimator")
            manager = await person(services, "manager")
            project = await submitted(services, owner)
            await services.projects.transition(
                manager, project.project_id, Status.accepted, if_match=project.etag
            )
            assert await run_email_jobs(services) == [Outcome.SUCCEEDED]
        finally:
            await release()
    assert inbox.logins == [("signx@example.com", "p@ss:word")]
    assert [r.rcpt_tos for r in inbox.messages()] == [[owner.email]]


async def test_a_wrong_password_is_retried_not_lost(servers, inbox):
    with smtp_server(inbox, account=Account("signx", "right")) as port:
        services, release = await wired(servers, smtp_url=f"smtp://signx:wrong@127.0.0.1:{port}")
        try:
            owner = await person(services, "estimator")
            manager = await person(services, "manager")
            project = await submitted(services, owner)
            await services.projects.transition(
                manager, project.project_id, Status.accepted, if_match=project.etag
            )
            [job] = (await services.jobs.list(JobQuery(kind=EMAIL))).items
            with pytest.raises(RetryableJobError, match="535") as refused:
                await services.jobs.execute(job.job_id, worker="test:1", handlers=handlers(services))
            assert "wrong" not in str(refused.value)  # the password never lands in the job's error
        finally:
            await release()
    assert inbox.messages() == []


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
async def test_tls_starttls_and_smtps(servers, inbox, tmp_path, mode):
    """The adapter's TLS paths against a server with a certificate made for the test (the adapter
    is given a context trusting it; in production the system's CAs are used)."""
    from domain.notifications.messages import MailJob, Notice, compose
    from domain.orm import utcnow
    from infra.mail import SmtpMailer, parse_smtp_url

    server_tls, client_tls = self_signed(tmp_path)
    account = Account("signx", "secret")
    tls = {"starttls": server_tls} if mode == "starttls" else {"implicit_tls": server_tls}
    with smtp_server(inbox, account=account, **tls) as port:
        url = (
            f"smtp://signx:secret@127.0.0.1:{port}?starttls=1"
            if mode == "starttls"
            else f"smtps://signx:secret@127.0.0.1:{port}"
        )
        mailer = SmtpMailer(parse_smtp_url(url), timeout=10, ssl_context=client_tls)
        job = MailJob(
            notice=Notice.accepted,
            message_id="20261207.tls",
            to_email="eve@example.com",
            because="owner",
            project_id=str(uuid.uuid4()),
            project_name="Elm St Pylon",
        )
        await mailer.send(compose(job, link_base=PUBLIC, mail_from="SignX <signx@example.com>", now=utcnow()))
    [mail] = inbox.messages()
    assert mail.rcpt_tos == ["eve@example.com"] and mail.message["Subject"] == "Accepted: Elm St Pylon"


async def test_without_smtp_the_mail_is_written_as_an_eml_file(servers, tmp_path):
    services, release = await wired(servers, data_dir=tmp_path)
    try:
        assert services.notifications.mailer.name == "folder"
        owner = await person(services, "estimator", "Eve")
        manager = await person(services, "manager")
        project = await submitted(services, owner)
        await services.projects.transition(
            manager, project.project_id, Status.rejected, if_match=project.etag, reason="Too tall"
        )
        assert await run_email_jobs(services) == [Outcome.SUCCEEDED]
        [job] = (await services.jobs.list(JobQuery(kind=EMAIL))).items
        assert job.result is not None and job.result["via"] == "folder"
    finally:
        await release()
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    assert list((tmp_path / "mail").iterdir()) == [eml]  # no partial file left beside it
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Rejected: Elm St Pylon"
    assert message["To"] == f"Eve <{owner.email}>"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = parts(message)  # type: ignore[arg-type]
    assert "Too tall" in plain and "Too tall" in html
    assert f"{PUBLIC}/projects/{project.project_id}" in plain


async def test_a_finished_report_emails_the_owner(mailing, inbox):
    owner = await person(mailing, "estimator", "Eve")
    manager = await person(mailing, "manager")
    project = await mailing.projects.create(owner, NEW)
    await save_passing_design(mailing, owner, project)
    # The owner's own request tells nobody (they watch it on the page) ...
    mine = await mailing.jobs.request(
        owner,
        kind=REPORT,
        project_id=project.project_id,
        revision=1,
        payload={"project_id": project.project_id, "revision": 1},
    )
    assert (
        await mailing.jobs.execute(mine.job_id, worker="t", handlers=handlers(mailing)) is Outcome.SUCCEEDED
    )
    assert await payloads(mailing) == []
    # ... a manager's request of the same report tells the owner when it is ready.
    theirs = await mailing.jobs.request(
        manager,
        kind=REPORT,
        project_id=project.project_id,
        revision=1,
        payload={"project_id": project.project_id, "revision": 1},
    )
    assert (
        await mailing.jobs.execute(theirs.job_id, worker="t", handlers=handlers(mailing)) is Outcome.SUCCEEDED
    )
    assert await run_email_jobs(mailing) == [Outcome.SUCCEEDED]
    [mail] = inbox.messages()
    assert mail.rcpt_tos == [owner.email]
    assert mail.message["Subject"] == "Report ready: Elm St Pylon, revision 1"
    plain, _html = parts(mail.message)
    assert "design revision 1" in plain and f"{PUBLIC}/projects/{project.project_id}" in plain


async def test_what_follows_a_move_cannot_fail_the_move(mailing):
    owner = await person(mailing, "estimator")
    manager = await person(mailing, "manager")
    project = await submitted(mailing, owner)

    async def broken(tx: Any, change: Any) -> None:
        await mailing.notifications.project_moved(tx, change)  # writes the e-mail job ...
        raise RuntimeError("a bug after the e-mails were queued")  # ... then fails

    mailing.projects.on_status_change = broken
    moved = await mailing.projects.transition(
        manager, project.project_id, Status.rejected, if_match=project.etag, reason="No"
    )
    assert moved.status is Status.rejected
    assert (await mailing.projects.get(project.project_id)).status is Status.rejected
    events = await mailing.projects.events(project.project_id, limit=1)
    assert events.items[0].data["to"] == "rejected"
    # Its own writes went with it: no half-queued e-mail job.
    assert await payloads(mailing) == []


async def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(mailing):
    owner = await person(mailing, "estimator")
    manager = await person(mailing, "manager")
    project = await submitted(mailing, owner)
    for reason in (None, "", "   \n "):
        with pytest.raises(InvalidInput) as refused:
            await mailing.projects.transition(
                manager, project.project_id, Status.rejected, if_match=project.etag, reason=reason
            )
        assert refused.value.fields == [{"field": "reason", "message": refused.value.message}]
    assert (await mailing.projects.get(project.project_id)).status is Status.submitted
    assert await payloads(mailing) == []


async def test_emails_cannot_be_requested_by_people(mailing):
    admin = await person(mailing, "admin")
    with pytest.raises(InvalidInput, match="cannot be requested"):
        await mailing.jobs.request(admin, kind=EMAIL, project_id=None, revision=None, payload={})


async def test_the_profile_choice_is_kept_and_audited(mailing):
    me = await person(mailing, "estimator", "Eve")
    assert (await mailing.users.profile(me)).notify_all is False
    on = await mailing.users.set_notify_all(me, True)
    assert (on.email, on.name, on.role, on.notify_all) == (me.email, "Eve", "estimator", True)
    assert (await mailing.users.profile(me)).notify_all is True
    await mailing.users.set_notify_all(me, True)  # no change: no event
    await mailing.users.set_notify_all(me, False)
    async with mailing.jobs.uow() as tx:
        rows = await tx.session.execute(
            text(
                "SELECT event_type, actor, data FROM user_events WHERE event_type = 'notifications_changed' "
                "ORDER BY event_id"
            )
        )
        events = [tuple(r) for r in rows]
    assert events == [
        ("notifications_changed", me.email, {"notify_all": True}),
        ("notifications_changed", me.email, {"notify_all": False}),
    ]


def test_emails_are_a_job_kind_of_their_own():
    from domain.jobs.schemas import KINDS

    assert EMAIL == "projects.email.send" and EMAIL in KINDS


# -- the reject reason through the API -------------------------------------------------------------


async def submitted_over_http(http: Any, estimator: dict[str, str]) -> tuple[str, str]:
    from tests.designs import PASSING

    created = await http.post(
        "/api/v1/projects", json={"name": "Main St Pylon", "account_id": "ACME-01"}, headers=estimator
    )
    url, etag = created.headers["location"], created.headers["etag"]
    saved = await http.post(f"{url}/designs", json=PASSING, headers={**estimator, "If-Match": etag})
    etag = saved.headers["etag"]
    for to in ("estimating", "submitted"):
        moved = await http.post(
            f"{url}/transitions", json={"to": to}, headers={**estimator, "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    return url, etag


async def test_api_reject_without_a_reason_is_422_naming_the_field(http, estimator, manager):
    url, etag = await submitted_over_http(http, estimator)
    for body in ({"to": "rejected"}, {"to": "rejected", "reason": "  "}, {"to": "rejected", "reason": None}):
        refused = await http.post(f"{url}/transitions", json=body, headers={**manager, "If-Match": etag})
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert [f["field"] for f in error["fields"]] == ["reason"]
        assert "reason is required" in error["message"]
    too_long = await http.post(
        f"{url}/transitions",
        json={"to": "rejected", "reason": "x" * 2001},
        headers={**manager, "If-Match": etag},
    )
    assert too_long.status_code == 422 and [f["field"] for f in too_long.json()["error"]["fields"]] == [
        "reason"
    ]
    control = await http.post(
        f"{url}/transitions",
        json={"to": "rejected", "reason": "a\x00b"},
        headers={**manager, "If-Match": etag},
    )
    assert control.status_code == 422 and [f["field"] for f in control.json()["error"]["fields"]] == [
        "reason"
    ]
    assert (await http.get(url, headers=manager)).json()["result"]["status"] == "submitted"

    rejected = await http.post(
        f"{url}/transitions",
        json={"to": "rejected", "reason": "  Footing too shallow.  "},
        headers={**manager, "If-Match": etag},
    )
    assert rejected.status_code == 200 and rejected.json()["result"]["status"] == "rejected"
    events = (await http.get(f"{url}/events?limit=1", headers=manager)).json()["result"]["items"]
    assert events[0]["data"]["reason"] == "Footing too shallow."
    assert events[0]["data"]["to"] == "rejected"
