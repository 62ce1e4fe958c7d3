"""Edge cases of the FRR (vtysh) parser."""

from __future__ import annotations

import pytest

from sop.configs import is_truncated
from sop.platforms import Captures, ParseError, frr, get_platform
from tests.sop.platforms.casefiles import FIXTURES, load_captures

ROUTER = FIXTURES / "frr" / "r_fixture_8_4"


def router_commands() -> dict[str, str]:
    return dict(load_captures(get_platform("frr"), ROUTER).commands)


def test_running_config_drops_vtysh_header_and_ends_with_end() -> None:
    running = frr.parse(Captures(commands=router_commands())).config.running
    assert running.startswith("!\nfrr version 8.4.4\n")
    assert not is_truncated(running, "frr")
    assert is_truncated(running[: running.index("interface eth2")], "frr")


def test_hostname_falls_back_to_show_version() -> None:
    commands = router_commands()
    del commands[frr.SHOW_RUNNING]
    data = frr.parse(Captures(commands=commands))
    assert data.facts.hostname == "r-fixture"
    assert data.config.running is None
    assert data.config.missing["running"] == "`show running-config` was not captured"


def test_unknown_json_command_leaves_interfaces_explained() -> None:
    commands = router_commands()
    commands[frr.SHOW_INTERFACES] = "% Unknown command: show interface json\n"
    data = frr.parse(Captures(commands=commands))
    assert data.facts.interfaces is None
    assert "% Unknown command" in data.facts.missing["interfaces"]


@pytest.mark.parametrize(
    ("command", "garbage"),
    [
        (frr.SHOW_INTERFACES, "{ not json"),
        (frr.SHOW_INTERFACES, '["eth0"]'),
        (frr.SHOW_INTERFACES, '{"eth0": {"mtu": 1500}}'),
        (frr.SHOW_VERSION, "Hello World 1.0\n"),
    ],
)
def test_garbage_output_is_a_parse_error(command: str, garbage: str) -> None:
    commands = router_commands()
    commands[command] = garbage
    with pytest.raises(ParseError):
        frr.parse(Captures(commands=commands))
