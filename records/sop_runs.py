"""SOP runs: one row per run key (e.g. ``A:kanwil-malut:2026-11``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import maybe, one_of, when
from records.models import SOP_RUN_STATUSES, SopRun


def get_sop_run(session: Session, run_key: str) -> SopRun | None:
    """Return the SOP run with ``run_key``, or None.

    Args:
        session: Open session.
        run_key: The run key.

    Returns:
        The run or None.
    """
    return session.scalars(select(SopRun).where(SopRun.run_key == run_key)).one_or_none()


def get_or_create_sop_run(
    session: Session,
    run_key: str,
    *,
    sop_code: str,
    title: str,
    office: str,
    parameters: dict[str, Any] | None = None,
    flow_run_id: str | None = None,
    started_at: datetime | None = None,
) -> SopRun:
    """Return the SOP run with ``run_key``, creating it (status ``running``) if new.

    A second call with the same key returns the existing run unchanged, even
    when another process created it a moment before (the unique key decides).

    Args:
        session: Open session.
        run_key: Unique key, e.g. ``A:kanwil-malut:2026-11``.
        sop_code: SOP code, e.g. ``A`` or ``D4``.
        title: Human title of the run.
        office: Office key.
        parameters: Flow parameters as JSON data.
        flow_run_id: Prefect flow run id, if known.
        started_at: Start time (aware); default now.

    Returns:
        The run, flushed (it has an id).

    Raises:
        ValueError: If a run with this key exists for another SOP.
    """
    run = get_sop_run(session, run_key)
    if run is None:
        candidate = SopRun(
            run_key=run_key,
            sop_code=sop_code,
            title=title,
            office=office,
            parameters=dict(parameters or {}),
            flow_run_id=flow_run_id,
            started_at=when(started_at),
            status="running",
        )
        try:
            with session.begin_nested():
                session.add(candidate)
        except IntegrityError:
            run = get_sop_run(session, run_key)
            if run is None:
                raise
        else:
            return candidate
    if run.sop_code != sop_code:
        raise ValueError(
            f"run_key: {run_key!r} already belongs to SOP {run.sop_code}, not {sop_code}"
        )
    return run


def set_sop_run_status(
    session: Session,
    run: SopRun,
    status: str,
    *,
    finished_at: datetime | None = None,
    flow_run_id: str | None = None,
) -> SopRun:
    """Change an SOP run's status (and finish time, flow run id if given).

    Args:
        session: Open session.
        run: The run.
        status: One of :data:`records.models.SOP_RUN_STATUSES`.
        finished_at: End time (aware), for a run that ended.
        flow_run_id: Prefect flow run id, if it became known.

    Returns:
        The run, flushed.

    Raises:
        ValueError: If ``status`` is unknown.
    """
    run.status = one_of("status", status, SOP_RUN_STATUSES)
    if finished_at is not None:
        run.finished_at = maybe(finished_at)
    if flow_run_id is not None:
        run.flow_run_id = flow_run_id
    session.flush()
    return run


def load_sop_run(session: Session, sop_run_id: int) -> SopRun:
    """Return the SOP run with this id.

    Args:
        session: Open session.
        sop_run_id: The run's id.

    Returns:
        The run.

    Raises:
        LookupError: No run has this id.
    """
    run = session.get(SopRun, sop_run_id)
    if run is None:
        raise LookupError(f"SOP run {sop_run_id} is not in the records")
    return run
