"""Visitors' ID numbers stored masked: the whole numbers stored before are masked.

Until this revision ``visits.id_number`` held the number as typed (every listing
masked it when shown). From now on only the masked form is stored
(:func:`sop.visits.mask_id_number`: all but the last four characters hidden), and
this revision masks the rows stored before. Masking cannot be undone: the
downgrade leaves the masked numbers as they are.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_visits = sa.table(
    "visits",
    sa.column("id", sa.Integer()),
    sa.column("id_number", sa.String(64)),
)


def _masked(number: str, shown: int = 4) -> str:
    """``sop.visits.mask_id_number`` as of this revision (a migration keeps its own copy)."""
    text = "".join(number.split())
    if len(text) <= shown:
        return "*" * len(text)
    return "*" * (len(text) - shown) + text[-shown:]


def upgrade() -> None:
    """Mask every stored ID number that is not masked yet."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_visits.c.id, _visits.c.id_number)).all()
    for visit_id, number in rows:
        masked = _masked(number or "")
        if masked != number:
            connection.execute(
                sa.update(_visits).where(_visits.c.id == visit_id).values(id_number=masked)
            )


def downgrade() -> None:
    """Nothing to undo: the whole numbers are gone (and the schema did not change)."""
