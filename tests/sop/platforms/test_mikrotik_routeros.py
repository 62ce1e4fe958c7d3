"""Edge cases of the MikroTik RouterOS parser."""

from __future__ import annotations

import pytest

from sop.platforms import Captures, ParseError, get_platform
from sop.platforms import mikrotik_routeros as ros
from tasks.textfsm_templates import templates_for
from tests.sop.platforms.casefiles import FIXTURES, load_captures

HEX = FIXTURES / "mikrotik_routeros" / "public_hex_poe_lite"
TEMPLATES = templates_for(get_platform("mikrotik_routeros"))


def captured(commands: dict[str, str]) -> Captures:
    return Captures(commands=commands, templates=TEMPLATES)


def hex_commands() -> dict[str, str]:
    return dict(load_captures(get_platform("mikrotik_routeros"), HEX).commands)


def test_chr_without_routerboard_has_no_serial_and_model_from_board_name() -> None:
    commands = hex_commands()
    commands[ros.ROUTERBOARD] = "  routerboard: no\n"
    facts = ros.parse(captured(commands)).facts
    assert facts.serial is None
    assert "not a RouterBOARD" in facts.missing["serial"]
    assert facts.model == "hEX PoE lite"


def test_refused_routerboard_command_is_explained() -> None:
    commands = hex_commands()
    commands[ros.ROUTERBOARD] = "bad command name routerboard (line 1 column 9)\n"
    facts = ros.parse(captured(commands)).facts
    assert facts.serial is None
    assert "bad command name routerboard" in facts.missing["serial"]


def test_disabled_interface_is_admin_down() -> None:
    commands = hex_commands()
    commands[ros.INTERFACES] = commands[ros.INTERFACES].replace(
        ' 0     name="ether1"', ' 0  X  name="ether1"'
    )
    ether1 = ros.parse(captured(commands)).health.interfaces[0]
    assert (ether1.name, ether1.admin_up, ether1.oper_up) == ("ether1", False, False)


def test_startup_is_none_and_empty_export_is_explained() -> None:
    commands = hex_commands()
    commands[ros.EXPORT] = ""
    config = ros.parse(captured(commands)).config
    assert config.running is None
    assert config.missing["running"] == "`/export` returned nothing"
    assert "no startup configuration" in config.missing["startup"]


@pytest.mark.parametrize(
    ("command", "garbage"),
    [
        (ros.RESOURCE, "uptime: forever\nnonsense line\n"),
        (ros.IDENTITY, "who knows\n"),
        (ros.INTERFACES, "Flags: nothing here\n"),
    ],
)
def test_garbage_output_is_a_parse_error(command: str, garbage: str) -> None:
    commands = hex_commands()
    commands[command] = garbage
    with pytest.raises(ParseError):
        ros.parse(captured(commands))


def test_size_and_duration_units() -> None:
    assert ros.size_bytes("3704.1MiB") == int(3704.1 * 1024**2)
    assert ros.duration_seconds("10w2d6h21m59s") == 72 * 86400 + 6 * 3600 + 21 * 60 + 59
    with pytest.raises(ParseError):
        ros.size_bytes("lots")
