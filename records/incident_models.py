"""SQLAlchemy models of incidents (SOP C network incidents, SOP E server faults).

An incident is one fault of one device, opened by a person or by the monitoring.
``open_key`` holds the fault's dedupe key (:func:`sop.incidents.dedupe_key`) while
the incident is open and is cleared when it is resolved, closed or cancelled: its
unique constraint lets the database itself refuse a second open incident for the
same fault, also when two processes race.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from records.models import Base, SopRun, _in
from records.types import utcnow
from sop.incidents import HANDLINGS, INCIDENT_SOPS, INCIDENT_STATUSES, SOURCES


class Incident(Base):
    """One fault of one device, handled by SOP C or E."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(INCIDENT_STATUSES)), name="status"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint(_in("sop_code", INCIDENT_SOPS), name="sop_code"),
        CheckConstraint(f"handling IS NULL OR {_in('handling', HANDLINGS)}", name="handling"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    office: Mapped[str] = mapped_column(String(100), index=True)
    device: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default="manual")
    fault_key: Mapped[str | None] = mapped_column(String(255))
    open_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    occurred_at: Mapped[datetime]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    handling: Mapped[str | None] = mapped_column(String(20))
    sop_code: Mapped[str] = mapped_column(String(10), default="C")
    sop_run_id: Mapped[int | None] = mapped_column(ForeignKey("sop_runs.id", ondelete="SET NULL"))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    provider_name: Mapped[str | None] = mapped_column(String(255))
    provider_ticket: Mapped[str | None] = mapped_column(String(100))
    provider_contacted_at: Mapped[datetime | None]
    provider_answered_at: Mapped[datetime | None]

    sop_run: Mapped[SopRun | None] = relationship()
