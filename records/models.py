"""The SIGAP system of record: SQLAlchemy 2 models.

Portable across SQLite and PostgreSQL: structured data is ``JSON``, times are
:class:`~records.types.UTCDateTime` (aware, stored in UTC), strings have
lengths, and every constraint and index is named by :data:`NAMING_CONVENTION`
so Alembic migrations stay stable.

Deleting a collection run deletes its snapshots and their checklist results;
deleting an SOP run deletes its step logs and approvals (refused ones too).
A device with snapshots cannot be deleted: its history is evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from records.types import UTCDateTime, utcnow
from sop.device import OUTCOMES

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint and index names, so migrations never depend on database defaults."""

SNAPSHOT_OUTCOMES: tuple[str, ...] = OUTCOMES
"""What happened when SIGAP collected one device."""

COLLECTION_STATUSES: tuple[str, ...] = (
    "running",
    "completed",
    "failed",
    "cancelled",
    "interrupted",
)
"""Status of a collection run (a run whose devices partly failed is still ``completed``;
``interrupted``: its process ended before it did, e.g. ``kill -9``, found so by the next
run of the same SOP run)."""

CHECK_STATUSES: tuple[str, ...] = ("pass", "warn", "fail")
"""Status of one checklist item."""

SOP_RUN_STATUSES: tuple[str, ...] = ("running", "paused", "completed", "failed", "cancelled")
"""Status of an SOP run."""

STEP_STATUSES: tuple[str, ...] = (
    "running",
    "waiting",
    "completed",
    "failed",
    "skipped",
    "cancelled",
    "interrupted",
)
"""Status of one SOP step (``waiting``: paused for an approval or a person;
``interrupted``: its process ended before the step did, found so when the run was started
again)."""

