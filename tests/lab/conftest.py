"""Fixtures of the lab tests: a small lab for the whole session, and helpers.

The lab needs root, Debian's OpenSSH server and FRRouting. When one is missing the
tests FAIL (never skip) with a message saying what to install.

Addresses: the session lab uses 127.0.30-32.x, labs made by single tests use
127.0.33-35.x; the default lab (127.0.1-3.x) and the switch tests (127.0.20.x)
are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import BaseConnection, ConnectHandler

from lab.manager import AddressPlan, lab_down
from lab.plan import NETMIKO_DEVICE_TYPES, LabDevice
from tests.conftest import SESSION_ADDRESSES, SESSION_DEVICES, require_lab_tools

__all__ = ["EXTRA_ADDRESSES", "SESSION_ADDRESSES", "SESSION_DEVICES", "connect"]

EXTRA_ADDRESSES = AddressPlan(linux="127.0.33", switches="127.0.34", routers="127.0.35")


@pytest.fixture
def extra_lab_dir(tmp_path: Path) -> Iterator[Path]:
    """A lab directory for one test; whatever the test starts there is stopped after it."""
    require_lab_tools()
    lab_dir = tmp_path / "data" / "lab"
    try:
        yield lab_dir
    finally:
        lab_down(lab_dir)


def processes_mentioning(*paths: Path) -> list[str]:
    """Return ``pid: cmdline`` of every live process whose command line names a path.

    Read straight from /proc (not through the lab's own helpers), zombies excluded.
    """
    needles = [str(p) for p in paths]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        line = raw.replace(b"\0", b" ").decode(errors="replace")
        if state != "Z" and any(n in line for n in needles):
            found.append(f"{entry.name}: {line.strip()}")
    return found


def connect(device: LabDevice, password: str) -> BaseConnection:
    """Log in to a lab device with Netmiko, using the driver its platform calls for."""
    return ConnectHandler(
        device_type=NETMIKO_DEVICE_TYPES[device.platform],
        host=device.address,
        port=device.port,
        username=device.username,
        password=password,
        secret=password,
        timeout=20,
        conn_timeout=10,
    )
