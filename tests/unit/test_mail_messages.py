"""Who is e-mailed, what the message says and how the mail settings are read: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.notifications.messages import MailJob, Notice, addressees, compose, subject
from domain.projects.lifecycle import Status, reason_problem
from domain.users.schemas import Contact
from infra.mail import SmtpTarget, parse_smtp_url
from infra.settings import Settings

OWNER = Contact("u-owner", "owner@example.com", "Eve", notify_all=False)
WATCHER = Contact("u-watch", "watch@example.com", "Olga", notify_all=True)
MANAGER = Contact("u-manager", "boss@example.com", "Max", notify_all=True)
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def who(chosen):
    return [(a.person.user_id, a.because) for a in chosen]


def test_the_owner_hears_of_what_someone_else_did():
    assert who(addressees(OWNER, [], actor_id="u-manager")) == [("u-owner", "owner")]


def test_nobody_hears_of_their_own_action_unless_they_asked_for_every_project():
    assert who(addressees(OWNER, [], actor_id="u-owner")) == []
    owner_all = Contact("u-owner", "owner@example.com", "Eve", notify_all=True)
    assert who(addressees(owner_all, [owner_all], actor_id="u-owner")) == [("u-owner", "all")]
    assert who(addressees(OWNER, [MANAGER, WATCHER], actor_id="u-manager")) == [
        ("u-owner", "owner"),
        ("u-manager", "all"),  # opted in: a copy of their own action
        ("u-watch", "all"),
    ]


def test_each_person_once_owner_first_then_by_address_and_a_deactivated_owner_not_at_all():
    owner_all = Contact("u-owner", "owner@example.com", "Eve", notify_all=True)
    assert who(addressees(owner_all, [WATCHER, owner_all, MANAGER], actor_id=None)) == [
        ("u-owner", "owner"),
        ("u-manager", "all"),
        ("u-watch", "all"),
    ]
    assert who(addressees(None, [WATCHER], actor_id="u-manager")) == [("u-watch", "all")]
    quiet = Contact("u-quiet", "quiet@example.com", "", notify_all=False)
    assert who(addressees(None, [quiet], actor_id=None)) == []


def job(**changes) -> MailJob:
    data = {
        "notice": Notice.rejected,
        "message_id": "20261207093000.abc",
        "to_email": "owner@example.com",
        "to_name": "Eve",
        "because": "owner",
        "project_id": "6f1c7f43-2a51-4a39-8a2b-6c9e3f1f0d11",
        "project_name": "Joe's <Signs> & Co",
        "customer": "Acme",
        "account_id": "ACME-01",
        "actor_email": "boss@example.com",
        "actor_name": "Max",
        "reason": "Too <b>tall</b> & heavy\nsee page 2",
    }
    return MailJob.model_validate({**data, **changes})


def test_the_message_is_text_and_html_alternatives_with_the_headers_set():
    message = compose(
        job(), link_base="https://signx.example.com/", mail_from="SignX <signx@example.com>", now=NOW
    )
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Rejected: Joe's <Signs> & Co"
    assert message["To"] == "Eve <owner@example.com>"
    assert message["From"] == "SignX <signx@example.com>"
    assert message["Message-ID"] == "<20261207093000.abc@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] == "Mon, 07 Dec 2026 09:30:00 +0000"


def test_user_text_is_escaped_in_html_and_kept_as_typed_in_text():
    message = compose(job(), link_base="https://signx.example.com", mail_from="signx@example.com", now=NOW)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Max rejected the project “Joe's <Signs> & Co”." in plain
    assert "    Too <b>tall</b> & heavy\n    see page 2" in plain
    assert "Joe&#x27;s &lt;Signs&gt; &amp; Co" in html
    assert "Too &lt;b&gt;tall&lt;/b&gt; &amp; heavy<br>see page 2" in html
    assert "<Signs>" not in html and "<b>tall" not in html
    link = "https://signx.example.com/projects/6f1c7f43-2a51-4a39-8a2b-6c9e3f1f0d11"
    assert f"Open the project: {link}" in plain and f'href="{link}"' in html
    assert "https://signx.example.com/profile" in plain


def test_each_notice_has_its_subject_and_a_report_names_its_revision():
    assert subject(job(notice=Notice.submitted)) == "Submitted for review: Joe's <Signs> & Co"
    assert subject(job(notice=Notice.accepted)) == "Accepted: Joe's <Signs> & Co"
    assert (
        subject(job(notice=Notice.report_ready, revision=3)) == "Report ready: Joe's <Signs> & Co, revision 3"
    )
    plain = (
        compose(
            job(notice=Notice.report_ready, revision=3, reason=None, because="all"),
            link_base="http://127.0.0.1:8000",
            mail_from="signx@example.com",
            now=NOW,
        )
        .get_body(("plain",))
        .get_content()
    )
    assert "design revision 3" in plain and "Reason given" not in plain
    assert "you asked to be e-mailed about every project" in plain


def test_a_line_break_in_a_name_cannot_add_a_header():
    message = compose(
        job(to_name="Eve\r\nBcc: victim@example.com"), link_base="http://x", mail_from="a@b.c", now=NOW
    )
    assert message["Bcc"] is None
    assert "\n" not in message["To"]


def test_a_payload_that_is_not_a_mail_job_is_refused():
    with pytest.raises(ValidationError):
        MailJob.model_validate({"notice": "birthday", "to_email": "x@y.z"})


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://mail.lan", SmtpTarget("mail.lan", 25, "plain")),
        ("smtp://mail.lan:2525", SmtpTarget("mail.lan", 2525, "plain")),
        ("smtp://u:p@mail.lan?starttls=1", SmtpTarget("mail.lan", 587, "starttls", "u", "p")),
        ("smtp://u@mail.lan:25?starttls=0", SmtpTarget("mail.lan", 25, "plain", "u", None)),
        (
            "smtps://me%40corp.com:p%40ss%3Aw@smtp.corp.com",
            SmtpTarget("smtp.corp.com", 465, "ssl", "me@corp.com", "p@ss:w"),
        ),
    ],
)
def test_smtp_urls(url, target):
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.lan", "smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtps://mail.lan?starttls=1", "starttls applies to smtp:// only"),
        ("smtp://mail.lan?tls=1", "unknown SMTP URL option"),
        ("smtp://mail.lan?starttls=maybe", "starttls must be 1 or 0"),
        ("smtp://:secret@mail.lan", "password but no user"),
        ("smtp://mail.lan:99999", "port"),
        ("smtp://mail.lan/inbox", "no path"),
    ],
)
def test_bad_smtp_urls_say_what_is_wrong(url, problem):
    with pytest.raises(ValueError, match=problem):
        parse_smtp_url(url)


def test_the_password_is_not_in_the_targets_repr():
    assert "secret" not in repr(parse_smtp_url("smtp://u:secret@mail.lan"))


def test_mail_settings_are_checked_at_start_up():
    settings = Settings(public_url="https://signx.example.com/", port=8123)
    assert settings.link_base() == "https://signx.example.com"
    assert Settings(port=8123).link_base() == "http://127.0.0.1:8123"
    assert Settings(smtp_url="").smtp_url is None
    for bad in ({"public_url": "ftp://x"}, {"public_url": "https://x/?a=1"}, {"mail_from": "nobody"}):
        with pytest.raises(ValidationError):
            Settings(**bad)
    with pytest.raises(ValidationError, match="smtp:// or smtps://"):
        Settings(smtp_url="mail.lan:25")


def test_rejecting_needs_a_reason_and_the_reason_has_bounds():
    assert reason_problem(Status.rejected, None) is not None
    assert reason_problem(Status.rejected, "  ") is not None
    assert reason_problem(Status.rejected, "Over budget\n\tsee notes") is None
    assert reason_problem(Status.accepted, None) is None
    assert reason_problem(Status.accepted, "x" * 2001) is not None
    assert reason_problem(Status.rejected, "bad\x00byte") is not None
