"""The SLA table of an SOP run: one row per recorded step, actual time against the standard.

Pure: step records in, a pandas DataFrame out. The monthly report's "Langkah SOP"
section (:func:`reports.assembly.step_table`) and the documents of the step-by-step
SOPs (incident report, Berita Acara, D6 evaluation...) use the same rows::

    frame = step_sla_frame(steps, sop, office, "id", now=now)
    DocTable("steps", "Langkah SOP", frame, step_sla_headers("id"))

A step record is a :class:`reports.data.StepRecord`, or any object with the same
attributes (e.g. a ``records.models.StepLog`` row), or a mapping with those keys
(``step`` is accepted for ``step_number``; a missing ``role_key`` is the SOP step's
role).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from reports import labels
from reports.data import StepRecord
from sop.model import SopDefinition, Step
from sop.office import Office, role_title
from sop.sla import evaluate

SLA_COLUMNS: tuple[str, ...] = (
    "step", "role", "actor", "started_at", "finished_at", "actual", "waiting", "standard", "sla",
)  # fmt: skip
"""Columns of :func:`step_sla_frame` (stable keys; headers from :func:`step_sla_headers`)."""

_FIELDS = ("role_key", "actor", "finished_at", "due_at", "status", "sla_status", "waiting_seconds")


def office_time(value: datetime | None, office: Office, lang: str = "id") -> str:
    """Write an aware time in the office's zone, e.g. ``2 November 2026 09:05 WIT``.

    Args:
        value: The time, or None (``-``).
        office: The office (its time zone).
        lang: ``id`` or ``en``.

    Returns:
        The text.
    """
    return labels.format_datetime(value, office.timezone, office.timezone_abbrev, lang)


def person_name(office: Office, username: str | None) -> str:
    """The full name of an office's person; the username itself if unknown; ``-`` for none.

    Args:
        office: The office.
        username: The username, or None.

    Returns:
        The name.
    """
    if not username:
        return "-"
    person = office.person(username)
    return person.name if person is not None else username


def sop_step(sop: SopDefinition, number: int) -> Step | None:
    """The SOP's step ``number``, or None if it has none.

    Args:
        sop: The SOP definition.
        number: The step number.

    Returns:
        The step.
    """
    try:
        return sop.step(number)
    except KeyError:
        return None


def as_step_record(item: Any, sop: SopDefinition) -> StepRecord:
    """Turn a step log (record, ORM row or mapping) into a :class:`StepRecord`.

    Args:
        item: A :class:`StepRecord`, an object with its attributes, or a mapping
            with its keys (``step`` is accepted for ``step_number``).
        sop: The SOP (the step's role when the item names none).

    Returns:
        The record.

    Raises:
        ValueError: No step number or no aware start time, naming what is missing.

    Examples:
        >>> from datetime import UTC
        >>> from config.sop_files import load_sops
        >>> t0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
        >>> r = as_step_record({"step": 2, "started_at": t0, "actor": "andi"}, load_sops()["C"])
        >>> r.step_number, r.role_key, r.actor, r.finished_at
        (2, 'team_member', 'andi', None)
        >>> as_step_record({"step": 2}, load_sops()["C"])
        Traceback (most recent call last):
        ...
        ValueError: step log {'step': 2}: started_at must be an aware datetime, got None
    """
    if isinstance(item, StepRecord):
        return item
    if isinstance(item, Mapping):
        get = item.get
    else:

        def get(key: str, default: Any = None) -> Any:
            return getattr(item, key, default)

    number = get("step_number", get("step"))
    if number is None:
        raise ValueError(f"step log {item!r}: no step_number")
    started = get("started_at")
    if not isinstance(started, datetime) or started.utcoffset() is None:
        raise ValueError(
            f"step log {item!r}: started_at must be an aware datetime, got {started!r}"
        )
    values = {name: get(name) for name in _FIELDS}
    if not values["role_key"]:
        standard = sop_step(sop, int(number))
        values["role_key"] = standard.role if standard is not None else "-"
    if values["status"] is None:
        values["status"] = "completed" if values["finished_at"] is not None else "running"
    outputs = get("outputs")
    return StepRecord(
        step_number=int(number),
        started_at=started,
        outputs=dict(outputs) if isinstance(outputs, Mapping) else {},
        **values,
    )


def step_timing(
    step: StepRecord, standard: Step | None, now: datetime | None, factor: float = 1.0
) -> tuple[timedelta | None, str | None]:
    """Return a step's actual time (waiting taken off) and its SLA verdict.

    The verdict the flow recorded is used for a finished step; otherwise (a running
    step, or none recorded) it is computed with :func:`sop.sla.evaluate`, the recorded
    waiting time counting as waiting.

    Args:
        step: The step log.
        standard: The SOP step (its time standard), or None if unknown.
        now: The current time, for a running step; None: a running step has no
            actual time yet and is ``running``.
        factor: The office's breach factor.

    Returns:
        (actual time, ``met``/``breached``/``running``/``no_standard``); (None, None)
        for a log whose end is before its start.

    Examples:
        >>> from datetime import UTC
        >>> from sop.durations import parse_duration
        >>> t0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        >>> s5 = Step(5, ("kasubag",), "Memeriksa", time="1 Hari",
        ...           duration=parse_duration("1 Hari"))
        >>> log = StepRecord(5, "kasubag", "rahmat", t0, t0 + timedelta(hours=30))
        >>> step_timing(log, s5, t0)
        (datetime.timedelta(days=1, seconds=21600), 'breached')
        >>> waited = StepRecord(5, "kasubag", "rahmat", t0, t0 + timedelta(hours=30),
        ...                     waiting_seconds=8 * 3600)
        >>> step_timing(waited, s5, t0)[1]
        'met'
        >>> step_timing(StepRecord(5, "kasubag", None, t0), s5, None)
        (None, 'running')
    """
    if step.finished_at is None and now is None:
        return None, "running"
    end = step.finished_at or now
    assert end is not None
    if end < step.started_at:
        return None, None
    waiting = timedelta(seconds=max(step.waiting_seconds or 0.0, 0.0))
    actual = max(end - step.started_at - waiting, timedelta(0))
    if step.finished_at is not None and step.sla_status:
        return actual, step.sla_status
    waits = [(step.started_at, step.started_at + waiting)] if waiting else []
    duration = standard.duration if standard is not None else None
    result = evaluate(
        step.started_at, end, duration, waits, factor, running=step.finished_at is None
    )
    return actual, result.status.value


def step_sla_table(
    steps: Iterable[Any],
    sop: SopDefinition,
    office: Office,
    now: datetime | None,
    lang: str = "id",
) -> tuple[pd.DataFrame, Counter[str]]:
    """The SLA rows and the count of each verdict (for summaries).

    Args:
        steps: The step logs, in start order (see :func:`as_step_record`).
        sop: The SOP definition (time standards).
        office: The office (titles, names, time zone, breach factor).
        now: The current time, for running steps (None: see :func:`step_timing`).
        lang: ``id`` or ``en``.

    Returns:
        The frame (columns :data:`SLA_COLUMNS`) and verdict -> count.
    """
    lang = labels.check_lang(lang)
    rows = []
    verdicts: Counter[str] = Counter()
    for item in steps:
        log = as_step_record(item, sop)
        standard = sop_step(sop, log.step_number)
        actual, verdict = step_timing(log, standard, now, office.sla.breach_factor)
        if verdict:
            verdicts[verdict] += 1
        waiting = (log.waiting_seconds or 0.0) > 0
        rows.append(
            {
                "step": log.step_number,
                "role": role_title(office, log.role_key),
                "actor": person_name(office, log.actor),
                "started_at": office_time(log.started_at, office, lang),
                "finished_at": office_time(log.finished_at, office, lang),
                "actual": labels.format_span(actual, lang),
                "waiting": (
                    labels.format_span(timedelta(seconds=log.waiting_seconds or 0.0), lang)
                    if waiting
                    else "-"
                ),
                "standard": (
                    standard.duration.label(lang)
                    if standard is not None and standard.duration is not None
                    else "-"
                ),
                "sla": labels.word(labels.SLA_STATUSES, verdict, lang),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SLA_COLUMNS))
    frame["step"] = frame["step"].astype("int64")
    return frame, verdicts


def step_sla_frame(
    steps: Sequence[Any],
    sop: SopDefinition,
    office: Office,
    lang: str = "id",
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per recorded step: role, actor, start, end, actual time, waiting, standard, SLA.

    The actual time is the step's wall time minus the time waiting on a third party
    (a provider, a visitor), which is shown apart in ``waiting``; the SLA status is
    the verdict the flow recorded for a finished step, else computed against the
    SOP's standard (the office's breach factor applied).

    Args:
        steps: The step logs, in start order (see :func:`as_step_record`).
        sop: The SOP definition (time standards).
        office: The office (titles, names, time zone, breach factor).
        lang: ``id`` or ``en``.
        now: The current time for steps still running; None shows them as running
            without an actual time.

    Returns:
        Columns :data:`SLA_COLUMNS` (stable keys; values in ``lang``).

    Examples:
        >>> from datetime import UTC
        >>> from config.sop_files import load_sops
        >>> from sop.office import parse_office
        >>> office = parse_office("{office: {name: X, timezone: Asia/Jakarta}, sops: [C]}", "o")
        >>> t = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
        >>> logs = [{"step": 4, "actor": "andi", "started_at": t, "sla_status": "met",
        ...          "finished_at": t + timedelta(minutes=50), "waiting_seconds": 1800.0}]
        >>> row = step_sla_frame(logs, load_sops()["C"], office).iloc[0]
        >>> row["started_at"], row["actual"], row["waiting"], row["sla"]
        ('1 Desember 2026 08:00 WIB', '20 menit', '30 menit', 'tepat waktu')
    """
    return step_sla_table(steps, sop, office, now, lang)[0]


def step_sla_headers(lang: str = "id") -> dict[str, str]:
    """The headers of :func:`step_sla_frame`'s columns in ``lang``.

    Args:
        lang: ``id`` or ``en``.

    Returns:
        Column key -> header.

    Examples:
        >>> step_sla_headers()["waiting"], step_sla_headers("en")["sla"]
        ('Menunggu Pihak Ketiga', 'SLA status')
    """
    return {key: labels.column(key, lang) for key in SLA_COLUMNS}
