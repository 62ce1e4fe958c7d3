"""The simulated Cisco IOS switches, driven by the real Netmiko, TextFSM and NAPALM.

Each test talks SSH to switches on 127.0.20.x (this file's own range). Nothing is
mocked: the server runs as its own process, as the lab manager starts it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from napalm import get_network_driver
from netmiko import BaseConnection, ConnectHandler
from netmiko.exceptions import ReadTimeout

from lab.switch_server import SwitchServerError, start_switches, stop_switches

pytestmark = pytest.mark.lab

PASSWORD_ENV = "SIGAP_SWITCH_TEST_PASSWORD"
PORT = 2200
INVALID = "% Invalid input detected at '^' marker."


@dataclass
class Fleet:
    proc: subprocess.Popen[bytes]
    password: str
    spec: Path
    log: Path


def device(hostname: str, address: str, **knobs: object) -> dict[str, object]:
    return {
        "hostname": hostname,
        "address": address,
        "port": PORT,
        "username": "sigap",
        "password_env": PASSWORD_ENV,
        **knobs,
    }


def write_spec(path: Path, devices: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"devices": devices}))
    return path


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """sw01 healthy (7 errors on Gi0/1), sw02 hangs after login, sw03 truncates and overheats."""
    folder = tmp_path_factory.mktemp("switches")
    password = "Sw-" + secrets.token_hex(8)
    spec = write_spec(
        folder / "spec.json",
        [
            device("sw01", "127.0.20.1", model="WS-C2960+24TC-L", interface_errors={"Gi0/1": 7}),
            device("sw02", "127.0.20.2", hang_after_login=True),
            device(
                "sw03",
                "127.0.20.3",
                model="WS-C3560CX-12PC-S",
                truncate_config=True,
                cpu_percent=93,
                temperature_status="critical",
            ),
        ],
    )
    log = folder / "server.log"
    proc = start_switches(spec, {PASSWORD_ENV: password}, timeout=30, log_path=log)
    try:
        yield Fleet(proc, password, spec, log)
    finally:
        stop_switches(proc)


def connect(fleet: Fleet, address: str, **extra: object) -> BaseConnection:
    return ConnectHandler(
        device_type="cisco_ios",
        host=address,
        port=PORT,
        username="sigap",
        password=fleet.password,
        secret=fleet.password,
        **extra,
    )


def napalm_driver(fleet: Fleet, address: str):
    driver = get_network_driver("ios")(
        address,
        "sigap",
        fleet.password,
        timeout=15,
        optional_args={"port": PORT, "secret": fleet.password},
    )
    driver.open()
    return driver


def config_lines(text: str) -> list[str]:
    """Config lines without the ones that change by themselves."""
    volatile = re.compile(
        r"^(Building configuration|Current configuration|Using \d+ out of|"
        r"! Last configuration change|! NVRAM config last updated|ntp clock-period)"
    )
    return [line for line in text.splitlines() if line.strip() and not volatile.match(line)]


def first_config_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip() and not line.startswith("!"))


# --------------------------------------------------------------------------- Netmiko + TextFSM
def test_netmiko_logs_in_enables_and_parses_show_version(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    try:
        assert conn.find_prompt() == "sw01>"
        conn.enable()
        assert conn.check_enable_mode()
        assert conn.find_prompt() == "sw01#"
        parsed = conn.send_command("show version", use_textfsm=True)
    finally:
        conn.disconnect()
    assert isinstance(parsed, list), f"TextFSM did not parse show version: {parsed!r}"
    facts = parsed[0]
    assert facts["hostname"] == "sw01"
    assert re.fullmatch(r"FOC\d{4}[A-Z0-9]{4}", facts["serial"][0])
    assert facts["hardware"][0] == "WS-C2960+24TC-L"
    assert facts["version"] == "15.2(2)E9"
    assert int(facts["uptime_weeks"]) >= 0 and facts["uptime_minutes"]


def test_enable_with_a_wrong_secret_is_refused(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    conn.secret = "not-the-secret"
    try:
        with pytest.raises(ValueError):
            conn.enable()
        assert conn.find_prompt() == "sw01>"
    finally:
        conn.disconnect()


def test_show_interfaces_and_inventory_parse_with_textfsm(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    try:
        conn.enable()
        interfaces = conn.send_command("show interfaces", use_textfsm=True)
        inventory = conn.send_command("show inventory", use_textfsm=True)
        brief = conn.send_command("show ip interface brief", use_textfsm=True)
    finally:
        conn.disconnect()
    by_name = {row["interface"]: row for row in interfaces}
    assert len(by_name) == 27  # Vlan1 + 24 FastEthernet + 2 GigabitEthernet
    uplink = by_name["GigabitEthernet0/1"]
    assert uplink["link_status"] == "up"
    assert uplink["description"] == "UPLINK-CORE"
    assert uplink["mtu"] == "1500"
    assert uplink["crc"] == "7" and uplink["input_errors"] == "7"
    assert re.fullmatch(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}", uplink["mac_address"])
    assert int(uplink["input_packets"]) > 0
    assert by_name["FastEthernet0/2"]["crc"] == "0"
    assert {row["link_status"] for row in interfaces} >= {"up", "down"}
    assert inventory[0]["pid"].strip() == "WS-C2960+24TC-L"
    assert inventory[0]["sn"].startswith("FOC")
    assert any(row["pid"].strip() == "GLC-SX-MMD" for row in inventory)
    assert brief[0]["interface"] == "Vlan1" and brief[0]["ip_address"] == "127.0.20.1"


def test_unknown_command_answers_invalid_input_with_caret(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    try:
        conn.enable()
        unknown = conn.send_command("frobnicate now")
        bad_show = conn.send_command("show frobnicate")
        still_alive = conn.send_command("show clock")
    finally:
        conn.disconnect()
    for output in (unknown, bad_show):
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines[-1] == INVALID, output
        assert lines[-2].strip() == "^", output
    assert len(bad_show.splitlines()[0]) > len(unknown.splitlines()[0])  # caret under "frobnicate"
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} WIB \w{3} \w{3} \d{1,2} \d{4}", still_alive.strip())


def test_config_mode_end_and_write_memory(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    try:
        conn.enable()
        before_startup = conn.send_command("show startup-config")
        conn.config_mode()
        assert conn.check_config_mode()
        assert conn.find_prompt() == "sw01(config)#"
        conn.send_config_set(
            ["interface Gi0/2", "description SIGAP-TEST", "logging trap warnings"],
            exit_config_mode=False,
        )
        conn.exit_config_mode()  # sends "end" from interface mode
        assert conn.find_prompt() == "sw01#"
        running = conn.send_command("show running-config")
        interface = conn.send_command("show interfaces Gi0/2", use_textfsm=True)
        unsaved = conn.send_command("show startup-config")
        saved_output = conn.save_config()
        startup = conn.send_command("show startup-config")
        running_after = conn.send_command("show running-config")
    finally:
        conn.disconnect()
    assert "interface GigabitEthernet0/2\n description SIGAP-TEST" in running
    assert "logging trap warnings" in running
    assert re.search(r"^! Last configuration change at .* by sigap$", running, re.M)
    assert interface[0]["description"] == "SIGAP-TEST"
    assert "SIGAP-TEST" not in unsaved and config_lines(unsaved) == config_lines(before_startup)
    assert "[OK]" in saved_output
    assert "SIGAP-TEST" in startup
    assert config_lines(startup) == config_lines(running_after)


def test_running_config_ends_with_end_and_holds_secrets_and_volatile_lines(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    try:
        conn.enable()
        running = conn.send_command("show running-config")
        snmp = conn.send_command("show running-config | include snmp-server community")
    finally:
        conn.disconnect()
    lines = [line for line in running.splitlines() if line.strip()]
    assert lines[-1] == "end"
    for pattern in (
        r"^enable secret 5 \$1\$\S+$",
        r"^username admin privilege 15 secret 5 \$1\$\S+$",
        r"^snmp-server community \S+ RO",
        r"^! Last configuration change at \d\d:\d\d:\d\d WIB",
        r"^ntp clock-period \d+$",
        r"^hostname sw01$",
    ):
        assert re.search(pattern, running, re.M), pattern
    assert fleet.password not in running
    assert len(snmp.splitlines()) == 2 and all("community" in line for line in snmp.splitlines())


# --------------------------------------------------------------------------- NAPALM
def test_napalm_getters_on_a_healthy_switch(fleet: Fleet) -> None:
    driver = napalm_driver(fleet, "127.0.20.1")
    try:
        facts = driver.get_facts()
        interfaces = driver.get_interfaces()
        counters = driver.get_interfaces_counters()
        time.sleep(1.2)
        counters_later = driver.get_interfaces_counters()
        environment = driver.get_environment()
        config = driver.get_config()
    finally:
        driver.close()
    assert facts["hostname"] == "sw01"
    assert facts["fqdn"] == "sw01.sigap.lab"
    assert facts["model"] == "WS-C2960+24TC-L"
    assert facts["serial_number"].startswith("FOC")
    assert "Version 15.2(2)E9" in facts["os_version"]
    assert facts["uptime"] > 3 * 86400
    assert facts["interface_list"][:2] == ["Vlan1", "FastEthernet0/1"]
    assert len(facts["interface_list"]) == 27

    assert set(interfaces) == set(facts["interface_list"])
    uplink = interfaces["GigabitEthernet0/1"]
    assert uplink["is_enabled"] and uplink["is_up"] and uplink["speed"] == 1000.0
    assert uplink["description"] == "UPLINK-CORE" and uplink["mtu"] == 1500
    assert any(not i["is_enabled"] for i in interfaces.values())

    assert counters["GigabitEthernet0/1"]["rx_errors"] == 7
    assert counters["FastEthernet0/2"]["rx_errors"] == 0
    assert (
        counters_later["GigabitEthernet0/1"]["rx_unicast_packets"]
        > counters["GigabitEthernet0/1"]["rx_unicast_packets"]
    )

    assert 3 <= environment["cpu"][0]["%usage"] <= 17
    memory = environment["memory"]
    assert 0 < memory["used_ram"] < memory["available_ram"]
    assert set(environment["temperature"]) == {"inlet", "hotspot"}
    assert not any(t["is_critical"] for t in environment["temperature"].values())

    assert config["running"].splitlines()[-1] == "end"
    assert first_config_line(config["running"]) == "version 15.2"
    assert config["startup"].splitlines()[-1] == "end"
    assert "hostname sw01" in config["startup"]


def test_knobs_cpu_temperature_and_truncated_config(fleet: Fleet) -> None:
    driver = napalm_driver(fleet, "127.0.20.3")
    try:
        facts = driver.get_facts()
        environment = driver.get_environment()
        config = driver.get_config(retrieve="running")
    finally:
        driver.close()
    assert facts["hostname"] == "sw03" and facts["model"] == "WS-C3560CX-12PC-S"
    assert environment["cpu"][0]["%usage"] == 93.0
    assert environment["temperature"]["inlet"]["is_critical"] is True
    assert environment["temperature"]["inlet"]["temperature"] == 61.0
    running = config["running"]
    assert first_config_line(running) == "version 15.2"
    assert running.splitlines()[-1] != "end" and "\nend" not in running


def test_fleet_devices_differ(fleet: Fleet) -> None:
    serials = []
    for address in ("127.0.20.1", "127.0.20.3"):
        conn = connect(fleet, address)
        try:
            serials.append(conn.send_command("show version", use_textfsm=True)[0]["serial"][0])
        finally:
            conn.disconnect()
    assert serials[0] != serials[1]


def test_hang_after_login_times_out_while_others_answer(fleet: Fleet) -> None:
    hung = connect(fleet, "127.0.20.2")
    try:
        assert hung.find_prompt() == "sw02>"
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            hung.send_command("show version", read_timeout=2)
        assert time.monotonic() - started < 10
        healthy = connect(fleet, "127.0.20.1")
        try:
            assert "uptime is" in healthy.send_command("show version")
        finally:
            healthy.disconnect()
    finally:
        hung.disconnect()


def test_log_never_holds_the_password(fleet: Fleet) -> None:
    conn = connect(fleet, "127.0.20.1")
    conn.enable()
    conn.disconnect()
    log = fleet.log.read_text()
    assert "session" in log and "sw01" in log
    assert fleet.password not in log
    assert fleet.password not in fleet.spec.read_text()


# --------------------------------------------------------------------------- process lifecycle
def test_sigterm_stops_cleanly_and_frees_the_ports(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "spec.json",
        [device("sw10", "127.0.20.10"), device("sw11", "127.0.20.11")],
    )
    password = "pw-" + secrets.token_hex(4)
    proc = start_switches(spec, {PASSWORD_ENV: password}, timeout=30)
    open_session = ConnectHandler(
        device_type="cisco_ios", host="127.0.20.10", port=PORT, username="sigap", password=password
    )
    assert open_session.find_prompt() == "sw10>"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    if proc.stdout is not None:
        proc.stdout.close()
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # nothing left in its process group
    open_session.disconnect()
    for address in ("127.0.20.10", "127.0.20.11"):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((address, PORT))


def test_an_address_in_use_exits_2_naming_the_device(fleet: Fleet, tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec.json", [device("sw-clash", "127.0.20.1")])
    env = {**os.environ, PASSWORD_ENV: "pw"}
    result = subprocess.run(
        [sys.executable, "-m", "lab.switch_server", "--spec", str(spec)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "sw-clash" in result.stderr and "127.0.20.1:2200" in result.stderr
    assert "READY" not in result.stdout
    with pytest.raises(SwitchServerError, match="sw-clash"):
        start_switches(spec, {PASSWORD_ENV: "pw"}, timeout=30)


def test_a_missing_password_variable_exits_2_naming_device_and_variable(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec.json", [device("sw20", "127.0.20.20")])
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "lab.switch_server", "--spec", str(spec)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "devices[0].password_env" in result.stderr
    assert "sw20" in result.stderr and PASSWORD_ENV in result.stderr


def test_fifty_switches_start_time_and_memory(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "spec.json",
        [device(f"sw{n:03d}", f"127.0.20.{100 + n}") for n in range(50)],
    )
    password = "pw-" + secrets.token_hex(4)
    started = time.monotonic()
    proc = start_switches(spec, {PASSWORD_ENV: password}, timeout=60)
    try:
        ready = time.monotonic() - started
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss_kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
        conn = ConnectHandler(
            device_type="cisco_ios",
            host="127.0.20.149",
            port=PORT,
            username="sigap",
            password=password,
        )
        try:
            answered = conn.send_command("show version", use_textfsm=True)[0]["hostname"]
        finally:
            conn.disconnect()
    finally:
        stop_switches(proc)
    print(f"\n50 switches: READY after {ready:.2f} s, resident memory {rss_kb / 1024:.1f} MiB")
    assert answered == "sw049"


# --------------------------------------------------------------------------- pure parts
def test_spec_errors_name_the_field_and_device() -> None:
    from lab.switch_spec import parse_spec
    from sop.problems import ConfigError

    good = device("sw01", "127.0.20.1")
    bad = [
        dict(good, colour="red"),
        dict(device("sw02", "127.0.20.2"), model="WS-C9999"),
        dict(device("sw03", "127.0.20.3"), interface_errors={"Gi9/9": 1}),
        dict(device("sw04", "127.0.20.4"), temperature_status="hot"),
        device("sw01", "127.0.20.1"),
    ]
    with pytest.raises(ConfigError) as caught:
        parse_spec({"devices": [good, *bad]}, {PASSWORD_ENV: "pw"}, "spec.json")
    text = str(caught.value)
    assert "spec.json: devices[1].colour: sw01: unknown field" in text
    assert "devices[2].model: sw02: unknown model 'WS-C9999'" in text
    assert "devices[3].interface_errors.Gi9/9: sw03: no interface 'Gi9/9'" in text
    assert "devices[4].temperature_status: sw04" in text
    assert "devices[5].hostname: duplicate hostname" in text
