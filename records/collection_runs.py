"""Start and finish collection runs (one pass over a set of devices)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records._checks import one_of, when
from records.models import COLLECTION_STATUSES, CollectionRun, Device, DeviceSnapshot


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


SOP_STEP_KEY = "sop_step_log_id"
"""Key of a collection run's ``selection`` naming the SOP step log it collects for."""


def running_collection_runs(session: Session, step_log_ids: Iterable[int]) -> list[CollectionRun]:
    """The collection runs still ``running`` that were started for these SOP step logs.

    A collection started by an SOP step (SOP A step 4) names its step log in its
    ``selection`` (:data:`SOP_STEP_KEY`).

    Args:
        session: Open session.
        step_log_ids: Ids of step logs.

    Returns:
        The runs, oldest first.
    """
    wanted = set(step_log_ids)
    if not wanted:
        return []
    runs = session.scalars(
        select(CollectionRun).where(CollectionRun.status == "running").order_by(CollectionRun.id)
    )
    return [run for run in runs if (run.selection or {}).get(SOP_STEP_KEY) in wanted]


def last_sign_of_life(session: Session, run: CollectionRun) -> datetime:
    """When a run was last known to work: its newest snapshot, else its start.

    Args:
        session: Open session.
        run: The run.

    Returns:
        An aware time.
    """
    newest = session.scalar(
        select(func.max(DeviceSnapshot.collected_at)).where(DeviceSnapshot.run_id == run.id)
    )
    return max(newest, run.started_at) if newest is not None else run.started_at


def interrupt_collection_run(session: Session, run: CollectionRun) -> CollectionRun:
    """Close a run whose process ended before it did: status ``interrupted``.

    Its counts are those of the snapshots it stored; its end time is its last sign
    of life (:func:`last_sign_of_life`), not the moment it was found.

    Args:
        session: Open session.
        run: A ``running`` collection run whose process is gone.

    Returns:
        The run, flushed.

    Raises:
        ValueError: The run is not ``running``.
    """
    if run.status != "running":
        raise ValueError(f"collection run {run.id} is {run.status}, not running")
    return finish_collection_run(
        session, run, status="interrupted", finished_at=last_sign_of_life(session, run)
    )


FLOW_RUN_KEY = "flow_run_id"
"""Key of a collection run's ``selection`` naming the Prefect flow run that made it."""


def last_collection_run_id(session: Session) -> int:
    """The newest collection run's id (``0`` when there is none).

    Args:
        session: Open session.

    Returns:
        The id; runs created later have larger ones.
    """
    return session.scalar(select(func.max(CollectionRun.id))) or 0


def flow_runs_collections(
    session: Session, flow_run_ids: Iterable[str], after: int
) -> dict[str, tuple[int, set[str]]]:
    """The finished collection runs made by these Prefect flow runs, and their devices.

    A collection run names its flow run in its ``selection`` (:data:`FLOW_RUN_KEY`).

    Args:
        session: Open session.
        flow_run_ids: Flow run ids, as text.
        after: Only collection runs with a larger id count (those started since).

    Returns:
        Flow run id -> (its collection run's id, the names of the devices it recorded);
        a flow run whose collection is missing or still ``running`` is not there.
    """
    wanted = set(flow_run_ids)
    found: dict[str, tuple[int, set[str]]] = {}
    runs = session.scalars(
        select(CollectionRun).where(CollectionRun.id > after).order_by(CollectionRun.id)
    )
    for run in runs:
        owner = str((run.selection or {}).get(FLOW_RUN_KEY))
        if owner not in wanted or run.status == "running":
            continue
        names = session.scalars(
            select(Device.name)
            .join(DeviceSnapshot, DeviceSnapshot.device_id == Device.id)
            .where(DeviceSnapshot.run_id == run.id)
        )
        found[owner] = (run.id, set(names))
    return found


def interrupt_flow_runs_collections(
    session: Session, flow_run_ids: Iterable[str]
) -> list[CollectionRun]:
    """Close the ``running`` collection runs of these Prefect flow runs as ``interrupted``.

    For flow runs that were cancelled: their collection is never left ``running``
    (:func:`interrupt_collection_run`).

    Args:
        session: Open session.
        flow_run_ids: Flow run ids, as text.

    Returns:
        The runs closed here.
    """
    wanted = set(flow_run_ids)
    if not wanted:
        return []
    runs = session.scalars(select(CollectionRun).where(CollectionRun.status == "running"))
    return [
        interrupt_collection_run(session, run)
        for run in list(runs)
        if str((run.selection or {}).get(FLOW_RUN_KEY)) in wanted
    ]
