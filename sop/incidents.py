"""Incidents of SOP C (network) and SOP E (servers) as data: kinds, statuses, numbers.

Pure: no database, no Prefect. The records (:mod:`records.incidents`) and the CLI
validate with these functions, so a bad kind or status is refused with the same
message everywhere, naming the bad value and the allowed ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sop.problems import did_you_mean


@dataclass(frozen=True)
class Label:
    """A value's label in Indonesian and English."""

    id: str
    en: str

    def text(self, lang: str = "id") -> str:
        """The label in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id


INCIDENT_KINDS: dict[str, Label] = {
    "perangkat_mati": Label("Perangkat mati / tidak dapat dijangkau", "Device down / unreachable"),
    "gangguan_koneksi": Label("Gangguan koneksi jaringan", "Network connectivity problem"),
    "kerusakan_perangkat": Label("Kerusakan perangkat keras", "Hardware damage"),
    "layanan_berhenti": Label("Layanan berhenti", "Service stopped"),
    "keamanan": Label("Gangguan keamanan", "Security problem"),
    "kinerja": Label("Penurunan kinerja", "Performance degradation"),
    "konfigurasi": Label("Kesalahan konfigurasi", "Configuration fault"),
    "lainnya": Label("Lainnya", "Other"),
}
"""Kinds of damage / disturbance (SOP C step 1: "jenis kerusakan / bentuk gangguan")."""

INCIDENT_STATUSES: dict[str, Label] = {
    "open": Label("Dibuka", "Open"),
    "in_progress": Label("Ditangani", "In progress"),
    "resolved": Label("Selesai diperbaiki", "Resolved"),
    "closed": Label("Ditutup", "Closed"),
    "cancelled": Label("Dibatalkan", "Cancelled"),
}
"""Where an incident stands."""

FINISHED_STATUSES: tuple[str, ...] = ("resolved", "closed", "cancelled")
"""Statuses of an incident that no longer counts as an open fault."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved", "cancelled"),
    "in_progress": ("resolved", "cancelled"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "cancelled": (),
}
"""Status -> the statuses it may move to."""

SOURCES: tuple[str, ...] = ("manual", "monitoring")
"""Who opened an incident: a person, or the monitoring flow."""

HANDLINGS: tuple[str, ...] = ("internal", "provider")
"""Who fixes it: the office's own team, or the service provider (SOP C step 3)."""

INCIDENT_SOPS: tuple[str, ...] = ("C", "E")
"""SOPs that handle incidents."""

_NUMBER = re.compile(r"^INC-(\d{4})-(\d{4,})$")


def _check(name: str, value: str, allowed: tuple[str, ...] | dict[str, Label]) -> str:
    if value not in allowed:
        choices = list(allowed)
        raise ValueError(
            f"{name}: {value!r} is not one of {', '.join(choices)}{did_you_mean(value, choices)}"
        )
    return value


def check_kind(kind: str) -> str:
    """Return ``kind`` if SIGAP knows it, else raise a ValueError naming the allowed kinds.

    Args:
        kind: A kind key, e.g. ``perangkat_mati``.

    Returns:
        ``kind``.

    Raises:
        ValueError: An unknown kind.

    Examples:
        >>> check_kind("kinerja")
        'kinerja'
        >>> check_kind("perangkat-mati")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: kind: 'perangkat-mati' is not one of ... (did you mean 'perangkat_mati'?)
    """
    return _check("kind", kind, INCIDENT_KINDS)


def check_status(status: str) -> str:
    """Return ``status`` if it is an incident status, else raise a ValueError.

    Examples:
        >>> check_status("open")
        'open'
        >>> check_status("done")
        Traceback (most recent call last):
        ...
        ValueError: status: 'done' is not one of open, in_progress, resolved, closed, cancelled
    """
    return _check("status", status, INCIDENT_STATUSES)


def check_source(source: str) -> str:
    """Return ``source`` if it is ``manual`` or ``monitoring``, else raise a ValueError."""
    return _check("source", source, SOURCES)


def check_handling(handling: str) -> str:
    """Return ``handling`` if it is ``internal`` or ``provider``, else raise a ValueError."""
    return _check("handling", handling, HANDLINGS)


def check_sop(sop_code: str) -> str:
    """Return ``sop_code`` if it is an incident SOP (``C`` or ``E``), else raise a ValueError."""
    return _check("sop_code", sop_code, INCIDENT_SOPS)


def check_transition(current: str, new: str) -> str:
    """Return ``new`` if an incident in ``current`` may move to it.

    Setting the status an incident already has is allowed (nothing changes).

    Raises:
        ValueError: An unknown status or a move the lifecycle does not allow.

    Examples:
        >>> check_transition("open", "in_progress")
        'in_progress'
        >>> check_transition("closed", "open")
        Traceback (most recent call last):
        ...
        ValueError: status: an incident that is 'closed' cannot become 'open' (allowed: none)
    """
    check_status(new)
    if new == current:
        return new
    allowed = TRANSITIONS[check_status(current)]
    if new not in allowed:
        raise ValueError(
            f"status: an incident that is {current!r} cannot become {new!r} "
            f"(allowed: {', '.join(allowed) or 'none'})"
        )
    return new


def is_finished(status: str) -> bool:
    """Tell whether an incident in ``status`` is no longer an open fault.

    Examples:
        >>> is_finished("in_progress"), is_finished("resolved")
        (False, True)
    """
    return status in FINISHED_STATUSES


def dedupe_key(device: str, kind: str, fault_key: str | None) -> str:
    """The key that makes one fault open one incident only.

    The monitoring's ``fault_key`` when given, else the device and the kind.

    Examples:
        >>> dedupe_key("sw01", "perangkat_mati", None)
        'sw01|perangkat_mati'
        >>> dedupe_key("linux01", "layanan_berhenti", "linux01:port:8080")
        'linux01:port:8080'
    """
    return fault_key if fault_key else f"{device}|{kind}"


def format_number(year: int, sequence: int) -> str:
    """An incident number: ``INC-<year>-<sequence, 4 digits>``.

    Examples:
        >>> format_number(2026, 7)
        'INC-2026-0007'
    """
    return f"INC-{year:04d}-{sequence:04d}"


def parse_number(number: str) -> tuple[int, int] | None:
    """The year and sequence of an incident number, or None if it is not one.

    Examples:
        >>> parse_number("INC-2026-0012")
        (2026, 12)
        >>> parse_number("12") is None
        True
    """
    match = _NUMBER.match(number.strip().upper())
    return (int(match.group(1)), int(match.group(2))) if match else None


def kind_label(kind: str, lang: str = "id") -> str:
    """The label of a kind (the key itself when unknown).

    Examples:
        >>> kind_label("perangkat_mati", "en")
        'Device down / unreachable'
    """
    label = INCIDENT_KINDS.get(kind)
    return label.text(lang) if label else kind


def status_label(status: str, lang: str = "id") -> str:
    """The label of a status (the key itself when unknown).

    Examples:
        >>> status_label("closed")
        'Ditutup'
    """
    label = INCIDENT_STATUSES.get(status)
    return label.text(lang) if label else status
