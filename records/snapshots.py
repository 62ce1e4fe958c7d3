"""Device snapshots (what a collection found on a device) and their checklist results."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import maybe, one_of, when
from records.db import session_scope
from records.models import (
    CHECK_STATUSES,
    SNAPSHOT_OUTCOMES,
    ChecklistResult,
    CollectionRun,
    Device,
    DeviceSnapshot,
)


def config_hash(config: str) -> str:
    r"""Return the SHA-256 hex digest of a configuration text.

    Args:
        config: Configuration text.

    Returns:
        64 hex characters.

    Examples:
        >>> config_hash("hostname sw1\n")[:16]
        '44b8b61ad7ca4a01'
    """
    return hashlib.sha256(config.encode("utf-8")).hexdigest()


def _snapshot_row(
    outcome: str,
    collected_at: datetime | None,
    error: str | None,
    facts: dict[str, Any] | None,
    health: dict[str, Any] | None,
    config_running: str | None,
    config_startup: str | None,
    duration_seconds: float | None,
) -> dict[str, Any]:
    """A snapshot's checked column values (outcome, time, hash of the running config)."""
    return {
        "outcome": one_of("outcome", outcome, SNAPSHOT_OUTCOMES),
        "collected_at": when(collected_at),
        "error": error,
        "facts": dict(facts or {}),
        "health": dict(health or {}),
        "config_running": config_running,
        "config_startup": config_startup,
        "config_hash": None if config_running is None else config_hash(config_running),
        "duration_seconds": duration_seconds,
    }


def add_snapshot(
    session: Session,
    run: CollectionRun,
    device: Device,
    *,
    outcome: str,
    collected_at: datetime | None = None,
    error: str | None = None,
    facts: dict[str, Any] | None = None,
    health: dict[str, Any] | None = None,
    config_running: str | None = None,
    config_startup: str | None = None,
    duration_seconds: float | None = None,
    flush: bool = True,
) -> DeviceSnapshot:
    """Store what ``run`` found on ``device``.

    The configs must already be sanitised of secrets (the collecting task
    does that); ``config_hash`` is computed here from ``config_running``.

    Args:
        session: Open session.
        run: The collection run.
        device: The device.
        outcome: One of :data:`records.models.SNAPSHOT_OUTCOMES`.
        collected_at: When it was collected (aware); default now.
        error: Error text for a failed outcome.
        facts: Device facts (the facts contract) as JSON data.
        health: Health measurements as JSON data.
        config_running: Sanitised running configuration.
        config_startup: Sanitised startup configuration.
        duration_seconds: How long the collection took.
        flush: Flush at once (``False``: the caller flushes, e.g. once per device).

    Returns:
        The snapshot, flushed unless ``flush`` is false.

    Raises:
        ValueError: If ``outcome`` is unknown or a datetime is naive.
    """
    snapshot = DeviceSnapshot(
        run=run,
        device=device,
        **_snapshot_row(
            outcome,
            collected_at,
            error,
            facts,
            health,
            config_running,
            config_startup,
            duration_seconds,
        ),
    )
    session.add(snapshot)
    if flush:
        session.flush()
    return snapshot


