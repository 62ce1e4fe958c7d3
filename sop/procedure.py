"""Where a step-by-step SOP run stands, pure: the SOP's own branches, replayed.

SOPs B, C, D1-D6 and E run their steps in the order of the definition; a
decision step (*Ya/Tidak*) goes where its branch says (``decision: {ya: 5,
tidak: 4}``), which may be back to an earlier step (SOP E step 3 *Tidak* -> 2).
Every finished step is recorded with the branch it took; replaying those
records tells the next step, so a run started again for the same run key
continues where it stopped (:class:`flows.engine.Procedure`).

Branches: ``ya`` (yes), ``tidak`` (no), :data:`STOP` to end the run early
(e.g. a request that is refused and may not be tried again), or a step number to
go back to (SOP A step 7 *kembalikan* -> 4).

What a manager's decision (``setuju``/``tolak``/``kembalikan``) does at a step is
the SOP definition's own data (``answers:`` of the step, :meth:`sop.model.Step.outcome`);
:func:`decision_branch` turns it into the branch the step records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sop.model import END, SopDefinition, Step

YES = "ya"
NO = "tidak"
STOP = "stop"
BRANCHES = (YES, NO, STOP)
"""What a finished step may say about where to go (besides a step number to go back to)."""

Branch = str | int | None
"""A finished step's branch: one of :data:`BRANCHES`, a step number, or ``None``."""


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
    branch: Branch = None


def decision_branch(step: Step, decision: str) -> Branch:
    """The branch a manager's decision takes at ``step``, from the SOP definition.

    Args:
        step: The decided step (its ``answers``).
        decision: ``setuju``, ``tolak`` or ``kembalikan``.

    Returns:
        :data:`YES`/:data:`NO` at a *Ya/Tidak* step, ``None`` (on in order) for *ya*
        at any other step, :data:`STOP` for an outcome that ends the run, or the
        step number the outcome goes back to.

    Raises:
        ProcedureError: The SOP definition says nothing of this decision here.

    Examples:
        >>> from config.sop_files import load_sops
        >>> a = load_sops()["A"]
        >>> [decision_branch(a.step(5), d) for d in ("setuju", "kembalikan", "tolak")]
        ['ya', 'tidak', 'stop']
        >>> [decision_branch(a.step(7), d) for d in ("setuju", "kembalikan", "tolak")]
        [None, 4, 'stop']
        >>> decision_branch(a.step(4), "setuju")
        Traceback (most recent call last):
        ...
        sop.procedure.ProcedureError: step 4 has no answer 'setuju' in its SOP definition
    """
    try:
        outcome = step.outcome(decision)
    except KeyError as exc:
        raise ProcedureError(str(exc.args[0])) from None
    if outcome == END:
        return STOP
    if outcome == YES:
        return YES if step.is_decision else None
    return outcome


def next_step(sop: SopDefinition, step: int, branch: Branch = None) -> int | None:
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
    if isinstance(branch, int) and not isinstance(branch, bool):
        if branch not in numbers:
            raise ProcedureError(
                f"SOP {sop.code} step {step}: goes to step {branch}, not in the SOP"
            )
        return branch
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


def last_step_of(sop: SopDefinition, role: str, before: int) -> int:
    """The last step before step ``before`` that the SOP gives to ``role`` (pure).

    Who performed it is who holds that role in the run so far: in D2-D5 the Surat
    Penugasan (step 4) is signed by whoever performed the last earlier step of step 4's
    role and names whoever performed the last earlier step of step 5's role.

    Args:
        sop: The SOP definition.
        role: A role key, e.g. ``kasi``.
        before: A step number.

    Returns:
        The step's number.

    Raises:
        ProcedureError: No step before ``before`` is the role's.
    """
    earlier = [s.number for s in sop.steps if s.role == role and s.number < before]
    if not earlier:
        raise ProcedureError(f"SOP {sop.code}: no step before step {before} is {role}'s")
    return max(earlier)
