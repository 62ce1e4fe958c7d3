"""The session lab's devices, as a user of the lab would check them."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from inventory import load_inventory
from lab.manager import LabState, lab_password, lab_status, lab_up
from lab.procs import is_alive
from sigap.cli import app
from tests.lab.conftest import SESSION_ADDRESSES, SESSION_DEVICES, connect

pytestmark = pytest.mark.lab

FIRST_COMMAND = {"linux": "uname -a", "cisco_ios": "show version", "frr": "show version"}
EXPECTED = {
    "linux": re.compile(r"^Linux \S+ \d+\.\d+", re.M),
    "cisco_ios": re.compile(r"Cisco IOS Software"),
    "frr": re.compile(r"FRRouting \d+\.\d+\S* \(r01\)"),
}
PROMPT = {"linux": re.compile(r"sigaplab@\S+[$#]\s*$"), "cisco_ios": None, "frr": None}


def test_session_lab_has_the_asked_devices(lab: LabState) -> None:
    assert [d.name for d in lab.devices] == list(SESSION_DEVICES)
    assert {d.name: d.address for d in lab.devices} == {
        "linux01": "127.0.30.1",
        "linux02": "127.0.30.2",
        "sw01": "127.0.31.1",
        "sw02": "127.0.31.2",
        "r01": "127.0.32.1",
    }
    assert {d.port for d in lab.devices} == {2200}


@pytest.mark.parametrize("name", SESSION_DEVICES)
def test_netmiko_logs_in_and_runs_a_command(lab: LabState, name: str) -> None:
    device = lab.device(name)
    conn = connect(device, lab_password(lab.lab_dir))
    try:
        if device.platform != "linux":
            conn.enable()  # switches log in at `sw01>` like IOS; the router is at `r01#`
        prompt = conn.find_prompt()
        output = conn.send_command(FIRST_COMMAND[device.platform])
    finally:
        conn.disconnect()
    if device.platform == "linux":
        assert PROMPT["linux"].search(prompt), prompt
    else:
        assert prompt == f"{name}#", prompt
    assert EXPECTED[device.platform].search(output), output[:300]


def test_linux_host_answers_health_commands_without_sudo(lab: LabState) -> None:
    conn = connect(lab.device("linux01"), lab_password(lab.lab_dir))
    try:
        uptime = conn.send_command("uptime")
        df = conn.send_command("df -P /")
        free = conn.send_command("free -b")
        loadavg = conn.send_command("cat /proc/loadavg")
        whoami = conn.send_command("id -un")
    finally:
        conn.disconnect()
    assert "load average" in uptime
    df_lines = df.strip().splitlines()
    assert df_lines[0].startswith("Filesystem") and df_lines[1].endswith(" /"), df
    assert re.search(r"^Mem:\s+\d{6,}", free, re.M), free
    assert re.match(r"^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+/\d+ \d+$", loadavg.strip()), loadavg
    assert whoami.strip() == "sigaplab"


def test_router_is_an_ios_like_cli_with_real_routes(lab: LabState) -> None:
    conn = connect(lab.device("r01"), lab_password(lab.lab_dir))
    try:
        assert conn.find_prompt() == "r01#"
        routes = conn.send_command("show ip route")
        assert re.search(r"^C>\* 192\.168\.10\.0/24 is directly connected, lan0", routes, re.M)
        assert re.search(r"^S>\* 172\.16\.50\.0/24 \[1/0\] via 192\.168\.10\.254", routes, re.M)
        deadline = time.monotonic() + 20
        neighbors = ospf_routes = ""
        while time.monotonic() < deadline:
            neighbors = conn.send_command("show ip ospf neighbor")
            ospf_routes = conn.send_command("show ip route ospf")
            if "Full" in neighbors and "192.168.20.0/24" in ospf_routes:
                break
            time.sleep(1)
        assert re.search(r"^10\.255\.0\.2\s+\d+\s+Full", neighbors, re.M), neighbors
        assert re.search(
            r"^O>\* 192\.168\.20\.0/24 \[110/\d+\] via 10\.0\.12\.2", ospf_routes, re.M
        )

        conn.config_mode()
        assert conn.find_prompt() == "r01(config)#"
        conn.send_config_set(["interface lan0", "description Uji lab"], exit_config_mode=False)
        conn.exit_config_mode()
        assert conn.find_prompt() == "r01#"
        running = conn.send_command("show running-config")
        assert "hostname r01" in running
        assert re.search(r"interface lan0\n description Uji lab\n", running)
        assert running.rstrip().endswith("end")
    finally:
        conn.disconnect()


def test_status_reports_every_device_up_with_its_pid(lab: LabState) -> None:
    rows = {row.name: row for row in lab_status(lab.lab_dir)}
    assert sorted(rows) == sorted(SESSION_DEVICES)
    for row in rows.values():
        assert row.up, row
        assert row.pid is not None and os.path.exists(f"/proc/{row.pid}"), row
    assert rows["sw01"].pid == rows["sw02"].pid  # one simulator serves all switches


def test_written_inventory_loads_and_describes_the_lab(lab: LabState) -> None:
    inventory = load_inventory(lab.inventory_dir)
    assert sorted(inventory.hosts) == sorted(SESSION_DEVICES)
    linux01, sw01, r01 = (inventory.hosts[n] for n in ("linux01", "sw01", "r01"))
    assert (linux01.hostname, linux01.port, linux01.platform) == ("127.0.30.1", 2200, "linux")
    assert linux01.groups == ("linux-servers", "site-lab")
    assert (linux01.username, linux01.password_ref) == ("sigaplab", "env:SIGAP_LAB_PASSWORD")
    assert (sw01.platform, sw01.groups) == ("cisco_ios", ("switches", "site-lab"))
    assert (r01.platform, r01.groups, r01.username) == ("frr", ("routers", "site-lab"), "sigaprtr")
    assert r01.netmiko_device_type == "cisco_ios"
    tags = sorted(h.data.asset_tag for h in inventory.hosts.values())
    assert tags == [f"LAB-{i:04d}" for i in range(1, 6)]
    for host in inventory.hosts.values():
        assert host.data.site == "lab"
        assert host.data.criticality == "medium"
        assert host.data.location == "Ruang Server Lab"
    assert r01.data.role == "core-router" and sw01.data.role == "access-switch"
    office = yaml.safe_load((lab.lab_dir / "office.yaml").read_text())
    assert office["office"]["name"]


def test_password_lives_only_in_lab_env(lab: LabState) -> None:
    password = lab_password(lab.lab_dir)
    env_file = lab.lab_dir / "lab.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert f"SIGAP_LAB_PASSWORD={password}" in env_file.read_text()
    leaks = []
    for path in lab.lab_dir.rglob("*"):
        if path.is_file() and path != env_file and password.encode() in path.read_bytes():
            leaks.append(str(path))
    for runtime in lab.runtime_dirs:
        for path in Path(runtime).rglob("*"):
            if path.is_file() and password.encode() in path.read_bytes():
                leaks.append(str(path))
    assert leaks == []


def test_up_again_is_idempotent(lab: LabState) -> None:
    before = {r.pid for r in lab.all_processes()}
    again = lab_up(lab.lab_dir, linux=2, switches=2, router=True, addresses=SESSION_ADDRESSES)
    assert again.already_up
    assert {r.pid for r in again.all_processes()} == before
    assert all(is_alive(r) for r in again.all_processes())
    # the password was set again, not changed: logging in still works
    conn = connect(lab.device("linux02"), lab_password(lab.lab_dir))
    conn.disconnect()


def test_cli_status_env_and_up_never_print_the_password(lab: LabState) -> None:
    runner = CliRunner()
    data_dir = str(lab.lab_dir.parent)
    password = lab_password(lab.lab_dir)
    status = runner.invoke(app, ["lab", "status", "--data-dir", data_dir])
    assert status.exit_code == 0, status.output
    for name in SESSION_DEVICES:
        assert name in status.output
    assert "127.0.32.1:2200" in status.output and "down" not in status.output
    env = runner.invoke(app, ["lab", "env", "--data-dir", data_dir])
    assert env.exit_code == 0
    assert f"source {lab.lab_dir / 'lab.env'}" in env.output
    up = runner.invoke(
        app, ["lab", "up", "--linux", "2", "--switches", "2", "--data-dir", data_dir]
    )
    assert up.exit_code == 0, up.output
    assert "already up" in up.output
    for result in (status, env, up):
        assert password not in result.output
