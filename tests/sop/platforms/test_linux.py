"""Edge cases of the Linux parser: failing commands, unreadable output."""

from __future__ import annotations

import pytest

from sop.platforms import Captures, ParseError, get_platform, linux
from tests.sop.platforms.casefiles import FIXTURES, load_captures

SERVER = FIXTURES / "linux" / "debian12_server_degraded"


def server_commands() -> dict[str, str]:
    return dict(load_captures(get_platform("linux"), SERVER).commands)


def test_command_not_found_is_none_with_the_shell_message() -> None:
    commands = server_commands()
    commands[linux.TIME_SYNCED] = "bash: line 1: timedatectl: command not found\n"
    server = linux.parse(Captures(commands=commands)).health.server
    assert server.time_synced is None
    assert "timedatectl: command not found" in server.missing["time_synced"]
    assert server.failed_units == ["backup-simpeg.service", "logrotate.service"]


def test_unreadable_serial_is_none_with_permission_message() -> None:
    facts = linux.parse(Captures(commands=server_commands())).facts
    assert facts.serial is None
    assert facts.missing["serial"].endswith("Permission denied")
    assert (facts.vendor, facts.model) == ("Dell Inc.", "PowerEdge R740")


def test_nothing_captured_still_gives_a_fully_explained_contract() -> None:
    data = linux.parse(Captures())
    assert data.facts.hostname is None
    assert data.facts.missing["hostname"] == "`hostname` was not captured"
    assert data.health.interfaces is None
    assert data.health.server.disks is None


def test_no_failed_units_is_an_empty_list() -> None:
    commands = server_commands()
    commands[linux.FAILED_UNITS] = ""
    assert linux.parse(Captures(commands=commands)).health.server.failed_units == []


@pytest.mark.parametrize(
    ("command", "garbage"),
    [
        (linux.VMSTAT, "vmstat: not what we expected\n"),
        (linux.MEMINFO, "MemFree: 100 kB\n"),
        (linux.DF, "/dev/sda1 lots used\n"),
        (linux.IP_LINK, "this is not ip output\n"),
        (linux.NET_DEV, "Inter-|\n eth0: 1 2 3\n"),
        (linux.REBOOT_REQUIRED, "maybe\n"),
        (linux.UPTIME, "soon\n"),
    ],
)
def test_garbage_output_is_a_parse_error(command: str, garbage: str) -> None:
    commands = server_commands()
    commands[command] = garbage
    with pytest.raises(ParseError):
        linux.parse(Captures(commands=commands))


def test_interface_without_counters_is_explained() -> None:
    commands = server_commands()
    commands[linux.IP_LINK] += (
        "5: wg0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue state UNKNOWN mode\n"
    )
    wg0 = linux.parse(Captures(commands=commands)).health.interfaces[-1]
    assert (wg0.name, wg0.admin_up, wg0.oper_up) == ("wg0", True, True)
    assert wg0.input_errors is None
    assert "wg0 not in" in wg0.missing["input_errors"]


def test_disk_use_percent_shows_the_nearly_full_root() -> None:
    disks = linux.parse(Captures(commands=server_commands())).health.server.disks
    assert round(disks[0].percent) == 95


def test_coloured_systemd_error_is_explained_without_escape_codes() -> None:
    commands = server_commands()
    commands[linux.FAILED_UNITS] = (
        "\n\x1b[0;1;31mSystem has not been booted with systemd as init system (PID 1)."
        " Can't operate.\x1b[0m\n\x1b[0;1;31mFailed to connect to bus: Host is down\x1b[0m"
    )
    server = linux.parse(Captures(commands=commands)).health.server
    assert server.failed_units is None
    assert server.missing["failed_units"].endswith(
        "failed on the device: System has not been booted with systemd as init system (PID 1)."
        " Can't operate."
    )
