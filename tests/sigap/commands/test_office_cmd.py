"""`sigap people` and `sigap office` commands, driven through typer's CliRunner."""

import difflib
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.office_file import load_office
from sigap.commands import office_cmd, people_cmd
from sop.codes import verify_code

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "offices"
CODE = "hutan-lebat-9"


@pytest.fixture
def runner():
    # wide terminal so rich tables do not wrap words
    return CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def bpsdm(tmp_path):
    path = tmp_path / "office.yaml"
    shutil.copy(EXAMPLES / "bpsdm-kemenkumham.yaml", path)
    return path


def test_set_code_writes_a_hash_and_never_the_code(runner, bpsdm):
    before = bpsdm.read_text()
    result = runner.invoke(
        people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm)], input=f"{CODE}\n{CODE}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Approval code set for hendra" in result.output
    after = bpsdm.read_text()
    assert CODE not in after
    assert CODE not in result.output
    assert verify_code(CODE, load_office(bpsdm).person("hendra").approval.code_hash)
    # only two lines were added; comments and everything else kept
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    changed = [ln for ln in diff if ln[:1] in "+-"]
    assert [ln.split(":")[0] for ln in changed] == ["+     approval", "+       code_hash"]
    assert "# The network provider's engineer" in after
    assert list(bpsdm.parent.iterdir()) == [bpsdm]  # no temporary file left behind


def test_set_code_uses_default_office_file_and_keeps_mode(runner, bpsdm, monkeypatch):
    monkeypatch.setenv("SIGAP_OFFICE", str(bpsdm))
    bpsdm.chmod(0o600)
    result = runner.invoke(people_cmd.app, ["set-code", "andika"], input=f"{CODE}\n{CODE}\n")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(bpsdm.stat().st_mode) == 0o600
    assert verify_code(CODE, load_office(bpsdm).person("andika").approval.code_hash)


def test_set_code_repairs_a_plain_code(runner, bpsdm):
    text = bpsdm.read_text().replace(
        "    email: hendra.kusuma@example.go.id\n",
        "    email: hendra.kusuma@example.go.id\n    approval:\n      code: 482913\n",
    )
    bpsdm.write_text(text)
    assert runner.invoke(office_cmd.app, ["check", str(bpsdm)]).exit_code == 1
    result = runner.invoke(
        people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm)], input=f"{CODE}\n{CODE}\n"
    )
    assert result.exit_code == 0, result.output
    assert "482913" not in bpsdm.read_text()
    assert runner.invoke(office_cmd.app, ["check", str(bpsdm)]).exit_code == 0


def test_mismatched_confirmation_is_refused(runner, bpsdm):
    before = bpsdm.read_bytes()
    result = runner.invoke(
        people_cmd.app,
        ["set-code", "hendra", "--office", str(bpsdm)],
        input=f"{CODE}\nhutan-lebat-8\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert CODE not in result.output
    assert bpsdm.read_bytes() == before


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("12345", "at least 6 characters"),
        ("999999", "one digit repeated"),
        ("hendra", "must not be the username"),
    ],
)
def test_policy_refusal_leaves_the_file_unchanged(runner, bpsdm, code, why):
    before = bpsdm.read_bytes()
    result = runner.invoke(
        people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm)], input=f"{code}\n{code}\n"
    )
    assert result.exit_code == 1
    assert why in result.output
    assert "nothing was changed" in result.output
    assert bpsdm.read_bytes() == before
    assert list(bpsdm.parent.iterdir()) == [bpsdm]


