"""Turn what went wrong in a device session into one of SIGAP's outcomes.

Each device gets exactly one outcome (:data:`sop.device.OUTCOMES`). Only
``unreachable`` is worth retrying: retrying an authentication failure would
lock the account on many devices, and a changed host key needs a human.
"""

from __future__ import annotations

import socket
from typing import TypeVar

import paramiko
from napalm.base.exceptions import ConnectionException
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from sop.platforms.base import ParseError

E = TypeVar("E", bound=BaseException)

RETRYABLE: frozenset[str] = frozenset({"unreachable"})
"""Outcomes after which a new attempt may succeed."""


def find_in_chain(exc: BaseException, kind: type[E]) -> E | None:
    """Find an exception of ``kind`` in ``exc`` or the exceptions it was raised from.

    Netmiko re-raises Paramiko's errors as its own and NAPALM re-raises Netmiko's,
    so the real cause (e.g. a changed host key) sits deeper in the chain.

    Args:
        exc: The exception caught.
        kind: The exception class to look for.

    Returns:
        The first match, outermost first, or ``None``.

    Examples:
        >>> try:
        ...     try:
        ...         raise KeyError("inner")
        ...     except KeyError:
        ...         raise RuntimeError("outer")
        ... except RuntimeError as e:
        ...     find_in_chain(e, KeyError)
        KeyError('inner')
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def classify(exc: BaseException, *, deadline_passed: bool = False) -> str:
    """Map an exception from a device session to an outcome.

    Args:
        exc: What the session raised.
        deadline_passed: Whether the per-device time limit had passed (then a
            broken connection is the watchdog's doing, i.e. a timeout).

    Returns:
        One of ``unreachable``, ``auth_failed``, ``timeout``, ``host_key_changed``,
        ``parse_error``.

    Examples:
        >>> classify(ConnectionRefusedError(111, "Connection refused"))
        'unreachable'
        >>> classify(paramiko.AuthenticationException("Authentication failed."))
        'auth_failed'
        >>> classify(ReadTimeout("Pattern not detected"))
        'timeout'
        >>> classify(EOFError(), deadline_passed=True)
        'timeout'
    """
    if find_in_chain(exc, paramiko.BadHostKeyException):
        return "host_key_changed"
    if find_in_chain(exc, NetmikoAuthenticationException) or find_in_chain(
        exc, paramiko.AuthenticationException
    ):
        return "auth_failed"
    if isinstance(exc, ParseError):
        return "parse_error"
    if deadline_passed or isinstance(exc, ReadTimeout | socket.timeout):
        return "timeout"
    if isinstance(
        exc,
        ConnectionException
        | NetmikoTimeoutException
        | ConnectionError
        | OSError
        | EOFError
        | paramiko.SSHException,
    ):
        return "unreachable"
    return "parse_error"


def scrub(text: str, secrets: list[str]) -> str:
    """Remove every secret value from an error text.

    Args:
        text: The error text.
        secrets: Values that must not appear (empty strings are ignored).

    Returns:
        The text with each secret replaced by ``***``.

    Examples:
        >>> scrub("login as admin with s3cret failed", ["s3cret", ""])
        'login as admin with *** failed'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
