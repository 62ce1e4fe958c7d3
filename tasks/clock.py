"""The time SIGAP's flows see: the wall clock, or a test's controlled clock.

SLA deadlines and approval lockouts depend on "now". Flows ask :func:`now`
instead of :func:`datetime.now`, so a test can move time forward
(:func:`use_clock`) and watch a step breach its time standard without waiting
for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current time, aware, in UTC (from the controlled clock when one is set).

    Returns:
        The time.
    """
    source = _source
    return source() if source is not None else datetime.now(UTC)


class ControlledClock:
    """A clock that runs with the wall clock from a start, plus jumps a test asks for.

    Examples:
        >>> clock = ControlledClock()
        >>> before = clock()
        >>> clock.advance(hours=2)
        >>> (clock() - before) >= timedelta(hours=2)
        True
    """

    def __init__(self) -> None:
        """Start at the wall clock's time."""
        self._offset = timedelta()

    def advance(self, **delta: float) -> None:
        """Move the clock forward.

        Args:
            **delta: :class:`datetime.timedelta` arguments, e.g. ``hours=25``.
        """
        with _lock:
            self._offset += timedelta(**delta)

    def __call__(self) -> datetime:
        """The controlled time."""
        return datetime.now(UTC) + self._offset


@contextmanager
def use_clock(clock: Callable[[], datetime]) -> Iterator[Callable[[], datetime]]:
    """Make :func:`now` answer from ``clock`` within the block (process-wide).

    Args:
        clock: Returns aware times.

    Yields:
        The clock.
    """
    global _source
    with _lock:
        previous, _source = _source, clock
    try:
        yield clock
    finally:
        with _lock:
            _source = previous
