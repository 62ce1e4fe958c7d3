"""Small argument checks shared by the read/write functions."""

from __future__ import annotations

from datetime import datetime

from records.types import to_utc, utcnow


def one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is in ``allowed``, else raise a ValueError naming ``name``.

    Args:
        name: Field name for the message.
        value: The value given.
        allowed: The accepted values.

    Returns:
        ``value``.

    Raises:
        ValueError: If ``value`` is not allowed.

    Examples:
        >>> one_of("decision", "setuju", ("setuju", "tolak"))
        'setuju'
        >>> one_of("decision", "ok", ("setuju", "tolak"))
        Traceback (most recent call last):
        ...
        ValueError: decision: 'ok' is not one of setuju, tolak
    """
    if value not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


def when(value: datetime | None) -> datetime:
    """Return ``value`` in UTC, or now if None; refuse naive datetimes.

    Args:
        value: An aware datetime or None.

    Returns:
        An aware UTC datetime.
    """
    return utcnow() if value is None else to_utc(value)


def maybe(value: datetime | None) -> datetime | None:
    """Return ``value`` in UTC, or None; refuse naive datetimes.

    Args:
        value: An aware datetime or None.

    Returns:
        An aware UTC datetime or None.
    """
    return None if value is None else to_utc(value)
