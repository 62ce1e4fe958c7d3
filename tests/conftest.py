"""Fixtures shared by every test package: a real Prefect API and the session lab.

The lab needs root, Debian's OpenSSH server and FRRouting. When one is missing the
tests FAIL (never skip) with a message saying what to install. Addresses: the
session lab uses 127.0.30-32.x; see tests/lab/conftest.py for the others.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.manager import AddressPlan, LabState, lab_down, lab_password, lab_up
from lab.plan import PASSWORD_ENV

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """A real, temporary Prefect API server for the whole session (no mocks)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


SESSION_ADDRESSES = AddressPlan(linux="127.0.30", switches="127.0.31", routers="127.0.32")
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


# SOP E's lab and its fixtures, used by tests/flows (monitoring, repair) and tests/reports
# (the fault report): session-scoped, so defined once here. Imported last, since that module
# imports require_lab_tools from this one.
from tests.flows.monitoring_fixtures import e_db, e_lab, e_office, faults  # noqa: E402, F401
