"""Server monitoring results and evidence attachments (SOP E).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in with the monitoring records."""


def downgrade() -> None:
    """Nothing yet: filled in with the monitoring records."""
