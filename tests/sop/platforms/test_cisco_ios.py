"""Edge cases of the Cisco IOS parser (NAPALM getters plus CLI outputs)."""

from __future__ import annotations

import copy

import pytest

from sop.configs import is_truncated
from sop.platforms import Captures, ParseError, get_platform
from sop.platforms.cisco_ios import parse
from tasks.textfsm_templates import templates_for
from tests.sop.platforms.casefiles import FIXTURES, load_captures

LAB = FIXTURES / "cisco_ios" / "lab_sw01"
TEMPLATES = templates_for(get_platform("cisco_ios"))


def captured(getters: dict, commands: dict) -> Captures:
    return Captures(getters=getters, commands=commands, templates=TEMPLATES)


def lab_captures(**changes: object) -> tuple[dict, dict]:
    captures = load_captures(get_platform("cisco_ios"), LAB)
    return copy.deepcopy(dict(captures.getters)), dict(captures.commands)


def test_serial_and_model_come_from_show_inventory_when_get_facts_has_none() -> None:
    getters, commands = lab_captures()
    getters["get_facts"]["serial_number"] = ""
    getters["get_facts"]["model"] = ""
    facts = parse(captured(getters, commands)).facts
    assert (facts.serial, facts.model) == ("FOC1846F294", "WS-C2960+24TC-L")


def test_refused_show_inventory_leaves_serial_none_with_the_device_message() -> None:
    getters, commands = lab_captures()
    getters["get_facts"]["serial_number"] = ""
    commands["show inventory"] = "                 ^\n% Invalid input detected at '^' marker.\n"
    facts = parse(captured(getters, commands)).facts
    assert facts.serial is None
    assert "% Invalid input detected" in facts.missing["serial"]
    assert facts.model == "WS-C2960+24TC-L"


def test_missing_show_interfaces_only_loses_crc() -> None:
    getters, commands = lab_captures()
    del commands["show interfaces"]
    gi = {i.name: i for i in parse(captured(getters, commands)).health.interfaces}
    uplink = gi["GigabitEthernet0/1"]
    assert uplink.crc_errors is None
    assert uplink.missing["crc_errors"] == "`show interfaces` was not captured"
    assert uplink.input_errors == 120


def test_garbage_show_interfaces_is_a_parse_error() -> None:
    getters, commands = lab_captures()
    commands["show interfaces"] = "sw01#\nthis is not IOS output\n"
    with pytest.raises(ParseError, match="show interfaces"):
        parse(captured(getters, commands))


@pytest.mark.parametrize(
    "facts",
    [["not", "a", "mapping"], {"hostname": "sw01"}],
    ids=["not-a-mapping", "missing-keys"],
)
def test_unreadable_get_facts_is_a_parse_error(facts: object) -> None:
    with pytest.raises(ParseError, match="get_facts"):
        parse(Captures(getters={"get_facts": facts}))


def test_impossible_memory_figures_are_none_with_reason() -> None:
    getters, commands = lab_captures()
    getters["get_environment"]["memory"] = {"used_ram": 200, "available_ram": 100}
    health = parse(captured(getters, commands)).health
    assert health.memory is None
    assert "used 200, total 100" in health.missing["memory"]


def test_unknown_uptime_and_empty_startup_are_none_with_reason() -> None:
    getters, commands = lab_captures()
    getters["get_facts"]["uptime"] = -1.0
    getters["get_config"]["startup"] = ""
    data = parse(captured(getters, commands))
    assert data.facts.uptime_seconds is None
    assert data.facts.missing["uptime_seconds"] == "the device did not report its uptime"
    assert data.config.startup is None
    assert "empty startup-config" in data.config.missing["startup"]


def test_critical_temperature_is_not_ok() -> None:
    getters, commands = lab_captures()
    getters["get_environment"]["temperature"]["inlet"]["is_critical"] = True
    env = parse(captured(getters, commands)).health.environment
    assert {t.name: t.state for t in env.temperature} == {"hotspot": "ok", "inlet": "not_ok"}


def test_truncated_running_config_is_not_complete() -> None:
    getters, _ = lab_captures()
    running = getters["get_config"]["running"]
    assert not is_truncated(running, "cisco_ios")
    assert is_truncated(running[: len(running) // 2], "cisco_ios")
