"""SLA arithmetic: is an SOP step within its time standard?

The clock rules of SIGAP (written up for users in ``docs/sla.md``):

* Time standards count calendar (wall-clock) time, not working hours, in the
  office's timezone. Every datetime must be timezone-aware.
* Minutes, hours, days and weeks are exact lengths (a day is 24 hours). A month
  is a calendar month: the same day of the month one month later, clamped to
  the last day of a shorter month (31 January + 1 Bulan = 28/29 February).
* The office may set a breach factor (default 1.0): a step is breached only
  after ``factor x standard`` (for months: ``factor x`` the calendar length of
  the months from the start).
* Time spent waiting on a third party (provider, vendor, visitor) is recorded
  as wait intervals. They are clipped to the step, merged where they overlap,
  and taken off the SLA clock: the due time moves later by the waiting time.
* A step without a time standard is never breached ("no standard").

Everything here is pure: no clock is read, "now" is always passed in.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sop.durations import Duration, Unit

Wait = tuple[datetime, datetime | None]
"""A wait interval ``(start, end)``; ``end`` is ``None`` while still waiting."""

_ZERO = timedelta(0)


class SlaStatus(StrEnum):
    """Outcome of a step against its time standard."""

    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    NO_STANDARD = "no_standard"


@dataclass(frozen=True)
class SlaResult:
    """A step measured against its time standard.

    Attributes:
        status: Met, breached, still running within time, or no standard.
        standard: The time standard, ``None`` if the SOP gives none.
        start: When the step started.
        end: When it ended, or "now" for a running step.
        elapsed: Time on the SLA clock: wall time minus waiting.
        waiting: Time spent waiting on a third party (merged, clipped).
        wall: Total wall-clock time from start to end.
        allowed: ``factor x standard`` from the start; ``None`` without a standard.
        due: When the step becomes breached (moved later by the waiting time).
        overrun: How far past the due time the step ended (or now is); zero if not.
        factor: The breach factor used.
    """

    status: SlaStatus
    standard: Duration | None
    start: datetime
    end: datetime
    elapsed: timedelta
    waiting: timedelta
    wall: timedelta
    allowed: timedelta | None
    due: datetime | None
    overrun: timedelta
    factor: float

    @property
    def breached(self) -> bool:
        """True if the step took (or is taking) longer than allowed."""
        return self.status is SlaStatus.BREACHED

    @property
    def remaining(self) -> timedelta | None:
        """Time left before the due time (zero once breached); ``None`` without a standard."""
        if self.due is None:
            return None
        return max(_ZERO, _between(self.end, self.due))


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (the office's timezone), got {value}")
    return value


def _between(a: datetime, b: datetime) -> timedelta:
    """Exact time from ``a`` to ``b`` (via UTC, so the same for every timezone)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


def _plus(start: datetime, delta: timedelta) -> datetime:
    """``start + delta`` as exact elapsed time, shown in ``start``'s timezone."""
    return (start.astimezone(UTC) + delta).astimezone(start.tzinfo)


def add_months(start: datetime, months: int) -> datetime:
    """Add calendar months: same day and time of day, clamped to the month's end.

    Args:
        start: An aware datetime, in the office's timezone.
        months: How many months (may be negative).

    Returns:
        The datetime ``months`` later, in ``start``'s timezone.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> wib = ZoneInfo("Asia/Jakarta")
        >>> add_months(datetime(2024, 1, 31, 9, 0, tzinfo=wib), 1).isoformat()
        '2024-02-29T09:00:00+07:00'
        >>> add_months(datetime(2023, 12, 15, tzinfo=wib), 2).date().isoformat()
        '2024-02-15'
    """
    _aware(start, "start")
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    local = start.replace(year=year, month=month, day=day)
    return local.astimezone(UTC).astimezone(start.tzinfo)


