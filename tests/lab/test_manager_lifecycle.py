"""Starting and stopping labs: speed, clean stops, taken addresses, missing FRR."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lab import router as lab_router
from lab.manager import LabError, lab_down, lab_password, lab_status, lab_up
from lab.plan import lab_id
from lab.procs import address_taken, ssh_banner
from sigap.cli import app
from tests.lab.conftest import EXTRA_ADDRESSES, connect, processes_mentioning

pytestmark = pytest.mark.lab


def _namespaces_of(lab_dir: Path) -> list[str]:
    netns = Path("/run/netns")
    ident = lab_id(lab_dir)
    return sorted(p.name for p in netns.iterdir() if ident in p.name) if netns.is_dir() else []


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_ten_devices_are_ready_in_under_15_seconds(extra_lab_dir: Path) -> None:
    began = time.monotonic()
    state = lab_up(extra_lab_dir, linux=4, switches=5, router=True, addresses=EXTRA_ADDRESSES)
    elapsed = time.monotonic() - began
    print(f"\nlab up: {len(state.devices)} devices ready in {elapsed:.2f} s "
          f"(until every SSH banner: {state.startup_seconds:.2f} s)")  # fmt: skip
    assert len(state.devices) == 10
    assert elapsed < 15, f"lab up took {elapsed:.1f} s for 10 devices"
    for device in state.devices:
        banner = ssh_banner(device.address, device.port)
        assert banner is not None and banner.startswith("SSH-2.0-"), device.name


def test_down_leaves_no_process_port_or_namespace(extra_lab_dir: Path) -> None:
    state = lab_up(extra_lab_dir, linux=1, switches=1, router=True, addresses=EXTRA_ADDRESSES)
    runtime = Path(state.runtime_dirs[0])
    assert processes_mentioning(extra_lab_dir)  # the check below can see lab processes
    assert len(_namespaces_of(extra_lab_dir)) == 2
    # Open sessions give sshd children in their own sessions: down must stop them too.
    password = lab_password(extra_lab_dir)
    sessions = [connect(state.device(name), password) for name in ("linux01", "r01")]
    shell_pid = sessions[0].send_command("echo $$").strip()
    assert shell_pid.isdigit()

    result = CliRunner().invoke(app, ["lab", "down", "--data-dir", str(extra_lab_dir.parent)])
    assert result.exit_code == 0, result.output
    assert "Lab down" in result.output

    assert processes_mentioning(extra_lab_dir, runtime) == []
    assert not _running(int(shell_pid))  # the login shell of the open session
    for device in state.devices:
        assert ssh_banner(device.address, device.port, timeout=0.5) is None, device.name
        assert address_taken(device.address, device.port) is None, device.name
    assert _namespaces_of(extra_lab_dir) == []
    assert not runtime.exists()
    assert not (extra_lab_dir / "state.json").exists()
    assert lab_status(extra_lab_dir) == []
    # kept: the password and the inventory
    assert (extra_lab_dir / "lab.env").exists()
    assert (extra_lab_dir / "inventory" / "hosts.yaml").exists()
    assert lab_down(extra_lab_dir) == 0  # idempotent
    for conn in sessions:
        with contextlib.suppress(Exception):  # the server is gone, closing may fail
            conn.disconnect()


def test_taken_address_names_the_device_and_stops_what_started(extra_lab_dir: Path) -> None:
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.33.2", 2200))
    squatter.listen()
    try:
        with pytest.raises(LabError) as caught:
            lab_up(extra_lab_dir, linux=2, switches=1, router=True, addresses=EXTRA_ADDRESSES)
        message = str(caught.value)
        assert message.startswith("linux02: cannot listen on 127.0.33.2:2200")
        assert "already in use" in message
        # linux01 had been started before linux02 failed: it is gone again
        assert processes_mentioning(extra_lab_dir) == []
        assert address_taken("127.0.33.1", 2200) is None
        assert ssh_banner("127.0.33.1", 2200, timeout=0.5) is None
        assert _namespaces_of(extra_lab_dir) == []
        assert not (extra_lab_dir / "state.json").exists()
    finally:
        squatter.close()
    # with the address free again the same lab comes up
    state = lab_up(extra_lab_dir, linux=2, switches=0, router=False, addresses=EXTRA_ADDRESSES)
    assert [row.up for row in lab_status(extra_lab_dir)] == [True, True]
    assert not state.already_up


def test_router_without_frr_fails_with_install_hint(
    extra_lab_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FRR is installed here; pointing the lab at an empty directory stands in for a
    # machine without it (the only mock in these tests).
    monkeypatch.setattr(lab_router, "FRR_BIN", extra_lab_dir / "no-frr")
    with pytest.raises(LabError, match=r"r01: FRRouting is not installed .*apt-get install frr"):
        lab_up(extra_lab_dir, linux=1, switches=0, router=True, addresses=EXTRA_ADDRESSES)
    assert processes_mentioning(extra_lab_dir) == []