def insert_snapshot(
    session: Session,
    *,
    run_id: int,
    device_id: int,
    outcome: str,
    collected_at: datetime,
    error: str | None = None,
    facts: dict[str, Any] | None = None,
    health: dict[str, Any] | None = None,
    config_running: str | None = None,
    config_startup: str | None = None,
    duration_seconds: float | None = None,
) -> int:
    """Store a snapshot as one INSERT, without an ORM object: for storing many devices.

    The same checks and columns as :func:`add_snapshot`; a collection run stores
    every device this way (the unit of work costs more than the insert).

    Args:
        session: Open session.
        run_id: The collection run's id.
        device_id: The device's id (it must be flushed).
        outcome: One of :data:`records.models.SNAPSHOT_OUTCOMES`.
        collected_at: When it was collected (aware).
        error: Error text for a failed outcome.
        facts: Device facts as JSON data.
        health: Health measurements as JSON data.
        config_running: Sanitised running configuration.
        config_startup: Sanitised startup configuration.
        duration_seconds: How long the collection took.

    Returns:
        The new snapshot's id.

    Raises:
        ValueError: If ``outcome`` is unknown or ``collected_at`` is naive.
    """
    row = {"run_id": run_id, "device_id": device_id} | _snapshot_row(
        outcome,
        collected_at,
        error,
        facts,
        health,
        config_running,
        config_startup,
        duration_seconds,
    )
    # the table, not the mapped class: an ORM-enabled INSERT costs 5x more per row
    table = cast(Table, DeviceSnapshot.__table__)  # declared as FromClause, always a Table
    statement = insert(table).returning(table.c.id)
    return int(session.execute(statement, row).scalar_one())


def latest_snapshot(
    session: Session,
    device: Device | str,
    before: datetime | None = None,
    *,
    outcome: str | None = None,
) -> DeviceSnapshot | None:
    """Return the device's newest snapshot, optionally before a time or with an outcome.

    Args:
        session: Open session.
        device: The device or its name.
        before: Only snapshots collected strictly before this (aware) time.
        outcome: Only snapshots with this outcome (e.g. ``ok`` for the last good config).

    Returns:
        The snapshot or None.
    """
    query = select(DeviceSnapshot)
    if isinstance(device, Device):
        query = query.where(DeviceSnapshot.device_id == device.id)
    else:
        query = query.join(Device).where(Device.name == device)
    limit = maybe(before)
    if limit is not None:
        query = query.where(DeviceSnapshot.collected_at < limit)
    if outcome is not None:
        query = query.where(DeviceSnapshot.outcome == one_of("outcome", outcome, SNAPSHOT_OUTCOMES))
    query = query.order_by(DeviceSnapshot.collected_at.desc(), DeviceSnapshot.id.desc()).limit(1)
    return session.scalars(query).first()


def latest_snapshots(
    session: Session, devices: Iterable[Device], *, outcome: str | None = None
) -> dict[int, DeviceSnapshot]:
    """Return the newest snapshot of each device (with an outcome), in one query per 500.

    The same choice as :func:`latest_snapshot` (newest ``collected_at``, then the
    highest id), for many devices at once: a collection run reads the previous
    snapshot of every device it stores.

    Args:
        session: Open session.
        devices: Stored devices.
        outcome: Only snapshots with this outcome (e.g. ``ok``).

    Returns:
        Device id -> its newest snapshot, for the devices that have one.
    """
    ids = list(dict.fromkeys(d.id for d in devices))
    found: dict[int, DeviceSnapshot] = {}
    for start in range(0, len(ids), 500):  # keep the IN list small
        newest = select(
            DeviceSnapshot.id,
            func.row_number()
            .over(
                partition_by=DeviceSnapshot.device_id,
                order_by=(DeviceSnapshot.collected_at.desc(), DeviceSnapshot.id.desc()),
            )
            .label("rank"),
        ).where(DeviceSnapshot.device_id.in_(ids[start : start + 500]))
        if outcome is not None:
            newest = newest.where(
                DeviceSnapshot.outcome == one_of("outcome", outcome, SNAPSHOT_OUTCOMES)
            )
        ranked = newest.subquery()
        query = select(DeviceSnapshot).join(ranked, ranked.c.id == DeviceSnapshot.id)
        found.update(
            (snap.device_id, snap) for snap in session.scalars(query.where(ranked.c.rank == 1))
        )
    return found


@dataclass(frozen=True)
class SnapshotSummary:
    """What a stored snapshot says of its device, as plain data.

    Attributes:
        collected_at: When it was collected.
        outcome: ``ok``, ``unreachable`` ...
        health: Its health data as stored (JSON).
        config_hash: SHA-256 of its running config, if one was stored.
    """

    collected_at: datetime
    outcome: str
    health: dict[str, Any]
    config_hash: str | None


