"""Status ``interrupted`` for collection runs and step logs (a killed run's leftovers).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = {
    "collection_runs": ("running", "completed", "failed", "cancelled"),
    "step_logs": ("running", "waiting", "completed", "failed", "skipped", "cancelled"),
}


def _status_check(table: str, statuses: Sequence[str]) -> None:
    """Replace the table's ``status`` CHECK constraint with one allowing ``statuses``."""
    allowed = ", ".join(f"'{status}'" for status in statuses)
    # SQLite cannot alter a constraint: batch mode copies the table
    with op.batch_alter_table(table, recreate="auto") as batch:
        batch.drop_constraint(op.f(f"ck_{table}_status"), type_="check")
        batch.create_check_constraint(op.f(f"ck_{table}_status"), f"status IN ({allowed})")


def upgrade() -> None:
    """Allow ``interrupted``."""
    for table, statuses in _BEFORE.items():
        _status_check(table, (*statuses, "interrupted"))


def downgrade() -> None:
    """Back to the statuses before; interrupted rows become ``failed``."""
    for table, statuses in _BEFORE.items():
        op.execute(f"UPDATE {table} SET status = 'failed' WHERE status = 'interrupted'")
        _status_check(table, statuses)
