"""The asset register and its events (SOP D).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in with the asset register."""


def downgrade() -> None:
    """Nothing yet: filled in with the asset register."""
