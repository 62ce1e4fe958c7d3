"""Reads for the D6 evaluation: the period's asset-procedure runs, their steps, the register."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records._checks import when
from records.asset_models import Asset
from records.models import SopRun, StepLog


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
