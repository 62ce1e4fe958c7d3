"""E-mail notifications over SMTP (``smtplib``), configured from the environment.

| variable | default |
|---|---|
| ``SIGAP_SMTP_HOST`` | unset: e-mail notifications are off |
| ``SIGAP_SMTP_PORT`` | ``25`` |
| ``SIGAP_SMTP_FROM`` | ``sigap@localhost`` |
| ``SIGAP_SMTP_STARTTLS`` | ``false`` (``true``/``1``/``yes``/``on``: STARTTLS before login) |
| ``SIGAP_SMTP_USER`` | unset: no login |
| ``SIGAP_SMTP_PASSWORD`` | a reference, ``env:VAR`` or ``secret:<block>``, never the password |
| ``SIGAP_SMTP_TIMEOUT`` | ``30`` seconds |

The password is resolved (:func:`tasks.credentials.resolve_secret`) only when a
message is sent; it is never kept in :class:`SmtpSettings`, logged or put in
an error message.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from inventory.secretref import parse_secret_ref
from tasks.credentials import CredentialError, resolve_secret

log = logging.getLogger(__name__)

_POLICY = policy.default.clone(max_line_length=998)
"""RFC 5322's hard limit: long subjects stay on one line instead of being folded oddly."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class NotifyError(Exception):
    """A notification could not be sent. The message never holds a secret."""


@dataclass(frozen=True)
class SmtpSettings:
    """How SIGAP reaches its mail server.

    Attributes:
        host: SMTP server name or address.
        port: SMTP port (25, or 587 with STARTTLS).
        sender: The ``From`` address.
        starttls: Upgrade the connection with STARTTLS (certificate verified).
        username: Login name; ``None``: no login.
        password_ref: Reference to the password (``env:VAR`` / ``secret:BLOCK``).
        timeout: Seconds to wait for the server at each step.
    """

    host: str
    port: int = 25
    sender: str = "sigap@localhost"
    starttls: bool = False
    username: str | None = None
    password_ref: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.password_ref is not None and isinstance(parse_secret_ref(self.password_ref), str):
            raise ValueError(
                "password_ref must be a reference, `env:VARIABLE` or "
                "`secret:<prefect-secret-block>`, never the password itself"
            )
        if self.password_ref is not None and self.username is None:
            raise ValueError("password_ref is set but username is not")

    @property
    def server(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name}: must be true or false, not {env[name]!r}")


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = 0
    if value <= 0 or (whole and value > 65535):
        kind = "a port number (1-65535)" if whole else "a number of seconds above 0"
        raise ValueError(f"{name}: must be {kind}, not {raw!r}")
    return value


