"""Read measurements and texts out of the stored facts/health contracts and checklist results.

Snapshots keep :mod:`sop.device`'s contracts as JSON (``Facts``/``Health`` dumped by
``model_dump(mode="json")``); these functions pick the numbers the report shows and
never fail on a field a platform could not fill (it is None, and so is the result).
"""

from __future__ import annotations

import json
from typing import Any

from reports import labels
from sop.checklist import ITEMS

EVIDENCE_CHARS = 200
"""Evidence longer than this is cut (with an ellipsis) in the checklist table."""


def number(value: Any) -> float | None:
    """Return a JSON number as float; None for anything else (booleans included).

    Args:
        value: A stored value.

    Returns:
        The number or None.

    Examples:
        >>> number(3), number(True), number("3")
        (3.0, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def cpu_percent(health: dict[str, Any]) -> float | None:
    """Return the CPU use stored in a snapshot's health, if any.

    Args:
        health: The health contract as stored.

    Returns:
        Percent, or None.

    Examples:
        >>> cpu_percent({"cpu_percent": 42}), cpu_percent({"cpu_percent": None}), cpu_percent({})
        (42.0, None, None)
    """
    return number(health.get("cpu_percent"))


def memory_percent(health: dict[str, Any]) -> float | None:
    """Return the memory use of a snapshot's health, in percent.

    Args:
        health: The health contract as stored.

    Returns:
        Used share of the total, or None without a total.

    Examples:
        >>> memory_percent({"memory": {"used_bytes": 3, "total_bytes": 4}})
        75.0
        >>> memory_percent({"memory": None}), memory_percent({"memory": {"used_bytes": 1,
        ...                                                             "total_bytes": 0}})
        (None, None)
    """
    memory = health.get("memory")
    if not isinstance(memory, dict):
        return None
    used, total = number(memory.get("used_bytes")), number(memory.get("total_bytes"))
    if used is None or not total:
        return None
    return 100.0 * used / total


def worst_disk_percent(health: dict[str, Any]) -> float | None:
    """Return the use of the fullest disk of a server, in percent.

    Args:
        health: The health contract as stored.

    Returns:
        The highest used share among the disks, or None (not a server, no disks).

    Examples:
        >>> worst_disk_percent({"server": {"disks": [
        ...     {"mount": "/", "size_bytes": 100, "used_bytes": 40},
        ...     {"mount": "/var", "size_bytes": 200, "used_bytes": 180}]}})
        90.0
        >>> worst_disk_percent({"server": None})
    """
    server = health.get("server")
    disks = server.get("disks") if isinstance(server, dict) else None
    values = []
    for disk in disks or ():
        if not isinstance(disk, dict):
            continue
        used, size = number(disk.get("used_bytes")), number(disk.get("size_bytes"))
        if used is not None and size:
            values.append(100.0 * used / size)
    return max(values) if values else None


def evidence_text(evidence: Any, limit: int = EVIDENCE_CHARS) -> str:
    """Turn stored checklist evidence into a short text.

    Args:
        evidence: ``{"text": ..., "data": ...}`` as :mod:`sop.checklist` stores it,
            other JSON data, or text.
        limit: Longest text kept; longer is cut with an ellipsis.

    Returns:
        The text (``-`` when there is none).

    Examples:
        >>> evidence_text({"text": "CPU 92 % > ambang 85 %", "data": {"value": 92}})
        'CPU 92 % > ambang 85 %'
        >>> evidence_text({"value": 3}), evidence_text(None), evidence_text("x" * 9, limit=5)
        ('{"value": 3}', '-', 'xxxx…')
    """
    if evidence is None or evidence == {} or evidence == "":
        return "-"
    if isinstance(evidence, dict) and isinstance(evidence.get("text"), str):
        shown = evidence["text"]
    elif isinstance(evidence, str):
        shown = evidence
    else:
        shown = json.dumps(evidence, ensure_ascii=False, sort_keys=True, default=str)
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check_label(item_key: str, stored: str, lang: str = "id") -> str:
    """Return a checklist item's label in the report's language.

    The records store the Indonesian label; the English one comes from
    :data:`sop.checklist.ITEMS` by the item's key (``disk:/var`` -> "Disk capacity /var").

    Args:
        item_key: The stored item key.
        stored: The stored (Indonesian) label.
        lang: ``id`` or ``en``.

    Returns:
        The label.

    Examples:
        >>> check_label("disk:/var", "Kapasitas disk /var", "en")
        'Disk capacity /var'
        >>> check_label("cpu", "Utilisasi CPU"), check_label("custom", "Lain", "en")
        ('Utilisasi CPU', 'Lain')
    """
    if labels.check_lang(lang) == "id":
        return stored
    if item_key in ITEMS:
        return ITEMS[item_key][1]
    base, _, suffix = item_key.partition(":")
    if base in ITEMS and suffix:
        return f"{ITEMS[base][1]} {suffix}"
    return stored