def _check_factor(factor: float) -> float:
    if isinstance(factor, bool) or not isinstance(factor, int | float):
        raise TypeError(f"breach factor must be a number, got {factor!r}")
    if not math.isfinite(factor) or factor <= 0:
        raise ValueError(f"breach factor must be a positive number, got {factor}")
    return float(factor)


def allowed_time(start: datetime, standard: Duration, factor: float = 1.0) -> timedelta:
    """Return how long a step started at ``start`` may take: ``factor x standard``.

    Args:
        start: When the step started (aware).
        standard: Its time standard.
        factor: The office's breach factor (default 1.0).

    Returns:
        The exact allowed time; for months, based on the calendar from ``start``.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> t = datetime(2024, 2, 1, tzinfo=ZoneInfo("Asia/Makassar"))
        >>> allowed_time(t, Duration(1, Unit.MONTH)).days
        29
        >>> allowed_time(t, Duration(1, Unit.HOUR), factor=1.5)
        datetime.timedelta(seconds=5400)
    """
    _aware(start, "start")
    factor = _check_factor(factor)
    if standard.unit is Unit.MONTH:
        base = _between(start, add_months(start, standard.amount))
    else:
        base = standard.as_timedelta()
    return base if factor == 1.0 else base * factor


def due_time(start: datetime, standard: Duration, factor: float = 1.0) -> datetime:
    """Return when a step started at ``start`` becomes breached, ignoring waits.

    Args:
        start: When the step started (aware, the office's timezone).
        standard: Its time standard.
        factor: The office's breach factor (default 1.0).

    Returns:
        ``start + factor x standard``, in ``start``'s timezone.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> t = datetime(2023, 1, 31, 8, 0, tzinfo=ZoneInfo("Asia/Jayapura"))
        >>> due_time(t, Duration(1, Unit.MONTH)).isoformat()
        '2023-02-28T08:00:00+09:00'
        >>> due_time(t, Duration(10, Unit.MINUTE), factor=2).isoformat()
        '2023-01-31T08:20:00+09:00'
    """
    if standard.unit is Unit.MONTH and _check_factor(factor) == 1.0:
        return add_months(start, standard.amount)
    return _plus(start, allowed_time(start, standard, factor))


def merge_waits(
    start: datetime, end: datetime, waits: Iterable[Wait]
) -> list[tuple[datetime, datetime]]:
    """Clip wait intervals to ``[start, end]`` and merge those that overlap or touch.

    Args:
        start: Start of the step.
        end: End of the step, or "now" for a running step.
        waits: ``(from, to)`` intervals; ``to`` is ``None`` while still waiting.

    Returns:
        Disjoint intervals in time order, each inside ``[start, end]``.

    Raises:
        ValueError: A naive datetime, or a wait that ends before it starts.

    Examples:
        >>> from datetime import timezone
        >>> wita = timezone(timedelta(hours=8))
        >>> at = lambda h: datetime(2024, 5, 6, h, tzinfo=wita)
        >>> waits = [(at(9), at(11)), (at(10), at(12)), (at(16), None), (at(6), at(7))]
        >>> [(a.hour, b.hour) for a, b in merge_waits(at(8), at(17), waits)]
        [(9, 12), (16, 17)]
    """
    _aware(start, "start")
    _aware(end, "end")
    clipped: list[tuple[datetime, datetime]] = []
    for i, (w_start, w_end) in enumerate(waits):
        _aware(w_start, f"wait {i + 1} start")
        w_end = end if w_end is None else _aware(w_end, f"wait {i + 1} end")
        if w_end < w_start:
            raise ValueError(f"wait {i + 1} ends ({w_end}) before it starts ({w_start})")
        lo, hi = max(w_start, start), min(w_end, end)
        if lo < hi:
            clipped.append((lo, hi))
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(clipped):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def waiting_time(start: datetime, end: datetime, waits: Iterable[Wait]) -> timedelta:
    """Return the time spent waiting on third parties between ``start`` and ``end``.

    Args:
        start: Start of the step.
        end: End of the step, or "now".
        waits: Wait intervals (see :func:`merge_waits`).

    Returns:
        The total of the merged, clipped intervals.
    """
    return sum((_between(lo, hi) for lo, hi in merge_waits(start, end, waits)), _ZERO)


