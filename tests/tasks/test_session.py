"""One session (``tasks.session.capture``) over a WAN: the same answers, fewer exchanges.

Real parts only: a simulated IOS switch over SSH (``lab.switch_server``, its own
process) behind the WAN proxy (``lab.wan_proxy``, real sockets, 100 ms round trip),
SIGAP's session code and a plain NAPALM session as Nornir's ``nornir_napalm`` opens
it. Addresses: 127.0.37.x (this file's own range).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from napalm import get_network_driver

from lab.switch_server import start_switches, stop_switches
from lab.wan_proxy import Route, WanProxy
from sop.platforms import get_platform
from tasks.hostkeys import HostKey, fetch_host_key
from tasks.session import Target, Watchdog, capture, open_socket

SWITCH = ("127.0.37.1", 2200)
PROXY = ("127.0.37.2", 2200)
RTT_MS = 100


@dataclass
class Wan:
    proxy: WanProxy
    password: str
    target: Target
    key: HostKey


@pytest.fixture(scope="module")
def wan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wan]:
    """A switch reached through the proxy at 100 ms, its host key pinned."""
    password = secrets.token_urlsafe(12)
    spec = tmp_path_factory.mktemp("wan-switch") / "spec.json"
    device = {"hostname": "sw-wan", "address": SWITCH[0], "port": SWITCH[1]}
    device |= {"username": "sigap", "password_env": "SIGAP_TEST_WAN_PASSWORD"}
    spec.write_text(json.dumps({"devices": [device]}))
    switch = start_switches(spec, {"SIGAP_TEST_WAN_PASSWORD": password})
    try:
        with WanProxy([Route(*PROXY, *SWITCH)], rtt_ms=RTT_MS) as proxy:
            target = Target("sw-wan", *PROXY, "sigap")
            key = fetch_host_key(open_socket(target, 5), 10)
            yield Wan(proxy, password, target, key)
    finally:
        stop_switches(switch)


def _sigap(wan: Wan) -> tuple[dict, dict[str, str], float, int]:
    platform = get_platform("cisco_ios")
    up = wan.proxy.chunks_up[0]
    start = time.perf_counter()
    watchdog = Watchdog(deadline=time.monotonic() + 60)
    got = capture(wan.target, platform, wan.password, wan.password, wan.key, watchdog)
    return (
        dict(got.getters),
        dict(got.commands),
        time.perf_counter() - start,
        wan.proxy.chunks_up[0] - up,
    )


def _napalm(wan: Wan) -> tuple[dict, dict[str, str], float, int]:
    platform = get_platform("cisco_ios")
    up = wan.proxy.chunks_up[0]
    start = time.perf_counter()
    driver = get_network_driver("ios")(
        wan.target.hostname,
        "sigap",
        wan.password,
        optional_args={"port": wan.target.port, "secret": wan.password},
    )
    driver.open()
    getters = {name: getattr(driver, name)() for name in platform.getters}
    commands = driver.cli(list(platform.commands))
    driver.close()
    return getters, commands, time.perf_counter() - start, wan.proxy.chunks_up[0] - up


def _steady(getters: dict) -> dict:
    """The answers without what changes from one session to the next (uptime, counters)."""
    facts = {k: v for k, v in getters["get_facts"].items() if k != "uptime"}
    counters = {name: sorted(c) for name, c in getters["get_interfaces_counters"].items()}
    return {**getters, "get_facts": facts, "get_interfaces_counters": counters}


def _digits_masked(commands: dict[str, str]) -> dict[str, str]:
    return {command: re.sub(r"\d+", "#", text) for command, text in commands.items()}


def test_same_answers_as_a_plain_napalm_session(wan: Wan) -> None:
    sigap_getters, sigap_commands, _, _ = _sigap(wan)
    napalm_getters, napalm_commands, _, _ = _napalm(wan)
    assert _steady(sigap_getters) == _steady(napalm_getters)
    assert sigap_commands["show inventory"] == napalm_commands["show inventory"]
    assert _digits_masked(sigap_commands) == _digits_masked(napalm_commands)  # counters grow
    assert sigap_commands["show interfaces"].count("line protocol is") >= 8
    assert sigap_getters["get_config"]["running"].rstrip().endswith("end")


def test_fewer_exchanges_and_less_time_than_netmiko_defaults_over_a_wan(wan: Wan) -> None:
    """Netmiko finds the prompt again before each command; SIGAP's sessions do not."""
    _, _, sigap_seconds, sigap_chunks = _sigap(wan)
    _, _, napalm_seconds, napalm_chunks = _napalm(wan)
    commands = 12  # the getters' and commands' show commands, 3 of them `show interfaces`
    assert sigap_chunks <= napalm_chunks - commands
    assert sigap_seconds < napalm_seconds - commands * RTT_MS / 1000
