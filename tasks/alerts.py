"""A watcher's alert: e-mailed once (never raising), then the attempt recorded.

The watchers (:mod:`tasks.sla_watch`, :mod:`tasks.visit_watch`) claim what they
found in one transaction, then :func:`send_alert` outside any transaction, then
record who was told or why not in a second one, with :func:`record_alert` for the
``notifications`` row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from config.smtp import SmtpSettings
from records.models import SopRun
from records.sla_breaches import record_notification
from tasks.notify import try_send


@dataclass(frozen=True)
class Alert:
    """One e-mail a watcher sent or tried to send.

    Attributes:
        recipients: The addresses it was addressed to.
        subject: Its subject line.
        attempted: Whether a send was tried (a mail server and recipients existed).
        error: Why it did not go out, or ``None`` if the mail server accepted it.
    """

    recipients: tuple[str, ...]
    subject: str
    attempted: bool
    error: str | None

    @property
    def delivered(self) -> tuple[str, ...]:
        """The addresses that were told (empty unless the mail server accepted it).

        Examples:
            >>> Alert(("a@x.go.id",), "s", attempted=True, error=None).delivered
            ('a@x.go.id',)
            >>> Alert(("a@x.go.id",), "s", attempted=True, error="refused").delivered
            ()
        """
        return self.recipients if self.attempted and self.error is None else ()


def send_alert(
    smtp: SmtpSettings | None,
    recipients: Sequence[str],
    subject: str,
    body: str,
    *,
    nobody: str,
) -> Alert:
    """E-mail an alert if a mail server and recipients exist; never raise.

    Args:
        smtp: The mail server, or ``None`` when notifications are off.
        recipients: The addresses to tell.
        subject: The subject line.
        body: The text.
        nobody: The error to record when ``recipients`` is empty.

    Returns:
        What was tried and why it did not go out (see :func:`tasks.notify.try_send`).
    """
    emails = tuple(recipients)
    attempted, error = try_send(smtp, emails, subject, body, nobody=nobody)
    return Alert(emails, subject, attempted, error)


def record_alert(
    session: Session,
    alert: Alert,
    *,
    kind: str,
    sop_run: SopRun | int | None,
    sent_at: datetime | None = None,
) -> None:
    """Record an alert that was attempted as a notification (nothing if none was tried).

    Args:
        session: Open session.
        alert: The alert (:func:`send_alert`).
        kind: What it was about, e.g. ``sla_breach``.
        sop_run: The SOP run it concerns (or its id).
        sent_at: When (aware); default now.
    """
    if alert.attempted:
        record_notification(
            session,
            kind=kind,
            recipients=alert.recipients,
            subject=alert.subject,
            ok=alert.error is None,
            error=alert.error,
            sop_run=sop_run,
            sent_at=sent_at,
        )
