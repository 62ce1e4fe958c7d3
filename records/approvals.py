"""Approval decisions and refused approval attempts.

A refused attempt records who tried and why, never what they typed: there is
no argument and no column for a code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import one_of, when
from records.models import DECISIONS, Approval, RefusedApproval, SopRun, UsedTotpStep
from sop.form_text import clean_username

REASON_MAX = 500
"""Longest refusal reason stored (the column holds 500); longer ones are cut."""


def record_approval(
    session: Session,
    sop_run: SopRun,
    step_number: int,
    *,
    approver: str,
    role_key: str,
    decision: str,
    note: str | None = None,
    decided_at: datetime | None = None,
) -> Approval:
    """Record an accepted decision on a step.

    Args:
        session: Open session.
        sop_run: The SOP run.
        step_number: The step decided on.
        approver: Username of the approver (already verified by the caller).
        role_key: Role under which they approved.
        decision: ``setuju``, ``tolak`` or ``kembalikan``.
        note: The approver's note.
        decided_at: Decision time (aware); default now.

    Returns:
        The approval, flushed (it has an id).

    Raises:
        ValueError: If ``decision`` is unknown or a datetime is naive.
    """
    approval = Approval(
        sop_run=sop_run,
        step_number=step_number,
        approver=approver,
        role_key=role_key,
        decision=one_of("decision", decision, DECISIONS),
        note=note,
        decided_at=when(decided_at),
    )
    session.add(approval)
    session.flush()
    return approval


def record_refused_approval(
    session: Session,
    sop_run: SopRun,
    step_number: int,
    *,
    attempted_username: str,
    reason: str,
    refused_at: datetime | None = None,
) -> RefusedApproval:
    """Record an approval attempt that SIGAP refused.

    Args:
        session: Open session.
        sop_run: The SOP run.
        step_number: The step the attempt was for.
        attempted_username: The username given in the attempt (stored without control
            characters, cut to 100 characters).
        reason: Why it was refused (e.g. ``wrong approval code``); must not
            contain the code itself.
        refused_at: When (aware); default now.

    Returns:
        The refused attempt, flushed (it has an id).
    """
    refused = RefusedApproval(
        sop_run=sop_run,
        step_number=step_number,
        # what was typed may be anything: kept to what the columns hold, without NUL
        attempted_username=clean_username(attempted_username),
        reason=reason.replace("\x00", "")[:REASON_MAX],
        refused_at=when(refused_at),
    )
    session.add(refused)
    session.flush()
    return refused


def list_approvals(session: Session, sop_run: SopRun) -> list[Approval]:
    """Return the run's approvals, oldest first.

    Args:
        session: Open session.
        sop_run: The SOP run.

    Returns:
        Approvals ordered by decision time, then id.
    """
    query = (
        select(Approval)
        .where(Approval.sop_run_id == sop_run.id)
        .order_by(Approval.decided_at, Approval.id)
    )
    return list(session.scalars(query))


def list_refused_approvals(session: Session, sop_run: SopRun) -> list[RefusedApproval]:
    """Return the run's refused approval attempts, oldest first.

    Args:
        session: Open session.
        sop_run: The SOP run.

    Returns:
        Refused attempts ordered by time, then id.
    """
    query = (
        select(RefusedApproval)
        .where(RefusedApproval.sop_run_id == sop_run.id)
        .order_by(RefusedApproval.refused_at, RefusedApproval.id)
    )
    return list(session.scalars(query))


WRONG_CODE_PREFIX = "wrong_code:"
"""How a refusal for a wrong approval code starts (counted for lockouts)."""


def wrong_code_times(session: Session, username: str) -> list[datetime]:
    """When ``username`` gave a wrong approval code, in any run (for lockouts).

    Args:
        session: Open session.
        username: The approver's username.

    Returns:
        The times, oldest first.
    """
    return list(
        session.scalars(
            select(RefusedApproval.refused_at)
            .where(
                RefusedApproval.attempted_username == username,
                RefusedApproval.reason.startswith(WRONG_CODE_PREFIX),
            )
            .order_by(RefusedApproval.refused_at)
        )
    )


def last_totp_step(session: Session, username: str) -> int | None:
    """The latest TOTP time step ``username``'s answers were accepted with, in any run.

    Args:
        session: Open session.
        username: The approver's username.

    Returns:
        The step (a 30-second counter), or ``None`` if none was ever used.
    """
    return session.scalar(
        select(func.max(UsedTotpStep.step)).where(UsedTotpStep.username == username)
    )


def claim_totp_step(session: Session, username: str, step: int, used_at: datetime) -> bool:
    """Record that ``username`` used the code of TOTP ``step``; ``False`` if it was already.

    The primary key (username, step) makes the claim atomic: of two answers with the
    same code at once (two runs, two browser tabs), one claims it, the other is refused.

    Args:
        session: Open session; the claim is flushed in a savepoint of it.
        username: The approver's username.
        step: The TOTP time step of the accepted code.
        used_at: When (aware).

    Returns:
        Whether this call claimed the step.
    """
    try:
        with session.begin_nested():
            session.add(UsedTotpStep(username=username, step=step, used_at=when(used_at)))
    except IntegrityError:
        return False
    return True
