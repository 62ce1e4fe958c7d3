"""Device platforms: Netmiko device types, plus ``frr``, mapped to NAPALM drivers.

A host's ``platform`` is a Netmiko device type (``cisco_ios``, ``arista_eos``,
``linux``...). SIGAP also accepts ``frr`` for FRRouting reached over SSH with
``vtysh`` as the login shell; Netmiko drives that shell as ``cisco_ios`` (the
CLI is IOS-like). The NAPALM driver comes from netutils' library mapper
(``None`` where NAPALM has no driver, e.g. ``linux`` and ``frr``).
"""

from __future__ import annotations

import difflib
from functools import cache

from netmiko.ssh_dispatcher import CLASS_MAPPER
from netutils.lib_mapper import NAPALM_LIB_MAPPER, NAPALM_LIB_MAPPER_REVERSE, NETMIKO_LIB_MAPPER

#: Platforms SIGAP adds to Netmiko's list, with the Netmiko device type used to log in.
EXTRA_PLATFORMS: dict[str, str] = {"frr": "cisco_ios"}

#: The platforms SIGAP's SOPs are written and tested for (others validate but may lack checks).
COMMON_PLATFORMS: tuple[str, ...] = (
    "cisco_ios",
    "cisco_xe",
    "cisco_nxos",
    "cisco_xr",
    "arista_eos",
    "juniper_junos",
    "huawei",
    "mikrotik_routeros",
    "linux",
    "frr",
)

_TRANSPORT_SUFFIXES = ("_ssh", "_telnet", "_serial")


@cache
def known_platforms() -> frozenset[str]:
    """Return every accepted platform name: Netmiko's device types plus ``frr``.

    Returns:
        The set of platform names.

    Examples:
        >>> {"cisco_ios", "linux", "frr"} <= known_platforms()
        True
        >>> "cisco_iso" in known_platforms()
        False
    """
    return frozenset(CLASS_MAPPER) | frozenset(EXTRA_PLATFORMS)


def suggest_platform(name: str) -> str | None:
    """Return the closest known platform to a misspelt ``name``, if any is close.

    A NAPALM driver name (``junos``, ``eos``) suggests its Netmiko platform, and a
    vendor prefix (``mikrotik``) the first common platform starting with it.

    Args:
        name: The platform the user wrote.

    Returns:
        A known platform name, or ``None`` if nothing is similar.

    Examples:
        >>> suggest_platform("cisco_iso"), suggest_platform("Cisco_IOS")
        ('cisco_ios', 'cisco_ios')
        >>> suggest_platform("junos"), suggest_platform("mikrotik")
        ('juniper_junos', 'mikrotik_routeros')
        >>> suggest_platform("zzzzzz") is None
        True
    """
    lowered = name.lower().replace("-", "_").replace(" ", "_")
    if lowered in known_platforms():
        return lowered
    if NAPALM_LIB_MAPPER.get(lowered) in known_platforms():
        return NAPALM_LIB_MAPPER[lowered]
    for platform in COMMON_PLATFORMS:
        if platform.startswith(lowered + "_"):
            return platform
    preferred = difflib.get_close_matches(lowered, COMMON_PLATFORMS, n=1, cutoff=0.75)
    if preferred:
        return preferred[0]
    found = difflib.get_close_matches(lowered, sorted(known_platforms()), n=1, cutoff=0.75)
    return found[0] if found else None


def unknown_platform_message(name: str) -> str:
    """Return the error message for a platform that is not known.

    Args:
        name: The platform the user wrote.

    Returns:
        A message with a "did you mean" suggestion where one is close.

    Examples:
        >>> unknown_platform_message("arista_eso")
        "unknown platform 'arista_eso'; did you mean 'arista_eos'?"
        >>> unknown_platform_message("toaster")
        "unknown platform 'toaster'; use a Netmiko device type such as cisco_ios, ..."
    """
    guess = suggest_platform(name)
    if guess:
        return f"unknown platform {name!r}; did you mean {guess!r}?"
    return f"unknown platform {name!r}; use a Netmiko device type such as " + ", ".join(
        COMMON_PLATFORMS
    )


def napalm_driver(platform: str) -> str | None:
    """Return the NAPALM driver name for a platform, or ``None`` if there is none.

    The transport suffixes Netmiko allows (``_ssh``, ``_telnet``, ``_serial``)
    are ignored for the lookup.

    Args:
        platform: A known platform name.

    Returns:
        The NAPALM driver name (``ios``, ``eos``, ``junos``...) or ``None``.

    Examples:
        >>> napalm_driver("cisco_ios"), napalm_driver("cisco_xr"), napalm_driver("arista_eos")
        ('ios', 'iosxr', 'eos')
        >>> napalm_driver("cisco_ios_telnet")
        'ios'
        >>> napalm_driver("linux") is None, napalm_driver("frr") is None
        (True, True)
    """
    candidates = [platform]
    for suffix in _TRANSPORT_SUFFIXES:
        if platform.endswith(suffix):
            candidates.append(platform.removesuffix(suffix))
    for candidate in candidates:
        normalized = NETMIKO_LIB_MAPPER.get(candidate)
        if normalized and normalized in NAPALM_LIB_MAPPER_REVERSE:
            return NAPALM_LIB_MAPPER_REVERSE[normalized]
    return None


def netmiko_device_type(platform: str) -> str:
    """Return the Netmiko device type used to log in to a platform.

    Args:
        platform: A known platform name.

    Returns:
        The platform itself, except ``frr`` whose vtysh is driven as ``cisco_ios``.

    Examples:
        >>> netmiko_device_type("frr"), netmiko_device_type("linux")
        ('cisco_ios', 'linux')
    """
    return EXTRA_PLATFORMS.get(platform, platform)
