"""Checklist thresholds: defaults, per-group/host overrides in the inventory, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import load_inventory
from sop.problems import ConfigError
from sop.thresholds import Thresholds, thresholds_for_host, thresholds_from_data

DEFAULTS = """\
platform: cisco_ios
username: admin
password: env:SIGAP_PW
data:
  thresholds:
    disk_percent: 95
"""
GROUPS = """\
core:
  data:
    thresholds:
      cpu_percent: 70
      memory_percent: 95
      approved_os_versions:
        cisco_ios: ["15.2(7)E"]
"""
HOSTS = """\
plain:
  hostname: 10.0.0.1
core1:
  hostname: 10.0.0.2
  groups: [core]
core2:
  hostname: 10.0.0.3
  groups: [core]
  data:
    thresholds:
      cpu_percent: 60
"""


def write_inventory(tmp_path: Path, hosts: str = HOSTS, groups: str = GROUPS) -> Path:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS)
    (tmp_path / "groups.yaml").write_text(groups)
    (tmp_path / "hosts.yaml").write_text(hosts)
    return tmp_path


def test_defaults_are_the_documented_ones() -> None:
    t = thresholds_from_data({})
    assert (t.cpu_percent, t.memory_percent, t.disk_percent) == (85, 90, 90)
    assert (t.cpu_warn_percent, t.memory_warn_percent, t.disk_warn_percent) == (75, 80, 80)
    assert (t.interface_error_tolerance, t.interface_error_fail) == (0, 100)
    assert t.approved_os_versions == {}
    assert t == Thresholds()


def test_limit_alone_moves_its_warning_level_along() -> None:
    t = thresholds_from_data({"thresholds": {"memory_percent": 70, "disk_warn_percent": 50}})
    assert (t.memory_percent, t.memory_warn_percent) == (70, 60)
    assert (t.disk_percent, t.disk_warn_percent) == (90, 50)


def test_group_and_host_overrides_merge_key_by_key(tmp_path: Path) -> None:
    inv = load_inventory(write_inventory(tmp_path))
    plain = thresholds_for_host(inv.hosts["plain"], inv)
    core1 = thresholds_for_host(inv.hosts["core1"], inv)
    core2 = thresholds_for_host(inv.hosts["core2"], inv)
    # defaults.yaml applies to everyone
    assert plain.disk_percent == core1.disk_percent == core2.disk_percent == 95
    assert (plain.cpu_percent, plain.memory_percent) == (85, 90)
    # the group's values
    assert (core1.cpu_percent, core1.memory_percent) == (70, 95)
    assert core1.approved_os_versions == {"cisco_ios": ("15.2(7)E",)}
    # the host sets only cpu_percent and keeps the group's other keys
    assert (core2.cpu_percent, core2.cpu_warn_percent) == (60, 50)
    assert core2.memory_percent == 95
    assert core2.approved_os_versions == {"cisco_ios": ("15.2(7)E",)}


def test_merged_host_data_replaces_the_whole_mapping(tmp_path: Path) -> None:
    """What the docs say about Host.data: the inventory merges data one level deep."""
    inv = load_inventory(write_inventory(tmp_path))
    t = thresholds_from_data(inv.hosts["core2"].data.as_dict(), "hosts.yaml")
    assert t.cpu_percent == 60
    assert t.memory_percent == 90  # the group's 95 is gone: whole mapping replaced
    assert t.approved_os_versions == {}


def test_unknown_key_is_named_with_file_line_and_suggestion(tmp_path: Path) -> None:
    hosts = HOSTS + "core3:\n  hostname: 10.0.0.4\n  data:\n    thresholds:\n      cpu_percnt: 1\n"
    inv = load_inventory(write_inventory(tmp_path, hosts=hosts))
    with pytest.raises(ConfigError) as err:
        thresholds_for_host(inv.hosts["core3"], inv)
    [problem] = err.value.problems
    assert problem.file.endswith("hosts.yaml")
    assert problem.line == 12
    assert problem.field == "core3.data.thresholds.cpu_percnt"
    assert "did you mean 'cpu_percent'" in problem.message


def test_bad_group_value_is_blamed_on_the_group_not_the_host(tmp_path: Path) -> None:
    groups = GROUPS.replace("cpu_percent: 70", "cpu_percent: high")
    inv = load_inventory(write_inventory(tmp_path, groups=groups))
    with pytest.raises(ConfigError) as err:
        thresholds_for_host(inv.hosts["core1"], inv)
    [problem] = err.value.problems
    assert problem.file.endswith("groups.yaml")
    assert problem.field == "core.data.thresholds.cpu_percent"
    assert "number" in problem.message


@pytest.mark.parametrize(
    ("thresholds", "field", "words"),
    [
        ({"cpu_percent": 101}, "cpu_percent", "between 0 and 100"),
        ({"cpu_percent": -1}, "cpu_percent", "between 0 and 100"),
        ({"disk_percent": True}, "disk_percent", "number"),
        ({"memory_percent": 70, "memory_warn_percent": 75}, "memory_warn_percent", "above"),
        ({"interface_error_tolerance": -1}, "interface_error_tolerance", "whole number"),
        ({"interface_error_tolerance": 1.5}, "interface_error_tolerance", "whole number"),
        ({"interface_error_tolerance": 10, "interface_error_fail": 5}, "interface_error_fail", ""),
        ({"approved_os_versions": ["15.2"]}, "approved_os_versions", "platform"),
        ({"approved_os_versions": {"cisco_ios": "15.2"}}, "approved_os_versions.cisco_ios", "list"),
        ({"approved_os_versions": {"linux": [6.1]}}, "approved_os_versions.linux", "quotes"),
    ],
)
def test_bad_values_name_the_field(thresholds: dict, field: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        thresholds_from_data({"thresholds": thresholds}, "hosts.yaml (host sw1)")
    [problem] = err.value.problems
    assert problem.file == "hosts.yaml (host sw1)"
    assert problem.field == f"data.thresholds.{field}"
    assert words in problem.message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        thresholds_from_data({"thresholds": {"cpu": 1, "memory_percent": "x", "disk_percent": 200}})
    assert [p.field.rsplit(".", 1)[1] for p in err.value.problems] == [
        "cpu",
        "disk_percent",
        "memory_percent",
    ]


def test_thresholds_that_are_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match=r"data\.thresholds: must be a mapping"):
        thresholds_from_data({"thresholds": 80})


def test_version_prefixes_are_kept_as_written() -> None:
    t = thresholds_from_data(
        {"thresholds": {"approved_os_versions": {"linux": [" 6.1 ", "6.6"], "frr": []}}}
    )
    assert t.approved_os_versions == {"linux": ("6.1", "6.6"), "frr": ()}
