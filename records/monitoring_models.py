"""SQLAlchemy models of SOP E: monitoring runs, their per-host results and findings, evidence.

A monitoring run (``pemantauan-server``) checks every host once. Each host gets
one :class:`MonitoringHost` row (outcome, silenced by a maintenance window, the
auth log's failed-login count for the next comparison) and one
:class:`MonitoringFinding` row per warn/fail finding, marked ``new`` or
``still`` against the previous run, plus a ``cleared`` row for each finding of
the previous run that is gone. A fault that opened an incident points to it.

:class:`EvidenceFile` is one file attached to an incident as evidence of
replaced parts (SOP E step 7), stored by content under ``<data dir>/evidence/<sha256>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from records.models import Base, _in
from records.types import utcnow
from sop.monitoring import CHANGES

FINDING_STATUSES: tuple[str, ...] = ("pass", "warn", "fail")
"""Status of a finding (``pass`` only on a cleared one)."""


class MonitoringRun(Base):
    """One run of the monitoring over every host."""

    __tablename__ = "monitoring_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(100), index=True)
    trigger: Mapped[str] = mapped_column(String(40), default="manual")
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    hosts: Mapped[int] = mapped_column(Integer, default=0)
    faults: Mapped[int] = mapped_column(Integer, default=0)
    incidents_opened: Mapped[int] = mapped_column(Integer, default=0)

    results: Mapped[list[MonitoringHost]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )
    findings: Mapped[list[MonitoringFinding]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class MonitoringHost(Base):
    """One host in one monitoring run."""

    __tablename__ = "monitoring_hosts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_runs.id", ondelete="CASCADE"), index=True
    )
    host: Mapped[str] = mapped_column(String(255), index=True)
    platform: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    silenced: Mapped[bool] = mapped_column(Boolean, default=False)
    window_note: Mapped[str | None] = mapped_column(Text)
    failed_logins: Mapped[int | None] = mapped_column(Integer)
    not_checked: Mapped[dict[str, Any]] = mapped_column(default=dict)

    run: Mapped[MonitoringRun] = relationship(back_populates="results")


class MonitoringFinding(Base):
    """A warn/fail finding of one host in one run, or one that cleared since the previous run."""

    __tablename__ = "monitoring_findings"
    __table_args__ = (
        CheckConstraint(_in("status", FINDING_STATUSES), name="status"),
        CheckConstraint(_in("change", CHANGES), name="change"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_runs.id", ondelete="CASCADE"), index=True
    )
    host: Mapped[str] = mapped_column(String(255), index=True)
    key: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10))
    change: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    silenced: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))

    run: Mapped[MonitoringRun] = relationship(back_populates="findings")


class EvidenceFile(Base):
    """A file attached to an incident as evidence (SOP E step 7)."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("incident_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="RESTRICT"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    attached_by: Mapped[str] = mapped_column(String(100))
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)