DECISIONS: tuple[str, ...] = ("setuju", "tolak", "kembalikan")
"""Approval decisions: approve, reject, return for revision."""


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Device(Base):
    """A network device or server SIGAP has seen in the inventory."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    address: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=22)
    platform: Mapped[str] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(100), index=True)
    role: Mapped[str | None] = mapped_column(String(100))
    asset_tag: Mapped[str | None] = mapped_column(String(100))
    criticality: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(255))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    ssh_host_key_type: Mapped[str | None] = mapped_column(String(64))
    ssh_host_key_fingerprint: Mapped[str | None] = mapped_column(String(128))
    ssh_host_key_pinned_at: Mapped[datetime | None]
    ssh_host_key: Mapped[str | None] = mapped_column(Text)

    snapshots: Mapped[list[DeviceSnapshot]] = relationship(
        back_populates="device", passive_deletes="all"
    )


class SecurityFinding(Base):
    """A security event on a device, e.g. a changed SSH host key, until a human resolves it."""

    __tablename__ = "security_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)

    device: Mapped[Device] = relationship()


class CollectionRun(Base):
    """One collection of facts, health and configs over a set of devices."""

    __tablename__ = "collection_runs"
    __table_args__ = (CheckConstraint(_in("status", COLLECTION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    trigger: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(100))
    selection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="running")
    devices_total: Mapped[int] = mapped_column(Integer, default=0)
    devices_ok: Mapped[int] = mapped_column(Integer, default=0)
    devices_failed: Mapped[int] = mapped_column(Integer, default=0)

    snapshots: Mapped[list[DeviceSnapshot]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class DeviceSnapshot(Base):
    """What one collection run found on one device (its outcome, even if it failed)."""

    __tablename__ = "device_snapshots"
    __table_args__ = (
        CheckConstraint(_in("outcome", SNAPSHOT_OUTCOMES), name="outcome"),
        Index(None, "device_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("collection_runs.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="RESTRICT"))
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    health: Mapped[dict[str, Any]] = mapped_column(default=dict)
    config_running: Mapped[str | None] = mapped_column(Text)
    config_startup: Mapped[str | None] = mapped_column(Text)
    config_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float)

    run: Mapped[CollectionRun] = relationship(back_populates="snapshots")
    device: Mapped[Device] = relationship(back_populates="snapshots")
    checklist_results: Mapped[list[ChecklistResult]] = relationship(
        back_populates="snapshot",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ChecklistResult.id",
    )


class ChecklistResult(Base):
    """One checklist item judged on one snapshot."""

    __tablename__ = "checklist_results"
    __table_args__ = (CheckConstraint(_in("status", CHECK_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("device_snapshots.id", ondelete="CASCADE"), index=True
    )
    item_key: Mapped[str] = mapped_column(String(100), index=True)
    label: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[Any] = mapped_column(JSON, default=dict)

    snapshot: Mapped[DeviceSnapshot] = relationship(back_populates="checklist_results")


class SopRun(Base):
    """One run of an SOP, e.g. SOP A for one office and month."""

    __tablename__ = "sop_runs"
    __table_args__ = (CheckConstraint(_in("status", SOP_RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_code: Mapped[str] = mapped_column(String(10), index=True)
    run_key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    office: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)

    step_logs: Mapped[list[StepLog]] = relationship(
        back_populates="sop_run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StepLog.id",
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="sop_run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Approval.id",
    )
    refused_approvals: Mapped[list[RefusedApproval]] = relationship(
        back_populates="sop_run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RefusedApproval.id",
    )


class StepLog(Base):
    """One execution of one SOP step: who did it, when, against which deadline."""

    __tablename__ = "step_logs"
    __table_args__ = (
        CheckConstraint(_in("status", STEP_STATUSES), name="status"),
        Index(None, "sop_run_id", "step_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id", ondelete="CASCADE"))
    step_number: Mapped[int] = mapped_column(Integer)
    role_key: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    documents: Mapped[list[Any]] = mapped_column(default=list)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    sla_status: Mapped[str | None] = mapped_column(String(20))
    waiting_seconds: Mapped[float | None] = mapped_column(Float)

    sop_run: Mapped[SopRun] = relationship(back_populates="step_logs")


class Approval(Base):
    """A decision by an approver who passed the identity and role checks."""

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        Index(None, "sop_run_id", "step_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id", ondelete="CASCADE"))
    step_number: Mapped[int] = mapped_column(Integer)
    approver: Mapped[str] = mapped_column(String(100))
    role_key: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    sop_run: Mapped[SopRun] = relationship(back_populates="approvals")


class RefusedApproval(Base):
    """An approval attempt SIGAP refused. Never holds the code that was typed."""

    __tablename__ = "refused_approvals"
    __table_args__ = (Index(None, "sop_run_id", "step_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id", ondelete="CASCADE"))
    step_number: Mapped[int] = mapped_column(Integer)
    attempted_username: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    refused_at: Mapped[datetime] = mapped_column(default=utcnow)

    sop_run: Mapped[SopRun] = relationship(back_populates="refused_approvals")


class UsedTotpStep(Base):
    """A TOTP time step whose code an approver's answer was accepted with (RFC 6238 5.2).

    Holds the 30-second counter only, never the code or the secret: a later answer with
    a code of the same or an earlier step is refused as reused, in any run.
    """

    __tablename__ = "used_totp_steps"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlaBreach(Base):
    """An SOP step that outlived ``breach_factor`` x its time standard: at most one per step log.

    Recorded by :func:`records.sla_breaches.record_breach`; the step itself is not
    touched beyond ``sla_status = "breached"`` (nothing is ever approved automatically).
    """

    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_run_id: Mapped[int] = mapped_column(
        ForeignKey("sop_runs.id", ondelete="CASCADE"), index=True
    )
    step_log_id: Mapped[int] = mapped_column(
        ForeignKey("step_logs.id", ondelete="CASCADE"), unique=True
    )
    step_number: Mapped[int] = mapped_column(Integer)
    role_key: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime]
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_role: Mapped[str | None] = mapped_column(String(64))
    notified: Mapped[list[Any]] = mapped_column(default=list)
    notify_error: Mapped[str | None] = mapped_column(Text)

    sop_run: Mapped[SopRun] = relationship()
    step_log: Mapped[StepLog] = relationship()


class Notification(Base):
    """A notification SIGAP tried to send (e-mail), whether it went out or not."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("sop_runs.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), index=True)
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)

    sop_run: Mapped[SopRun | None] = relationship()


# The models of SOPs B-E live in their own modules; importing them here puts their
# tables in ``Base.metadata`` for Alembic and the schema checks.
from records import (  # noqa: E402, F401
    asset_models,
    incident_models,
    monitoring_models,
    visit_models,
)
