"""`sigap inventory check|show|import` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sigap.cli import app
from tests.inventory.conftest import EXAMPLE

CORPUS = Path(__file__).parents[2] / "inventory" / "corpus"
runner = CliRunner()


def test_check_ok_prints_summary_and_table() -> None:
    result = runner.invoke(app, ["inventory", "check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 5 hosts, 6 groups\n")
    for text in ("core-sw1", "10.10.0.2:22", "mikrotik_routeros", "ros", "Kantor Pusat"):
        assert text in result.output
    assert "napalm driver" in result.output


def test_check_uses_sigap_inventory_when_no_dir_given(monkeypatch) -> None:
    monkeypatch.setenv("SIGAP_INVENTORY", str(EXAMPLE))
    result = runner.invoke(app, ["inventory", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: 5 hosts" in result.output


def test_check_bad_inventory_prints_every_problem_and_exits_1() -> None:
    case = CORPUS / "many_problems_in_all_files"
    result = runner.invoke(app, ["inventory", "check", str(case)])
    assert result.exit_code == 1
    for line in (
        f"{case}/hosts.yaml:3: sw1.platform: unknown platform 'cisco_iso'; did you mean",
        f"{case}/hosts.yaml:6: srv1.hostname: invalid IP address '999.1.1.1'",
        f"{case}/groups.yaml:2: switches.port: port 0 is out of range 1-65535",
        f"{case}/defaults.yaml:2: password: literal passwords are not allowed",
        f"inventory {case} is invalid: 5 problems found",
    ):
        assert line in result.output
    assert "hunter2-literal" not in result.output
    assert "OK:" not in result.output


def test_show_filters_and_json() -> None:
    result = runner.invoke(
        app,
        ["inventory", "show", str(EXAMPLE), "--filter", "site=Kantor Pusat", "-f", "group=network"],
    )
    assert result.exit_code == 0, result.output
    assert "core-sw1" in result.output and "edge-rtr1" in result.output
    assert "app-srv1" not in result.output and "cabang-rtr1" not in result.output
    assert "3 of 5 hosts" in result.output

    result = runner.invoke(
        app,
        [
            "inventory",
            "show",
            str(EXAMPLE),
            "--json",
            "-f",
            "platform=linux",
            "-f",
            "platform=mikrotik_routeros",
        ],
    )
    assert result.exit_code == 0, result.output
    hosts = json.loads(result.output)
    assert [h["name"] for h in hosts] == ["cabang-rtr1", "app-srv1"]
    assert hosts[1]["password_ref"] == "env:SIGAP_SERVER_PASSWORD"
    assert hosts[1]["data"]["maintenance_window"] == "Sabtu 22:00-02:00"


def test_show_rejects_a_malformed_filter() -> None:
    result = runner.invoke(app, ["inventory", "show", str(EXAMPLE), "--filter", "site"])
    assert result.exit_code == 2
    assert "write key=value" in result.output


def test_show_bad_inventory_exits_1() -> None:
    result = runner.invoke(app, ["inventory", "show", str(CORPUS / "group_cycle")])
    assert result.exit_code == 1
    assert "group cycle: access -> switches -> network -> access" in result.output


def test_import_then_check(tmp_path: Path) -> None:
    source = tmp_path / "devices.csv"
    source.write_text("Nama,IP,Jenis,Lokasi Kantor\nsw1,10.0.0.1,cisco_ios,Pusat\n")
    out = tmp_path / "inv"
    result = runner.invoke(
        app, ["inventory", "import", str(source), "--out", str(out), "--username", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: 1 hosts, 1 groups" in result.output
    check = runner.invoke(app, ["inventory", "check", str(out)])
    assert check.exit_code == 0, check.output
    assert "OK: 1 hosts, 1 groups" in check.output

    again = runner.invoke(app, ["inventory", "import", str(source), "--out", str(out)])
    assert again.exit_code == 1
    assert "directory is not empty; pass --force" in again.output
    forced = runner.invoke(
        app, ["inventory", "import", str(source), "-o", str(out), "--force", "--username", "x"]
    )
    assert forced.exit_code == 0, forced.output
    assert "username: x" in (out / "defaults.yaml").read_text()


def test_import_bad_rows_exit_1_and_write_nothing(tmp_path: Path) -> None:
    source = tmp_path / "devices.csv"
    source.write_text(
        "name,ip,platform,password\nsw1,10.0.0.1,cisco_ios,Sup3rRahasia\nsw2,10.0.0.1,junos,\n"
    )
    out = tmp_path / "inv"
    result = runner.invoke(
        app, ["inventory", "import", str(source), "--out", str(out), "--username", "u"]
    )
    assert result.exit_code == 1
    assert f"{source}:2: password: literal passwords are not allowed" in result.output
    assert f"{source}:3: platform: unknown platform 'junos'; did you mean 'juniper_junos'?" in (
        result.output
    )
    assert f"{source}:3: ip: management address 10.0.0.1:22 is already used in row 2" in (
        result.output
    )
    assert f"{source}: nothing written: 3 problems found" in result.output
    assert "Sup3rRahasia" not in result.output
    assert not out.exists()
