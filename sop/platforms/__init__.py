"""The platforms SIGAP can collect from, by inventory platform key.

Each platform module under ``sop/platforms/`` defines one
:class:`~sop.platforms.base.Platform` named ``PLATFORM``; this registry lists
them. To add a platform, write its module (see ``docs/platforms.md``) and add
it to :data:`PLATFORMS`.

Examples:
    >>> sorted(PLATFORMS)
    ['cisco_ios', 'frr', 'linux', 'mikrotik_routeros']
    >>> get_platform("linux").transport
    'netmiko'
    >>> get_platform("junos")
    Traceback (most recent call last):
    ...
    KeyError: "unknown platform 'junos'; known: cisco_ios, frr, linux, mikrotik_routeros"
"""

from __future__ import annotations

from sop.platforms import cisco_ios, frr, linux, mikrotik_routeros
from sop.platforms.base import Captures, ParseError, Platform

PLATFORMS: dict[str, Platform] = {
    module.PLATFORM.name: module.PLATFORM for module in (cisco_ios, linux, frr, mikrotik_routeros)
}
"""Inventory platform key -> platform."""

__all__ = ["PLATFORMS", "Captures", "ParseError", "Platform", "get_platform"]


def get_platform(name: str) -> Platform:
    """Return the platform registered under ``name``.

    Args:
        name: Inventory platform key, e.g. ``cisco_ios``.

    Returns:
        The platform.

    Raises:
        KeyError: If no platform has that name; the message lists the known ones.
    """
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise KeyError(f"unknown platform {name!r}; known: {known}") from None
