"""Bad SOP definitions: every problem is reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.sop_files import load_sops
from sop.catalog import parse_sop
from sop.problems import ConfigError

BAD = Path(__file__).parent / "bad_sops"

# file -> every expected problem as (line, field, part of the message)
EXPECTED: dict[str, list[tuple[int | None, str, str]]] = {
    "unknown_role.yaml": [
        (6, "steps[1].role", "unknown role key 'kasubbag' (did you mean 'kasubag'?)"),
        (12, "steps[2].role[2]", "unknown role key 'vendor'"),
    ],
    "missing_branch.yaml": [
        (11, "steps[1].decision.tidak", "branch to step 9, which does not exist"),
        (18, "steps[2].decision.tidak", "step 2 branches to itself"),
    ],
    "bad_answers.yaml": [
        (11, "steps[1].answers.kembalikan", "kembalikan goes to step 7, which does not exist"),
        (11, "steps[1].answers.tolak", "'tidak' needs a Ya/Tidak decision at this step"),
        (19, "steps[2].answers.kembalikan", "missing required field 'kembalikan'"),
        (19, "steps[2].answers.tolak", "outcome 'batal' must be ya, tidak, end/selesai"),
        (26, "steps[3].answers.kembalikan", "kembalikan goes back to its own step 3"),
    ],
    "duplicate_number.yaml": [
        (11, "steps[2].number", "duplicate step number 1 (also at line 5)"),
    ],
    "numbering_gap.yaml": [
        (11, "steps[2].number", "steps must be numbered 1..2 in order"),
    ],
    "bad_time.yaml": [
        (9, "steps[1].time", "cannot read time standard 'sepuluh menit'"),
        (15, "steps[2].time", "cannot read time standard '10 detik'"),
    ],
    "missing_field.yaml": [
        (1, "source", "missing required field 'source'"),
        (4, "steps[1].activity", "missing required field 'activity'"),
    ],
    "unknown_key.yaml": [
        (5, "steps[1].output", "missing required field 'output'"),
        (10, "steps[1].ouput", "unknown key 'ouput' (did you mean 'output'?)"),
        (11, "titel", "unknown key 'titel' (did you mean 'title'?)"),
    ],
    "wrong_types.yaml": [
        (1, "code", "must be letters, digits"),
        (3, "source.year", "year must be a whole number"),
        (5, "steps[1].number", "step number must be a whole number, got 'satu'"),
        (8, "steps[1].inputs", "expected a list of texts"),
        (11, "steps[1].decision.ya", "branch target 'lanjut' must be a step number"),
        (12, "steps[2]", "expected a mapping"),
    ],
    "syntax_error.yaml": [(3, "", "YAML syntax error")],
    "empty.yaml": [(None, "", "file is empty")],
}


def test_the_corpus_is_complete():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_problem_names_file_line_and_field(name: str):
    path = BAD / name
    with pytest.raises(ConfigError) as err:
        parse_sop(path.read_text(encoding="utf-8"), str(path))
    got = err.value.problems
    assert len(got) == len(EXPECTED[name]), "\n".join(map(str, got))
    for problem, (line, field, message) in zip(got, EXPECTED[name], strict=True):
        assert problem.file == str(path)
        assert (problem.line, problem.field) == (line, field), str(problem)
        assert message in problem.message, str(problem)


def test_unreadable_time_lists_the_accepted_forms():
    path = BAD / "bad_time.yaml"
    with pytest.raises(ConfigError) as err:
        parse_sop(path.read_text(encoding="utf-8"), str(path))
    message = err.value.problems[0].message
    for form in ("menit", "jam", "hari", "minggu", "bulan", "minute", "hour", "day", "month"):
        assert form in message


def test_a_directory_reports_every_file_at_once():
    with pytest.raises(ConfigError) as err:
        load_sops(BAD)
    files = {Path(p.file).name for p in err.value.problems}
    assert files == set(EXPECTED)
    assert len(err.value.problems) == sum(len(v) for v in EXPECTED.values())
