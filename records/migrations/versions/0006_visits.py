"""Server-room visits (SOP B).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'requested', 'approved', 'refused', 'in_progress', 'closed', 'archived'"


def upgrade() -> None:
    """Create the ``visits`` table."""
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("visitor_name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escort", sa.String(length=100), nullable=False),
        sa.Column("registered_by", sa.String(length=100), nullable=False),
        sa.Column("devices_in", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("badge_number", sa.String(length=20), nullable=True),
        sa.Column("id_deposited", sa.Boolean(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("devices_out", sa.JSON(), nullable=False),
        sa.Column("explanations", sa.JSON(), nullable=False),
        sa.Column("badge_returned", sa.Boolean(), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("overstay_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overstay_notified", sa.JSON(), nullable=True),
        sa.Column("overstay_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sop_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name=op.f("ck_visits_status")),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_visits_sop_run_id_sop_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("number", name=op.f("uq_visits_number")),
    )
    op.create_index(op.f("ix_visits_office"), "visits", ["office"], unique=False)
    op.create_index(op.f("ix_visits_planned_start"), "visits", ["planned_start"], unique=False)
    op.create_index(op.f("ix_visits_sop_run_id"), "visits", ["sop_run_id"], unique=False)


def downgrade() -> None:
    """Drop the ``visits`` table."""
    op.drop_index(op.f("ix_visits_sop_run_id"), table_name="visits")
    op.drop_index(op.f("ix_visits_planned_start"), table_name="visits")
    op.drop_index(op.f("ix_visits_office"), table_name="visits")
    op.drop_table("visits")
