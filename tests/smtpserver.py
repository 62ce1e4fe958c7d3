"""A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, for the tests that send mail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "sigap"
SMTP_PASSWORD = "kata-sandi-rahasia-7"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message the test server accepted."""

    sender: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """Collects what the SMTP server received."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content.replace(b"\r\n", b"\n")  # wire CRLF -> \n
        message = message_from_bytes(raw, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox

    @property
    def messages(self) -> list[Received]:
        return self.mailbox.messages


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def start_smtp(**kwargs: object) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, mailbox)
    finally:
        controller.stop()
