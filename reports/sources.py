"""Read a month's SOP A records from the database into plain data (the report's only I/O).

Which device data a month uses:

1. If the office has an SOP A run for the month (run key
   :func:`sop.runkeys.maintenance_run_key`), the collection runs named by its
   finished step-4 logs (``outputs["collection_run_id"]``; step 4 may run several
   times after a reviewer returned the work) and, for each device, its snapshot of
   the latest of those rounds that collected it: the rule the flow uses too
   (:func:`sop.review.counted_rounds`, :func:`sop.review.latest_per_device`). A
   step 4 whose process was killed (``interrupted``) does not count: its devices
   were collected again by the step 4 that continued it.
2. Otherwise (or while that run has no finished step 4 yet) the last collection run
   that started in the month, in the office's time zone, holds snapshots and was not
   ``interrupted``.
3. Neither: :class:`NoMaintenanceData`, naming the month.

:func:`month_device_results` is that rule, the one place it is applied: the report
reads the month with it, and SOP A's reviewer summary reads it too, as one line per
device (:func:`month_review_lines`), so what a reviewer approves is what the signed
report shows.

Configuration changes are the new versions of the reported devices' running
configurations (:mod:`records.config_history`) collected in the month, or up to
the newest reported snapshot when that is later (a month's collection finishing
on the 1st of the next month).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records.approvals import list_approvals, list_refused_approvals
from records.assets import registered_items, seen_devices
from records.config_history import config_versions, version_diff
from records.db import session_scope
from records.models import ChecklistResult, CollectionRun, Device, DeviceSnapshot, SopRun
from records.sop_runs import get_sop_run
from records.steps import list_step_logs
from reports.data import (
    ApprovalRecord,
    CheckRecord,
    ConfigChangeRecord,
    MaintenanceData,
    MonthData,
    RefusedRecord,
    SnapshotRecord,
    SopRunRecord,
    SourceKind,
    StepRecord,
)
from sop.asset_reconcile import DEFAULT_MONTHS, Reconciliation, reconcile
from sop.maintenance import result_line
from sop.office import Office
from sop.review import COLLECTION_STEP, counted_rounds, latest_per_device
from sop.runkeys import maintenance_run_key, month_bounds, parse_month, previous_months

TREND_MONTHS = 12
"""How many months the trend section covers (the report's month included)."""


class NoMaintenanceData(LookupError):
    """A month has neither an SOP A run nor a collection run to report on."""


def _sop_run(session: Session, office: Office, month: str) -> SopRun | None:
    return get_sop_run(session, maintenance_run_key(office.short_name, month))


def step4_collection_runs(logs: Iterable[tuple[str, dict[str, object]]]) -> tuple[int, ...]:
    """Return the collection run ids of the finished step-4 logs, in order, without repeats.

    Args:
        logs: ``(status, outputs)`` of the step-4 logs, oldest first.

    Returns:
        The ids (:func:`sop.review.counted_rounds`).

    Examples:
        >>> step4_collection_runs([("completed", {"collection_run_id": 7}),
        ...                        ("interrupted", {"collection_run_id": 8}),
        ...                        ("completed", {"collection_run_id": 9})])
        (7, 9)
    """
    return counted_rounds(logs)


def _last_collection_run(session: Session, office: Office, month: str) -> int | None:
    start, end = month_bounds(month, office.timezone)
    has_snapshots = exists().where(DeviceSnapshot.run_id == CollectionRun.id)
    return session.scalar(
        select(CollectionRun.id)
        .where(
            CollectionRun.started_at >= start,
            CollectionRun.started_at < end,
            CollectionRun.status != "interrupted",
            has_snapshots,
        )
        .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        .limit(1)
    )


def _latest_snapshots(
    session: Session, run_ids: Sequence[int], *, with_checks: bool
) -> tuple[SnapshotRecord, ...]:
    """Each device's snapshot from the latest of ``run_ids`` (rounds, oldest first) that has it."""
    rows = session.execute(
        select(DeviceSnapshot, Device.name, Device.site, Device.platform)
        .join(Device, DeviceSnapshot.device_id == Device.id)
        .where(DeviceSnapshot.run_id.in_(list(run_ids)))
        .order_by(DeviceSnapshot.collected_at, DeviceSnapshot.id)
    ).all()
    rounds: dict[int, dict[str, tuple[DeviceSnapshot, str | None, str]]] = {
        run_id: {} for run_id in run_ids
    }
    for snapshot, name, site, platform in rows:
        rounds[snapshot.run_id][name] = (snapshot, site, platform)
    latest = latest_per_device(rounds[run_id] for run_id in run_ids)
    checks: dict[int, list[CheckRecord]] = {}
    if with_checks and latest:
        ids = [snapshot.id for snapshot, _, _ in latest.values()]
        for result in session.scalars(
            select(ChecklistResult)
            .where(ChecklistResult.snapshot_id.in_(ids))
            .order_by(ChecklistResult.id)
        ):
            checks.setdefault(result.snapshot_id, []).append(
                CheckRecord(result.item_key, result.label, result.status, result.evidence)
            )
    return tuple(
        SnapshotRecord(
            device=name,
            site=site,
            platform=platform,
            run_id=snapshot.run_id,
            collected_at=snapshot.collected_at,
            outcome=snapshot.outcome,
            error=snapshot.error,
            facts=dict(snapshot.facts or {}),
            health=dict(snapshot.health or {}),
            checks=tuple(checks.get(snapshot.id, ())),
        )
        for name, (snapshot, site, platform) in sorted(latest.items())
    )


def month_device_results(
    session: Session,
    office: Office,
    month: str,
    *,
    with_checks: bool = True,
    sop_run: SopRun | None = None,
) -> MonthData | None:
    """Each device's result of the month: its latest counted round (see the module's rules).

    The one derivation of "each device's latest round" that the report and SOP A's
    review both read (:func:`month_review_lines`).

    Args:
        session: Open session.
        office: The office.
        month: ``YYYY-MM``.
        with_checks: Also read each snapshot's checklist results.
        sop_run: The month's SOP A run if already looked up (else it is looked up).

    Returns:
        The month's data, or None when the month has none.
    """
    month = parse_month(month)
    run = sop_run if sop_run is not None else _sop_run(session, office, month)
    run_ids: tuple[int, ...] = ()
    source: SourceKind = "collection_run"
    if run is not None:
        logs = [
            (log.status, log.outputs or {})
            for log in list_step_logs(session, run)
            if log.step_number == COLLECTION_STEP
        ]
        run_ids = step4_collection_runs(logs)
        source = "sop_run"
    if not run_ids:
        last = _last_collection_run(session, office, month)
        if last is None:
            return None
        run_ids, source = (last,), "collection_run"
    snapshots = _latest_snapshots(session, run_ids, with_checks=with_checks)
    return MonthData(month, source, run_ids, snapshots)


def _evidence_text(evidence: Any) -> str:
    if isinstance(evidence, dict):
        return str(evidence.get("text") or "")
    return "" if evidence is None else str(evidence)


def review_lines(month: MonthData | None) -> dict[str, dict[str, Any]]:
    """The month's device results as the reviewer's lines (pure).

    Args:
        month: From :func:`month_device_results` (with checks), or None.

    Returns:
        Device name -> :func:`sop.maintenance.result_line`, by device name; empty for None.
    """
    if month is None:
        return {}
    return _lines(month.snapshots)


def _lines(snapshots: Iterable[SnapshotRecord]) -> dict[str, dict[str, Any]]:
    return {
        s.device: result_line(
            s.outcome,
            s.error,
            [(c.item_key, c.label, c.status, _evidence_text(c.evidence)) for c in s.checks],
            s.run_id,
        )
        for s in snapshots
    }


def collection_review_lines(engine: Engine, run_ids: Sequence[int]) -> dict[str, dict[str, Any]]:
    """One round's lines: each device's snapshot from the latest of ``run_ids`` that has it.

    A round of SOP A step 4 whose sites collected on their own workers made several
    collection runs (:mod:`flows.sites`); its lines are read back from the records
    with the same rule as the month's (:func:`month_review_lines`).

    Args:
        engine: Records database.
        run_ids: The round's collection runs.

    Returns:
        Device name -> ``{outcome, error, pass, warn, fail, worst, run_id}``.
    """
    if not run_ids:
        return {}
    with session_scope(engine) as session:
        return _lines(_latest_snapshots(session, list(run_ids), with_checks=True))


def month_review_lines(engine: Engine, office: Office, month: str) -> dict[str, dict[str, Any]]:
    """What SOP A's reviewer approves: each device's latest counted round, one line each.

    The lines :func:`sop.maintenance.review_summary` and :func:`sop.maintenance.totals`
    take, read with the report's own rule (:func:`month_device_results`).

    Args:
        engine: Records database (read in one short transaction).
        office: The office.
        month: ``YYYY-MM``.

    Returns:
        Device name -> ``{outcome, error, pass, warn, fail, worst, run_id}``; empty
        when the month has no device data yet.
    """
    with session_scope(engine) as session:
        return review_lines(month_device_results(session, office, month))


def _config_changes(
    session: Session, devices: Iterable[str], start: datetime, end: datetime
) -> tuple[ConfigChangeRecord, ...]:
    changes: list[ConfigChangeRecord] = []
    for name in devices:
        for version in config_versions(session, name):
            if version.version < 2 or not start <= version.collected_at < end:
                continue
            diff = version_diff(session, name, version.version - 1, version.version)
            changes.append(
                ConfigChangeRecord(
                    name, version.version - 1, version.version, version.collected_at, diff.diff
                )
            )
    changes.sort(key=lambda c: (c.changed_at, c.device))
    return tuple(changes)


def load_asset_reconciliation(
    session: Session, as_of: datetime, months: int = DEFAULT_MONTHS
) -> Reconciliation | None:
    """Reconcile the asset register with the snapshots collected before ``as_of``.

    Args:
        session: Open session (only read from).
        as_of: The moment of the comparison (aware), e.g. the end of the report's month.
        months: Registered network assets not seen for this many months are listed.

    Returns:
        The reconciliation, or None when the register holds no asset.
    """
    items = registered_items(session)
    if not items:
        return None
    return reconcile(items, seen_devices(session, until=as_of), as_of=as_of, months=months)


def load_maintenance_data(
    session: Session,
    office: Office,
    month: str,
    *,
    trend_months: int = TREND_MONTHS,
    asset_months: int = DEFAULT_MONTHS,
) -> MaintenanceData:
    """Read everything the SOP A report of ``month`` shows.

    Args:
        session: Open session (only read from).
        office: The office whose report it is.
        month: ``YYYY-MM``.
        trend_months: Months of trend, the report's month included.
        asset_months: Window of the asset reconciliation (done at the month's end,
            with the snapshots collected until then).

    Returns:
        The plain data.

    Raises:
        ValueError: ``month`` is not ``YYYY-MM``.
        NoMaintenanceData: The month has no SOP A run and no collection run.
    """
    month = parse_month(month)
    run = _sop_run(session, office, month)
    devices = month_device_results(session, office, month, sop_run=run)
    if devices is None:
        raise NoMaintenanceData(
            f"month {month}: no SOP A run ({maintenance_run_key(office.short_name, month)}) "
            "and no collection run started in that month; run `sigap collect` or the "
            "maintenance flow first"
        )
    steps: tuple[StepRecord, ...] = ()
    approvals: tuple[ApprovalRecord, ...] = ()
    refused: tuple[RefusedRecord, ...] = ()
    run_record: SopRunRecord | None = None
    if run is not None:
        run_record = SopRunRecord(
            run.run_key, run.title, run.status, run.started_at, run.finished_at
        )
        steps = tuple(
            StepRecord(
                step_number=log.step_number,
                role_key=log.role_key,
                actor=log.actor,
                started_at=log.started_at,
                finished_at=log.finished_at,
                due_at=log.due_at,
                status=log.status,
                sla_status=log.sla_status,
                waiting_seconds=log.waiting_seconds,
                outputs=dict(log.outputs or {}),
            )
            for log in list_step_logs(session, run)
        )
        approvals = tuple(
            ApprovalRecord(a.step_number, a.approver, a.role_key, a.decision, a.note, a.decided_at)
            for a in list_approvals(session, run)
        )
        refused = tuple(
            RefusedRecord(r.step_number, r.attempted_username, r.reason, r.refused_at)
            for r in list_refused_approvals(session, run)
        )
    start, end = month_bounds(month, office.timezone)
    if devices.snapshots:
        newest = max(s.collected_at for s in devices.snapshots)
        end = max(end, newest + timedelta(microseconds=1))
    changes = _config_changes(session, (s.device for s in devices.snapshots), start, end)
    trend: dict[str, MonthData | None] = {}
    for earlier in previous_months(month, trend_months):
        trend[earlier] = (
            devices
            if earlier == month
            else month_device_results(session, office, earlier, with_checks=False)
        )
    return MaintenanceData(
        month=month,
        devices=devices,
        sop_run=run_record,
        steps=steps,
        approvals=approvals,
        refused=refused,
        config_changes=changes,
        trend=trend,
        assets=load_asset_reconciliation(session, end, asset_months),
    )
