"""Fixtures for SOP C: a switch of our own that a test can take down and bring back.

Real parts: the lab's simulated Cisco IOS switch server (``lab.switch_server``,
fake-switches under Twisted) on 127.0.50.1, a real Prefect API (``prefect_api``),
SQLite records. The switch is taken down by stopping its process (its SSH port
then refuses connections) and brought back by starting it again; it presents the
same host key, as a repaired device would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from lab.labfiles import GROUPS
from lab.plan import LINUX_USER
from lab.switch_server import start_switches, stop_switches

SWITCH = "swinc01"
SWITCH_ADDRESS = "127.0.50.1"
SWITCH_PORT = 2200
PASSWORD_ENV = "SIGAP_TEST_INCIDENT_PASSWORD"


class Switch:
    """The incident test switch: ``down()`` and ``up()``."""

    def __init__(self, folder: Path, password: str) -> None:
        self.folder = folder
        self.password = password
        self.spec = folder / "spec.json"
        self.spec.write_text(
            json.dumps(
                {
                    "devices": [
                        {
                            "hostname": SWITCH,
                            "address": SWITCH_ADDRESS,
                            "port": SWITCH_PORT,
                            "username": LINUX_USER,
                            "password_env": PASSWORD_ENV,
                        }
                    ]
                }
            )
        )
        self.proc = None

    def up(self) -> None:
        if self.proc is None:
            self.proc = start_switches(
                self.spec, {PASSWORD_ENV: self.password}, log_path=self.folder / "switch.log"
            )

    def down(self) -> None:
        if self.proc is not None:
            stop_switches(self.proc)
            self.proc = None


@pytest.fixture
def switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Switch]:
    password = secrets.token_urlsafe(12)
    monkeypatch.setenv(PASSWORD_ENV, password)
    device = Switch(tmp_path, password)
    device.up()
    try:
        yield device
    finally:
        device.down()


@pytest.fixture
def inventory_dir(tmp_path: Path) -> Path:
    """An inventory with the incident switch only."""
    folder = tmp_path / "inventory"
    folder.mkdir()
    hosts = {
        SWITCH: {
            "hostname": SWITCH_ADDRESS,
            "port": SWITCH_PORT,
            "platform": "cisco_ios",
            "groups": ["switches", "site-lab"],
            "data": {"site": "lab", "role": "access", "location": "Lantai 2"},
        }
    }
    documents = {
        "hosts.yaml": hosts,
        "groups.yaml": {"switches": GROUPS["switches"], "site-lab": GROUPS["site-lab"]},
        "defaults.yaml": {"username": LINUX_USER, "password": f"env:{PASSWORD_ENV}"},
    }
    for name, document in documents.items():
        (folder / name).write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


@pytest.fixture
def office_file(tmp_path: Path) -> Path:
    """The BPSDM example office (SOP C); everyone's approval code is ``demo-<username>``."""
    return office_with_demo_codes("bpsdm-kemenkumham", tmp_path)


@pytest.fixture(autouse=True)
def _fast_flow_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come from the environment, as in production; short polls for tests."""
    monkeypatch.setenv("SIGAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SIGAP_APPROVAL_POLL", "1")
    monkeypatch.setenv("SIGAP_SLA_WATCH", "1")
    monkeypatch.setenv("SIGAP_DEVICE_TIME_LIMIT", "10")
    monkeypatch.delenv("SIGAP_SMTP_HOST", raising=False)


# the flow-test helpers of tests/flows (a flow in a thread, answered by the test)
from tests.flows.conftest import db_url, flow_thread, office_with_demo_codes  # noqa: E402, F401
