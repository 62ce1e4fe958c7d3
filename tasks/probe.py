"""A TCP reachability probe: does the device's management port accept a connection?"""

from __future__ import annotations

import socket


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
