"""SOP E's lab: 2 Linux servers and a switch on 127.0.53-55.x, with fault injectors.

Each lab Linux host runs its sshd in its own mount namespace (lab/linux.py), so a
fault injected here stays on one host: its ``/etc/ssh/sshd_config``, its
``/var/log/auth.log``, a small filesystem mounted at its ``/srv/data``, and its
own service listener on its address.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
import yaml

from lab.linux import host_fs
from lab.manager import AddressPlan, LabState, lab_down, lab_password, lab_up
from lab.plan import PASSWORD_ENV
from records.db import init_database
from tests.conftest import require_lab_tools
from tests.flows.conftest import flow_thread, office_with_demo_codes

E_ADDRESSES = AddressPlan(linux="127.0.53", switches="127.0.54", routers="127.0.55")
SERVICE_PORT = 8080

__all__ = ["flow_thread"]  # the flows' fixture: a flow run in a thread as a worker would


@pytest.fixture(scope="session")
def e_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    """linux01, linux02 (127.0.53.1-2) and sw01 (127.0.54.1)."""
    require_lab_tools()
    lab_dir = tmp_path_factory.mktemp("sigap-e") / "lab"
    state = lab_up(lab_dir, linux=2, switches=1, router=False, addresses=E_ADDRESSES)
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


class Service:
    """A TCP service listening on one lab host's address (what a web server would be)."""

    def __init__(self, address: str, port: int = SERVICE_PORT) -> None:
        self.sock = socket.create_server((address, port))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.close()

    def stop(self) -> None:
        """Stop the service: connections are refused from now on."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class Faults:
    """Fault injectors for one lab."""

    def __init__(self, state: LabState, tmp: Path) -> None:
        self.state = state
        self.tmp = tmp
        self.devices = {d.name: d for d in state.devices}

    def pid(self, name: str) -> int:
        return self.state.processes[name][0].pid

    def in_host(self, name: str, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run a command in the host's mount namespace (as root)."""
        return subprocess.run(
            ["nsenter", "--target", str(self.pid(name)), "--mount", *argv],
            capture_output=True,
            text=True,
            check=False,
        )

    def sshd_option(self, name: str, keyword: str, value: str) -> None:
        """Set an option in the host's /etc/ssh/sshd_config (as an admin would)."""
        path = host_fs(self.state.lab_dir, name) / "etc/ssh/sshd_config"
        lines = [
            line
            for line in path.read_text().splitlines()
            if not line.lower().startswith(keyword.lower() + " ")
        ]
        path.write_text("\n".join([f"{keyword} {value}", *lines]) + "\n")

    def small_filesystem(self, name: str, size_mb: int = 4) -> str:
        """Mount a small ext4 filesystem at the host's /srv/data; return the mount point."""
        image = self.tmp / f"{name}-data.img"
        subprocess.run(["truncate", "-s", f"{size_mb}M", str(image)], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
        (host_fs(self.state.lab_dir, name) / "srv/data").mkdir(exist_ok=True)
        done = self.in_host(name, "mount", "-o", "loop", str(image), "/srv/data")
        assert done.returncode == 0, done.stderr
        return "/srv/data"

    def fill(self, name: str, mount: str) -> None:
        """Fill the filesystem to the last block."""
        self.in_host(name, "dd", "if=/dev/zero", f"of={mount}/fill", "bs=64k")

    def free(self, name: str, mount: str) -> None:
        self.in_host(name, "rm", "-f", f"{mount}/fill")

    def failed_logins(self, name: str, count: int) -> None:
        """Try to log in with a wrong password ``count`` times."""
        device = self.devices[name]
        for _ in range(count):
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            try:
                client.connect(
                    device.address,
                    port=device.port,
                    username="sigaplab",
                    password="wrong-password",
                    look_for_keys=False,
                    allow_agent=False,
                    timeout=5,
                )
            except paramiko.AuthenticationException:
                pass
            finally:
                client.close()

    def switch_down(self) -> None:
        """Stop the switch simulator (every lab switch goes down)."""
        for record in self.state.processes["sw01"]:
            os.kill(record.pid, signal.SIGTERM)


@pytest.fixture
def faults(e_lab: LabState, tmp_path: Path) -> Faults:
    return Faults(e_lab, tmp_path)


def write_inventory(state: LabState, folder: Path, data: dict[str, dict[str, Any]]) -> Path:
    """A copy of the lab's inventory with extra ``data:`` per host."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in ("groups.yaml", "defaults.yaml", "hosts.yaml"):
        text = (state.inventory_dir / file).read_text()
        if file == "hosts.yaml":
            hosts = yaml.safe_load(text)
            for name, extra in data.items():
                hosts[name].setdefault("data", {}).update(extra)
            text = yaml.safe_dump(hosts, sort_keys=False)
        (folder / file).write_text(text)
    return folder


@pytest.fixture
def e_office(tmp_path: Path) -> Path:
    """Kominfosanti Buleleng (runs SOP E only); demo codes ``demo-<username>``."""
    return office_with_demo_codes("kominfosanti-buleleng", tmp_path)


@pytest.fixture
def e_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    init_database(url)
    return url


@pytest.fixture(autouse=True)
def _fast_flow_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIGAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SIGAP_APPROVAL_POLL", "1")
    monkeypatch.setenv("SIGAP_SLA_WATCH", "1")
    monkeypatch.setenv("SIGAP_DEVICE_TIME_LIMIT", "30")
    monkeypatch.delenv("SIGAP_SMTP_HOST", raising=False)
