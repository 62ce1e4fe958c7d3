"""The asset register and its events (SOP D).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``assets`` and ``asset_events``."""
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("vendor", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("serial", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("custodian", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("inventory_host", sa.String(length=255), nullable=True),
        sa.Column("os_version", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('hardware', 'software', 'data')", name=op.f("ck_assets_category")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'procured', 'in_service', 'under_repair', 'relocated', "
            "'disposed')",
            name=op.f("ck_assets_status"),
        ),
        sa.CheckConstraint("value IS NULL OR value >= 0", name=op.f("ck_assets_value")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("tag", name=op.f("uq_assets_tag")),
    )
    for column in ("category", "serial", "status", "inventory_host"):
        op.create_index(op.f(f"ix_assets_{column}"), "assets", [column], unique=False)
    op.create_table(
        "asset_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("procedure", sa.String(length=20), nullable=True),
        sa.Column("sop_run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_events_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sop_run_id"],
            ["sop_runs.id"],
            name=op.f("fk_asset_events_sop_run_id_sop_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_events")),
    )
    for column in ("asset_id", "sop_run_id", "at"):
        op.create_index(op.f(f"ix_asset_events_{column}"), "asset_events", [column], unique=False)


def downgrade() -> None:
    """Drop ``asset_events`` and ``assets``."""
    for column in ("at", "sop_run_id", "asset_id"):
        op.drop_index(op.f(f"ix_asset_events_{column}"), table_name="asset_events")
    op.drop_table("asset_events")
    for column in ("inventory_host", "status", "serial", "category"):
        op.drop_index(op.f(f"ix_assets_{column}"), table_name="assets")
    op.drop_table("assets")
