"""Mail adapters (the ``Mailer`` port): SMTP through the standard library's smtplib, run in a
worker thread so the event loop never waits on the network, or .eml files in a folder when no
SMTP server is configured (the embedded default: nothing leaves the machine, and what would
have been sent can be opened in any mail program).

``SIGNX_SMTP_URL``:

- ``smtp://host:25`` plain SMTP (a relay on the LAN);
- ``smtp://user:password@host:587?starttls=1`` STARTTLS, then login;
- ``smtps://user:password@host:465`` TLS from the first byte, then login.

User and password are percent-decoded (``%40`` for an ``@`` in a user name). The server's
certificate is checked against the system's CAs.
"""

from __future__ import annotations

import asyncio
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from domain.ports import Mailer, MailNotSent
from infra.settings import Settings

Security = Literal["plain", "starttls", "ssl"]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp[s]://[user[:password]@]host[:port][?starttls=1]``; ``ValueError`` naming what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("the SMTP URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("the SMTP URL names no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("the SMTP URL takes no path or fragment")
    starttls = False
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "starttls":
            raise ValueError(f"unknown SMTP URL option {key!r} (only starttls=1)")
        if value.lower() not in _TRUE | _FALSE:
            raise ValueError("starttls must be 1 or 0")
        starttls = value.lower() in _TRUE
    if parts.scheme == "smtps" and starttls:
        raise ValueError("smtps:// is TLS from the start; starttls applies to smtp:// only")
    security: Security = "ssl" if parts.scheme == "smtps" else "starttls" if starttls else "plain"
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the SMTP URL's port is not a number from 1 to 65535") from None
    if port is None:
        port = {"ssl": 465, "starttls": 587, "plain": 25}[security]
    if port == 0:
        raise ValueError("the SMTP URL's port is not a number from 1 to 65535")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ValueError("the SMTP URL has a password but no user")
    return SmtpTarget(parts.hostname, port, security, username, password)


def _why(exc: BaseException) -> str:
    """What went wrong, for the job's error: the server's code and words, never the password."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in exc.recipients.items()
        )
        return f"recipient refused ({refused})"[:1000]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"the SMTP server answered {exc.smtp_code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


class SmtpMailer:
    """One connection per message (e-mails here are a few an hour, not a stream). Any failure
    (refused connection, TLS, login, a 4xx/5xx answer, a timeout) is ``MailNotSent``."""

    name = "smtp"

    def __init__(
        self, target: SmtpTarget, *, timeout: float = 15.0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.ssl_context = ssl_context

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        t = self.target
        context = self.ssl_context or ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if t.security == "ssl":
                smtp = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            with smtp:
                if t.security == "starttls":
                    smtp.starttls(context=context)
                if t.username:
                    smtp.login(t.username, t.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError and timeouts are OSErrors
            raise MailNotSent(_why(exc)) from exc


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FolderMailer:
    """Each message as ``<folder>/<message id>.eml`` (written whole or not at all). The file is
    named by the Message-ID, so a retried job rewrites its own file instead of adding one."""

    name = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        local = str(message.get("Message-ID", "")).strip("<> ").split("@", 1)[0]
        name = _UNSAFE.sub("_", local).strip("._")[:150] or "message"
        path = self.folder / f"{name}.eml"
        partial = self.folder / f".{name}.eml.partial"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                out.write(message.as_bytes())
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise MailNotSent(f"could not write {path}: {exc}") from exc


def mailer(settings: Settings) -> Mailer:
    """SMTP when ``SIGNX_SMTP_URL`` is set, else .eml files under ``<data dir>/mail``."""
    if settings.smtp_url is not None:
        target = parse_smtp_url(settings.smtp_url.get_secret_value())
        return SmtpMailer(target, timeout=settings.smtp_timeout_seconds)
    return FolderMailer(Path(settings.data_dir) / "mail")
