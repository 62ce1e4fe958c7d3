"""SQLAlchemy models: placeholder, filled in by the part that owns it (see records/models.py)."""

from __future__ import annotations
