"""Read and write the monitoring's records (SOP E step 1): runs, host results, findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import when
from records.db import session_scope
from records.incidents import (
    NewIncident,
    open_monitoring_incidents,
    open_reported,
    resolve_if_open,
)
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


@dataclass(frozen=True)
class OpenFault:
    """An unfinished incident the monitoring opened.

    Attributes:
        number: Incident number.
        device: Its device (inventory name).
        fault_key: Its fault key ``<host>:<finding key>``.
    """

    number: str
    device: str
    fault_key: str


@dataclass(frozen=True)
class Resolution:
    """An incident to resolve because a monitoring run found its fault gone.

    Attributes:
        number: Incident number.
        note: The resolution note (run, time, what was found).
    """

    number: str
    note: str


@dataclass(frozen=True)
class FindingRecord:
    """One finding of a host to store (a warn/fail one, or one that cleared).

    Attributes:
        key: Finding key, e.g. ``disk:/srv/data``.
        label: Its label (at most 255 characters).
        status: ``pass``, ``warn`` or ``fail``.
        change: ``new``, ``still`` or ``cleared``.
        text: What was found.
        data: The finding's data (JSON).
        opens: The incident this fault opens (once per fault), if it does.
    """

    key: str
    label: str
    status: str
    change: str
    text: str
    data: dict[str, Any]
    opens: NewIncident | None = None


@dataclass(frozen=True)
class HostRecord:
    """One host's result in a run, with its findings, to store.

    Attributes:
        host: Inventory name.
        platform: Inventory platform.
        outcome: Collection or probe outcome.
        error: What went wrong.
        silenced: Inside a maintenance window (its findings are silenced too).
        window_note: The window's note.
        failed_logins: The auth log's failed-login count now.
        not_checked: Item key -> why it could not be judged.
        findings: Its findings, in order.
    """

    host: str
    platform: str
    outcome: str
    error: str | None
    silenced: bool
    window_note: str | None
    failed_logins: int | None
    not_checked: dict[str, Any]
    findings: tuple[FindingRecord, ...] = ()


class MonitoringStore:
    """The monitoring's records for its flows: each call one transaction, plain data."""

    def __init__(self, engine: Engine) -> None:
        """Keep the records database.

        Args:
            engine: Records database.
        """
        self.engine = engine

    def start(
        self, *, office: str, trigger: str, started_at: datetime, flow_run_id: str | None
    ) -> tuple[int, dict[str, HostBefore]]:
        """Record a run's start and read what the runs before it found.

        Args:
            office: Office short name.
            trigger: ``schedule``, ``manual`` ...
            started_at: When it started (aware).
            flow_run_id: The Prefect flow run.

        Returns:
            ``(run id, host -> its state at the latest earlier run)`` (:func:`previous_state`).
        """
        with session_scope(self.engine) as session:
            run = start_run(
                session,
                office=office,
                trigger=trigger,
                started_at=started_at,
                flow_run_id=flow_run_id,
            )
            return run.id, previous_state(session, office, run.id)

    def latest_state(self, office: str) -> dict[str, HostBefore]:
        """Each host's state at the office's latest finished run that checked it.

        Args:
            office: Office short name.

        Returns:
            Host name -> its findings and failed-login count then.
        """
        with session_scope(self.engine) as session:
            return previous_state(session, office, 2**31 - 1)

    def record(
        self,
        run_id: int,
        hosts: Sequence[HostRecord],
        *,
        faults: int,
        finished: Callable[[], datetime],
    ) -> list[tuple[str, str, str | None]]:
        """Store a run's results, open the incidents of new faults, and end the run.

        Host by host: its result, then each finding (opening its incident first,
        once per fault); then the run's end and counts. All in one transaction.

        Args:
            run_id: The run (:meth:`start`).
            hosts: What each host gave.
            faults: How many fail findings the run had (silenced ones too).
            finished: Gives the run's end once everything else is stored.

        Returns:
            The incidents opened (not joined): ``(number, SOP code, fault key)``.
        """
        opened: list[tuple[str, str, str | None]] = []
        with session_scope(self.engine) as session:
            run = session.get(MonitoringRun, run_id)
            assert run is not None
            for host in hosts:
                add_host_result(
                    session,
                    run,
                    host=host.host,
                    platform=host.platform,
                    outcome=host.outcome,
                    error=host.error,
                    silenced=host.silenced,
                    window_note=host.window_note,
                    failed_logins=host.failed_logins,
                    not_checked=host.not_checked,
                )
                for finding in host.findings:
                    incident_id = None
                    if finding.opens is not None:
                        incident, created = open_reported(session, finding.opens)
                        incident_id = incident.id
                        if created:
                            new = finding.opens
                            opened.append((incident.number, new.sop_code, new.fault_key))
                    add_finding(
                        session,
                        run,
                        host=host.host,
                        key=finding.key,
                        label=finding.label,
                        status=finding.status,
                        change=finding.change,
                        text=finding.text,
                        data=finding.data,
                        silenced=host.silenced,
                        incident_id=incident_id,
                    )
            finish_run(
                session,
                run,
                finished_at=finished(),
                hosts=len(hosts),
                faults=faults,
                incidents_opened=len(opened),
            )
        return opened

    def open_faults(self, office: str) -> list[OpenFault]:
        """The office's unfinished incidents the monitoring opened.

        Args:
            office: Office short name.

        Returns:
            One per incident, oldest first.
        """
        with session_scope(self.engine) as session:
            return [
                OpenFault(i.number, i.device, i.fault_key or "")
                for i in open_monitoring_incidents(session, office)
            ]

    def resolve(self, resolutions: Sequence[Resolution], *, at: datetime) -> list[str]:
        """Resolve incidents whose fault is gone (one transaction).

        An incident someone finished in the meantime is left as it is.

        Args:
            resolutions: The incidents and their notes.
            at: When (aware).

        Returns:
            The numbers resolved now.
        """
        done: list[str] = []
        with session_scope(self.engine) as session:
            for item in resolutions:
                if resolve_if_open(session, item.number, at=at, resolution=item.note):
                    done.append(item.number)
        return done
