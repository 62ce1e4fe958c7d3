"""Server monitoring results and evidence attachments (SOP E).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitoring_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hosts", sa.Integer(), nullable=False),
        sa.Column("faults", sa.Integer(), nullable=False),
        sa.Column("incidents_opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_runs")),
    )
    op.create_index(op.f("ix_monitoring_runs_office"), "monitoring_runs", ["office"], unique=False)
    op.create_table(
        "monitoring_hosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("silenced", sa.Boolean(), nullable=False),
        sa.Column("window_note", sa.Text(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=True),
        sa.Column("not_checked", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["monitoring_runs.id"],
            name=op.f("fk_monitoring_hosts_run_id_monitoring_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_hosts")),
    )
    op.create_index(op.f("ix_monitoring_hosts_host"), "monitoring_hosts", ["host"], unique=False)
    op.create_index(
        op.f("ix_monitoring_hosts_run_id"), "monitoring_hosts", ["run_id"], unique=False
    )
    op.create_table(
        "monitoring_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("silenced", sa.Boolean(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pass', 'warn', 'fail')", name=op.f("ck_monitoring_findings_status")
        ),
        sa.CheckConstraint(
            "change IN ('new', 'still', 'cleared')", name=op.f("ck_monitoring_findings_change")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_monitoring_findings_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["monitoring_runs.id"],
            name=op.f("fk_monitoring_findings_run_id_monitoring_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_findings")),
    )
    op.create_index(
        op.f("ix_monitoring_findings_host"), "monitoring_findings", ["host"], unique=False
    )
    op.create_index(
        op.f("ix_monitoring_findings_run_id"), "monitoring_findings", ["run_id"], unique=False
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("attached_by", sa.String(length=100), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_evidence_files_incident_id_incidents"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint(
            "incident_id", "sha256", name=op.f("uq_evidence_files_incident_id_sha256")
        ),
    )
    op.create_index(
        op.f("ix_evidence_files_incident_id"), "evidence_files", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_files_incident_id"), table_name="evidence_files")
    op.drop_table("evidence_files")
    op.drop_index(op.f("ix_monitoring_findings_run_id"), table_name="monitoring_findings")
    op.drop_index(op.f("ix_monitoring_findings_host"), table_name="monitoring_findings")
    op.drop_table("monitoring_findings")
    op.drop_index(op.f("ix_monitoring_hosts_run_id"), table_name="monitoring_hosts")
    op.drop_index(op.f("ix_monitoring_hosts_host"), table_name="monitoring_hosts")
    op.drop_table("monitoring_hosts")
    op.drop_index(op.f("ix_monitoring_runs_office"), table_name="monitoring_runs")
    op.drop_table("monitoring_runs")
