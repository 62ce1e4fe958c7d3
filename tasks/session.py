"""One bounded SSH session to one device: ask what the platform lists, return raw answers.

This is the only module that drives Netmiko and NAPALM. It builds nothing and
parses nothing: :class:`sop.platforms.base.Platform` says which getters and
commands to run, and its ``parse`` reads the :class:`Captures` later.

The session is bounded in time from the outside: SIGAP opens the TCP socket
itself and hands it to Paramiko, so a :class:`Watchdog` can shut it down when
the per-device limit passes, whatever the session is doing (logging in, or
hung in the middle of a command). Read timeouts are also capped to the time
left.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from napalm import get_network_driver
from netmiko import BaseConnection, ConnectHandler

from sop.platforms.base import Captures, Platform
from tasks.hostkeys import HostKey, write_known_hosts
from tasks.outcomes import classify

# Netmiko logs every byte it reads and writes at DEBUG (running configs with their
# secrets, the password it types). SIGAP's logs show only masked text, so Netmiko's
# loggers stop at INFO whatever level the rest of the logging runs at.
logging.getLogger("netmiko").setLevel(logging.INFO)


@dataclass(frozen=True)
class Target:
    """Where and as whom to log in (the password is passed separately, never stored here).

    Attributes:
        name: Inventory name.
        hostname: Management address.
        port: SSH port.
        username: Login name.
    """

    name: str
    hostname: str
    port: int
    username: str


@dataclass
class Watchdog:
    """Shuts a device's socket down when the per-device deadline passes.

    Attributes:
        deadline: ``time.monotonic()`` value after which the session must end.
        fired: Whether the watchdog closed the socket.
    """

    deadline: float
    fired: bool = False
    _sock: socket.socket | None = None
    _timer: threading.Timer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def guard(self, sock: socket.socket) -> None:
        """Close ``sock`` at the deadline unless :meth:`cancel` comes first."""
        with self._lock:
            self._sock = sock
            self._timer = threading.Timer(self.remaining(), self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    self._sock.close()

    def cancel(self) -> None:
        """Stop watching (the session ended on its own)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._sock = None


def open_socket(target: Target, timeout: float) -> socket.socket:
    """Open the TCP connection to the device.

    Args:
        target: The device.
        timeout: Seconds allowed to connect.

    Returns:
        The connected socket.

    Raises:
        OSError: Refused, unroutable or timed out (the device is unreachable).
    """
    return socket.create_connection((target.hostname, target.port), timeout=max(0.5, timeout))


def _ssh_options(
    target: Target, sock: socket.socket, known_hosts: Path, watchdog: Watchdog
) -> dict[str, Any]:
    """Netmiko arguments shared by the Netmiko and NAPALM paths."""
    left = max(1.0, watchdog.remaining())
    return {
        "port": target.port,
        "sock": sock,
        "ssh_strict": True,  # reject any key but the pinned one
        "system_host_keys": False,
        "alt_host_keys": True,
        "alt_key_file": str(known_hosts),
        "use_keys": False,
        "allow_agent": False,
        "conn_timeout": min(10.0, left),
        "auth_timeout": min(10.0, left),
        "banner_timeout": min(10.0, left),
        "read_timeout_override": left,
        "fast_cli": True,
    }


@contextlib.contextmanager
def _known_hosts(target: Target, key: HostKey) -> Iterator[Path]:
    path = write_known_hosts(target.hostname, target.port, key)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def capture(
    target: Target,
    platform: Platform,
    password: str,
    enable_secret: str,
    pinned_key: HostKey,
    watchdog: Watchdog,
) -> Captures:
    """Log in, run the platform's getters and commands, and return the raw answers.

    Args:
        target: The device.
        platform: What to ask and how to log in.
        password: Login password (resolved from the inventory reference).
        enable_secret: Enable password for platforms with an enable mode.
        pinned_key: The host key the device must present.
        watchdog: Bounds the whole session; its socket is guarded here.

    Returns:
        The raw captures.

    Raises:
        Exception: Whatever the session raised; :func:`tasks.outcomes.classify`
            maps it to an outcome.
    """
    sock = open_socket(target, min(5.0, watchdog.remaining()))
    watchdog.guard(sock)
    try:
        with _known_hosts(target, pinned_key) as known_hosts:
            login = _Login(
                target, password, enable_secret, _ssh_options(target, sock, known_hosts, watchdog)
            )
            if platform.transport == "napalm":
                return _capture_napalm(platform, login)
            return _capture_netmiko(platform, login)
    finally:
        watchdog.cancel()
        with contextlib.suppress(OSError):
            sock.close()


