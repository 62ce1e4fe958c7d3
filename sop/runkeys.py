"""Run keys and report periods, pure: which SOP run a month's work belongs to.

A run key names one SOP run in the records (``sop_runs.run_key``, unique). For
SOP A it is the office and the month, so a second run of the same month
continues the first instead of starting a duplicate.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> str:
    """Check a ``YYYY-MM`` month and return it normalised.

    Args:
        value: The month as typed, e.g. ``2026-11``.

    Returns:
        The month, ``YYYY-MM``.

    Raises:
        ValueError: The text is not a month, with what was expected.

    Examples:
        >>> parse_month(" 2026-11 ")
        '2026-11'
        >>> parse_month("2026-13")
        Traceback (most recent call last):
        ...
        ValueError: month '2026-13': expected YYYY-MM with a month from 01 to 12
    """
    text = value.strip()
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"month {value!r}: expected YYYY-MM with a month from 01 to 12")
    return text


def current_month(now: datetime, timezone: ZoneInfo) -> str:
    """The month ``now`` falls in at the office.

    Args:
        now: An aware time.
        timezone: The office's timezone.

    Returns:
        ``YYYY-MM``.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> current_month(datetime(2026, 11, 30, 20, 0, tzinfo=UTC), ZoneInfo("Asia/Jayapura"))
        '2026-12'
    """
    return now.astimezone(timezone).strftime("%Y-%m")


def month_bounds(month: str, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of a month and of the next one, at the office, in UTC.

    Args:
        month: ``YYYY-MM``.
        timezone: The office's timezone.

    Returns:
        ``(start, end)``, aware UTC times; ``end`` is exclusive.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> start, end = month_bounds("2026-12", ZoneInfo("Asia/Jakarta"))
        >>> start.isoformat(), end.isoformat()
        ('2026-11-30T17:00:00+00:00', '2026-12-31T17:00:00+00:00')
    """
    year, mon = (int(part) for part in parse_month(month).split("-"))
    start = datetime(year, mon, 1, tzinfo=timezone)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def previous_months(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first (for 12-month trends).

    Args:
        month: The last month, ``YYYY-MM``.
        count: How many months.

    Returns:
        The months, oldest first.

    Examples:
        >>> previous_months("2026-02", 3)
        ['2025-12', '2026-01', '2026-02']
    """
    year, mon = (int(part) for part in parse_month(month).split("-"))
    index = year * 12 + mon - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def office_slug(office_name: str) -> str:
    """A short, stable key for an office name (lower case, dashes).

    Args:
        office_name: The office's ``short_name``.

    Returns:
        The slug.

    Examples:
        >>> office_slug("Kanwil Kemenkumham Maluku Utara")
        'kanwil-kemenkumham-maluku-utara'
    """
    return re.sub(r"[^a-z0-9]+", "-", office_name.lower()).strip("-")


def maintenance_run_key(office_name: str, month: str) -> str:
    """The run key of SOP A (monthly network maintenance) for an office and month.

    Args:
        office_name: The office's ``short_name``.
        month: ``YYYY-MM``.

    Returns:
        The key, e.g. ``A/kanwil-malut/2026-11``.

    Examples:
        >>> maintenance_run_key("Kanwil Malut", "2026-11")
        'A/kanwil-malut/2026-11'
    """
    return f"A/{office_slug(office_name)}/{parse_month(month)}"
