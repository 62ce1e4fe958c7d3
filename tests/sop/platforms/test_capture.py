"""ntc-templates templates: read once per process, handed to the parsers as data.

The cut-down template reads the same CRC counters as the full one.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sop.platforms import Captures, ParseError, get_platform
from sop.platforms._capture import _reduced_template, run_textfsm
from sop.platforms.cisco_ios import SHOW_INTERFACES, SHOW_INVENTORY
from tasks.parsing import parse_and_backup
from tasks.textfsm_templates import template, templates_for, with_templates
from tests.sop.platforms.casefiles import FIXTURES, load_captures

FIELDS = ("interface", "crc")
NTC_OUTPUT = Path(__file__).parent / "textfsm_fixtures" / "cisco_ios_show_interfaces3.txt"
OUTPUTS = [
    FIXTURES / "cisco_ios" / "lab_sw01" / "commands" / "show_interfaces.txt",
    FIXTURES / "cisco_ios" / "napalm_csr1000v" / "commands" / "show_interfaces.txt",
    NTC_OUTPUT,
]
TEMPLATE = template("cisco_ios", SHOW_INTERFACES)


@pytest.mark.parametrize("output", OUTPUTS, ids=["lab_sw01", "napalm_csr1000v", "ntc_3"])
def test_reduced_template_gives_the_full_templates_records(output: Path) -> None:
    text = output.read_text()
    full = run_textfsm("cisco_ios", SHOW_INTERFACES, text, template=TEMPLATE)
    reduced = run_textfsm("cisco_ios", SHOW_INTERFACES, text, fields=FIELDS, template=TEMPLATE)
    assert [{f: r[f] for f in FIELDS} for r in reduced] == [{f: r[f] for f in FIELDS} for r in full]
    assert len(full) == text.count("line protocol is")
    assert any(row["crc"] for row in full)


def test_interfaces_without_counters_keep_an_empty_crc() -> None:
    rows = run_textfsm(
        "cisco_ios", SHOW_INTERFACES, NTC_OUTPUT.read_text(), FIELDS, template=TEMPLATE
    )
    crc = {row["interface"]: row["crc"] for row in rows}
    assert crc == {
        "GigabitEthernet0/0": "0",
        "GigabitEthernet0/0.6": "",
        "GigabitEthernet0/1": "0",
        "FastEthernet0/1/0": "0",
        "Loopback0": "0",
    }


def test_reduced_template_keeps_only_the_rules_for_the_fields() -> None:
    assert TEMPLATE is not None
    reduced = _reduced_template(TEMPLATE, FIELDS)
    rules = [line for line in reduced.splitlines() if line.strip().startswith("^")]
    assert len(rules) == 4  # the record rule, the interface line, the two CRC lines
    assert "Value Required INTERFACE" in reduced
    assert "MAC_ADDRESS" not in reduced
    assert _reduced_template(TEMPLATE, FIELDS) is reduced  # cut once per text


def test_a_template_is_read_once_per_process() -> None:
    assert template("cisco_ios", SHOW_INTERFACES) is TEMPLATE
    assert templates_for(get_platform("cisco_ios"))[SHOW_INTERFACES] is TEMPLATE


def test_every_textfsm_command_of_every_platform_has_a_template() -> None:
    for name in ("cisco_ios", "frr", "linux", "mikrotik_routeros"):
        platform = get_platform(name)
        assert set(platform.textfsm_commands) <= set(platform.commands)
        assert sorted(templates_for(platform)) == sorted(platform.textfsm_commands), name


def test_a_command_without_its_template_is_the_no_template_parse_error() -> None:
    captures = load_captures(get_platform("cisco_ios"), FIXTURES / "cisco_ios" / "lab_sw01")
    without = Captures(
        getters=captures.getters,
        commands=captures.commands,
        templates={SHOW_INVENTORY: captures.templates[SHOW_INVENTORY]},
    )
    message = "`show interfaces`: ntc-templates has no template for cisco_ios"
    with pytest.raises(ParseError, match=message):
        get_platform("cisco_ios").parse(without)


def test_captures_with_templates_cross_to_a_process_and_parse_the_same() -> None:
    platform = get_platform("cisco_ios")
    captures = load_captures(platform, FIXTURES / "cisco_ios" / "lab_sw01")
    bare = Captures(getters=captures.getters, commands=captures.commands)
    assert pickle.loads(pickle.dumps(captures)) == captures
    assert with_templates(platform, bare) == captures
    # the pool and the session workers get bare captures and add the templates themselves
    parsed = parse_and_backup("cisco_ios", pickle.loads(pickle.dumps(bare)), ())
    assert parsed.facts == platform.parse(captures).facts