def _summary(snap: DeviceSnapshot | None) -> SnapshotSummary | None:
    if snap is None:
        return None
    return SnapshotSummary(snap.collected_at, snap.outcome, snap.health, snap.config_hash)


def latest_and_last_good(
    engine: Engine, device: str, *, before: datetime | None
) -> tuple[SnapshotSummary | None, SnapshotSummary | None]:
    """A device's newest snapshot and its last good one before a time (one transaction).

    Args:
        engine: Records database.
        device: The device's inventory name.
        before: The last good snapshot is the newest ``ok`` one collected
            strictly before this (aware) time, e.g. when an incident occurred.

    Returns:
        ``(newest, last good)``, each ``None`` when there is none
        (:func:`latest_snapshot`).
    """
    with session_scope(engine) as session:
        newest = latest_snapshot(session, device)
        good = latest_snapshot(session, device, before=before, outcome="ok")
        return _summary(newest), _summary(good)


class ChecklistItem(Protocol):
    """What :func:`add_checklist_results` needs of one judged checklist item."""

    @property
    def key(self) -> str:
        """Stable item key, e.g. ``cpu_load``."""

    @property
    def label(self) -> str:
        """Indonesian label shown in reports."""

    @property
    def status(self) -> str:
        """``pass``, ``warn`` or ``fail``."""

    @property
    def evidence(self) -> Any:
        """JSON data (or text) supporting the status."""


@dataclass(frozen=True)
class ChecklistEntry:
    """A plain :class:`ChecklistItem`, for callers without their own type.

    Attributes:
        key: Stable item key.
        label: Indonesian label.
        status: ``pass``, ``warn`` or ``fail``.
        evidence: JSON data or text.
    """

    key: str
    label: str
    status: str
    evidence: Any = field(default_factory=dict)


def _checklist_rows(items: Iterable[ChecklistItem]) -> list[dict[str, Any]]:
    """Checked column values of judged items; all are checked before any is returned."""
    return [
        {
            "item_key": item.key,
            "label": item.label,
            "status": one_of(f"{item.key}.status", item.status, CHECK_STATUSES),
            "evidence": item.evidence,
        }
        for item in list(items)
    ]


def add_checklist_results(
    session: Session,
    snapshot: DeviceSnapshot,
    items: Iterable[ChecklistItem],
    *,
    flush: bool = True,
) -> list[ChecklistResult]:
    """Store the judged checklist items of a snapshot.

    All items are checked before anything is added: one bad status adds none.

    Args:
        session: Open session.
        snapshot: The snapshot they were judged on.
        items: Objects with ``key``, ``label``, ``status``, ``evidence``.
        flush: Flush at once (``False``: the caller flushes).

    Returns:
        The stored results, in the given order, flushed unless ``flush`` is false.

    Raises:
        ValueError: If an item's status is not pass/warn/fail.
    """
    results = [ChecklistResult(snapshot=snapshot, **row) for row in _checklist_rows(items)]
    session.add_all(results)
    if flush:
        session.flush()
    return results


def insert_checklist_results(
    session: Session, snapshot_id: int, items: Iterable[ChecklistItem]
) -> int:
    """Store a snapshot's judged items in one statement, without ORM objects.

    The same checks as :func:`add_checklist_results`: one bad status adds none.

    Args:
        session: Open session.
        snapshot_id: The snapshot's id (:func:`insert_snapshot`).
        items: Objects with ``key``, ``label``, ``status``, ``evidence``.

    Returns:
        How many results were stored.

    Raises:
        ValueError: If an item's status is not pass/warn/fail.
    """
    rows = [{"snapshot_id": snapshot_id} | row for row in _checklist_rows(items)]
    if rows:
        session.execute(insert(cast(Table, ChecklistResult.__table__)), rows)
    return len(rows)
