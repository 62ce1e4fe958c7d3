"""Where a review chain stands, pure: replay recorded work and decisions.

An SOP run's state lives in the records, not in a Prefect process: the work
step (e.g. SOP A step 4) and the decisions on the review steps after it
(steps 5-7), in the order they happened. Replaying them tells which step comes
next, so a run that is started again for the same run key (after a crash, a
worker restart or a pause timeout) continues where the first one stopped.

The work step may run several times in a run (a reviewer returns the work, or
a killed run left a round unfinished). Which rounds count, and which round's
result a device has, is one rule for the flow and the report:
:func:`counted_rounds` (finished rounds only, oldest first) and
:func:`latest_per_device` (each device's result from the latest counted round
that has it): every device has exactly one result in the month.

Decisions: ``setuju`` goes to the next review step (or ends the chain,
approved), ``tolak`` ends it, rejected, and ``kembalikan`` returns the work to
the step the SOP's *Tidak* branch names (SOP A: step 5 -> 4, step 6 -> 5), or
to the work step when the SOP names none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from sop.model import END, SopDefinition

DECISION_VALUES = ("setuju", "tolak", "kembalikan")
"""The three answers a reviewer can give: approve, reject, return for revision."""

ROUND_DONE = "completed"
"""Status of a work round (step log) that counts; ``interrupted`` rounds never do."""

ROUND_KEY = "collection_run_id"
"""Key of a work round's outputs naming the collection it made."""

T = TypeVar("T")


def counted_rounds(rounds: Iterable[tuple[str, Mapping[str, object]]]) -> tuple[int, ...]:
    """The collections of the work rounds that count, oldest first, without repeats.

    A round counts when its step log finished (``completed``); a round whose
    process was killed (``interrupted``) or that still runs does not, even where its
    collection stored some devices.

    Args:
        rounds: ``(status, outputs)`` of the work step's logs, oldest first.

    Returns:
        The collection run ids (values that are not whole numbers are ignored).

    Examples:
        >>> counted_rounds([("completed", {"collection_run_id": 7}), ("running", {}),
        ...                 ("interrupted", {"collection_run_id": 8}),
        ...                 ("completed", {"collection_run_id": 9}),
        ...                 ("completed", {"collection_run_id": 7}),
        ...                 ("completed", {"collection_run_id": "x"})])
        (7, 9)
    """
    ids: dict[int, None] = {}
    for status, outputs in rounds:
        value = outputs.get(ROUND_KEY) if isinstance(outputs, Mapping) else None
        if status != ROUND_DONE or not isinstance(value, int) or isinstance(value, bool):
            continue
        ids.setdefault(value, None)
    return tuple(ids)


def latest_per_device(rounds: Iterable[Mapping[str, T]]) -> dict[str, T]:
    """Each device's result from the latest round that has it (one per device).

    Args:
        rounds: Device name -> result, per counted round, oldest first.

    Returns:
        Device name -> its latest result, in the order devices first appeared.

    Examples:
        >>> latest_per_device([{"a": "ok", "b": "timeout"}, {"b": "ok"}])
        {'a': 'ok', 'b': 'ok'}
        >>> latest_per_device([])
        {}
    """
    merged: dict[str, T] = {}
    for found in rounds:
        merged.update(found)
    return merged


@dataclass(frozen=True)
class Event:
    """One recorded thing that moves the chain.

    Attributes:
        step: Step number.
        decision: ``None`` for finished work; else one of :data:`DECISION_VALUES`.
        note: The reviewer's note (may name devices to redo).
    """

    step: int
    decision: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Position:
    """What comes next.

    Attributes:
        step: The next step to perform, ``None`` when the chain has ended.
        status: ``open``, ``approved`` or ``rejected``.
        redo: For a return to the work step: the device names the note named;
            empty = redo everything.
        note: The note of the decision that led here, if any.
    """

    step: int | None
    status: Literal["open", "approved", "rejected"]
    redo: tuple[str, ...] = ()
    note: str | None = None


def return_target(sop: SopDefinition, step: int, work_step: int) -> int:
    """Where ``kembalikan`` at ``step`` sends the work.

    Args:
        sop: The SOP definition.
        step: The review step.
        work_step: The step that does the work (SOP A: 4).

    Returns:
        The SOP's *Tidak* branch when it names a step, else ``work_step``.
    """
    for candidate in sop.steps:
        if candidate.number == step and candidate.decision is not None:
            target = candidate.decision.no
            if target != END:
                return int(target)
    return work_step


def devices_in_note(note: str | None, names: Iterable[str]) -> tuple[str, ...]:
    """The inventory names a reviewer's note mentions, as whole words.

    Args:
        note: Free text, e.g. ``"periksa ulang sw-02 dan srv-01"``.
        names: Known device names.

    Returns:
        The names found, in the order of ``names``; empty = none named.

    Examples:
        >>> devices_in_note("periksa ulang sw-02, srv-01.", ["sw-01", "sw-02", "srv-01"])
        ('sw-02', 'srv-01')
        >>> devices_in_note("semua", ["sw-01"])
        ()
    """
    if not note:
        return ()
    found = []
    for name in names:
        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", note):
            found.append(name)
    return tuple(found)


def replay(
    sop: SopDefinition,
    events: Sequence[Event],
    *,
    work_step: int,
    review_steps: Sequence[int],
    device_names: Iterable[str] = (),
) -> Position:
    """Replay the recorded events of one run and say what comes next.

    Args:
        sop: The SOP definition (for the *Tidak* branches).
        events: Finished work and decisions, oldest first.
        work_step: The step that does the work.
        review_steps: The review steps in order (SOP A: 5, 6, 7).
        device_names: Devices of the run, to find in a return note.

    Returns:
        The next position.

    Raises:
        ValueError: An event has an unknown decision.

    Examples:
        >>> from config.sop_files import load_sops
        >>> a = load_sops()["A"]
        >>> def at(*events):
        ...     return replay(a, events, work_step=4, review_steps=(5, 6, 7),
        ...                   device_names=["sw-01", "sw-02"])
        >>> at()
        Position(step=4, status='open', redo=(), note=None)
        >>> at(Event(4), Event(5, "setuju")).step
        6
        >>> at(Event(4), Event(5, "kembalikan", "ulang sw-02"))
        Position(step=4, status='open', redo=('sw-02',), note='ulang sw-02')
        >>> at(Event(4), Event(5, "setuju"), Event(6, "kembalikan")).step
        5
        >>> at(Event(4), Event(5, "setuju"), Event(6, "setuju"), Event(7, "setuju")).status
        'approved'
        >>> at(Event(4), Event(5, "tolak")).status
        'rejected'
    """
    names = list(device_names)
    position = Position(work_step, "open")
    for event in events:
        if event.decision is None:
            if event.step == work_step:
                position = Position(review_steps[0], "open")
            continue
        if event.decision not in DECISION_VALUES:
            raise ValueError(
                f"step {event.step}: unknown decision {event.decision!r}; "
                f"expected one of {', '.join(DECISION_VALUES)}"
            )
        if event.decision == "tolak":
            return Position(None, "rejected", note=event.note)
        if event.decision == "setuju":
            later = [s for s in review_steps if s > event.step]
            position = Position(later[0], "open") if later else Position(None, "approved")
            continue
        target = return_target(sop, event.step, work_step)
        redo = devices_in_note(event.note, names) if target == work_step else ()
        position = Position(target, "open", redo, event.note)
    return position
