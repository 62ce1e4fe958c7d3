"""SQLAlchemy models of the IT asset register (SOP D): assets and their events.

An asset is never deleted (its history is evidence): disposal (D5) sets its
status to ``disposed``. Every change goes through :func:`records.assets.change_asset`,
which records an :class:`AssetEvent` with the old and new values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from records.models import Base, SopRun, _in
from records.types import utcnow
from sop.assets import CATEGORIES, STATUSES


class Asset(Base):
    """One item of the asset register: hardware, software or data."""

    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("value IS NULL OR value >= 0", name="value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100), index=True)
    location: Mapped[str | None] = mapped_column(String(255))
    custodian: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    acquired_on: Mapped[date | None] = mapped_column(Date)
    value: Mapped[int | None] = mapped_column(BigInteger)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    inventory_host: Mapped[str | None] = mapped_column(String(255), index=True)
    os_version: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list[AssetEvent]] = relationship(
        back_populates="asset", passive_deletes="all", order_by="AssetEvent.id"
    )


class AssetEvent(Base):
    """One change of an asset: by which procedure (and SOP run), who, when, old and new values."""

    __tablename__ = "asset_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    procedure: Mapped[str | None] = mapped_column(String(20))
    sop_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("sop_runs.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    asset: Mapped[Asset] = relationship(back_populates="events")
    sop_run: Mapped[SopRun | None] = relationship()