def elapsed(start: datetime, end: datetime, waits: Iterable[Wait] = ()) -> timedelta:
    """Return the time on the SLA clock: wall time minus waiting on third parties.

    Args:
        start: Start of the step (aware).
        end: End of the step, or "now" (aware).
        waits: Wait intervals; clipped to the step and merged when overlapping.

    Returns:
        ``end - start - waiting``.

    Raises:
        ValueError: ``end`` is before ``start``, or a naive datetime.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> wib = ZoneInfo("Asia/Jakarta")
        >>> at = lambda h, m=0: datetime(2024, 5, 6, h, m, tzinfo=wib)
        >>> str(elapsed(at(8), at(12), [(at(9), at(10)), (at(9, 30), at(10, 30))]))
        '2:30:00'
    """
    _aware(start, "start")
    _aware(end, "end")
    wall = _between(start, end)
    if wall < _ZERO:
        raise ValueError(f"end ({end}) is before start ({start})")
    return wall - waiting_time(start, end, waits)


def evaluate(
    start: datetime,
    end_or_now: datetime,
    standard: Duration | None,
    waits: Iterable[Wait] = (),
    factor: float = 1.0,
    *,
    running: bool = False,
) -> SlaResult:
    """Measure a step against its time standard.

    Args:
        start: When the step started (aware, the office's timezone).
        end_or_now: When it ended; for a running step, the current time.
        standard: The step's time standard, ``None`` if the SOP gives none.
        waits: Intervals spent waiting on a third party (provider, vendor, visitor).
        factor: The office's breach factor (default 1.0).
        running: True if the step has not ended yet.

    Returns:
        The result. A finished step is met if it ended at or before the due time;
        a running step is breached as soon as "now" is past the due time.

    Raises:
        ValueError: Naive datetimes, end before start, a bad wait or factor.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> wib = ZoneInfo("Asia/Jakarta")
        >>> at = lambda h, m=0: datetime(2024, 5, 6, h, m, tzinfo=wib)
        >>> r = evaluate(at(8), at(9, 40), Duration(1, Unit.HOUR), [(at(8, 30), at(9))])
        >>> r.status.value, str(r.elapsed), str(r.waiting), r.due.strftime("%H:%M"), str(r.overrun)
        ('breached', '1:10:00', '0:30:00', '09:30', '0:10:00')
        >>> evaluate(at(8), at(8, 20), Duration(30, Unit.MINUTE), running=True).status.value
        'running'
        >>> evaluate(at(8), at(20), None).status.value
        'no_standard'
    """
    _aware(start, "start")
    _aware(end_or_now, "end_or_now")
    factor = _check_factor(factor)
    wall = _between(start, end_or_now)
    if wall < _ZERO:
        raise ValueError(f"end ({end_or_now}) is before start ({start})")
    waiting = waiting_time(start, end_or_now, waits)
    if standard is None:
        status, allowed, due, overrun = SlaStatus.NO_STANDARD, None, None, _ZERO
    else:
        allowed = allowed_time(start, standard, factor)
        due = _plus(due_time(start, standard, factor), waiting)
        overrun = max(_ZERO, _between(due, end_or_now))
        if overrun > _ZERO:
            status = SlaStatus.BREACHED
        else:
            status = SlaStatus.RUNNING if running else SlaStatus.MET
    return SlaResult(
        status=status,
        standard=standard,
        start=start,
        end=end_or_now,
        elapsed=wall - waiting,
        waiting=waiting,
        wall=wall,
        allowed=allowed,
        due=due,
        overrun=overrun,
        factor=factor,
    )
