"""Malformed inventories: each names file, line and field; none leaks a password.

Every directory under ``corpus/`` is a broken inventory with an ``expected.txt``:
lines of the form ``FILE:LINE: FIELD: message`` are the problems expected (their
number must match exactly, so one mistake does not cascade into several), and
``contains: TEXT`` lines are extra text the error output must include.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inventory import ConfigError, Problem, load_inventory
from sigap.cli import app

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
# Literal values written after password-like keys in the corpus (not env:/secret: refs).
_LITERAL = re.compile(r"(?:password|secret)\s*:\s*['\"]?([^'\"\n]+)", re.IGNORECASE)


def _rendered(problem: Problem) -> str:
    """A problem as the user sees it, with the directory part of the file dropped."""
    return str(Problem(Path(problem.file).name, problem.line, problem.field, problem.message))


def _expected(case: str) -> tuple[list[str], list[str]]:
    lines = [ln for ln in (CORPUS / case / "expected.txt").read_text().splitlines() if ln.strip()]
    contains = [ln.removeprefix("contains: ") for ln in lines if ln.startswith("contains: ")]
    return [ln for ln in lines if not ln.startswith("contains: ")], contains


def _literals(case: str) -> list[str]:
    found = []
    for path in (CORPUS / case).glob("*.y*ml"):
        for value in _LITERAL.findall(path.read_text()):
            value = value.strip()
            if not value.lower().startswith(("env:", "secret:")):
                found.append(value)
    return found


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_malformed_inventory_is_refused_with_file_line_and_field(case: str) -> None:
    expected, contains = _expected(case)
    assert expected, f"{case}/expected.txt lists no problem"
    with pytest.raises(ConfigError) as info:
        load_inventory(CORPUS / case)
    rendered = [_rendered(p) for p in info.value.problems]
    for want in expected:
        assert any(got.startswith(want) for got in rendered), (want, rendered)
    assert len(rendered) == len(expected), rendered
    for text in contains:
        assert text in str(info.value)
    for problem in info.value.problems:
        assert Path(problem.file).parent == CORPUS / case


@pytest.mark.parametrize("case", CASES)
def test_no_literal_password_in_error_or_cli_output(case: str) -> None:
    literals = _literals(case)
    with pytest.raises(ConfigError) as info:
        load_inventory(CORPUS / case)
    result = CliRunner().invoke(app, ["inventory", "check", str(CORPUS / case)])
    assert result.exit_code == 1
    for literal in literals:
        assert literal not in str(info.value)
        assert literal not in result.output


def test_the_corpus_does_hold_literal_passwords() -> None:
    """Guards the test above against silently checking nothing."""
    everything = [v for case in CASES for v in _literals(case)]
    assert {"Rahasia123!", "SwitchPass#2024", "12345678", "EnableMe99", "Kunci-Baru-2"} <= set(
        everything
    )
