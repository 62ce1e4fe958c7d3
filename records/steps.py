"""SOP step logs: actor, start, end, deadline, documents of each step executed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records._checks import maybe, one_of, when
from records.models import STEP_STATUSES, SopRun, StepLog


def start_step(
    session: Session,
    sop_run: SopRun,
    step_number: int,
    role_key: str,
    *,
    actor: str | None = None,
    due_at: datetime | None = None,
    started_at: datetime | None = None,
    inputs: dict[str, Any] | None = None,
    documents: list[Any] | None = None,
    status: str = "running",
) -> StepLog:
    """Record that a step began.

    The deadline is computed by the caller (``sop.sla``) and passed as ``due_at``.

    Args:
        session: Open session.
        sop_run: The SOP run.
        step_number: Step number in the SOP definition.
        role_key: Role that performs the step.
        actor: Username performing it, if known yet.
        due_at: Deadline from the step's time standard (aware).
        started_at: Start time (aware); default now.
        inputs: Inputs given to the step as JSON data.
        documents: Documents at the start (names, paths or references).
        status: ``running`` or ``waiting``.

    Returns:
        The step log, flushed (it has an id).

    Raises:
        ValueError: If ``status`` is unknown or a datetime is naive.
    """
    step = StepLog(
        sop_run=sop_run,
        step_number=step_number,
        role_key=role_key,
        actor=actor,
        due_at=maybe(due_at),
        started_at=when(started_at),
        inputs=dict(inputs or {}),
        documents=list(documents or []),
        status=one_of("status", status, STEP_STATUSES),
    )
    session.add(step)
    session.flush()
    return step


def finish_step(
    session: Session,
    step: StepLog,
    *,
    status: str = "completed",
    finished_at: datetime | None = None,
    actor: str | None = None,
    outputs: dict[str, Any] | None = None,
    documents: list[Any] | None = None,
    note: str | None = None,
    sla_status: str | None = None,
    waiting_seconds: float | None = None,
) -> StepLog:
    """Record that a step ended.

    Arguments left as None keep what is stored; ``documents`` replaces the list.

    Args:
        session: Open session.
        step: The step log from :func:`start_step`.
        status: One of :data:`records.models.STEP_STATUSES`.
        finished_at: End time (aware); default now.
        actor: Username who performed it (if not known at start).
        outputs: Outputs as JSON data.
        documents: Documents produced/attached (replaces the stored list).
        note: Free note.
        sla_status: The SLA verdict computed by ``sop.sla`` (e.g. ``met``).
        waiting_seconds: Time spent waiting on people, from ``sop.sla``.

    Returns:
        The step log, flushed.

    Raises:
        ValueError: If ``status`` is unknown or a datetime is naive.
    """
    step.status = one_of("status", status, STEP_STATUSES)
    step.finished_at = when(finished_at)
    if actor is not None:
        step.actor = actor
    if outputs is not None:
        step.outputs = dict(outputs)
    if documents is not None:
        step.documents = list(documents)
    if note is not None:
        step.note = note
    if sla_status is not None:
        step.sla_status = sla_status
    if waiting_seconds is not None:
        step.waiting_seconds = waiting_seconds
    session.flush()
    return step


def list_step_logs(session: Session, sop_run: SopRun) -> list[StepLog]:
    """Return the run's step logs in the order they started.

    Args:
        session: Open session.
        sop_run: The SOP run.

    Returns:
        Step logs ordered by start time, then id.
    """
    query = (
        select(StepLog)
        .where(StepLog.sop_run_id == sop_run.id)
        .order_by(StepLog.started_at, StepLog.id)
    )
    return list(session.scalars(query))


def open_step(session: Session, sop_run: SopRun, step_number: int) -> StepLog | None:
    """The latest unfinished log of a step in a run (to continue it), if any.

    Args:
        session: Open session.
        sop_run: The SOP run.
        step_number: Step number.

    Returns:
        The log with status ``running`` or ``waiting``, or ``None``.
    """
    return session.scalars(
        select(StepLog)
        .where(
            StepLog.sop_run_id == sop_run.id,
            StepLog.step_number == step_number,
            StepLog.status.in_(("running", "waiting")),
        )
        .order_by(StepLog.id.desc())
        .limit(1)
    ).first()


def list_waiting_steps(session: Session) -> list[tuple[StepLog, SopRun]]:
    """Every step waiting for a person (an approval), oldest first, with its run.

    Args:
        session: Open session.

    Returns:
        ``(step log, SOP run)`` pairs.
    """
    rows = session.execute(
        select(StepLog, SopRun)
        .join(SopRun, StepLog.sop_run_id == SopRun.id)
        .where(StepLog.status == "waiting")
        .order_by(StepLog.started_at, StepLog.id)
    ).all()
    return [(step, run) for step, run in rows]


def answered_counts(session: Session, sop_run_ids: list[int]) -> dict[tuple[int, int], int]:
    """How many times each step of the given runs was answered (completed), read only.

    A step returned by a decision (``kembalikan``) and asked again has one completed
    log per earlier answer: the waiting log is then its round ``count + 1``.

    Args:
        session: Open session.
        sop_run_ids: The SOP runs.

    Returns:
        ``(sop run id, step number)`` -> completed logs; steps never completed are absent.
    """
    if not sop_run_ids:
        return {}
    rows = session.execute(
        select(StepLog.sop_run_id, StepLog.step_number, func.count(StepLog.id))
        .where(StepLog.sop_run_id.in_(sop_run_ids), StepLog.status == "completed")
        .group_by(StepLog.sop_run_id, StepLog.step_number)
    ).all()
    return {(run_id, step): int(count) for run_id, step, count in rows}
