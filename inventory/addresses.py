"""Management addresses: IP addresses and RFC 1123 host names."""

from __future__ import annotations

import ipaddress
import re

from netutils.ip import is_ip

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_LOOKS_NUMERIC = re.compile(r"^[0-9.]+$")


def address_problem(value: str) -> str | None:
    """Say what is wrong with a management address, or ``None`` if it is valid.

    An address is an IPv4/IPv6 address or a DNS name following RFC 1123: at most
    253 characters, dot-separated labels of 1-63 letters, digits and hyphens, no
    label starting or ending with a hyphen, and a last label that is not all digits.

    Args:
        value: The ``hostname`` the user wrote.

    Returns:
        ``None`` if valid, else a message explaining the problem.

    Examples:
        >>> address_problem("10.20.0.1") is None, address_problem("sw1.kantor.go.id") is None
        (True, True)
        >>> address_problem("fe80::1") is None
        True
        >>> address_problem("10.0.0.256")
        "invalid IP address '10.0.0.256'"
        >>> address_problem("sw 1")
        "invalid host name 'sw 1': use letters, digits, hyphens and dots (RFC 1123)"
    """
    if not value:
        return "empty address: give the management IP address or DNS name"
    if is_ip(value):
        return None
    if ":" in value or _LOOKS_NUMERIC.match(value):
        return f"invalid IP address {value!r}"
    name = value[:-1] if value.endswith(".") else value
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"invalid host name {value!r}: use letters, digits, hyphens and dots (RFC 1123)"
    if labels[-1].isdigit():
        return f"invalid host name {value!r}: the last label must not be all digits"
    return None


def normalize_address(value: str) -> str:
    """Return a canonical form of an address, to compare two hosts' addresses.

    Args:
        value: A valid address.

    Returns:
        The compressed IP address, or the lower-case host name without a final dot.

    Examples:
        >>> normalize_address("SW1.Kantor.go.id."), normalize_address("fe80:0::1")
        ('sw1.kantor.go.id', 'fe80::1')
    """
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value.lower().rstrip(".")
