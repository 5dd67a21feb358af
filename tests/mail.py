"""A real SMTP server for the e-mail tests: aiosmtpd on 127.0.0.1 (a free port), in its own thread,
stopped when the test ends. ``Inbox`` keeps what it accepted and can be told to refuse."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from infra.embedded import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """The server's handler. ``refuse``: the answer to DATA instead of accepting (e.g. "554 ...")."""

    refuse: str | None = None
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse is not None:
                self.refused += 1
                return self.refuse
            parsed = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)


@dataclass(frozen=True)
class Account:
    user: str
    password: str


def _authenticator(inbox: Inbox, account: Account) -> Any:
    # handled=False: aiosmtpd then answers 535 itself (its default, True, answers nothing).
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        inbox.logins.append((user, password))
        return AuthResult(success=(user, password) == (account.user, account.password), handled=False)

    return check


@contextmanager
def smtp_server(
    inbox: Inbox,
    *,
    account: Account | None = None,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """Serve ``inbox`` on 127.0.0.1; yields the port. ``account``: AUTH LOGIN/PLAIN required (also
    without TLS, so plain login can be tested); ``starttls``: STARTTLS offered and required;
    ``implicit_tls``: TLS from the first byte (smtps)."""
    port = free_port()
    kwargs: dict[str, Any] = {}
    if account is not None:
        kwargs |= {"authenticator": _authenticator(inbox, account), "auth_required": True}
        kwargs["auth_require_tls"] = starttls is not None
    if starttls is not None:
        kwargs |= {"tls_context": starttls, "require_starttls": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=implicit_tls, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def self_signed(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1 made now: (the server's context, a client context trusting it)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative message, with LF line ends."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    # As sent over SMTP the lines end in CRLF; compare text by its lines.
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")
