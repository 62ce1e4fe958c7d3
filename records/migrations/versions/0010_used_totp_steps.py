"""One-time approval codes are used once: the TOTP steps already accepted.

Adds ``used_totp_steps`` (username, 30-second step, when): an answer whose TOTP code
belongs to a step at or before the approver's last accepted one is refused as
reused (RFC 6238 section 5.2). Only the counter is stored, never a code or secret.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``used_totp_steps``."""
    op.create_table(
        "used_totp_steps",
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("step", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "step", name=op.f("pk_used_totp_steps")),
    )


def downgrade() -> None:
    """Drop ``used_totp_steps``."""
    op.drop_table("used_totp_steps")
