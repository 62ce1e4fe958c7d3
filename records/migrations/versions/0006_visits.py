"""Server-room visits (SOP B).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in with the visit records."""


def downgrade() -> None:
    """Nothing yet: filled in with the visit records."""
