"""Incidents: open once per fault, look up, list, move through their statuses.

An incident number is ``INC-<year>-<sequence>``, a sequence per year of the
opening time (UTC). One fault opens one incident: while an incident is not
resolved, closed or cancelled, its dedupe key (the monitoring's ``fault_key``,
or the device and kind) is held in the unique column ``open_key``, so the
database refuses a second one even when two processes race.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import maybe, when
from records.db import session_scope
from records.incident_models import Incident
from sop.incidents import (
    FINISHED_STATUSES,
    check_handling,
    check_kind,
    check_sop,
    check_source,
    check_status,
    check_transition,
    dedupe_key,
    format_number,
    is_finished,
    parse_number,
)

_RETRIES = 5


def _find_open(session: Session, key: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.open_key == key)).one_or_none()


def _next_number(session: Session, year: int) -> str:
    prefix = f"INC-{year:04d}-"
    numbers = session.scalars(select(Incident.number).where(Incident.number.like(f"{prefix}%")))
    sequences = [parsed[1] for n in numbers if (parsed := parse_number(n)) is not None]
    return format_number(year, max(sequences, default=0) + 1)


def open_incident(
    session: Session,
    *,
    office: str,
    device: str,
    kind: str,
    description: str,
    reporter: str,
    source: str,
    occurred_at: datetime,
    sop_code: str = "C",
    fault_key: str | None = None,
    opened_at: datetime | None = None,
) -> tuple[Incident, bool]:
    """Open an incident for a fault, once.

    Args:
        session: Open session.
        office: Office short name.
        device: The affected device's inventory name.
        kind: Kind of damage / disturbance (:data:`sop.incidents.INCIDENT_KINDS`).
        description: What is wrong, in the reporter's words.
        reporter: Who reported it (username, name, or ``monitoring``).
        source: ``manual`` or ``monitoring``.
        occurred_at: When it happened (aware).
        sop_code: ``C`` (network) or ``E`` (servers).
        fault_key: The monitoring's dedupe key, e.g. ``linux01:port:8080``.
        opened_at: When it was opened (aware); default now.

    Returns:
        ``(incident, created)``: ``created`` is False when an incident that is
        not resolved, closed or cancelled exists for the same fault (same
        ``fault_key``, or without one the same device and kind); that incident
        is returned unchanged.

    Raises:
        ValueError: A bad kind, source or SOP code (nothing is written), an
            empty device, description or reporter, or a naive datetime.
    """
    check_kind(kind)
    check_source(source)
    check_sop(sop_code)
    for name, value in (("device", device), ("description", description), ("reporter", reporter)):
        if not value or not value.strip():
            raise ValueError(f"{name}: must not be empty")
    occurred = when(occurred_at)
    opened = when(opened_at)
    key = dedupe_key(device, kind, fault_key)
    for _ in range(_RETRIES):
        existing = _find_open(session, key)
        if existing is not None:
            return existing, False
        incident = Incident(
            number=_next_number(session, opened.year),
            office=office,
            device=device,
            kind=kind,
            description=description.strip(),
            reporter=reporter.strip(),
            source=source,
            fault_key=fault_key,
            open_key=key,
            occurred_at=occurred,
            opened_at=opened,
            status="open",
            sop_code=sop_code,
        )
        savepoint = session.begin_nested()
        session.add(incident)
        try:
            savepoint.commit()
        except IntegrityError:
            # another process took the number or opened the same fault: look again
            savepoint.rollback()
            continue
        return incident, True
    raise RuntimeError(f"could not open an incident for {key!r} after {_RETRIES} attempts")


def get_incident(session: Session, ref: str | int) -> Incident:
    """Return an incident by its number (``INC-2026-0001``) or its id.

    Args:
        session: Open session.
        ref: Number or id (an id may be given as text).

    Returns:
        The incident.

    Raises:
        LookupError: No such incident (the message names what was looked for).
    """
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        incident = session.get(Incident, int(text))
    else:
        incident = session.scalars(
            select(Incident).where(func.upper(Incident.number) == text.upper())
        ).one_or_none()
    if incident is None:
        raise LookupError(
            f"incident {text!r} not found (give a number like INC-2026-0001 or an id)"
        )
    return incident


def incident_number(engine: Engine, ref: str | int) -> str:
    """The number of an incident given by its number or id (:func:`get_incident`).

    Args:
        engine: Records database.
        ref: Number or id.

    Returns:
        Its number, as recorded (e.g. ``INC-2026-0001``).

    Raises:
        LookupError: No such incident.
    """
    with session_scope(engine) as session:
        return get_incident(session, ref).number


def list_incidents(
    session: Session, *, status: str | None = None, open_only: bool = False
) -> list[Incident]:
    """Incidents, newest first.

    Args:
        session: Open session.
        status: Only this status.
        open_only: Only incidents that are not resolved, closed or cancelled.

    Returns:
        The incidents.

    Raises:
        ValueError: An unknown status.
    """
    query = select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc())
    if status is not None:
        query = query.where(Incident.status == check_status(status))
    if open_only:
        query = query.where(Incident.status.not_in(FINISHED_STATUSES))
    return list(session.scalars(query))


def find_open_incidents(session: Session, *, device: str | None = None) -> list[Incident]:
    """Open incidents, optionally of one device (oldest first).

    Args:
        session: Open session.
        device: Inventory name of a device.

    Returns:
        The incidents not resolved, closed or cancelled.
    """
    query = select(Incident).where(Incident.status.not_in(FINISHED_STATUSES))
    if device is not None:
        query = query.where(Incident.device == device)
    return list(session.scalars(query.order_by(Incident.id)))


def set_incident_status(
    session: Session,
    incident: Incident,
    status: str,
    *,
    at: datetime,
    resolution: str | None = None,
) -> Incident:
    """Move an incident to ``status``.

    ``resolved`` sets ``resolved_at``, ``closed`` and ``cancelled`` set
    ``closed_at``; a finished status frees the fault's dedupe key, so the same
    fault can open a new incident later.

    Args:
        session: Open session.
        incident: The incident.
        status: The new status.
        at: When (aware).
        resolution: What was done (kept when None).

    Returns:
        The incident, flushed.

    Raises:
        ValueError: An unknown status or a move the lifecycle does not allow
            (:data:`sop.incidents.TRANSITIONS`); nothing changes.
    """
    check_transition(incident.status, status)
    moment = when(at)
    incident.status = status
    if status == "resolved":
        incident.resolved_at = moment
    if status in ("closed", "cancelled"):
        incident.closed_at = moment
        if incident.resolved_at is None and status == "closed":
            incident.resolved_at = moment
    if status == "in_progress":
        incident.resolved_at = None
    if resolution is not None:
        incident.resolution = resolution
    incident.open_key = (
        None
        if is_finished(status)
        else dedupe_key(incident.device, incident.kind, incident.fault_key)
    )
    session.flush()
    return incident


def update_incident(session: Session, incident: Incident, **fields: Any) -> Incident:
    """Set the handling facts of an incident (not its status: see :func:`set_incident_status`).

    Args:
        session: Open session.
        incident: The incident.
        **fields: Any of ``handling``, ``sop_run_id``, ``flow_run_id``,
            ``provider_name``, ``provider_ticket``, ``provider_contacted_at``,
            ``provider_answered_at``.

    Returns:
        The incident, flushed.

    Raises:
        ValueError: An unknown field, a bad handling, or a naive datetime.
    """
    allowed = {
        "handling",
        "sop_run_id",
        "flow_run_id",
        "provider_name",
        "provider_ticket",
        "provider_contacted_at",
        "provider_answered_at",
    }
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(f"cannot set {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    if fields.get("handling") is not None:
        check_handling(fields["handling"])
    for name in ("provider_contacted_at", "provider_answered_at"):
        if name in fields:
            fields[name] = maybe(fields[name])
    for name, value in fields.items():
        setattr(incident, name, value)
    session.flush()
    return incident


def incidents_of_run(session: Session, sop_run_id: int) -> list[Incident]:
    """The incidents handled by one SOP run.

    Args:
        session: Open session.
        sop_run_id: The SOP run.

    Returns:
        Its incidents (usually one).
    """
    query = select(Incident).where(Incident.sop_run_id == sop_run_id)
    return list(session.scalars(query.order_by(Incident.id)))


def incident_history(session: Session, incident: Incident) -> dict[str, Any]:
    """Everything recorded about an incident's handling, as plain data.

    Args:
        session: Open session.
        incident: The incident.

    Returns:
        ``steps`` (every step log of its SOP run, oldest first: ``step``,
        ``role``, ``actor``, ``started_at``, ``finished_at``, ``due_at``,
        ``status``, ``sla_status``, ``waiting_seconds``, ``outputs``,
        ``documents``, ``note``), ``refused`` (refused answers: ``step``,
        ``username``, ``reason``, ``at``), ``breaches`` (``step``, ``role``,
        ``due_at``, ``detected_at``, ``escalated_role``, ``notified``) and
        ``run_status``; empty lists when no run is linked yet.
    """
    from records.models import SlaBreach, SopRun, StepLog

    empty: dict[str, Any] = {"steps": [], "refused": [], "breaches": [], "run_status": None}
    if incident.sop_run_id is None:
        return empty
    run = session.get(SopRun, incident.sop_run_id)
    if run is None:
        return empty
    logs = session.scalars(
        select(StepLog).where(StepLog.sop_run_id == run.id).order_by(StepLog.started_at, StepLog.id)
    )
    breaches = session.scalars(
        select(SlaBreach).where(SlaBreach.sop_run_id == run.id).order_by(SlaBreach.id)
    )
    return {
        "run_status": run.status,
        "run_key": run.run_key,
        "flow_run_id": run.flow_run_id,
        "steps": [
            {
                "step": log.step_number,
                "role": log.role_key,
                "actor": log.actor,
                "started_at": log.started_at,
                "finished_at": log.finished_at,
                "due_at": log.due_at,
                "status": log.status,
                "sla_status": log.sla_status,
                "waiting_seconds": log.waiting_seconds,
                "outputs": dict(log.outputs or {}),
                "documents": list(log.documents or []),
                "note": log.note,
            }
            for log in logs
        ],
        "refused": [
            {
                "step": r.step_number,
                "username": r.attempted_username,
                "reason": r.reason,
                "at": r.refused_at,
            }
            for r in sorted(run.refused_approvals, key=lambda r: (r.refused_at, r.id))
        ],
        "breaches": [
            {
                "step": b.step_number,
                "role": b.role_key,
                "due_at": b.due_at,
                "detected_at": b.detected_at,
                "escalated_role": b.escalated_role,
                "notified": list(b.notified or []),
            }
            for b in breaches
        ],
    }


@dataclass(frozen=True)
class NewIncident:
    """A reported fault, as :func:`open_incident` is given it (see there for the fields).

    Attributes:
        office: Office short name.
        device: The affected device's inventory name.
        kind: Kind of damage / disturbance.
        description: What is wrong.
        reporter: Who reported it.
        source: ``manual`` or ``monitoring``.
        occurred_at: When it happened (aware).
        sop_code: ``C`` (network) or ``E`` (servers).
        fault_key: The monitoring's dedupe key, if any.
        opened_at: When it was opened (aware); default now.
    """

    office: str
    device: str
    kind: str
    description: str
    reporter: str
    source: str
    occurred_at: datetime
    sop_code: str = "C"
    fault_key: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True)
class OpenedIncident:
    """The incident a report opened, or the open one it joined.

    Attributes:
        id: Incident id.
        number: Its number, e.g. ``INC-2026-0001``.
        created: False when an open incident for the same fault already existed.
    """

    id: int
    number: str
    created: bool


def open_reported(session: Session, new: NewIncident) -> tuple[Incident, bool]:
    """Open an incident for a reported fault, once (:func:`open_incident` with ``new``'s fields).

    Args:
        session: Open session.
        new: The report.

    Returns:
        ``(incident, created)`` as :func:`open_incident` returns them.
    """
    return open_incident(session, **asdict(new))


def incident_facts(incident: Incident) -> dict[str, Any]:
    """Every column of an incident as plain data (column name -> value)."""
    return {c.name: getattr(incident, c.name) for c in Incident.__table__.columns}


class IncidentStore:
    """An incident's records for the flows handling it: each call one transaction, plain data.

    An incident is named by its number (``INC-2026-0001``) or its id, as for
    :func:`get_incident`; each method raises :class:`LookupError` for an unknown one.
    """

    def __init__(self, engine: Engine) -> None:
        """Keep the records database.

        Args:
            engine: Records database.
        """
        self.engine = engine

    def open(self, new: NewIncident) -> OpenedIncident:
        """Open an incident for a reported fault, once (:func:`open_incident`).

        Args:
            new: The report.

        Returns:
            The incident opened, or the open one of the same fault (``created`` False).

        Raises:
            ValueError: A bad report (nothing is written).
        """
        with session_scope(self.engine) as session:
            incident, created = open_reported(session, new)
            return OpenedIncident(incident.id, incident.number, created)

    def facts(self, ref: str | int) -> dict[str, Any]:
        """The incident's fields as plain data (:func:`incident_facts`).

        Args:
            ref: Number or id.

        Returns:
            Column name -> value.
        """
        with session_scope(self.engine) as session:
            return incident_facts(get_incident(session, ref))

    def link_run(
        self,
        ref: str | int,
        *,
        sop_run_id: int,
        flow_run_id: str | None,
        in_progress_at: datetime | None = None,
    ) -> None:
        """Record the SOP run and flow run handling the incident.

        Args:
            ref: Number or id.
            sop_run_id: The SOP run.
            flow_run_id: The Prefect flow run performing it.
            in_progress_at: When given, an incident still ``open`` becomes
                ``in_progress`` at this time, in the same transaction.
        """
        with session_scope(self.engine) as session:
            incident = update_incident(
                session,
                get_incident(session, ref),
                sop_run_id=sop_run_id,
                flow_run_id=flow_run_id,
            )
            if in_progress_at is not None and incident.status == "open":
                set_incident_status(session, incident, "in_progress", at=in_progress_at)

    def record_handling(self, ref: str | int, **fields: Any) -> None:
        """Record how the incident is handled: who fixes it, the provider and their times.

        Args:
            ref: Number or id.
            **fields: The fields of :func:`update_incident` (``handling``,
                ``provider_name``, ``provider_ticket``, ``provider_contacted_at``,
                ``provider_answered_at``).

        Raises:
            ValueError: An unknown field, a bad handling, or a naive datetime.
        """
        with session_scope(self.engine) as session:
            update_incident(session, get_incident(session, ref), **fields)

    def set_status(
        self,
        ref: str | int,
        status: str,
        *,
        at: datetime,
        resolution: str | None = None,
        unless_already: bool = False,
    ) -> None:
        """Move the incident to ``status`` (:func:`set_incident_status`).

        Args:
            ref: Number or id.
            status: The new status.
            at: When (aware).
            resolution: What was done (kept when None).
            unless_already: Leave an incident already in ``status`` untouched
                (its times are not set again).

        Raises:
            ValueError: A move the lifecycle does not allow (nothing changes).
        """
        with session_scope(self.engine) as session:
            incident = get_incident(session, ref)
            if unless_already and incident.status == status:
                return
            set_incident_status(session, incident, status, at=at, resolution=resolution)

    def history(self, ref: str | int) -> dict[str, Any]:
        """Everything recorded about the incident's handling (:func:`incident_history`).

        Args:
            ref: Number or id.

        Returns:
            Its steps, refused answers, breaches and run status, as plain data.
        """
        with session_scope(self.engine) as session:
            return incident_history(session, get_incident(session, ref))


def open_monitoring_incidents(session: Session, office: str) -> list[Incident]:
    """The office's incidents the monitoring opened that are not finished yet (oldest first).

    Args:
        session: Open session.
        office: Office short name.

    Returns:
        Incidents with ``source`` ``monitoring`` and a fault key, not resolved,
        closed or cancelled.
    """
    query = select(Incident).where(
        Incident.office == office,
        Incident.source == "monitoring",
        Incident.fault_key.is_not(None),
        Incident.status.not_in(FINISHED_STATUSES),
    )
    return list(session.scalars(query.order_by(Incident.id)))


def resolve_if_open(session: Session, number: str, *, at: datetime, resolution: str) -> bool:
    """Resolve an incident whose fault is gone, unless someone finished it already.

    Args:
        session: Open session.
        number: Incident number.
        at: When (aware): its ``resolved_at``.
        resolution: Why (its ``resolution`` note).

    Returns:
        True when it was resolved now.
    """
    incident = get_incident(session, number)
    if is_finished(incident.status):
        return False
    set_incident_status(session, incident, "resolved", at=at, resolution=resolution)
    return True
