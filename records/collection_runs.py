"""Start and finish collection runs (one pass over a set of devices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records._checks import one_of, when
from records.models import COLLECTION_STATUSES, CollectionRun, DeviceSnapshot


def start_collection_run(
    session: Session,
    *,
    trigger: str,
    actor: str | None = None,
    selection: dict[str, Any] | None = None,
    started_at: datetime | None = None,
) -> CollectionRun:
    """Open a collection run with status ``running``.

    Args:
        session: Open session.
        trigger: What started it, e.g. ``schedule``, ``manual``, ``sop:A``.
        actor: Username of the person who started it, if any.
        selection: The inventory selection (filters, device names) as JSON data.
        started_at: Start time (aware); default now.

    Returns:
        The run, flushed (it has an id).
    """
    run = CollectionRun(
        trigger=trigger,
        actor=actor,
        selection=dict(selection or {}),
        started_at=when(started_at),
        status="running",
    )
    session.add(run)
    session.flush()
    return run


def finish_collection_run(
    session: Session,
    run: CollectionRun,
    *,
    status: str = "completed",
    finished_at: datetime | None = None,
) -> CollectionRun:
    """Close a collection run and count its snapshots.

    ``devices_total`` is the number of snapshots, ``devices_ok`` those with
    outcome ``ok``, ``devices_failed`` the rest.

    Args:
        session: Open session.
        run: The run to close.
        status: One of :data:`records.models.COLLECTION_STATUSES`.
        finished_at: End time (aware); default now.

    Returns:
        The run, flushed.

    Raises:
        ValueError: If ``status`` is not a known status.
    """
    one_of("status", status, COLLECTION_STATUSES)
    session.flush()
    rows = session.execute(
        select(DeviceSnapshot.outcome, func.count())
        .where(DeviceSnapshot.run_id == run.id)
        .group_by(DeviceSnapshot.outcome)
    ).all()
    counts = {outcome: n for outcome, n in rows}
    run.devices_total = sum(counts.values())
    run.devices_ok = counts.get("ok", 0)
    run.devices_failed = run.devices_total - run.devices_ok
    run.status = status
    run.finished_at = when(finished_at)
    session.flush()
    return run
