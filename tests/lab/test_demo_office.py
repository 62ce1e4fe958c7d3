"""The lab's demo office: every role of every step of SOPs A-E has a holder with a code."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from config.office_file import load_office
from config.sop_files import load_sops
from lab.labfiles import DEMO_OFFICE, write_office
from sigap.cli import app
from sop.roles import SOP_ROLES


def test_demo_office_holds_every_step_role_of_sops_a_to_e(tmp_path: Path) -> None:
    target = write_office(tmp_path / "office.yaml")
    office = load_office(target)
    assert set(office.sops) == set(SOP_ROLES)
    sops = load_sops()
    for code in SOP_ROLES:
        for step in sops[code].steps:
            for role in step.roles:
                holders = [p for p in office.people if role in p.roles]
                assert holders, f"SOP {code} step {step.number}: nobody holds {role}"
    result = CliRunner().invoke(app, ["office", "check", str(DEMO_OFFICE)])
    assert result.exit_code == 0, result.output


def test_settings_fall_back_to_the_labs_office_and_inventory(tmp_path: Path) -> None:
    from config.settings import load_settings

    env = {"SIGAP_DATA_DIR": str(tmp_path)}
    assert load_settings(env).office_file == tmp_path / "office.yaml"
    (tmp_path / "lab" / "inventory").mkdir(parents=True)
    write_office(tmp_path / "lab" / "office.yaml")
    settings = load_settings(env)
    assert settings.office_file == tmp_path / "lab" / "office.yaml"
    assert settings.inventory_dir == tmp_path / "lab" / "inventory"
    assert str(load_office(settings.office_file).timezone) == "Asia/Jayapura"
    (tmp_path / "office.yaml").write_text("office: {}\n")  # an office of one's own wins
    assert load_settings(env).office_file == tmp_path / "office.yaml"
