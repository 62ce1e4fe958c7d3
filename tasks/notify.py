"""E-mail notifications over SMTP (``smtplib``).

The mail server is a :class:`config.smtp.SmtpSettings` (read from the ``SIGAP_SMTP_*``
variables by :func:`config.smtp.smtp_settings_from_env`, in the flow). The password
is resolved (:func:`tasks.credentials.resolve_secret`) only when a message is sent;
it is never kept in the settings, logged or put in an error message.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from config.smtp import SmtpSettings
from tasks.credentials import CredentialError, resolve_secret

log = logging.getLogger(__name__)

_POLICY = policy.default.clone(max_line_length=998)
"""RFC 5322's hard limit: long subjects stay on one line instead of being folded oddly."""


class NotifyError(Exception):
    """A notification could not be sent. The message never holds a secret."""


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
        settings: The mail server (see :func:`config.smtp.smtp_settings_from_env`).
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
