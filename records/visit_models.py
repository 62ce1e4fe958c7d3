"""SQLAlchemy models of SOP B, server-room visits (migration 0006).

One row per visit: the request form, the Kasub's decision, the badge and the
deposited ID, entry and exit, the devices that came in and left (JSON lists of
``{"name", "serial"}``), the explanations of mismatched serials, and an
overstay notification. ``id_number`` is personal data: only its masked form is
stored (:func:`sop.visits.mask_id_number`, last four characters shown; migration
0009 masked the rows stored whole before), and every listing, report, log and
artifact shows that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from records.models import Base, SopRun, _in
from records.types import utcnow
from sop.visits import VISIT_STATUSES


class Visit(Base):
    """One visit to the server room (SOP B), from the request to the archive."""

    __tablename__ = "visits"
    __table_args__ = (CheckConstraint(_in("status", VISIT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    office: Mapped[str] = mapped_column(String(100), index=True)
    visitor_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    planned_start: Mapped[datetime] = mapped_column(index=True)
    planned_end: Mapped[datetime]
    escort: Mapped[str] = mapped_column(String(100))
    registered_by: Mapped[str] = mapped_column(String(100))
    devices_in: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    badge_number: Mapped[str | None] = mapped_column(String(20))
    id_deposited: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_at: Mapped[datetime | None]
    exited_at: Mapped[datetime | None]
    devices_out: Mapped[list[Any]] = mapped_column(default=list)
    explanations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    badge_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    overstay_at: Mapped[datetime | None]
    overstay_notified: Mapped[list[Any] | None]
    overstay_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]
    sop_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("sop_runs.id", ondelete="SET NULL"), index=True
    )

    sop_run: Mapped[SopRun | None] = relationship()
