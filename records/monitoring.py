"""Read and write the monitoring's records (SOP E step 1): runs, host results, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records._checks import when
from records.monitoring_models import MonitoringFinding, MonitoringHost, MonitoringRun


@dataclass
class HostBefore:
    """What the previous run said about one host.

    Attributes:
        findings: Warn/fail finding key -> status.
        failed_logins: The auth log's failed-login count then (``None`` if unknown).
    """

    findings: dict[str, str] = field(default_factory=dict)
    failed_logins: int | None = None


def start_run(
    session: Session,
    *,
    office: str,
    trigger: str,
    started_at: datetime,
    flow_run_id: str | None = None,
) -> MonitoringRun:
    """Record the start of a monitoring run.

    Args:
        session: Open session.
        office: Office short name.
        trigger: ``schedule``, ``manual`` ...
        started_at: When it started (aware).
        flow_run_id: The Prefect flow run.

    Returns:
        The new run (flushed: it has an id).
    """
    run = MonitoringRun(
        office=office, trigger=trigger, started_at=when(started_at), flow_run_id=flow_run_id
    )
    session.add(run)
    session.flush()
    return run


def previous_state(session: Session, office: str, before_run: int) -> dict[str, HostBefore]:
    """Each host's findings and failed-login count at its latest earlier run.

    Args:
        session: Open session.
        office: Office short name.
        before_run: Only runs with a smaller id count.

    Returns:
        Host name -> what the latest finished run before ``before_run`` that
        checked it recorded.
    """
    runs = session.scalars(
        select(MonitoringRun.id)
        .where(
            MonitoringRun.office == office,
            MonitoringRun.id < before_run,
            MonitoringRun.finished_at.is_not(None),
        )
        .order_by(MonitoringRun.id.desc())
        .limit(50)
    ).all()
    out: dict[str, HostBefore] = {}
    for run_id in runs:
        hosts = session.scalars(select(MonitoringHost).where(MonitoringHost.run_id == run_id))
        fresh = {}
        for row in hosts:
            if row.host not in out:
                fresh[row.host] = HostBefore(failed_logins=row.failed_logins)
        if not fresh:
            continue
        for finding in session.scalars(
            select(MonitoringFinding).where(
                MonitoringFinding.run_id == run_id, MonitoringFinding.change != "cleared"
            )
        ):
            if finding.host in fresh:
                fresh[finding.host].findings[finding.key] = finding.status
        out.update(fresh)
    return out


def add_host_result(
    session: Session,
    run: MonitoringRun,
    *,
    host: str,
    platform: str,
    outcome: str,
    error: str | None,
    silenced: bool,
    window_note: str | None,
    failed_logins: int | None,
    not_checked: dict[str, Any],
) -> MonitoringHost:
    """Record one host's result in a run.

    Returns:
        The row.
    """
    row = MonitoringHost(
        run_id=run.id,
        host=host,
        platform=platform,
        outcome=outcome,
        error=error,
        silenced=silenced,
        window_note=window_note,
        failed_logins=failed_logins,
        not_checked=dict(not_checked),
    )
    session.add(row)
    return row


def add_finding(
    session: Session,
    run: MonitoringRun,
    *,
    host: str,
    key: str,
    label: str,
    status: str,
    change: str,
    text: str,
    data: dict[str, Any],
    silenced: bool,
    incident_id: int | None = None,
) -> MonitoringFinding:
    """Record one finding (or a cleared one) of a host in a run.

    Returns:
        The row (flushed).
    """
    row = MonitoringFinding(
        run_id=run.id,
        host=host,
        key=key,
        label=label,
        status=status,
        change=change,
        text=text,
        data=dict(data),
        silenced=silenced,
        incident_id=incident_id,
    )
    session.add(row)
    session.flush()
    return row


def finish_run(
    session: Session,
    run: MonitoringRun,
    *,
    finished_at: datetime,
    hosts: int,
    faults: int,
    incidents_opened: int,
) -> None:
    """Record the end of a run with its counts."""
    run.finished_at = when(finished_at)
    run.hosts = hosts
    run.faults = faults
    run.incidents_opened = incidents_opened
    session.flush()


def latest_run(session: Session, office: str) -> MonitoringRun | None:
    """The office's latest finished monitoring run, if any."""
    return session.scalars(
        select(MonitoringRun)
        .where(MonitoringRun.office == office, MonitoringRun.finished_at.is_not(None))
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()
