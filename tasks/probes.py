"""TCP probes: is a device's SSH port or a server's service accepting connections?

What a website/server monitor does first: open a TCP connection and close it.
Every probe has its own time limit; a failed probe is a result, never an exception.
:func:`probe_tcp` and :func:`probe_all` probe :class:`TcpTarget` s (the monitoring);
:func:`tcp_probe` is the one-address form the incident flow asks with (its reasons are
the operating system's words).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass(frozen=True)
class TcpTarget:
    """One address and port to probe.

    Attributes:
        label: What it is (host name, or ``host/service``).
        address: Host name or IP address.
        port: TCP port.
    """

    label: str
    address: str
    port: int


@dataclass(frozen=True)
class TcpResult:
    """The answer of one probe.

    Attributes:
        target: What was probed.
        ok: Whether the connection was accepted.
        error: Why not (e.g. ``connection refused``, ``no answer within 3 s``).
        seconds: Time to connect (or to fail).
    """

    target: TcpTarget
    ok: bool
    error: str | None
    seconds: float


def probe_tcp(target: TcpTarget, timeout: float = 3.0) -> TcpResult:
    """Open and close one TCP connection.

    Args:
        target: Address and port.
        timeout: Seconds before giving up.

    Returns:
        The result; never raises for network errors.
    """
    begin = time.monotonic()
    try:
        with socket.create_connection((target.address, target.port), timeout=timeout):
            pass
    except TimeoutError:
        return TcpResult(target, False, f"no answer within {timeout:g} s", time.monotonic() - begin)
    except ConnectionRefusedError:
        return TcpResult(target, False, "connection refused", time.monotonic() - begin)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return TcpResult(target, False, reason, time.monotonic() - begin)
    return TcpResult(target, True, None, time.monotonic() - begin)


def probe_all(
    targets: Sequence[TcpTarget], timeout: float = 3.0, workers: int = 20
) -> list[TcpResult]:
    """Probe many targets at once (bounded threads), results in the targets' order.

    Args:
        targets: What to probe.
        timeout: Seconds per probe.
        workers: Probes at once.

    Returns:
        One result per target.
    """
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(lambda t: probe_tcp(t, timeout), targets))


def tcp_probe(host: str, port: int, timeout: float = 5.0) -> tuple[bool, str | None]:
    """Open and close one TCP connection to ``host:port``.

    Args:
        host: Address or name.
        port: TCP port (the device's SSH port).
        timeout: Seconds allowed to connect.

    Returns:
        ``(True, None)`` when the port accepted the connection, else
        ``(False, reason)`` with the operating system's reason.

    Examples:
        >>> tcp_probe("127.0.0.1", 1, timeout=1.0)[0]
        False
    """
    try:
        with socket.create_connection((host, port), timeout=max(0.5, timeout)):
            return True, None
    except OSError as exc:
        return False, exc.strerror or type(exc).__name__
