"""Read and write server-room visits (SOP B): one function per thing that happens to a visit.

The functions work in the caller's session (the CLI, the visitor log and the
overstay watch use them). The flow (:mod:`flows.visits`) goes through
:class:`VisitStore` instead: one short transaction per thing that happens, plain
data back (:class:`VisitFacts`), never a session held across a pause.

A visit is registered first (:func:`register_visit_request`, status ``requested``,
a number ``KRS-<year>-<nnnn>``); the flow then takes only that number. The ID
number is personal data: it is stored masked (:func:`sop.visits.mask_id_number`),
never whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records._checks import maybe, when
from records.db import session_scope
from records.visit_models import Visit
from sop.office import Office
from sop.visits import (
    OPEN_STATUSES,
    Device,
    VisitRequest,
    mask_id_number,
    next_badge,
    visit_number,
)


def create_visit(
    session: Session,
    request: VisitRequest,
    *,
    office: str,
    created_at: datetime | None = None,
) -> Visit:
    """Record a new visit request (status ``requested``) with the year's next number.

    The ID number is stored masked (all but its last four characters hidden).

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
            id_number=mask_id_number(request.id_number),
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


def register_visit_request(
    session: Session,
    data: Mapping[str, object] | VisitRequest,
    *,
    office: Office,
    created_at: datetime | None = None,
) -> Visit:
    """Validate an access form and record the visit request (``requested``, ID masked).

    This is SOP B step 1's registration, done before any flow runs: the flow
    ``akses-ruang-server`` then takes only the visit's number, so no personal
    data reaches the flow run's parameters.

    Args:
        session: Open session.
        data: The access form (:class:`sop.visits.VisitRequest` fields), or a
            request already validated.
        office: The office: its short name is recorded, and ``registered_by``
            must be one of its IT officers (``it_officer``).
        created_at: When it was registered (aware); default now.

    Returns:
        The visit, flushed (it has its ``number``).

    Raises:
        ValueError: ``field: problem`` for every problem, one per line (never the ID
            number); nothing is written.
    """
    request = data if isinstance(data, VisitRequest) else VisitRequest.parse(data)
    if not office.has_role(request.registered_by, "it_officer"):
        raise ValueError(
            f"registered_by: {request.registered_by!r} bukan Petugas IT di konfigurasi kantor"
        )
    return create_visit(session, request, office=office.short_name, created_at=created_at)


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


@dataclass(frozen=True)
class VisitFacts:
    """One visit as plain data, read in the transaction that last touched it.

    The attributes are the columns of :class:`records.visit_models.Visit` (so
    :func:`reports.visits.visit_line` takes it as it takes a row). ``id_number``
    is personal data: it is stored masked, left out of the ``repr``, and shown
    through :func:`sop.visits.mask_id_number` all the same (rows stored before
    migration 0009 held it whole).
    """

    id: int
    number: str
    office: str
    visitor_name: str
    organisation: str
    id_type: str
    id_number: str = field(repr=False)
    purpose: str
    planned_start: datetime
    planned_end: datetime
    escort: str
    registered_by: str
    devices_in: list[dict[str, Any]]
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    badge_number: str | None
    id_deposited: bool
    entered_at: datetime | None
    exited_at: datetime | None
    devices_out: list[dict[str, Any]]
    explanations: dict[str, Any]
    badge_returned: bool
    closed_by: str | None
    overstay_at: datetime | None
    overstay_notified: list[Any] | None
    overstay_error: str | None
    created_at: datetime
    archived_at: datetime | None
    sop_run_id: int | None


def visit_facts(visit: Visit) -> VisitFacts:
    """A visit row as plain data (copies of its lists), to use after its session ends.

    Args:
        visit: The row, in an open session.

    Returns:
        The visit's facts.
    """
    return VisitFacts(
        id=visit.id,
        number=visit.number,
        office=visit.office,
        visitor_name=visit.visitor_name,
        organisation=visit.organisation,
        id_type=visit.id_type,
        id_number=visit.id_number,
        purpose=visit.purpose,
        planned_start=visit.planned_start,
        planned_end=visit.planned_end,
        escort=visit.escort,
        registered_by=visit.registered_by,
        devices_in=list(visit.devices_in or []),
        status=visit.status,
        decided_by=visit.decided_by,
        decided_at=visit.decided_at,
        decision_note=visit.decision_note,
        badge_number=visit.badge_number,
        id_deposited=visit.id_deposited,
        entered_at=visit.entered_at,
        exited_at=visit.exited_at,
        devices_out=list(visit.devices_out or []),
        explanations=dict(visit.explanations or {}),
        badge_returned=visit.badge_returned,
        closed_by=visit.closed_by,
        overstay_at=visit.overstay_at,
        overstay_notified=(
            list(visit.overstay_notified) if visit.overstay_notified is not None else None
        ),
        overstay_error=visit.overstay_error,
        created_at=visit.created_at,
        archived_at=visit.archived_at,
        sop_run_id=visit.sop_run_id,
    )


