"""`sigap sop list|show|check`, run through typer's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.sop_files import DEFINITIONS_DIR
from sigap.commands.sop_cmd import app

BAD = Path(__file__).parents[2] / "sop" / "bad_sops"
WIDE = {"COLUMNS": "400"}  # rich wraps table cells at the terminal width


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def office_file(tmp_path: Path) -> Path:
    path = tmp_path / "office.yaml"
    path.write_text(
        "office: {name: Dinas Kominfosanti Kabupaten Buleleng, timezone: Asia/Makassar}\n"
        "sops: [E]\n"
        "roles:\n"
        "  kasi: Kepala Seksi Jaringan dan Data Center\n"
        "  kabid: Kabid Infrastruktur\n",
        encoding="utf-8",
    )
    return path


def test_list_shows_every_sop_with_steps_and_total_time(runner):
    result = runner.invoke(app, ["list"], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for code, steps, total in [
        ("A", 7, "1 Bulan 1 Hari 1 Jam 10 Menit"),
        ("B", 6, "-"),
        ("C", 7, "4 Jam"),
        ("D3", 3, "3 Hari 20 Menit"),
        ("E", 7, "3 Jam 25 Menit"),
    ]:
        [row] = [line for line in lines if line.startswith(f"│ {code} ")]
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[2:4] == [str(steps), total], row


def test_show_prints_the_table_in_indonesian(runner):
    result = runner.invoke(app, ["show", "a"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "A. SOP Pemeliharaan Infrastruktur Sistem Jaringan" in result.output
    assert "Kepala Divisi Administrasi" in result.output
    assert "1 Bulan" in result.output and "Ya: ke langkah 6; Tidak: ke langkah 4" in result.output
    assert "Total waktu standar: 1 Bulan 1 Hari 1 Jam 10 Menit" in result.output


def test_show_in_english(runner):
    result = runner.invoke(app, ["show", "C", "--lang", "en"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Activity" in result.output and "Coordinates the handling" in result.output
    assert "Yes: step 5; No: step 4" in result.output


def test_show_uses_the_office_role_titles(runner, office_file):
    result = runner.invoke(app, ["show", "E", "--office", str(office_file)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Kepala Seksi Jaringan dan Data Center, Kabid Infrastruktur" in result.output


def test_the_office_own_sop_copies_are_used(runner, office_file, tmp_path):
    own = tmp_path / "sops"
    own.mkdir()
    text = (DEFINITIONS_DIR / "E.yaml").read_text(encoding="utf-8")
    (own / "E.yaml").write_text(text.replace("time: 15 menit", "time: 20 menit"))
    office_file.write_text(office_file.read_text() + "sop_dir: sops\n")
    result = runner.invoke(app, ["show", "E", "--office", str(office_file)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "20 menit" in result.output and "15 menit" not in result.output
    listed = runner.invoke(app, ["list", "--office", str(office_file)], env=WIDE)
    assert listed.exit_code == 0, listed.output
    assert "│ E " in listed.output and "│ A " not in listed.output  # only the office's SOPs


def test_unknown_code_is_a_clear_error(runner):
    result = runner.invoke(app, ["show", "Z9"])
    assert result.exit_code == 1
    assert "unknown SOP code 'Z9'; known: A, B, C, D1, D2, D3, D4, D5, D6, E" in result.output


def test_a_bad_office_file_names_file_and_line(runner, tmp_path):
    bad = tmp_path / "office.yaml"
    bad.write_text("office: {name: X, timezone: Asia/Tokyo}\nsops: [E]\n")
    result = runner.invoke(app, ["list", "--office", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: office.timezone" in result.output


def test_check_accepts_the_packaged_definitions(runner):
    result = runner.invoke(app, ["check", str(DEFINITIONS_DIR)])
    assert result.exit_code == 0, result.output
    assert "OK: 10 SOP(s), 60 steps" in result.output


def test_check_prints_every_problem_and_fails(runner):
    result = runner.invoke(app, ["check", str(BAD)])
    assert result.exit_code == 1
    assert f"{BAD / 'unknown_role.yaml'}:6: steps[1].role: unknown role key 'kasubbag'" in (
        result.output
    )
    assert f"{BAD / 'bad_time.yaml'}:15: steps[2].time: cannot read time standard" in result.output
    assert "26 problems found." in result.output


def test_check_a_single_file(runner, tmp_path):
    shutil.copy(BAD / "numbering_gap.yaml", tmp_path / "x.yaml")
    result = runner.invoke(app, ["check", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert "x.yaml:11: steps[2].number" in result.output
    result = runner.invoke(app, ["check", str(DEFINITIONS_DIR / "D1.yaml")])
    assert result.exit_code == 0 and "6 steps" in result.output


def test_every_command_has_help(runner):
    for cmd in ("list", "show", "check"):
        result = runner.invoke(app, [cmd, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
