"""Column types shared by the records models.

SQLite has no time-zone-aware timestamp, PostgreSQL's ``timestamptz`` hands
values back in the session's time zone. :class:`UTCDateTime` hides both: it
accepts only aware datetimes, stores them in UTC and always returns aware UTC
datetimes, on every database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime.

    Returns:
        ``datetime.now(UTC)``.

    Examples:
        >>> utcnow().tzinfo
        datetime.timezone.utc
    """
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; refuse a naive one.

    Args:
        value: An aware datetime.

    Returns:
        The same instant in UTC.

    Raises:
        ValueError: If ``value`` has no time zone (a naive time is ambiguous).

    Examples:
        >>> from datetime import timedelta, timezone
        >>> wit = timezone(timedelta(hours=9))
        >>> to_utc(datetime(2026, 11, 2, 9, 0, tzinfo=wit)).isoformat()
        '2026-11-02T00:00:00+00:00'
        >>> to_utc(datetime(2026, 11, 2, 9, 0))
        Traceback (most recent call last):
        ...
        ValueError: naive datetime 2026-11-02 09:00:00: give a time zone (e.g. tzinfo=UTC)
    """
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value}: give a time zone (e.g. tzinfo=UTC)")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and returns aware UTC datetimes.

    Migrations spell this column type as ``sa.DateTime(timezone=True)``; the
    decorator only changes what Python sends and receives.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC before storing (naive on SQLite, which keeps no zone)."""
        if value is None:
            return None
        utc = to_utc(value)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the database handed back."""
        if value is None:
            return None
        stamp: datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)
