"""The SOP table of PermenPAN-RB 35/2012, as rows of text.

An SOP is published as a table: No, Kegiatan, Pelaksana, Mutu Baku
(Kelengkapan, Waktu, Output) and Keterangan. :func:`sop_table` builds those
rows for one SOP, naming the actors with the office's own role titles, so the
printed table reads like the office's own SOP. Pure: rendering is elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sop.model import SopDefinition, Step
from sop.roles import ROLE_KEYS

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Keterangan"),
    "en": ("No", "Activity", "Actor", "Inputs", "Time", "Output", "Notes"),
}
"""Column headers per language."""

NONE = "-"
"""Shown in an empty cell."""


@dataclass(frozen=True)
class SopTable:
    """The rows of one SOP's table.

    Attributes:
        title: The SOP's code and title.
        headers: Column headers.
        rows: One tuple of cell texts per step, in step order.
    """

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def role_title(key: str, role_titles: Mapping[str, str] | None = None) -> str:
    """Return the office's title for a role key, or SIGAP's default title.

    Args:
        key: A role key from :data:`sop.roles.ROLE_KEYS`.
        role_titles: The office's role key -> title mapping.

    Returns:
        The title to show.

    Examples:
        >>> role_title("kasi", {"kasi": "Kasi Jaringan dan Data Center"})
        'Kasi Jaringan dan Data Center'
        >>> role_title("kabid", {"kasi": "Kasi Jaringan dan Data Center"})
        'Kepala Bidang'
    """
    if role_titles and role_titles.get(key):
        return role_titles[key]
    return ROLE_KEYS.get(key, key)


def _notes(step: Step, lang: str) -> str:
    parts = []
    if step.note and lang != "en":
        parts.append(step.note)
    if step.decision is not None:
        parts.append(step.decision.describe(lang))
    return "; ".join(parts) if parts else NONE


def step_row(
    step: Step, role_titles: Mapping[str, str] | None = None, lang: str = "id"
) -> tuple[str, ...]:
    """Return the table cells of one step.

    Args:
        step: The step.
        role_titles: The office's role key -> title mapping (defaults for the rest).
        lang: ``"id"`` (default) or ``"en"``.

    Returns:
        No, Kegiatan, Pelaksana, Kelengkapan, Waktu, Output, Keterangan.

    Examples:
        >>> from sop.durations import parse_duration
        >>> from sop.model import Decision
        >>> s = Step(3, ("kasi",), "Menyetujui perbaikan", "Approves the repair", ("Sparepart",),
        ...          "15 menit", parse_duration("15 menit"), "Disetujui", Decision(4, 2))
        >>> step_row(s, {"kasi": "Kasi Jaringan & DC"})[1:5]
        ('Menyetujui perbaikan', 'Kasi Jaringan & DC', 'Sparepart', '15 menit')
        >>> step_row(s)[6]
        'Ya: ke langkah 4; Tidak: ke langkah 2'
        >>> step_row(s, lang="en")[1:5]
        ('Approves the repair', 'Kepala Seksi', 'Sparepart', '15 minutes')
    """
    if lang == "en":
        time = step.duration.label("en") if step.duration else NONE
    else:
        time = step.time or NONE
    return (
        str(step.number),
        step.activity(lang),
        ", ".join(role_title(r, role_titles) for r in step.roles),
        "; ".join(step.inputs) or NONE,
        time,
        step.output or NONE,
        _notes(step, lang),
    )


def sop_table(
    sop: SopDefinition, role_titles: Mapping[str, str] | None = None, lang: str = "id"
) -> SopTable:
    """Build the PermenPAN-RB 35/2012 table of an SOP.

    Args:
        sop: The SOP definition.
        role_titles: The office's role key -> title mapping; roles it does not
            name keep their default titles from :data:`sop.roles.ROLE_KEYS`.
        lang: ``"id"`` (default) or ``"en"`` for English headers and activities.

    Returns:
        The table.

    Raises:
        ValueError: ``lang`` is neither ``"id"`` nor ``"en"``.

    Examples:
        >>> from config.sop_files import load_sops
        >>> t = sop_table(load_sops()["A"], {"kadivmin": "Kadivmin"})
        >>> t.title, t.rows[0][2], len(t.rows)
        ('A. SOP Pemeliharaan Infrastruktur Sistem Jaringan', 'Kadivmin', 7)
    """
    if lang not in HEADERS:
        raise ValueError(f"language must be one of {', '.join(HEADERS)}, got {lang!r}")
    return SopTable(
        title=f"{sop.code}. {sop.title(lang)}",
        headers=HEADERS[lang],
        rows=tuple(step_row(s, role_titles, lang) for s in sop.steps),
    )