def smtp_settings_from_env(env: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """Read the SMTP settings from ``SIGAP_SMTP_*`` variables.

    Args:
        env: The environment (default: ``os.environ``).

    Returns:
        The settings, or ``None`` when ``SIGAP_SMTP_HOST`` is unset (notifications off).

    Raises:
        ValueError: A variable has a bad value; a password written instead of a
            reference is refused without being repeated.

    Examples:
        >>> smtp_settings_from_env({}) is None
        True
        >>> s = smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail.example.go.id",
        ...     "SIGAP_SMTP_PORT": "587", "SIGAP_SMTP_STARTTLS": "yes",
        ...     "SIGAP_SMTP_USER": "sigap", "SIGAP_SMTP_PASSWORD": "env:SMTP_PW"})
        >>> s.server, s.sender, s.starttls, s.password_ref
        ('mail.example.go.id:587', 'sigap@localhost', True, 'env:SMTP_PW')
        >>> smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail", "SIGAP_SMTP_USER": "sigap",
        ...     "SIGAP_SMTP_PASSWORD": "hunter2"})
        Traceback (most recent call last):
        ...
        ValueError: SIGAP_SMTP_PASSWORD: must be a reference, `env:VARIABLE` or ...
    """
    env = os.environ if env is None else env
    host = env.get("SIGAP_SMTP_HOST", "").strip()
    if not host:
        return None
    user = env.get("SIGAP_SMTP_USER", "").strip() or None
    password_ref = env.get("SIGAP_SMTP_PASSWORD", "").strip() or None
    if password_ref is not None and isinstance(parse_secret_ref(password_ref), str):
        raise ValueError(
            "SIGAP_SMTP_PASSWORD: must be a reference, `env:VARIABLE` or "
            "`secret:<prefect-secret-block>`, never the password itself"
        )
    if password_ref is not None and user is None:
        raise ValueError("SIGAP_SMTP_PASSWORD is set but SIGAP_SMTP_USER is not")
    if user is not None and password_ref is None:
        raise ValueError(
            "SIGAP_SMTP_USER is set but SIGAP_SMTP_PASSWORD is not: give a reference "
            "such as env:SIGAP_SMTP_SECRET"
        )
    return SmtpSettings(
        host=host,
        port=int(_number(env, "SIGAP_SMTP_PORT", 25, whole=True)),
        sender=env.get("SIGAP_SMTP_FROM", "").strip() or "sigap@localhost",
        starttls=_flag(env, "SIGAP_SMTP_STARTTLS"),
        username=user,
        password_ref=password_ref,
        timeout=_number(env, "SIGAP_SMTP_TIMEOUT", 30.0, whole=False),
    )


def build_message(sender: str, to: Sequence[str], subject: str, body: str) -> EmailMessage:
    r"""Build a plain-text UTF-8 message.

    Args:
        sender: The ``From`` address.
        to: Recipient addresses.
        subject: The subject line.
        body: The text.

    Returns:
        The message, with ``Date`` and ``Message-ID``.

    Raises:
        NotifyError: No recipients, or an address or the subject is malformed
            (e.g. holds a line break).

    Examples:
        >>> msg = build_message("sigap@localhost", ["a@example.go.id"], "Uji", "Halo")
        >>> msg["To"], msg["Subject"], msg.get_content()
        ('a@example.go.id', 'Uji', 'Halo\n')
    """
    if not to:
        raise NotifyError("no recipients")
    for address in (sender, *to):
        if not isinstance(address, str) or "@" not in address or any(c in address for c in "\r\n,"):
            raise NotifyError(f"not an e-mail address: {address!r}")
    if "\n" in subject or "\r" in subject:
        raise NotifyError("the subject must be one line")
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # Quoted-printable for non-ASCII text: also safe through servers without 8BITMIME.
    msg.set_content(body, cte=None if body.isascii() else "quoted-printable")
    return msg


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def send_email(settings: SmtpSettings, to: Sequence[str], subject: str, body: str) -> None:
    """Send one plain-text e-mail.

    Args:
        settings: The mail server (see :func:`smtp_settings_from_env`).
        to: Recipient addresses.
        subject: The subject line.
        body: The text.

    Raises:
        NotifyError: The message is malformed, the password reference cannot be
            resolved, the server cannot be reached, refuses the login or refuses
            recipients. The message names the server and the reason, never the
            password.
    """
    msg = build_message(settings.sender, to, subject, body)
    password: str | None = None
    try:
        if settings.password_ref is not None:
            password = resolve_secret(settings.password_ref)
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username is not None and password is not None:
                smtp.login(settings.username, password)
            refused = smtp.send_message(msg)
    except CredentialError as exc:
        raise NotifyError(f"SMTP password for {settings.server}: {exc}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        who = ", ".join(sorted(exc.recipients))
        raise NotifyError(f"{settings.server} refused every recipient: {who}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(
            f"{settings.server} refused the login of {settings.username!r} "
            f"(SMTP {exc.smtp_code}); check SIGAP_SMTP_USER and the password "
            f"{settings.password_ref}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        reason = _scrub(_text(exc.smtp_error), password)
        raise NotifyError(f"{settings.server} answered SMTP {exc.smtp_code}: {reason}") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = _scrub(str(exc) or type(exc).__name__, password)
        raise NotifyError(f"cannot send e-mail via {settings.server}: {reason}") from None
    if refused:
        who = ", ".join(f"{a} ({code})" for a, (code, _) in sorted(refused.items()))
        raise NotifyError(f"sent, but {settings.server} refused some recipients: {who}")
    log.info("e-mail %r sent via %s to %d recipient(s)", subject, settings.server, len(to))


def _text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


SMTP_OFF = "e-mail notifications are off (SIGAP_SMTP_HOST is not set)"
"""Why nothing was sent when no mail server is configured."""


def try_send(
    smtp: SmtpSettings | None,
    emails: Sequence[str],
    subject: str,
    body: str,
    *,
    nobody: str,
) -> tuple[bool, str | None]:
    """Send a notification if a server and recipients exist; never raise.

    Args:
        smtp: The mail server, or ``None`` when notifications are off.
        emails: Recipient addresses.
        subject: The subject line.
        body: The text.
        nobody: The error to record when ``emails`` is empty.

    Returns:
        ``(attempted, error)``: whether a send was tried, and why it did not go
        out (``None`` when it did).
    """
    if smtp is None:
        return False, SMTP_OFF
    if not emails:
        return False, nobody
    try:
        send_email(smtp, emails, subject, body)
    except NotifyError as exc:
        return True, str(exc)
    except Exception as exc:  # a notification must never stop a watcher
        return True, f"unexpected error sending e-mail via {smtp.server}: {type(exc).__name__}"
    return True, None
