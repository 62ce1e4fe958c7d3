"""Plain data a maintenance report is made from: what :mod:`reports.sources` reads.

Nothing here touches a database: the records are copied into these frozen
dataclasses, so the assembly (:mod:`reports.assembly`) can be tested with data
written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sop.asset_reconcile import Reconciliation

SourceKind = Literal["sop_run", "collection_run"]
"""Where a month's device data came from: the SOP A run's step 4, or the month's last
collection run (no SOP A run that month)."""


@dataclass(frozen=True)
class CheckRecord:
    """One checklist item judged on a snapshot.

    Attributes:
        item_key: Stable item key, e.g. ``cpu`` or ``disk:/var``.
        label: Indonesian label as stored.
        status: ``pass``, ``warn`` or ``fail``.
        evidence: JSON data (``{"text": ..., "data": ...}``) or text.
    """

    item_key: str
    label: str
    status: str
    evidence: Any = None


@dataclass(frozen=True)
class SnapshotRecord:
    """What one collection run found on one device.

    Attributes:
        device: Inventory name of the device.
        site: Its site, if known.
        platform: Its platform (e.g. ``cisco_ios``).
        run_id: The collection run.
        collected_at: When (aware).
        outcome: ``ok`` or a failure outcome.
        error: Error text of a failed outcome.
        facts: The facts contract as stored (JSON).
        health: The health contract as stored (JSON).
        checks: The judged checklist items, in stored order.
    """

    device: str
    site: str | None
    platform: str
    run_id: int
    collected_at: datetime
    outcome: str
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=dict)
    checks: tuple[CheckRecord, ...] = ()


@dataclass(frozen=True)
class ConfigChangeRecord:
    """A new version of a device's running configuration.

    Attributes:
        device: Inventory name.
        from_version: The previous version number.
        to_version: The new version number.
        changed_at: When the new version was collected (aware).
        diff: Unified diff of the sanitised, normalised configurations.
    """

    device: str
    from_version: int
    to_version: int
    changed_at: datetime
    diff: str


@dataclass(frozen=True)
class StepRecord:
    """One execution of an SOP step.

    Attributes:
        step_number: Step number in the SOP.
        role_key: Role that performs it.
        actor: Username of who did it, if known.
        started_at: Start (aware).
        finished_at: End (aware), None while running.
        due_at: Deadline from the time standard, if recorded.
        status: Step status (``completed``, ``running``, ...).
        sla_status: SLA verdict recorded by the flow, if any.
        waiting_seconds: Time spent waiting on third parties, if recorded.
        outputs: Outputs as JSON data.
    """

    step_number: int
    role_key: str
    actor: str | None
    started_at: datetime
    finished_at: datetime | None = None
    due_at: datetime | None = None
    status: str = "completed"
    sla_status: str | None = None
    waiting_seconds: float | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalRecord:
    """An accepted decision on a review step.

    Attributes:
        step_number: The step decided on.
        approver: Username of the approver.
        role_key: Role they decided under.
        decision: ``setuju``, ``tolak`` or ``kembalikan``.
        note: Their note.
        decided_at: When (aware).
    """

    step_number: int
    approver: str
    role_key: str
    decision: str
    note: str | None
    decided_at: datetime


@dataclass(frozen=True)
class RefusedRecord:
    """An approval attempt SIGAP refused (never holds what was typed).

    Attributes:
        step_number: The step it was for.
        attempted_username: The username given.
        reason: Why it was refused.
        refused_at: When (aware).
    """

    step_number: int
    attempted_username: str
    reason: str
    refused_at: datetime


@dataclass(frozen=True)
class SopRunRecord:
    """The SOP A run of the month.

    Attributes:
        run_key: Its run key, e.g. ``A/kanwil-malut/2026-11``.
        title: Its title.
        status: ``running``, ``paused``, ``completed``, ...
        started_at: Start (aware).
        finished_at: End (aware), if it ended.
    """

    run_key: str
    title: str
    status: str
    started_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True)
class MonthData:
    """The device data chosen for one month.

    Attributes:
        month: ``YYYY-MM``.
        source: ``sop_run`` or ``collection_run``.
        collection_run_ids: The collection runs the snapshots come from.
        snapshots: One snapshot per device (the latest among those runs), by device name.
    """

    month: str
    source: SourceKind
    collection_run_ids: tuple[int, ...]
    snapshots: tuple[SnapshotRecord, ...]


@dataclass(frozen=True)
class MaintenanceData:
    """Everything the SOP A monthly report shows, as plain data.

    Attributes:
        month: ``YYYY-MM``.
        devices: The month's device data.
        sop_run: The SOP A run of the month, if there is one.
        steps: Its step logs, in start order.
        approvals: Its accepted decisions, oldest first.
        refused: Its refused approval attempts, oldest first.
        config_changes: Configuration versions that appeared in the month.
        trend: The 12 months ending with ``month``, oldest first: month -> its data
            (None for a month without any).
        assets: The asset register reconciled with the collection at the end of the
            month (None: the register is empty, nothing to reconcile).
    """

    month: str
    devices: MonthData
    sop_run: SopRunRecord | None = None
    steps: tuple[StepRecord, ...] = ()
    approvals: tuple[ApprovalRecord, ...] = ()
    refused: tuple[RefusedRecord, ...] = ()
    config_changes: tuple[ConfigChangeRecord, ...] = ()
    trend: dict[str, MonthData | None] = field(default_factory=dict)
    assets: Reconciliation | None = None
