"""Handle a late SOP step: record the SLA breach, e-mail the people concerned.

A flow's background watcher calls :func:`handle_breach` for a step that is still
open (typically an approval waiting for a manager). The judgement is pure
(:mod:`sop.escalation`); this module does the I/O around it:

1. in one short transaction: load the step log, decide whether it is breached,
   and claim the breach (a unique constraint per step log, so two watchers
   never both send mail);
2. outside any transaction: send the e-mail (:func:`tasks.alerts.send_alert`);
3. in a second transaction: record who was told, or why not, and the
   notification.

A failing mail server never raises out of :func:`handle_breach`: the breach is
recorded with the error. Nothing is ever approved: the step keeps waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from config.smtp import SmtpSettings
from records.db import session_scope
from records.models import SlaBreach, StepLog
from records.sla_breaches import record_breach, set_breach_notified
from sop.durations import Duration
from sop.escalation import breach_due, breach_message, is_breached, recipients
from sop.office import Office
from tasks.alerts import record_alert, send_alert

log = logging.getLogger(__name__)

OPEN_STEP_STATUSES: tuple[str, ...] = ("running", "waiting")
"""Step statuses that can still breach; any other status means the step is finished."""

NOTIFICATION_KIND = "sla_breach"

PENDING = "e-mail not sent yet (if this stays, SIGAP stopped before sending it)"
"""``notify_error`` of a breach between claiming it and sending the e-mail."""


@dataclass(frozen=True)
class BreachResult:
    """What :func:`handle_breach` did about a newly breached step.

    Attributes:
        breach_id: The ``sla_breaches`` row.
        sop_run_id: The SOP run.
        step_log_id: The late step's log.
        step_number: The step number.
        role_key: The role that performs or approves the step.
        due_at: When the step became breached, in the office's timezone.
        recipients: The e-mail addresses the notification was addressed to.
        escalated_role: The role the breach was escalated to, if any.
        notify_error: Why nobody was told by e-mail, or None if the mail went out.
    """

    breach_id: int
    sop_run_id: int
    step_log_id: int
    step_number: int
    role_key: str
    due_at: datetime
    recipients: tuple[str, ...]
    escalated_role: str | None
    notify_error: str | None

    @property
    def notified(self) -> bool:
        """True if the mail server accepted the notification."""
        return self.notify_error is None


def handle_breach(
    engine: Engine,
    office: Office,
    *,
    sop_run_id: int,
    step_log_id: int,
    standard: Duration | None,
    sop_code: str,
    sop_title: str,
    now: datetime,
    run_ref: str,
    smtp: SmtpSettings | None,
    lang: str = "id",
) -> BreachResult | None:
    """Record and announce a step's SLA breach, once; do nothing if there is none.

    Args:
        engine: The records database.
        office: The office configuration (breach factor, escalation, people).
        sop_run_id: The SOP run the step belongs to.
        step_log_id: The step log to check.
        standard: The step's time standard; None: never breached.
        sop_code: The SOP code, e.g. ``A``.
        sop_title: The SOP's title, for the message.
        now: The current time (aware).
        run_ref: What identifies the run for people (run key or flow run URL).
        smtp: The mail server, or None when notifications are off.
        lang: Language of the e-mail, ``"id"`` (default) or ``"en"``.

    Returns:
        None when the step is finished, not yet breached, or already has a breach;
        otherwise what was recorded and sent.

    Raises:
        LookupError: No step log with ``step_log_id``.
        ValueError: The step log belongs to another run, a naive ``now``, a bad ``lang``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now}")
    with session_scope(engine) as session:
        step = session.get(StepLog, step_log_id)
        if step is None:
            raise LookupError(f"step_log_id: no step log {step_log_id}")
        if step.sop_run_id != sop_run_id:
            raise ValueError(
                f"step log {step_log_id} belongs to SOP run {step.sop_run_id}, not {sop_run_id}"
            )
        if step.finished_at is not None or step.status not in OPEN_STEP_STATUSES:
            return None
        started = step.started_at.astimezone(office.timezone)
        factor = office.sla.breach_factor
        due = breach_due(started, standard, factor)
        if due is None or not is_breached(started, standard, factor, now):
            return None
        who = recipients(office, step.role_key)
        subject, body = breach_message(
            office,
            sop_code=sop_code,
            sop_title=sop_title,
            step_number=step.step_number,
            role_key=step.role_key,
            started_at=started,
            due_at=due,
            now=now,
            run_ref=run_ref,
            lang=lang,
        )
        breach = record_breach(
            session,
            step,
            due_at=due,
            detected_at=now,
            escalated_role=who.escalated_role,
            notified=(),
            notify_error=PENDING,
        )
        if breach is None:
            return None
        breach_id, step_number, role_key = breach.id, step.step_number, step.role_key
    log.warning(
        "SLA breach: SOP %s step %d (%s) of %s was due %s",
        sop_code,
        step_number,
        role_key,
        run_ref,
        due.isoformat(),
    )

    roles = " or ".join(r for r in (role_key, who.escalated_role) if r)
    alert = send_alert(
        smtp,
        who.emails,
        subject,
        body,
        nobody=f"nobody holding {roles} has an e-mail address in the office configuration",
    )
    if alert.error is not None:
        log.warning(
            "SLA breach of SOP %s step %d: not notified: %s", sop_code, step_number, alert.error
        )

    with session_scope(engine) as session:
        stored = session.get(SlaBreach, breach_id)
        if stored is not None:
            set_breach_notified(session, stored, notified=alert.delivered, notify_error=alert.error)
        record_alert(session, alert, kind=NOTIFICATION_KIND, sop_run=sop_run_id)
    return BreachResult(
        breach_id=breach_id,
        sop_run_id=sop_run_id,
        step_log_id=step_log_id,
        step_number=step_number,
        role_key=role_key,
        due_at=due,
        recipients=alert.recipients,
        escalated_role=who.escalated_role,
        notify_error=alert.error,
    )
