"""The packaged SOP definitions: what the seeds say, as data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.sop_files import DEFINITIONS_DIR, load_sops
from sop.catalog import find_sop, parse_sop
from sop.durations import Unit, parse_duration
from sop.model import END
from sop.problems import ConfigError
from sop.roles import ROLE_KEYS

# The time standards exactly as the seeds (/work/shared/seeds/*.txt) write them.
SEED_TIMES: dict[str, list[str | None]] = {
    "A": ["10 Menit", "10 Menit", "10 Menit", "1 Bulan", "1 Hari", "30 Menit", "10 Menit"],
    "B": [None] * 6,
    "C": ["30 menit", "30 menit", "30 menit", "30 menit", "1 jam", "30 menit", "30 menit"],
    "D1": ["1 Hari", "10 Menit", "10 Menit", "10 Menit", "10 Menit", "10 Menit"],
    "D2": ["1 Hari", "10 Menit", "10 Menit", "10 Menit", "3 Hari", "10 Menit"],
    "D3": ["10 menit", "3 Hari", "10 menit"],
    "D4": ["1 Hari", "30 Menit", "30 Menit", "1 hari", "3 Hari", "1 Hari"],
    "D5": ["1 Hari", "30 Menit", "30 Menit", "1 hari", "3 Hari", "1 Hari"],
    "D6": ["1 Hari", "1 Hari", "30 Menit", "1 Hari", "1 Hari", "10 Menit"],
    "E": ["30 menit", "1 Jam", "15 menit", "1 Jam", None, "30 menit", "10 menit"],
}


@pytest.fixture(scope="module")
def sops():
    return load_sops()


def test_every_packaged_sop_loads_with_its_step_count(sops):
    counts = {code: len(sop.steps) for code, sop in sops.items()}
    assert counts == {
        "A": 7, "B": 6, "C": 7, "D1": 6, "D2": 6, "D3": 3, "D4": 6, "D5": 6, "D6": 6, "E": 7
    }  # fmt: skip
    assert sum(counts[c] for c in counts if c.startswith("D")) == 33
    assert sum(counts.values()) == 60


def test_steps_are_numbered_from_one(sops):
    for sop in sops.values():
        assert [s.number for s in sop.steps] == list(range(1, len(sop.steps) + 1)), sop.code


def test_time_standards_are_the_seeds_and_parse(sops):
    for code, times in SEED_TIMES.items():
        steps = sops[code].steps
        assert [s.time for s in steps] == times, code
        for step, text in zip(steps, times, strict=True):
            expected = None if text is None else parse_duration(text)
            assert step.duration == expected, f"{code} step {step.number}"


def test_a_step_4_is_one_calendar_month(sops):
    assert sops["A"].step(4).duration.unit is Unit.MONTH
    assert sops["A"].total_standard() == "1 Bulan 1 Hari 1 Jam 10 Menit"


def test_every_role_is_a_known_key_and_every_step_is_bilingual(sops):
    for sop in sops.values():
        assert sop.title_en, sop.code
        for step in sop.steps:
            assert set(step.roles) <= set(ROLE_KEYS), (sop.code, step.number)
            assert step.activity_id and step.activity_en, (sop.code, step.number)


def test_actors_of_the_seeds(sops):
    assert [s.role for s in sops["A"].steps] == [
        "kadivmin", "kabag", "kasubag", "it_officer", "kasubag", "kabag", "kadivmin"
    ]  # fmt: skip
    assert sops["C"].step(4).roles == ("team_member", "provider")
    assert sops["B"].step(2).roles == ("visitor", "it_officer", "kasubag")
    assert sops["D3"].step(2).role == "asset_user"
    assert sops["E"].step(6).roles == ("kasi", "kabid")


def test_decision_branches_follow_the_seeds(sops):
    b3 = sops["B"].step(3).decision
    assert (b3.yes, b3.no) == (4, END)  # No: the visitor may not enter
    c3 = sops["C"].step(3).decision
    assert (c3.yes, c3.no) == (5, 4)  # cannot handle it ourselves -> provider
    e3 = sops["E"].step(3).decision
    assert e3.no == 2  # not approved -> back to the staff's analysis
    d1 = sops["D1"].step(4).decision
    assert (d1.yes, d1.no) == (5, 1)  # not approved -> back to the proposing Kasi
    assert sops["A"].step(5).is_decision and sops["A"].step(6).is_decision
    assert not sops["A"].step(4).is_decision


def test_source_information(sops):
    a = sops["A"].source
    assert (a.sop_number, a.year, a.seed) == (
        "W.29.02.02-3982 Tahun 2022", 2022, "000_bf8a96bd381cc46b.txt"
    )  # fmt: skip
    assert sops["C"].source.year == 2024 and sops["E"].source.year == 2020
    assert {sops[f"D{i}"].source.seed for i in range(1, 7)} == {"003_4201c613fc9b5194.txt"}
    assert any("60 Tahun 2008" in law for law in sops["A"].legal_basis)


def test_c_step_7_needs_three_documents(sops):
    inputs = sops["C"].step(7).inputs
    assert len(inputs) == 3 and "Berita Acara Pemeliharaan Jaringan" in inputs


def test_find_sop_ignores_case(sops):
    assert find_sop(sops, "d4").code == "D4"
    with pytest.raises(KeyError, match="unknown SOP code 'X9'"):
        find_sop(sops, "X9")


def test_an_office_copy_is_loaded_from_its_own_directory(tmp_path: Path):
    shutil.copy(DEFINITIONS_DIR / "E.yaml", tmp_path / "E.yaml")
    text = (tmp_path / "E.yaml").read_text(encoding="utf-8")
    (tmp_path / "E.yaml").write_text(text.replace("time: 15 menit", "time: 20 menit"))
    sops = load_sops(tmp_path)
    assert list(sops) == ["E"]
    assert sops["E"].step(3).time == "20 menit"


def test_the_same_code_twice_in_a_directory_is_refused(tmp_path: Path):
    for name in ("E.yaml", "E-copy.yaml"):
        shutil.copy(DEFINITIONS_DIR / "E.yaml", tmp_path / name)
    with pytest.raises(ConfigError) as err:
        load_sops(tmp_path)
    [problem] = err.value.problems
    assert problem.file.endswith("E.yaml") and problem.field == "code"
    assert problem.line == 5  # the code: line of E.yaml (after its header comment)
    assert "also defined in" in problem.message


def test_empty_or_missing_directory(tmp_path: Path):
    with pytest.raises(ConfigError, match="no SOP definitions"):
        load_sops(tmp_path)
    with pytest.raises(ConfigError, match="SOP directory not found"):
        load_sops(tmp_path / "nope")


def test_parse_sop_round_trip_of_a_minimal_definition():
    sop = parse_sop(
        "code: Z1\n"
        "title: {id: Uji}\n"
        "source: {office: Dinas, sop_number: '1', year: 2024}\n"
        "steps:\n"
        "  - number: 1\n"
        "    role: [staff, provider]\n"
        "    activity: Memperbaiki\n"
        "    inputs: []\n"
        "    time: 2 minggu\n"
        "    output: null\n",
        "z.yaml",
    )
    step = sop.steps[0]
    assert step.roles == ("staff", "provider") and step.activity("en") == "Memperbaiki"
    assert step.duration.label("en") == "2 weeks" and sop.title("en") == "Uji"


def test_the_office_checks_know_the_roles_of_the_packaged_sops() -> None:
    from sop.roles import SOP_ROLES

    assert {code: sop.role_keys for code, sop in load_sops().items()} == SOP_ROLES