class VisitStore:
    """What happens to visits, as SOP B's flow records it: each call one transaction.

    Every method calls the session functions above in a transaction of its own
    and hands back the visit as it is afterwards (:class:`VisitFacts`).
    """

    def __init__(self, engine: Engine) -> None:
        """Keep the records database.

        Args:
            engine: Records database.
        """
        self.engine = engine

    def register(
        self,
        data: Mapping[str, object] | VisitRequest,
        *,
        office: Office,
        created_at: datetime | None = None,
    ) -> VisitFacts:
        """Validate an access form and record the request (:func:`register_visit_request`).

        Args:
            data: The access form, or a request already validated.
            office: The office (its short name; ``registered_by`` one of its IT officers).
            created_at: When it was registered (aware); default now.

        Returns:
            The new visit (``requested``, its ``number``, the ID number masked).

        Raises:
            ValueError: Every problem of the form, one per line; nothing is written.
        """
        with session_scope(self.engine) as session:
            visit = register_visit_request(session, data, office=office, created_at=created_at)
            return visit_facts(visit)

    def by_number(self, number: str) -> VisitFacts | None:
        """The visit with ``number`` (case-insensitive, spaces ignored), or ``None``.

        Args:
            number: A visit number, e.g. ``KRS-2026-0003``.

        Returns:
            The visit as it is now, or ``None`` when no visit has that number.
        """
        with session_scope(self.engine) as session:
            visit = get_visit(session, number)
            return visit_facts(visit) if visit is not None else None

    def facts(self, visit_id: int) -> VisitFacts:
        """The visit as it is now.

        Raises:
            LookupError: No such visit.
        """
        with session_scope(self.engine) as session:
            return visit_facts(load_visit(session, visit_id))

    def link_run(self, visit_id: int, sop_run_id: int) -> VisitFacts:
        """Attach the SOP B run that handles the visit.

        Returns:
            The visit, linked.
        """
        with session_scope(self.engine) as session:
            visit = load_visit(session, visit_id)
            link_sop_run(session, visit, sop_run_id)
            return visit_facts(visit)

    def decide(
        self,
        visit_id: int,
        *,
        approved: bool,
        by: str,
        at: datetime,
        note: str | None = None,
    ) -> VisitFacts:
        """The Kasub's decision; an approved visit gets the lowest badge not worn now.

        The badge is chosen and given in the same transaction.

        Args:
            visit_id: The visit.
            approved: Allowed in or not.
            by: Who decided.
            at: When (aware).
            note: The decision's note.

        Returns:
            The visit, ``approved`` with its ``badge_number`` or ``refused``.
        """
        with session_scope(self.engine) as session:
            visit = load_visit(session, visit_id)
            badge = next_badge(badges_in_use(session, visit.office)) if approved else None
            record_decision(
                session, visit, approved=approved, by=by, at=at, note=note, badge_number=badge
            )
            return visit_facts(visit)

    def enter(self, visit_id: int, *, at: datetime, escort: str) -> VisitFacts:
        """The visitor is inside the server room, with ``escort`` (status ``in_progress``).

        Returns:
            The visit, with its ``entered_at`` (kept if it was already inside).
        """
        with session_scope(self.engine) as session:
            visit = load_visit(session, visit_id)
            record_entry(session, visit, at=at, escort=escort)
            return visit_facts(visit)

    def leave(
        self,
        visit_id: int,
        *,
        exited_at: datetime,
        devices_out: Sequence[Device],
        explanations: Mapping[str, str],
        closed_by: str,
    ) -> VisitFacts:
        """The visitor left: devices out, explanations, badge returned (status ``closed``).

        Returns:
            The visit, closed (``overstay_at`` says whether it overstayed).
        """
        with session_scope(self.engine) as session:
            visit = load_visit(session, visit_id)
            record_exit(
                session,
                visit,
                exited_at=exited_at,
                devices_out=devices_out,
                explanations=explanations,
                closed_by=closed_by,
            )
            return visit_facts(visit)

    def archive(self, visit_id: int, *, at: datetime) -> VisitFacts:
        """The form is archived (status ``archived``).

        Returns:
            The visit, archived.
        """
        with session_scope(self.engine) as session:
            visit = load_visit(session, visit_id)
            archive_visit(session, visit, at=at)
            return visit_facts(visit)
