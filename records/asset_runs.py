"""Reads of the SOP D runs: their decisions, documents and rounds; the D6 evaluation's data.

The functions taking an engine open a session of their own, so the flows of
:mod:`flows.assets` never open one themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import when
from records.approvals import list_approvals
from records.asset_models import Asset
from records.db import session_scope
from records.models import SopRun, StepLog
from records.sop_runs import get_sop_run, load_sop_run


def run_started(engine: Engine, run_key: str) -> bool:
    """Whether a run is already recorded under ``run_key`` (running it again continues it).

    Args:
        engine: Records database.
        run_key: The run key.

    Returns:
        ``True`` when the records hold a run with this key.
    """
    with session_scope(engine) as session:
        return get_sop_run(session, run_key) is not None


def run_decisions(engine: Engine, sop_run_id: int) -> list[dict[str, Any]]:
    """The run's recorded decisions, oldest first, as plain dicts.

    Args:
        engine: Records database.
        sop_run_id: The SOP run.

    Returns:
        Dicts with ``step``, ``role``, ``approver``, ``decision`` and ``at``.

    Raises:
        LookupError: No run has this id.
    """
    with session_scope(engine) as session:
        run = load_sop_run(session, sop_run_id)
        return [
            {
                "step": a.step_number,
                "role": a.role_key,
                "approver": a.approver,
                "decision": a.decision,
                "at": a.decided_at,
            }
            for a in list_approvals(session, run)
        ]


def run_documents(engine: Engine, sop_run_id: int) -> list[str]:
    """Every document the run's step logs name, in step-log order.

    Args:
        engine: Records database.
        sop_run_id: The SOP run.

    Returns:
        Document names or file paths, as recorded.

    Raises:
        LookupError: No run has this id.
    """
    with session_scope(engine) as session:
        run = load_sop_run(session, sop_run_id)
        return [str(d) for log in run.step_logs for d in log.documents]


def completed_count(engine: Engine, sop_run_id: int, step_number: int) -> int:
    """How many times a step of the run has been completed (a returned step runs again).

    Args:
        engine: Records database.
        sop_run_id: The SOP run.
        step_number: The step.

    Returns:
        The number of completed step logs of that step.

    Raises:
        LookupError: No run has this id.
    """
    with session_scope(engine) as session:
        run = load_sop_run(session, sop_run_id)
        return sum(
            1
            for log in run.step_logs
            if log.step_number == step_number and log.status == "completed"
        )


def procedure_runs(
    session: Session, codes: Sequence[str], since: datetime, until: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs of the given SOP codes started in ``[since, until)`` and their step logs.

    Args:
        session: Open session.
        codes: SOP codes, e.g. ``D1`` ... ``D5``.
        since: Period start (aware).
        until: Period end, exclusive (aware).

    Returns:
        ``(runs, steps)`` as plain dicts: runs with ``sop_code``, ``run_key``,
        ``status``, ``started_at``, ``finished_at``; steps with ``sop_code``,
        ``run_key``, ``step_number``, ``status``, ``sla_status``.
    """
    runs = list(
        session.scalars(
            select(SopRun)
            .where(SopRun.sop_code.in_(list(codes)))
            .where(SopRun.started_at >= when(since), SopRun.started_at < when(until))
            .order_by(SopRun.started_at, SopRun.id)
        )
    )
    run_rows = [
        {
            "sop_code": r.sop_code,
            "run_key": r.run_key,
            "status": r.status,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
        }
        for r in runs
    ]
    by_id = {r.id: r for r in runs}
    logs: Iterable[StepLog] = (
        session.scalars(
            select(StepLog)
            .where(StepLog.sop_run_id.in_(list(by_id)))
            .order_by(StepLog.started_at, StepLog.id)
        )
        if by_id
        else []
    )
    step_rows = [
        {
            "sop_code": by_id[s.sop_run_id].sop_code,
            "run_key": by_id[s.sop_run_id].run_key,
            "step_number": s.step_number,
            "status": s.status,
            "sla_status": s.sla_status,
        }
        for s in logs
    ]
    return run_rows, step_rows


def register_rows(session: Session) -> list[dict[str, Any]]:
    """Every asset of the register as a plain dict (tag order).

    Args:
        session: Open session.

    Returns:
        Dicts with tag, name, category, status, location, custodian, acquired_on,
        value, warranty_end.
    """
    fields = (
        "tag",
        "name",
        "category",
        "status",
        "location",
        "custodian",
        "acquired_on",
        "value",
        "warranty_end",
    )
    return [
        {name: getattr(a, name) for name in fields}
        for a in session.scalars(select(Asset).order_by(Asset.tag))
    ]


def evaluation_rows(
    engine: Engine, codes: Sequence[str], since: datetime, until: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """What the D6 evaluation reads, in one session: the period's runs, their steps, the register.

    Args:
        engine: Records database.
        codes: SOP codes, e.g. ``D1`` ... ``D5``.
        since: Period start (aware).
        until: Period end, exclusive (aware).

    Returns:
        ``(runs, steps, assets)``: :func:`procedure_runs` and :func:`register_rows`.
    """
    with session_scope(engine) as session:
        runs, steps = procedure_runs(session, codes, since, until)
        return runs, steps, register_rows(session)
