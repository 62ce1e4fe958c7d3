"""Fixtures of the lab tests: a small lab for the whole session, and helpers.

The lab needs root, Debian's OpenSSH server and FRRouting. When one is missing the
tests FAIL (never skip) with a message saying what to install.

Addresses: the session lab uses 127.0.30-32.x, labs made by single tests use
127.0.33-35.x; the default lab (127.0.1-3.x) and the switch tests (127.0.20.x)
are never touched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import BaseConnection, ConnectHandler

from lab.manager import AddressPlan, LabState, lab_down, lab_password, lab_up
from lab.plan import NETMIKO_DEVICE_TYPES, PASSWORD_ENV, LabDevice

SESSION_ADDRESSES = AddressPlan(linux="127.0.30", switches="127.0.31", routers="127.0.32")
EXTRA_ADDRESSES = AddressPlan(linux="127.0.33", switches="127.0.34", routers="127.0.35")
SESSION_DEVICES = ("linux01", "linux02", "sw01", "sw02", "r01")


def require_lab_tools() -> None:
    """Fail the calling test with a clear message if the lab cannot run here."""
    problems = []
    if os.geteuid() != 0:
        problems.append("the lab tests need root (system users, network namespaces)")
    for path, package in (
        ("/usr/sbin/sshd", "openssh-server"),
        ("/usr/lib/frr/zebra", "frr"),
        ("/usr/lib/frr/ospfd", "frr"),
        ("/usr/bin/vtysh", "frr"),
    ):
        if not Path(path).exists():
            problems.append(f"{path} is missing: apt-get install {package}")
    if shutil.which("ip") is None:
        problems.append("the ip command is missing: apt-get install iproute2")
    if problems:
        pytest.fail("cannot run the lab: " + "; ".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    """A running lab of 2 Linux servers, 2 switches and the router, in a temp data dir."""
    require_lab_tools()
    lab_dir = tmp_path_factory.mktemp("sigap-data") / "lab"
    state = lab_up(lab_dir, linux=2, switches=2, router=True, addresses=SESSION_ADDRESSES)
    previous = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = lab_password(lab_dir)
    try:
        yield state
    finally:
        if previous is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = previous
        lab_down(lab_dir)


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
