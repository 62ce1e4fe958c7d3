"""One contract test, run against every recorded case of every platform.

Like NAPALM's shared getter tests: each case under ``fixtures/<platform>/<case>/``
is parsed by its platform, and the result must (1) be a DeviceData, (2) give a
reason for every ``None``, (3) name the same interfaces in facts and health,
(4) hold sane numbers, and (5) match the case's ``expected.json`` exactly on
the fields it lists.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from sop.configs import is_truncated
from sop.device import DeviceData, Explained
from sop.platforms import PLATFORMS
from tests.sop.platforms.casefiles import FIXTURES, Case, all_cases

CASES = all_cases()


def _explained_models(model: BaseModel, path: str) -> list[tuple[str, Explained]]:
    """Every Explained model inside ``model``, with a readable path."""
    found: list[tuple[str, Explained]] = []
    if isinstance(model, Explained):
        found.append((path, model))
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                sub = f"{path}.{name}[{i}]" if isinstance(value, list) else f"{path}.{name}"
                found.extend(_explained_models(item, sub))
    return found


def _check_reasons(data: DeviceData) -> list[str]:
    problems = []
    for path, model in _explained_models(data, "data"):
        for name in type(model).model_fields:
            if name == "missing":
                continue
            value = getattr(model, name)
            reason = model.missing.get(name)
            if value is None and not (isinstance(reason, str) and reason.strip()):
                problems.append(f"{path}.{name} is None without a reason")
            if value is not None and name in model.missing:
                problems.append(f"{path}.{name} has a value and a reason {reason!r}")
        stray = set(model.missing) - set(type(model).model_fields)
        if stray:
            problems.append(f"{path}.missing names unknown fields {sorted(stray)}")
    return problems


def _check_numbers(data: DeviceData) -> list[str]:
    problems = []
    facts, health = data.facts, data.health
    if facts.uptime_seconds is not None and facts.uptime_seconds < 0:
        problems.append(f"uptime {facts.uptime_seconds} < 0")
    if health.cpu_percent is not None and not 0 <= health.cpu_percent <= 100:
        problems.append(f"cpu {health.cpu_percent} not in 0..100")
    if health.memory is not None:
        mem = health.memory
        if not 0 <= mem.used_bytes <= mem.total_bytes or mem.total_bytes == 0:
            problems.append(f"memory used {mem.used_bytes} / total {mem.total_bytes}")
    for iface in health.interfaces or []:
        for name in (
            "input_errors",
            "output_errors",
            "crc_errors",
            "input_discards",
            "output_discards",
        ):
            value = getattr(iface, name)
            if value is not None and value < 0:
                problems.append(f"{iface.name}.{name} = {value} < 0")
        if iface.speed_mbps is not None and iface.speed_mbps <= 0:
            problems.append(f"{iface.name} speed {iface.speed_mbps} <= 0")
    server = health.server
    if server is not None:
        for disk in server.disks or []:
            if not 0 <= disk.used_bytes <= disk.size_bytes:
                problems.append(f"disk {disk.mount} used {disk.used_bytes} > {disk.size_bytes}")
        for name in ("load_1", "load_5", "load_15"):
            value = getattr(server, name)
            if value is not None and value < 0:
                problems.append(f"{name} = {value} < 0")
    return problems


def _compare(expected: Any, actual: Any, path: str) -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: not in the parsed data")
            else:
                problems.extend(_compare(value, actual[key], f"{path}.{key}"))
        return problems
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def _check_expected(case: Case, data: DeviceData) -> list[str]:
    expected = dict(case.expected)
    dumped = data.model_dump(mode="json")
    problems = _compare(expected.get("facts", {}), dumped["facts"], "facts")
    health_expected = dict(expected.get("health", {}))
    interfaces_expected = health_expected.pop("interfaces", None)
    problems += _compare(health_expected, dumped["health"], "health")
    if interfaces_expected is not None:
        by_name = {i["name"]: i for i in dumped["health"]["interfaces"] or []}
        problems += _compare(interfaces_expected, by_name, "health.interfaces")
    config_expected = dict(expected.get("config", {}))
    complete = config_expected.pop("running_complete", None)
    contains = config_expected.pop("running_contains", None)
    problems += _compare(config_expected, dumped["config"], "config")
    running = data.config.running
    if complete is not None:
        if running is None:
            problems.append("config: running_complete expected, but nothing to check")
        elif is_truncated(running, case.platform.name) is complete:
            problems.append(f"config: is_truncated(running) is {complete}")
    if contains is not None and (running is None or contains not in running):
        problems.append(f"config: running does not contain {contains!r}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_platform_fills_the_contract(case: Case) -> None:
    data = case.platform.parse(case.captures)

    assert isinstance(data, DeviceData)
    problems = _check_reasons(data)
    if data.facts.interfaces is not None and data.health.interfaces is not None:
        health_names = [i.name for i in data.health.interfaces]
        if health_names != data.facts.interfaces:
            problems.append(f"health interfaces {health_names} != facts {data.facts.interfaces}")
        if len(set(health_names)) != len(health_names):
            problems.append("an interface is listed twice")
    problems += _check_numbers(data)
    problems += _check_expected(case, data)
    assert case.platform.parse(case.captures) == data, "parse is not deterministic"
    assert not problems, f"{case.path}:\n" + "\n".join(problems)


def test_every_platform_has_recorded_cases() -> None:
    without = [name for name in PLATFORMS if not any(c.platform.name == name for c in CASES)]
    assert not without, f"platforms without a fixture case under {FIXTURES}: {without}"
