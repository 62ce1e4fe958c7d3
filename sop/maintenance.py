"""SOP A's work summary, pure: merge collection rounds, say what a reviewer approves.

Step 4 of SOP A may run more than once in a month: a reviewer who returns the
work names devices to collect again. The month's result is every device's
latest counted round; that merged view is what the next reviewer sees in the
resume form and what the signed report shows. Both read it from the records
with :func:`reports.sources.month_review_lines` (one line per device,
:func:`result_line`), so the review and the report cannot disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sop.checklist import CheckResult, Status, worst_first

_RANK = {"fail": 0, "warn": 1}

WORST_ITEMS = 5
"""Worst checklist items kept in a device's line (as a collection's summary keeps)."""


def result_line(
    outcome: str,
    error: str | None,
    checks: Iterable[tuple[str, str, Status, str]],
    run_id: int | None,
) -> dict[str, Any]:
    """A device's line from its stored result: the same shape as :func:`device_lines`.

    Args:
        outcome: The snapshot's outcome (``ok``, ``timeout``...).
        error: Its error text, if any.
        checks: ``(item key, label, status, evidence text)`` of its judged items.
        run_id: The collection run it comes from.

    Returns:
        ``{outcome, error, pass, warn, fail, worst, run_id}``; ``worst`` holds up to
        :data:`WORST_ITEMS` items that warn or fail, worst first, as
        ``{key, label, status, text}``.

    Examples:
        >>> line = result_line("ok", None, [("cpu", "CPU", "warn", "91 %"),
        ...                                 ("memory", "Memori", "pass", "")], 7)
        >>> line["pass"], line["warn"], line["worst"]
        (1, 1, [{'key': 'cpu', 'label': 'CPU', 'status': 'warn', 'text': '91 %'}])
    """
    results = [CheckResult(key, label, "", status, text) for key, label, status, text in checks]
    counts = Counter(r.status for r in results)
    worst = worst_first(r for r in results if r.status != "pass")[:WORST_ITEMS]
    return {
        "outcome": outcome,
        "error": error,
        "pass": counts.get("pass", 0),
        "warn": counts.get("warn", 0),
        "fail": counts.get("fail", 0),
        "worst": [
            {"key": r.key, "label": r.label, "status": r.status, "text": r.text} for r in worst
        ],
        "run_id": run_id,
    }


def device_lines(collection: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """One line per device from a collection report (``collect-devices``' result).

    Args:
        collection: The report as plain data (``run_id``, ``devices``).

    Returns:
        Device name -> ``{outcome, error, pass, warn, fail, worst, run_id}``.

    Examples:
        >>> lines = device_lines({"run_id": 7, "devices": [{"name": "sw1", "outcome": "ok",
        ...     "error": None, "checklist": {"pass": 9, "warn": 1, "fail": 0, "worst": []}}]})
        >>> lines["sw1"]["warn"], lines["sw1"]["run_id"]
        (1, 7)
    """
    out: dict[str, dict[str, Any]] = {}
    for device in collection.get("devices", []):
        checklist = device.get("checklist") or {}
        out[device["name"]] = {
            "outcome": device["outcome"],
            "error": device.get("error"),
            "pass": int(checklist.get("pass", 0)),
            "warn": int(checklist.get("warn", 0)),
            "fail": int(checklist.get("fail", 0)),
            "worst": [
                {k: item.get(k) for k in ("key", "label", "status", "text")}
                for item in checklist.get("worst", [])
            ],
            "run_id": collection.get("run_id"),
        }
    return out


def merge_rounds(
    previous: Mapping[str, Mapping[str, Any]], latest: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every device's latest line: ``latest`` replaces what it collected again.

    Args:
        previous: Lines of the earlier rounds.
        latest: Lines of this round.

    Returns:
        The merged lines, earlier order first.

    Examples:
        >>> merge_rounds({"a": {"outcome": "ok"}, "b": {"outcome": "timeout"}},
        ...              {"b": {"outcome": "ok"}})
        {'a': {'outcome': 'ok'}, 'b': {'outcome': 'ok'}}
    """
    merged = {name: dict(line) for name, line in previous.items()}
    merged.update({name: dict(line) for name, line in latest.items()})
    return merged


def totals(lines: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Counts a reviewer needs: devices by outcome, checklist results by status.

    Args:
        lines: Device lines (:func:`device_lines`, :func:`merge_rounds`).

    Returns:
        ``devices``, ``ok``, ``failed``, ``by_outcome``, ``pass``, ``warn``, ``fail``.

    Examples:
        >>> t = totals({"a": {"outcome": "ok", "pass": 3, "warn": 1, "fail": 0},
        ...             "b": {"outcome": "timeout", "pass": 0, "warn": 0, "fail": 1}})
        >>> t["ok"], t["failed"], t["by_outcome"], t["warn"], t["fail"]
        (1, 1, {'ok': 1, 'timeout': 1}, 1, 1)
    """
    outcomes = Counter(str(line["outcome"]) for line in lines.values())
    return {
        "devices": len(lines),
        "ok": outcomes.get("ok", 0),
        "failed": len(lines) - outcomes.get("ok", 0),
        "by_outcome": dict(sorted(outcomes.items())),
        "pass": sum(int(line.get("pass", 0)) for line in lines.values()),
        "warn": sum(int(line.get("warn", 0)) for line in lines.values()),
        "fail": sum(int(line.get("fail", 0)) for line in lines.values()),
    }


def degraded(
    lines: Mapping[str, Mapping[str, Any]], limit: int | None = None
) -> list[dict[str, Any]]:
    """The degraded components: failed devices and checklist items that warn or fail.

    Worst first: failed devices, then ``fail`` items, then ``warn`` items.

    Args:
        lines: Device lines.
        limit: At most this many, ``None`` = all.

    Returns:
        ``{device, item, status, text}`` dicts.

    Examples:
        >>> degraded({"a": {"outcome": "ok", "worst": [{"label": "CPU", "status": "warn",
        ...     "text": "91 %"}]}, "b": {"outcome": "timeout", "error": "no answer"}})
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'device': 'b', 'item': 'timeout', 'status': 'fail', 'text': 'no answer'},
         {'device': 'a', 'item': 'CPU', 'status': 'warn', 'text': '91 %'}]
    """
    found: list[tuple[int, dict[str, Any]]] = []
    for name, line in lines.items():
        if line["outcome"] != "ok":
            text = str(line.get("error") or "")[:200]
            found.append(
                (-1, {"device": name, "item": line["outcome"], "status": "fail", "text": text})
            )
        for item in line.get("worst", []):
            if item.get("status") in _RANK:
                found.append(
                    (
                        _RANK[item["status"]],
                        {
                            "device": name,
                            "item": item.get("label") or item.get("key"),
                            "status": item["status"],
                            "text": str(item.get("text") or "")[:200],
                        },
                    )
                )
    found.sort(key=lambda pair: pair[0])
    items = [item for _, item in found]
    return items if limit is None else items[:limit]


def review_summary(
    lines: Mapping[str, Mapping[str, Any]],
    *,
    month: str,
    rounds: int,
    report_link: str | None,
    decisions: Iterable[str] = (),
) -> str:
    """The markdown a reviewer reads in the resume form: what is being approved.

    Args:
        lines: The month's merged device lines.
        month: ``YYYY-MM``.
        rounds: Collection rounds so far (more than one after a return).
        report_link: Where the report artifact or files are.
        decisions: Earlier decisions in the chain, one line each.

    Returns:
        Markdown (Indonesian).

    Examples:
        >>> print(review_summary({"a": {"outcome": "ok", "pass": 5, "warn": 0, "fail": 0}},
        ...       month="2026-11", rounds=1, report_link=None))
        ... # doctest: +ELLIPSIS
        **Periode 2026-11**: 1 perangkat, 1 berhasil, 0 gagal ...
    """
    t = totals(lines)
    parts = [
        f"**Periode {month}**: {t['devices']} perangkat, {t['ok']} berhasil, "
        f"{t['failed']} gagal ({', '.join(f'{k} {v}' for k, v in t['by_outcome'].items())}); "
        f"checklist: {t['pass']} baik (pass), {t['warn']} peringatan (warn), "
        f"{t['fail']} gagal (fail); putaran pengumpulan data: {rounds}.",
        "",
    ]
    worst = degraded(lines, limit=5)
    if worst:
        parts += ["| perangkat | komponen | status | keterangan |", "|---|---|---|---|"]
        parts += [
            f"| {w['device']} | {w['item']} | {w['status']} | {w['text'].replace('|', '/')} |"
            for w in worst
        ]
        parts.append("")
    for line in decisions:
        parts.append(f"- {line}")
    if report_link:
        parts += ["", f"Laporan lengkap: {report_link}"]
    return "\n".join(parts)


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
