"""Incidents of SOP C and E.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fault_key", sa.String(length=255), nullable=True),
        sa.Column("open_key", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("handling", sa.String(length=20), nullable=True),
        sa.Column("sop_code", sa.String(length=10), nullable=False),
        sa.Column("sop_run_id", sa.Integer(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("provider_name", sa.String(length=255), nullable=True),
        sa.Column("provider_ticket", sa.String(length=100), nullable=True),
        sa.Column("provider_contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'resolved', 'closed', 'cancelled')",
            name=op.f("ck_incidents_status"),
        ),
        sa.CheckConstraint("source IN ('manual', 'monitoring')", name=op.f("ck_incidents_source")),
        sa.CheckConstraint("sop_code IN ('C', 'E')", name=op.f("ck_incidents_sop_code")),
        sa.CheckConstraint(
            "handling IS NULL OR handling IN ('internal', 'provider')",
            name=op.f("ck_incidents_handling"),
        ),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_incidents_sop_run_id_sop_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
        sa.UniqueConstraint("open_key", name=op.f("uq_incidents_open_key")),
    )
    op.create_index(op.f("ix_incidents_device"), "incidents", ["device"], unique=False)
    op.create_index(op.f("ix_incidents_office"), "incidents", ["office"], unique=False)
    op.create_index(op.f("ix_incidents_status"), "incidents", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_incidents_status"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_office"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_device"), table_name="incidents")
    op.drop_table("incidents")
