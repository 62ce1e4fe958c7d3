"""SLA breaches of SOP steps, and the notifications sent about them.

A step log has at most one breach (a unique constraint decides, also when two
watchers race). Recording a breach marks the step log ``sla_status =
"breached"``; nothing else about the step changes: SIGAP never approves a step
because it is late.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import when
from records.models import Notification, SlaBreach, SopRun, StepLog

NOTIFICATION_KINDS: tuple[str, ...] = ("sla_breach",)
"""Kinds of notification SIGAP sends."""


def get_breach(session: Session, step_log: StepLog | int) -> SlaBreach | None:
    """Return the breach recorded for a step log, or None.

    Args:
        session: Open session.
        step_log: The step log or its id.

    Returns:
        The breach or None.
    """
    step_id = step_log if isinstance(step_log, int) else step_log.id
    query = select(SlaBreach).where(SlaBreach.step_log_id == step_id)
    return session.scalars(query).one_or_none()


def record_breach(
    session: Session,
    step_log: StepLog,
    *,
    due_at: datetime,
    detected_at: datetime | None = None,
    escalated_role: str | None = None,
    notified: Sequence[str] = (),
    notify_error: str | None = None,
) -> SlaBreach | None:
    """Record that a step log is breached, once.

    Args:
        session: Open session.
        step_log: The late step.
        due_at: When it became breached (aware).
        detected_at: When SIGAP noticed (aware); default now.
        escalated_role: The role the breach was escalated to, if any.
        notified: E-mail addresses the notification went to.
        notify_error: Why the notification failed, or None.

    Returns:
        The new breach, flushed; None when the step log already has one (the
        existing one is left as it was).

    Raises:
        ValueError: A naive datetime.
    """
    if get_breach(session, step_log) is not None:
        return None
    breach = SlaBreach(
        sop_run_id=step_log.sop_run_id,
        step_log_id=step_log.id,
        step_number=step_log.step_number,
        role_key=step_log.role_key,
        due_at=when(due_at),
        detected_at=when(detected_at),
        escalated_role=escalated_role,
        notified=list(notified),
        notify_error=notify_error,
    )
    try:
        with session.begin_nested():
            session.add(breach)
    except IntegrityError:
        if get_breach(session, step_log) is None:
            raise
        return None
    step_log.sla_status = "breached"
    session.flush()
    return breach


def set_breach_notified(
    session: Session,
    breach: SlaBreach,
    *,
    notified: Sequence[str],
    notify_error: str | None,
) -> SlaBreach:
    """Record who was told about a breach (after the e-mail went out, or failed).

    Args:
        session: Open session.
        breach: The breach from :func:`record_breach`.
        notified: Addresses the notification went to (empty if it failed).
        notify_error: Why it failed, or None.

    Returns:
        The breach, flushed.
    """
    breach.notified = list(notified)
    breach.notify_error = notify_error
    session.flush()
    return breach


def list_breaches(session: Session, sop_run: SopRun | None = None) -> list[SlaBreach]:
    """Return breaches in the order they were detected, all or one run's.

    Args:
        session: Open session.
        sop_run: Only this run's breaches; None: every run's.

    Returns:
        Breaches ordered by detection time, then id.
    """
    query = select(SlaBreach).order_by(SlaBreach.detected_at, SlaBreach.id)
    if sop_run is not None:
        query = query.where(SlaBreach.sop_run_id == sop_run.id)
    return list(session.scalars(query))


def record_notification(
    session: Session,
    *,
    kind: str,
    recipients: Sequence[str],
    subject: str,
    ok: bool,
    error: str | None = None,
    sop_run: SopRun | int | None = None,
    sent_at: datetime | None = None,
) -> Notification:
    """Record a notification SIGAP sent or tried to send.

    Args:
        session: Open session.
        kind: What it was about, e.g. ``sla_breach``.
        recipients: The addresses it was sent to.
        subject: Its subject line.
        ok: True if the mail server accepted it.
        error: Why it failed (a message without secrets), or None.
        sop_run: The SOP run it concerns (or its id), if any.
        sent_at: When (aware); default now.

    Returns:
        The notification, flushed.

    Raises:
        ValueError: An empty ``kind`` or a naive datetime.
    """
    if not kind or len(kind) > 40:
        raise ValueError(f"kind: {kind!r} must be 1-40 characters, e.g. 'sla_breach'")
    notification = Notification(
        sop_run_id=sop_run if sop_run is None or isinstance(sop_run, int) else sop_run.id,
        kind=kind,
        recipients=list(recipients),
        subject=subject,
        ok=bool(ok),
        error=error,
        sent_at=when(sent_at),
    )
    session.add(notification)
    session.flush()
    return notification


def list_notifications(
    session: Session, sop_run: SopRun | None = None, kind: str | None = None
) -> list[Notification]:
    """Return notifications in the order they were sent.

    Args:
        session: Open session.
        sop_run: Only those about this run; None: all.
        kind: Only this kind; None: all.

    Returns:
        Notifications ordered by time, then id.
    """
    query = select(Notification).order_by(Notification.sent_at, Notification.id)
    if sop_run is not None:
        query = query.where(Notification.sop_run_id == sop_run.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(session.scalars(query))
