"""Where a step-by-step SOP run stands, pure: the SOP's own branches, replayed.

SOPs B, C, D1-D6 and E run their steps in the order of the definition; a
decision step (*Ya/Tidak*) goes where its branch says (``decision: {ya: 5,
tidak: 4}``), which may be back to an earlier step (SOP E step 3 *Tidak* -> 2).
Every finished step is recorded with the branch it took; replaying those
records tells the next step, so a run started again for the same run key
continues where it stopped (:class:`flows.procedure.Procedure`).

Branches: ``ya`` (yes), ``tidak`` (no), or :data:`STOP` to end the run early
(e.g. a request that is refused and may not be tried again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sop.model import END, SopDefinition

YES = "ya"
NO = "tidak"
STOP = "stop"
BRANCHES = (YES, NO, STOP)
"""What a finished step may say about where to go."""

DECISION_BRANCH = {"setuju": YES, "tolak": NO, "kembalikan": NO}
"""The branch an approval decision takes (:data:`sop.review.DECISION_VALUES`)."""


class ProcedureError(ValueError):
    """A recorded step does not fit the SOP's order or branches."""


@dataclass(frozen=True)
class Done:
    """One finished step as the records keep it.

    Attributes:
        step: Step number.
        branch: :data:`YES`, :data:`NO`, :data:`STOP`, or ``None`` for a plain step.
    """

    step: int
    branch: str | None = None


def next_step(sop: SopDefinition, step: int, branch: str | None = None) -> int | None:
    """The step after ``step`` finished with ``branch``; ``None`` when the run ends.

    Args:
        sop: The SOP definition.
        step: The finished step.
        branch: Required for a decision step; :data:`STOP` ends the run anywhere.

    Returns:
        The next step number, or ``None`` at the end.

    Raises:
        ProcedureError: Unknown step, unknown branch, or a decision step without one.

    Examples:
        >>> from config.sop_files import load_sops
        >>> c = load_sops()["C"]
        >>> next_step(c, 1), next_step(c, 3, "ya"), next_step(c, 3, "tidak"), next_step(c, 7)
        (2, 5, 4, None)
        >>> next_step(load_sops()["E"], 3, "tidak")
        2
        >>> next_step(c, 3)
        Traceback (most recent call last):
        ...
        sop.procedure.ProcedureError: SOP C step 3 is a decision: its branch must be ya or tidak
    """
    numbers = [s.number for s in sop.steps]
    if step not in numbers:
        raise ProcedureError(f"SOP {sop.code} has no step {step}")
    if branch is not None and branch not in BRANCHES:
        raise ProcedureError(
            f"SOP {sop.code} step {step}: unknown branch {branch!r}; "
            f"expected one of {', '.join(BRANCHES)}"
        )
    if branch == STOP:
        return None
    definition = sop.step(step)
    if definition.decision is not None:
        if branch not in (YES, NO):
            raise ProcedureError(
                f"SOP {sop.code} step {step} is a decision: its branch must be ya or tidak"
            )
        target = definition.decision.yes if branch == YES else definition.decision.no
        return None if target == END else int(target)
    index = numbers.index(step)
    return numbers[index + 1] if index + 1 < len(numbers) else None


def position(sop: SopDefinition, done: Sequence[Done]) -> int | None:
    """Replay the finished steps of one run: the step to perform next.

    Args:
        sop: The SOP definition.
        done: Finished steps, oldest first.

    Returns:
        The next step number, or ``None`` when the run has ended.

    Raises:
        ProcedureError: A finished step is not the one the SOP expected there.

    Examples:
        >>> from config.sop_files import load_sops
        >>> e = load_sops()["E"]
        >>> position(e, [])
        1
        >>> position(e, [Done(1), Done(2), Done(3, "tidak"), Done(2)])
        3
        >>> position(e, [Done(1), Done(2), Done(3, "stop")]) is None
        True
        >>> position(e, [Done(2)])
        Traceback (most recent call last):
        ...
        sop.procedure.ProcedureError: SOP E: step 2 was recorded where step 1 was expected
    """
    current: int | None = sop.steps[0].number
    for item in done:
        if current is None:
            raise ProcedureError(f"SOP {sop.code}: step {item.step} was recorded after the end")
        if item.step != current:
            raise ProcedureError(
                f"SOP {sop.code}: step {item.step} was recorded where step {current} was expected"
            )
        current = next_step(sop, item.step, item.branch)
    return current
