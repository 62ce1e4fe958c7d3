"""Which work rounds count, pure: one rule for the SOP A flow, its review and its report.

The work step (SOP A step 4) may run several times in a run (a reviewer returns
the work, or a killed run left a round unfinished). Which rounds count, and which
round's result a device has, is one rule for the flow and the report:
:func:`counted_rounds` (finished rounds only, oldest first) and
:func:`latest_per_device` (each device's result from the latest counted round
that has it): every device has exactly one result in the month.

Where a run goes after a decision is the SOP definition's data and the step
engine's job (:func:`sop.procedure.decision_branch`, :mod:`flows.engine`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

COLLECTION_STEP = 4
"""The SOP A step that collects the devices; its rounds (step logs) name the collections."""

ROUND_DONE = "completed"
"""Status of a work round (step log) that counts; ``interrupted`` rounds never do."""

ROUND_KEY = "collection_run_id"
"""Key of a work round's outputs naming the collection it made (one collection)."""

ROUNDS_KEY = "collection_run_ids"
"""Key of a work round's outputs naming the collections it made (one per site, when
the sites collect on their own workers: :mod:`flows.sites`)."""

T = TypeVar("T")


def counted_rounds(rounds: Iterable[tuple[str, Mapping[str, object]]]) -> tuple[int, ...]:
    """The collections of the work rounds that count, oldest first, without repeats.

    A round counts when its step log finished (``completed``); a round whose
    process was killed (``interrupted``) or that still runs does not, even where its
    collection stored some devices. A round names its collection in
    ``collection_run_id``, or its collections (one per site) in ``collection_run_ids``;
    both are read.

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
        >>> counted_rounds([("completed", {"collection_run_ids": [3, 4, True, "5"]}),
        ...                 ("interrupted", {"collection_run_ids": [6]}),
        ...                 ("completed", {"collection_run_id": 4, "collection_run_ids": [7]})])
        (3, 4, 7)
    """
    ids: dict[int, None] = {}
    for status, outputs in rounds:
        if status != ROUND_DONE or not isinstance(outputs, Mapping):
            continue
        many = outputs.get(ROUNDS_KEY)
        values = [outputs.get(ROUND_KEY), *(many if isinstance(many, list) else [])]
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
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
