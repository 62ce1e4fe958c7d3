"""Time standards (*Waktu* of the *Mutu Baku*) as written in Indonesian SOPs.

An SOP writes its time standard as a number and a unit, e.g. ``10 Menit``,
``1 Jam``, ``3 Hari`` or ``1 Bulan``. :func:`parse_duration` turns such text
into a :class:`Duration`; Indonesian and English unit names are accepted, in
any letter case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Unit(StrEnum):
    """Unit of a time standard."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


_UNIT_WORDS: dict[str, Unit] = {
    "menit": Unit.MINUTE,
    "min": Unit.MINUTE,
    "minute": Unit.MINUTE,
    "minutes": Unit.MINUTE,
    "jam": Unit.HOUR,
    "hour": Unit.HOUR,
    "hours": Unit.HOUR,
    "hari": Unit.DAY,
    "day": Unit.DAY,
    "days": Unit.DAY,
    "minggu": Unit.WEEK,
    "week": Unit.WEEK,
    "weeks": Unit.WEEK,
    "bulan": Unit.MONTH,
    "month": Unit.MONTH,
    "months": Unit.MONTH,
}

_ID_NAMES: dict[Unit, str] = {
    Unit.MINUTE: "Menit",
    Unit.HOUR: "Jam",
    Unit.DAY: "Hari",
    Unit.WEEK: "Minggu",
    Unit.MONTH: "Bulan",
}

_EXACT: dict[Unit, timedelta] = {
    Unit.MINUTE: timedelta(minutes=1),
    Unit.HOUR: timedelta(hours=1),
    Unit.DAY: timedelta(days=1),
    Unit.WEEK: timedelta(weeks=1),
}

ACCEPTED_FORMS = (
    "a whole number and a unit, e.g. '10 Menit', '1 Jam', '3 Hari', '1 Minggu', '1 Bulan'; "
    "units (any case): menit/min/minute(s), jam/hour(s), hari/day(s), minggu/week(s), "
    "bulan/month(s)"
)
"""Shown to the user whenever a time standard cannot be read."""

_PATTERN = re.compile(r"^\s*(\d+)\s*([A-Za-z]+)\.?\s*$")


@dataclass(frozen=True)
class Duration:
    """A time standard: a positive whole amount of one unit.

    Attributes:
        amount: How many units (at least 1).
        unit: The unit; a month is a calendar month, the others are exact.

    Examples:
        >>> d = Duration(30, Unit.MINUTE)
        >>> d.label("id"), d.label("en"), d.as_timedelta()
        ('30 Menit', '30 minutes', datetime.timedelta(seconds=1800))
    """

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError(f"a time standard must be at least 1, got {self.amount}")

    @property
    def is_calendar(self) -> bool:
        """True for months, whose length depends on the date they start."""
        return self.unit is Unit.MONTH

    def as_timedelta(self) -> timedelta:
        """Return the exact length of a minute/hour/day/week standard.

        Returns:
            The length as a :class:`~datetime.timedelta`.

        Raises:
            ValueError: For months, which have no fixed length (see :mod:`sop.sla`).

        Examples:
            >>> Duration(2, Unit.DAY).as_timedelta()
            datetime.timedelta(days=2)
            >>> Duration(1, Unit.MONTH).as_timedelta()
            Traceback (most recent call last):
            ...
            ValueError: a month has no fixed length; use sop.sla.due_time
        """
        if self.unit is Unit.MONTH:
            raise ValueError("a month has no fixed length; use sop.sla.due_time")
        return self.amount * _EXACT[self.unit]

    def label(self, lang: str = "id") -> str:
        """Return the standard as text in Indonesian (``id``) or English (``en``).

        Args:
            lang: ``"id"`` or ``"en"``.

        Returns:
            E.g. ``"1 Bulan"`` or ``"1 month"``.

        Examples:
            >>> Duration(1, Unit.MONTH).label(), Duration(3, Unit.DAY).label("en")
            ('1 Bulan', '3 days')
        """
        if lang == "en":
            return f"{self.amount} {self.unit.value}{'' if self.amount == 1 else 's'}"
        return f"{self.amount} {_ID_NAMES[self.unit]}"

    def __str__(self) -> str:
        return self.label("id")


def parse_duration(text: str) -> Duration:
    """Read a time standard such as ``"10 Menit"`` or ``"1 month"``.

    Args:
        text: The time standard as the SOP writes it.

    Returns:
        The duration.

    Raises:
        ValueError: The text is not a number and a known unit; the message lists
            the accepted forms.

    Examples:
        >>> parse_duration("10 Menit")
        Duration(amount=10, unit=<Unit.MINUTE: 'minute'>)
        >>> [str(parse_duration(t)) for t in ("1 jam", "3 HARI", "1 Bulan")]
        ['1 Jam', '3 Hari', '1 Bulan']
        >>> parse_duration("2 weeks").label("en"), parse_duration("45min").label()
        ('2 weeks', '45 Menit')
        >>> parse_duration("sebentar")
        Traceback (most recent call last):
        ...
        ValueError: cannot read time standard 'sebentar': expected a whole number and a unit, ...
    """
    match = _PATTERN.match(text) if isinstance(text, str) else None
    unit = _UNIT_WORDS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise ValueError(f"cannot read time standard {text!r}: expected {ACCEPTED_FORMS}")
    amount = int(match.group(1))
    if amount < 1:
        raise ValueError(f"time standard {text!r} must be at least 1")
    return Duration(amount, unit)


def format_total(durations: Iterable[Duration | None], lang: str = "id") -> str:
    """Add up time standards for display, keeping calendar months apart.

    Minutes, hours, days and weeks are summed exactly and shown as days, hours
    and minutes; months are counted on their own because their length depends
    on the start date. Steps without a standard (``None``) add nothing.

    Args:
        durations: The standards to add.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``"1 Bulan 1 Hari 1 Jam 10 Menit"``, or ``"-"`` if there is none.

    Examples:
        >>> ds = [parse_duration(t) for t in ("10 Menit", "1 Bulan", "1 Hari", "70 menit")]
        >>> format_total(ds), format_total(ds, "en")
        ('1 Bulan 1 Hari 1 Jam 20 Menit', '1 month 1 day 1 hour 20 minutes')
        >>> format_total([None, None])
        '-'
    """
    months = 0
    exact = timedelta()
    for d in durations:
        if d is None:
            continue
        if d.unit is Unit.MONTH:
            months += d.amount
        else:
            exact += d.as_timedelta()
    minutes_total = int(exact.total_seconds() // 60)
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        Duration(n, unit).label(lang)
        for n, unit in (
            (months, Unit.MONTH),
            (days, Unit.DAY),
            (hours, Unit.HOUR),
            (minutes, Unit.MINUTE),
        )
        if n
    ]
    return " ".join(parts) if parts else "-"
