"""Which host and group names SIGAP accepts (pure): used by the inventory and the asset register."""

from __future__ import annotations

MAX_NAME_LENGTH = 255
"""Longest host or group name (the records' ``devices.name`` column)."""


def name_problem(name: str, kind: str = "host") -> str | None:
    """Say why a host or group name cannot be used, or return ``None``.

    Names end up in file names, report cells and log lines, so they may not
    hold path separators, ``..``, control characters or spaces at either end.

    Args:
        name: The name as written.
        kind: ``host`` or ``group``, for the message.

    Returns:
        The reason, or ``None`` for a good name.

    Examples:
        >>> name_problem("core-sw1") is None
        True
        >>> name_problem("../etc/passwd")
        "host name '../etc/passwd' may not contain a slash, a backslash or '..': use letters, digits, '-', '_' and '.'"
        >>> name_problem("sw" * 200, "group")
        'group name is 400 characters long; at most 255'
    """  # noqa: E501
    if len(name) > MAX_NAME_LENGTH:
        return f"{kind} name is {len(name)} characters long; at most {MAX_NAME_LENGTH}"
    if "/" in name or "\\" in name or ".." in name:
        return (
            f"{kind} name {name!r} may not contain a slash, a backslash or '..': "
            "use letters, digits, '-', '_' and '.'"
        )
    if name != name.strip():
        return f"{kind} name {name!r} may not start or end with a space"
    return None
