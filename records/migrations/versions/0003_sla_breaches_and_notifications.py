"""SLA breaches (one per step log) and sent notifications.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=False),
        sa.Column("step_log_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("role_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_role", sa.String(length=64), nullable=True),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.Column("notify_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_sla_breaches_sop_run_id_sop_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_log_id"],
            ["step_logs.id"],
            name=op.f("fk_sla_breaches_step_log_id_step_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_breaches")),
        sa.UniqueConstraint("step_log_id", name=op.f("uq_sla_breaches_step_log_id")),
    )
    op.create_index(
        op.f("ix_sla_breaches_sop_run_id"), "sla_breaches", ["sop_run_id"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_notifications_sop_run_id_sop_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_kind"), "notifications", ["kind"], unique=False)
    op.create_index(
        op.f("ix_notifications_sop_run_id"), "notifications", ["sop_run_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_sop_run_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_kind"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_sla_breaches_sop_run_id"), table_name="sla_breaches")
    op.drop_table("sla_breaches")