def test_set_code_refuses_unknown_user_totp_user_and_broken_file_before_asking(runner, bpsdm):
    before = bpsdm.read_bytes()
    unknown = runner.invoke(people_cmd.app, ["set-code", "budi", "--office", str(bpsdm)])
    assert unknown.exit_code == 1
    assert f"{bpsdm}:23: people: no person with username 'budi'" in unknown.output
    assert "New approval code" not in unknown.output

    totp = runner.invoke(people_cmd.app, ["set-code", "bambang", "--office", str(bpsdm)])
    assert totp.exit_code == 1
    assert f"{bpsdm}:40: people.bambang.approval.totp:" in totp.output
    assert bpsdm.read_bytes() == before

    bpsdm.write_text(before.decode().replace("timezone: Asia/Jakarta", "timezone: Asia/Tokyo"))
    broken = runner.invoke(people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm)])
    assert broken.exit_code == 1
    assert f"{bpsdm}:13: office.timezone: must be one of" in broken.output
    assert "New approval code" not in broken.output

    missing = runner.invoke(people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm) + "x"])
    assert missing.exit_code == 1
    assert "office file not found" in missing.output


def test_people_list_shows_titles_and_kind_of_secret_never_hashes(runner, bpsdm):
    runner.invoke(
        people_cmd.app, ["set-code", "hendra", "--office", str(bpsdm)], input=f"{CODE}\n{CODE}\n"
    )
    stored = load_office(bpsdm).person("hendra").approval.code_hash
    result = runner.invoke(people_cmd.app, ["list", "--office", str(bpsdm)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "scrypt" not in out and stored.split("$")[-1] not in out
    rows = {ln.split("│")[1].strip(): ln for ln in out.splitlines() if ln.count("│") >= 5}
    assert "code set" in rows["hendra"]
    assert "Kepala Pusat Penilaian Kompetensi [head_of_centre]" in rows["hendra"]
    assert "197203251998031001" in rows["hendra"]
    assert "totp (env:SIGAP_TOTP_BAMBANG)" in rows["bambang"]
    assert "none" in rows["andika"]


def test_people_list_of_kanwil_example_never_prints_hashes(runner):
    path = EXAMPLES / "kanwil-kemenkumham-malut.yaml"
    result = runner.invoke(people_cmd.app, ["list", "--office", str(path)])
    assert result.exit_code == 0, result.output
    for person in load_office(path).people:
        assert person.username in result.output
        if person.approval.code_hash:
            assert person.approval.code_hash.split("$")[4] not in result.output
    assert "scrypt" not in result.output
    assert "totp (env:SIGAP_TOTP_RAHMAT)" in result.output  # the managers: a reference


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_office_check_accepts_every_example(runner, path):
    result = runner.invoke(office_cmd.app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {path}: ")
    assert "warning" not in result.output


def test_office_check_lists_every_problem_and_exits_1(runner, bpsdm):
    text = bpsdm.read_text()
    text = text.replace("sops: [C]", "sops: [C, F]").replace("[team_lead]", "[team_leader]")
    bpsdm.write_text(text)
    result = runner.invoke(office_cmd.app, ["check", str(bpsdm)])
    assert result.exit_code == 1
    assert f"{bpsdm}:15: sops: unknown SOP code 'F'" in result.output
    assert f"{bpsdm}:37: people.bambang.roles: unknown role key 'team_leader'" in result.output
    assert "2 problems; nothing was changed." in result.output


def test_office_check_shows_warnings_with_exit_0(runner, bpsdm):
    bpsdm.write_text(bpsdm.read_text().replace("roles: [team_lead]", "roles: [team_member]"))
    result = runner.invoke(office_cmd.app, ["check", str(bpsdm)])
    assert result.exit_code == 0
    assert f"warning: {bpsdm}:15: sops: role team_lead" in result.output


def test_office_check_missing_file(runner, tmp_path):
    result = runner.invoke(office_cmd.app, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'none.yaml'}: office file not found" in result.output


def test_office_show(runner):
    path = EXAMPLES / "kominfo-tanah-bumbu.yaml"
    result = runner.invoke(office_cmd.app, ["show", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Asia/Makassar (WITA)" in out
    assert "D1, D2, D3, D4, D5, D6" in out
    assert "Kepala Seksi Infrastruktur Jaringan and Server" not in out
    assert "Kepala Seksi Infrastruktur Jaringan dan Server" in out
    assert "rusmini" in out
