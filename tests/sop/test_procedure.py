"""Where a run goes after its finished steps; decisions as SOP data (sop/procedure.py)."""

from __future__ import annotations

import dataclasses

import pytest

from config.sop_files import load_sops
from sop.model import END
from sop.procedure import (
    STOP,
    Done,
    ProcedureError,
    decision_branch,
    last_step_of,
    next_step,
    position,
)

SOPS = load_sops()
A = SOPS["A"]


def _a(*decisions: tuple[int, str]) -> int | None:
    """SOP A's next step after steps 1-4 and the given decisions."""
    done = [Done(1), Done(2), Done(3), Done(4)]
    for step, decision in decisions:
        done.append(Done(step, decision_branch(A.step(step), decision)))
        if done[-1].branch == 4 or (step == 5 and decision == "kembalikan"):
            done.append(Done(4))
    return position(A, done)


def test_sop_a_follows_the_answers_of_its_definition() -> None:
    assert _a() == 5
    assert _a((5, "setuju")) == 6
    assert _a((5, "setuju"), (6, "kembalikan")) == 5
    assert _a((5, "kembalikan")) == 5  # back to 4, collected again, reviewed again
    assert _a((5, "setuju"), (6, "setuju"), (7, "setuju")) is None
    assert _a((5, "setuju"), (6, "setuju"), (7, "kembalikan")) == 5  # 7 -> 4 -> 5
    for step in (5, 6, 7):
        assert decision_branch(A.step(step), "tolak") == STOP


def test_every_step_a_flow_decides_says_what_each_answer_does() -> None:
    decided = {
        ("A", 5), ("A", 6), ("A", 7), ("B", 3), ("C", 6), ("D2", 2), ("D2", 3),
        ("D4", 3), ("D5", 3), ("D6", 3), ("E", 3), ("E", 6),
    }  # fmt: skip
    for code, number in decided:
        step = SOPS[code].step(number)
        branches = [decision_branch(step, d) for d in ("setuju", "tolak", "kembalikan")]
        for branch in branches:
            assert next_step(SOPS[code], number, branch) != number
    have = {(s.code, step.number) for s in SOPS.values() for step in s.steps if step.answers}
    assert have == decided


def test_an_office_changes_what_a_decision_does_by_its_definition() -> None:
    step = A.step(5)
    strict = dataclasses.replace(
        step, answers=(("setuju", "ya"), ("tolak", END), ("kembalikan", END))
    )
    assert decision_branch(strict, "kembalikan") == STOP
    undecided = dataclasses.replace(step, answers=())
    with pytest.raises(ProcedureError, match="step 5 has no answer 'setuju'"):
        decision_branch(undecided, "setuju")


def test_a_branch_to_a_step_the_sop_does_not_have_is_refused() -> None:
    with pytest.raises(ProcedureError, match="goes to step 9, not in the SOP"):
        next_step(A, 7, 9)


def test_last_step_of_a_role_is_the_latest_one_before_the_step() -> None:
    d2, d5 = SOPS["D2"], SOPS["D5"]
    # D2: the Kabid's letter (4) after the Kabid approved (2), to the Kasi who planned (1)
    assert (d2.step(4).role, d2.step(5).role) == ("kabid", "kasi")
    assert last_step_of(d2, "kabid", 4) == 2
    assert last_step_of(d2, "kasi", 4) == 1
    assert last_step_of(d2, "kabid", 7) == 6  # the latest, not the first
    # D5: the Kasi's letter (4) after the Kasi's analysis (2), to the asset manager of 1
    assert last_step_of(d5, "kasi", 4) == 2
    assert last_step_of(d5, "asset_manager", 4) == 1


def test_last_step_of_a_role_with_no_earlier_step_is_refused() -> None:
    with pytest.raises(ProcedureError, match="no step before step 2 is kadis's"):
        last_step_of(SOPS["D2"], "kadis", 2)
    with pytest.raises(ProcedureError, match="no step before step 1"):
        last_step_of(SOPS["D2"], "kasi", 1)