@dataclass(frozen=True)
class _Login:
    """What a driver logs in with: the device, its secrets (never shown), the SSH options."""

    target: Target
    password: str = field(repr=False)
    enable_secret: str = field(repr=False)
    options: dict[str, Any]


def _capture_napalm(platform: Platform, login: _Login) -> Captures:
    driver_class = get_network_driver(platform.napalm_driver)
    device = driver_class(
        hostname=login.target.hostname,
        username=login.target.username,
        password=login.password,
        timeout=int(login.options["conn_timeout"]) or 1,
        optional_args={**login.options, "secret": login.enable_secret},
    )
    device.open()
    _prompt_found_once(device.device)
    getters: dict[str, Any] = {}
    commands: dict[str, str] = {}
    try:
        for name in platform.getters:
            with _unless_session_lost():
                getters[name] = getattr(device, name)()
        for command in platform.commands:
            with _unless_session_lost():
                commands.update(device.cli([command]))
    finally:
        with contextlib.suppress(Exception):
            device.close()
    return Captures(getters=getters, commands=commands)


def _prompt_found_once(connection: BaseConnection) -> None:
    """Read every command's answer up to the prompt found once, after login and enable.

    Netmiko's ``send_command`` looks for the prompt again before *each* command
    (``find_prompt``: an empty line sent, then waits of 25 ms, doubling, with one more
    empty line after each wait that saw no prompt, then the extra prompts drained).
    Over a WAN the first prompt comes back only after a round trip, by which time
    several more empty lines are on their way: each command costs several exchanges
    before it is even sent. It then reads the answer up to that prompt. The sessions
    SIGAP runs do not change the prompt (show commands only, no configuration mode),
    so the prompt found once here is the one each of those searches would find: the
    answers are the same, each command costs those exchanges less. A caller's own
    ``expect_string`` is kept.

    Args:
        connection: A logged-in Netmiko connection (NAPALM's ``device.device`` too).
    """
    pattern = re.escape(connection.find_prompt().strip())
    send = connection.send_command

    def send_command(command_string: str, expect_string: str | None = None, **kwargs: Any) -> Any:
        if expect_string is None and kwargs.get("auto_find_prompt", True):
            expect_string = pattern
        return send(command_string, expect_string=expect_string, **kwargs)

    connection.send_command = send_command  # type: ignore[method-assign, assignment]


@contextlib.contextmanager
def _unless_session_lost() -> Iterator[None]:
    """Let one getter or command fail alone (the platform then reports it missing).

    A getter the device does not support, or a command it refuses, is left out
    of the captures, and ``parse`` fills the field with ``None`` and a reason.
    A lost or hung session still ends the device's collection.
    """
    try:
        yield
    except Exception as exc:
        if classify(exc) != "parse_error":
            raise


def _capture_netmiko(platform: Platform, login: _Login) -> Captures:
    connection = ConnectHandler(
        device_type=platform.netmiko_device_type,
        host=login.target.hostname,
        username=login.target.username,
        password=login.password,
        secret=login.enable_secret,
        **login.options,
    )
    try:
        if platform.netmiko_device_type.startswith("cisco") and not connection.check_enable_mode():
            connection.enable()
        _prompt_found_once(connection)
        commands = {cmd: connection.send_command(cmd) for cmd in platform.commands}
    finally:
        with contextlib.suppress(Exception):
            connection.disconnect()
    return Captures(commands=commands)
