"""Initial schema: devices, collections, checklists, SOP runs, steps, approvals.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 03:46:51.789465
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("devices_total", sa.Integer(), nullable=False),
        sa.Column("devices_ok", sa.Integer(), nullable=False),
        sa.Column("devices_failed", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_collection_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_runs")),
    )
    op.create_index(
        op.f("ix_collection_runs_started_at"), "collection_runs", ["started_at"], unique=False
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("asset_tag", sa.String(length=100), nullable=True),
        sa.Column("criticality", sa.String(length=20), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ssh_host_key_type", sa.String(length=64), nullable=True),
        sa.Column("ssh_host_key_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("ssh_host_key_pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("name", name=op.f("uq_devices_name")),
    )
    op.create_index(op.f("ix_devices_site"), "devices", ["site"], unique=False)
    op.create_table(
        "sop_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_code", sa.String(length=10), nullable=False),
        sa.Column("run_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'paused', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_sop_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_runs")),
        sa.UniqueConstraint("run_key", name=op.f("uq_sop_runs_run_key")),
    )
    op.create_index(op.f("ix_sop_runs_office"), "sop_runs", ["office"], unique=False)
    op.create_index(op.f("ix_sop_runs_sop_code"), "sop_runs", ["sop_code"], unique=False)
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=False),
        sa.Column("role_key", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('setuju', 'tolak', 'kembalikan')", name=op.f("ck_approvals_decision")
        ),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_approvals_sop_run_id_sop_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(
        op.f("ix_approvals_sop_run_id_step_number"),
        "approvals",
        ["sop_run_id", "step_number"],
        unique=False,
    )
    op.create_table(
        "device_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("health", sa.JSON(), nullable=False),
        sa.Column("config_running", sa.Text(), nullable=True),
        sa.Column("config_startup", sa.Text(), nullable=True),
        sa.Column("config_hash", sa.String(length=64), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('ok', 'unreachable', 'auth_failed', 'timeout', 'host_key_changed', "
            "'parse_error', 'truncated')",
            name=op.f("ck_device_snapshots_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_device_snapshots_device_id_devices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["collection_runs.id"],
            name=op.f("fk_device_snapshots_run_id_collection_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_snapshots")),
    )
    op.create_index(
        op.f("ix_device_snapshots_config_hash"), "device_snapshots", ["config_hash"], unique=False
    )
    op.create_index(
        op.f("ix_device_snapshots_device_id_collected_at"),
        "device_snapshots",
        ["device_id", "collected_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_device_snapshots_run_id"), "device_snapshots", ["run_id"], unique=False
    )
    op.create_table(
        "refused_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("attempted_username", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_refused_approvals_sop_run_id_sop_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_approvals")),
    )
    op.create_index(
        op.f("ix_refused_approvals_sop_run_id_step_number"),
        "refused_approvals",
        ["sop_run_id", "step_number"],
        unique=False,
    )
    op.create_table(
        "step_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("role_key", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sla_status", sa.String(length=20), nullable=True),
        sa.Column("waiting_seconds", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled')",
            name=op.f("ck_step_logs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_step_logs_sop_run_id_sop_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_logs")),
    )
    op.create_index(
        op.f("ix_step_logs_sop_run_id_step_number"),
        "step_logs",
        ["sop_run_id", "step_number"],
        unique=False,
    )
    op.create_table(
        "checklist_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pass', 'warn', 'fail')", name=op.f("ck_checklist_results_status")
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["device_snapshots.id"],
            name=op.f("fk_checklist_results_snapshot_id_device_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_results")),
    )
    op.create_index(
        op.f("ix_checklist_results_item_key"), "checklist_results", ["item_key"], unique=False
    )
    op.create_index(
        op.f("ix_checklist_results_snapshot_id"), "checklist_results", ["snapshot_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_checklist_results_snapshot_id"), table_name="checklist_results")
    op.drop_index(op.f("ix_checklist_results_item_key"), table_name="checklist_results")
    op.drop_table("checklist_results")
    op.drop_index(op.f("ix_step_logs_sop_run_id_step_number"), table_name="step_logs")
    op.drop_table("step_logs")
    op.drop_index(
        op.f("ix_refused_approvals_sop_run_id_step_number"), table_name="refused_approvals"
    )
    op.drop_table("refused_approvals")
    op.drop_index(op.f("ix_device_snapshots_run_id"), table_name="device_snapshots")
    op.drop_index(op.f("ix_device_snapshots_device_id_collected_at"), table_name="device_snapshots")
    op.drop_index(op.f("ix_device_snapshots_config_hash"), table_name="device_snapshots")
    op.drop_table("device_snapshots")
    op.drop_index(op.f("ix_approvals_sop_run_id_step_number"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_index(op.f("ix_sop_runs_sop_code"), table_name="sop_runs")
    op.drop_index(op.f("ix_sop_runs_office"), table_name="sop_runs")
    op.drop_table("sop_runs")
    op.drop_index(op.f("ix_devices_site"), table_name="devices")
    op.drop_table("devices")
    op.drop_index(op.f("ix_collection_runs_started_at"), table_name="collection_runs")
    op.drop_table("collection_runs")
