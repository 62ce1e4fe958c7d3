"""The cut-down ntc-templates template reads the same CRC counters as the full one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop.platforms._capture import _reduced_template, run_textfsm
from sop.platforms.cisco_ios import SHOW_INTERFACES
from tests.sop.platforms.casefiles import FIXTURES

FIELDS = ("interface", "crc")
NTC_OUTPUT = Path(__file__).parent / "textfsm_fixtures" / "cisco_ios_show_interfaces3.txt"
OUTPUTS = [
    FIXTURES / "cisco_ios" / "lab_sw01" / "commands" / "show_interfaces.txt",
    FIXTURES / "cisco_ios" / "napalm_csr1000v" / "commands" / "show_interfaces.txt",
    NTC_OUTPUT,
]


@pytest.mark.parametrize("output", OUTPUTS, ids=["lab_sw01", "napalm_csr1000v", "ntc_3"])
def test_reduced_template_gives_the_full_templates_records(output: Path) -> None:
    text = output.read_text()
    full = run_textfsm("cisco_ios", SHOW_INTERFACES, text)
    reduced = run_textfsm("cisco_ios", SHOW_INTERFACES, text, fields=FIELDS)
    assert [{f: r[f] for f in FIELDS} for r in reduced] == [{f: r[f] for f in FIELDS} for r in full]
    assert len(full) == text.count("line protocol is")
    assert any(row["crc"] for row in full)


def test_interfaces_without_counters_keep_an_empty_crc() -> None:
    rows = run_textfsm("cisco_ios", SHOW_INTERFACES, NTC_OUTPUT.read_text(), FIELDS)
    crc = {row["interface"]: row["crc"] for row in rows}
    assert crc == {
        "GigabitEthernet0/0": "0",
        "GigabitEthernet0/0.6": "",
        "GigabitEthernet0/1": "0",
        "FastEthernet0/1/0": "0",
        "Loopback0": "0",
    }


def test_reduced_template_keeps_only_the_rules_for_the_fields() -> None:
    template = _reduced_template("cisco_ios", SHOW_INTERFACES, FIELDS)
    rules = [line for line in template.splitlines() if line.strip().startswith("^")]
    assert len(rules) == 4  # the record rule, the interface line, the two CRC lines
    assert "Value Required INTERFACE" in template
    assert "MAC_ADDRESS" not in template
