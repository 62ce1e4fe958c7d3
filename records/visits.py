"""Read and write server-room visits (SOP B): one function per thing that happens to a visit.

The flow (:mod:`flows.visits`) calls these at its edges; the CLI and the
visitor log read them. Every function works in the caller's session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import maybe, when
from records.visit_models import Visit
from sop.visits import OPEN_STATUSES, Device, VisitRequest, visit_number


def create_visit(
    session: Session,
    request: VisitRequest,
    *,
    office: str,
    created_at: datetime | None = None,
) -> Visit:
    """Record a new visit request (status ``requested``) with the year's next number.

    Args:
        session: Open session.
        request: The validated request form.
        office: The office's short name.
        created_at: When it was registered (aware); default now.

    Returns:
        The visit, flushed (it has its ``number``).
    """
    created = when(created_at)
    year = created.year
    for _ in range(5):  # another registration may take the same number at the same moment
        prefix = f"KRS-{year}-"
        count = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.number.startswith(prefix))
        )
        visit = Visit(
            number=visit_number(year, int(count or 0) + 1),
            office=office,
            visitor_name=request.visitor_name,
            organisation=request.organisation,
            id_type=request.id_type,
            id_number=request.id_number,
            purpose=request.purpose,
            planned_start=request.planned_start,
            planned_end=request.planned_end,
            escort=request.escort,
            registered_by=request.registered_by,
            devices_in=[d.model_dump() for d in request.devices],
            status="requested",
            created_at=created,
        )
        try:
            with session.begin_nested():
                session.add(visit)
        except IntegrityError:
            continue
        return visit
    raise RuntimeError("could not give the visit a number; try again")


def get_visit(session: Session, number: str) -> Visit | None:
    """The visit with ``number`` (case-insensitive), or ``None``."""
    return session.scalars(
        select(Visit).where(Visit.number == number.strip().upper())
    ).one_or_none()


def load_visit(session: Session, visit_id: int) -> Visit:
    """The visit with id ``visit_id``.

    Raises:
        LookupError: No such visit.
    """
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise LookupError(f"no visit {visit_id}")
    return visit


def link_sop_run(session: Session, visit: Visit, sop_run_id: int) -> None:
    """Attach the SOP B run that handles the visit."""
    visit.sop_run_id = sop_run_id
    session.flush()


def badges_in_use(session: Session, office: str) -> list[str]:
    """Badge numbers worn now by visitors of ``office`` (visits approved or inside)."""
    return [
        b
        for b in session.scalars(
            select(Visit.badge_number).where(
                Visit.office == office,
                Visit.status.in_(("approved", "in_progress")),
                Visit.badge_number.is_not(None),
            )
        )
        if b
    ]


def record_decision(
    session: Session,
    visit: Visit,
    *,
    approved: bool,
    by: str,
    at: datetime,
    note: str | None = None,
    badge_number: str | None = None,
) -> None:
    """The Kasub's decision: ``approved`` with the badge issued, or ``refused``.

    Args:
        session: Open session.
        visit: The visit.
        approved: Allowed in or not.
        by: Who decided.
        at: When (aware).
        note: The decision's note.
        badge_number: The badge given against the deposited ID (when approved).
    """
    visit.status = "approved" if approved else "refused"
    visit.decided_by = by
    visit.decided_at = when(at)
    visit.decision_note = note or None
    if approved:
        visit.badge_number = badge_number
        visit.id_deposited = True
    session.flush()


def record_entry(session: Session, visit: Visit, *, at: datetime, escort: str) -> None:
    """The visitor is inside the server room, with ``escort`` (status ``in_progress``)."""
    visit.status = "in_progress"
    visit.entered_at = visit.entered_at or when(at)
    visit.escort = escort
    session.flush()


def record_exit(
    session: Session,
    visit: Visit,
    *,
    exited_at: datetime,
    devices_out: Sequence[Device],
    explanations: Mapping[str, str],
    closed_by: str,
) -> None:
    """The visitor left: devices out, explanations, badge returned against the ID (``closed``)."""
    visit.status = "closed"
    visit.exited_at = when(exited_at)
    visit.devices_out = [d.as_dict() for d in devices_out]
    visit.explanations = {k: v for k, v in explanations.items() if str(v).strip()}
    visit.badge_returned = True
    visit.closed_by = closed_by
    session.flush()


def archive_visit(session: Session, visit: Visit, *, at: datetime) -> None:
    """The form is archived (status ``archived``)."""
    visit.status = "archived"
    visit.archived_at = when(at)
    session.flush()


def claim_overstay(session: Session, visit_id: int, *, at: datetime) -> bool:
    """Mark a visit as overstaying, once: ``True`` only for the first caller.

    Args:
        session: Open session.
        visit_id: The visit.
        at: When the overstay was found (aware).

    Returns:
        Whether this call recorded it (and so must notify).
    """
    # a bulk UPDATE returns a CursorResult (rowcount); Session.execute is typed as Result
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Visit)
            .where(Visit.id == visit_id, Visit.overstay_at.is_(None), Visit.exited_at.is_(None))
            .values(overstay_at=when(at))
        ),
    )
    session.flush()
    return bool(result.rowcount)


def set_overstay_notified(
    session: Session, visit: Visit, *, recipients: Sequence[str], error: str | None
) -> None:
    """Record who was told about the overstay, or why nobody was."""
    visit.overstay_notified = list(recipients)
    visit.overstay_error = error
    session.flush()


def list_visits(
    session: Session,
    *,
    office: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    open_only: bool = False,
) -> list[Visit]:
    """Visits by planned start, oldest first.

    Args:
        session: Open session.
        office: Only this office's visits.
        start: Planned start at or after (aware).
        end: Planned start before (aware, exclusive).
        open_only: Only visits that have not ended (requested, approved, inside).

    Returns:
        The visits.
    """
    query = select(Visit).order_by(Visit.planned_start, Visit.id)
    if office is not None:
        query = query.where(Visit.office == office)
    if start is not None:
        query = query.where(Visit.planned_start >= maybe(start))
    if end is not None:
        query = query.where(Visit.planned_start < maybe(end))
    if open_only:
        query = query.where(Visit.status.in_(OPEN_STATUSES))
    return list(session.scalars(query))
