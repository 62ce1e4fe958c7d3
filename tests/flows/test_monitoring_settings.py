"""Monitoring settings in the inventory: bad entries are refused naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.monitoring import read_host_settings
from inventory import load_inventory
from sop.problems import ConfigError
from sop.thresholds import thresholds_from_data
from tests.flows.monitoring_fixtures import _fast_flow_settings  # noqa: F401

HOSTS = """\
linux01:
  hostname: 10.0.0.5
  platform: linux
  data:
    services: [{name: web, port: 443}]
    maintenance_windows:
      - {start: "2026-12-05T22:00+08:00", end: "2026-12-05T21:00+08:00"}
linux02:
  hostname: 10.0.0.6
  platform: linux
  data:
    allowed_ports: [22, "https"]
    maintenance_windows:
      - {start: "2026-12-05 22:00", end: "2026-12-06T02:00+08:00"}
"""


def test_bad_monitoring_settings_name_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "hosts.yaml").write_text(HOSTS)
    (tmp_path / "defaults.yaml").write_text("username: admin\npassword: env:PW\n")
    inventory = load_inventory(tmp_path)
    with pytest.raises(ConfigError) as refused:
        read_host_settings(list(inventory.filter()))
    text = str(refused.value)
    assert "hosts.yaml:1: linux01.data.maintenance_windows[0].end: must be after the start" in text
    assert "hosts.yaml:8: linux02.data.allowed_ports: must be a list of TCP ports" in text
    assert "linux02.data.maintenance_windows[0].start: needs a UTC offset" in text


def test_good_settings_and_new_thresholds(tmp_path: Path) -> None:
    (tmp_path / "hosts.yaml").write_text(
        HOSTS.replace('"2026-12-05T21:00+08:00"', '"2026-12-06T01:00+08:00"')
        .replace(', "https"', ", 443")
        .replace('"2026-12-05 22:00"', '"2026-12-05T22:00+08:00"')
    )
    (tmp_path / "defaults.yaml").write_text("username: admin\npassword: env:PW\n")
    found = read_host_settings(list(load_inventory(tmp_path).filter()))
    assert found["linux01"].services[0].port == 443
    assert found["linux02"].allowed_ports == (22, 443)
    assert len(found["linux01"].windows) == 1
    t = thresholds_from_data({"thresholds": {"failed_logins_limit": 3, "load_limit": 4}})
    assert (t.failed_logins_limit, t.load_limit) == (3, 4.0)
    with pytest.raises(ConfigError, match="load_limit: must be a number above 0"):
        thresholds_from_data({"thresholds": {"load_limit": 0}}, "groups.yaml")
