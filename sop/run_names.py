"""What a Prefect flow run of an SOP is called and tagged, pure.

A manager looking at the Prefect UI's *Runs* list sees what each run is and who it
waits for:

- its name says the SOP and what it is about: ``SOP A 2026-11 kanwil-malut``,
  ``SOP C INC-2026-0004 kanwil-malut``, ``SOP B KRS-2026-0003 Budi``
  (:func:`run_name`), instead of Prefect's random ``bronze-basilisk``;
- while it waits for a person, it carries the tag ``menunggu:<role>``
  (:func:`waiting_tag`), so *Runs* filtered by ``menunggu:kasubag`` is the Kasubag's
  inbox; after a refused answer it also carries :data:`REFUSED_TAG` until an answer
  is accepted, and the re-opened form starts with :func:`refusal_line`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sop.office import Office
from sop.runkeys import office_slug

WAITING_PREFIX = "menunggu:"
"""Prefix of the tag a waiting run carries, followed by the role key."""

REFUSED_TAG = "ditolak"
"""Tag of a waiting run whose last answer was refused."""

MAX_NAME = 100
"""Longest run name SIGAP gives (the Prefect UI shows about this much in its list)."""

_KEY_PARTS = re.compile(r"[/:]")


def run_name(run_key: str, subject: str | None = None) -> str:
    """The flow run name of an SOP run.

    Args:
        run_key: The SOP run's key: ``CODE<sep>office<sep>reference`` with ``/`` or
            ``:`` between (``A/kanwil-malut/2026-11``, ``C:kanwil-malut:INC-2026-0004``).
        subject: Who or what the run is about, shown instead of the office (a
            visitor's first name for SOP B); ``None`` shows the office.

    Returns:
        ``SOP <code> <reference> <office or subject>``, at most :data:`MAX_NAME`
        characters.

    Examples:
        >>> run_name("A/kanwil-malut/2026-11")
        'SOP A 2026-11 kanwil-malut'
        >>> run_name("C:kanwil-malut:INC-2026-0004")
        'SOP C INC-2026-0004 kanwil-malut'
        >>> run_name("B:kanwil-malut:KRS-2026-0003", subject="Budi")
        'SOP B KRS-2026-0003 Budi'
        >>> run_name("D2/Diskominfo SP Tanah Bumbu/SW-01 2026-12-01")
        'SOP D2 SW-01 2026-12-01 diskominfo-sp-tanah-bumbu'
        >>> run_name("bare")
        'SOP bare'
    """
    parts = _KEY_PARTS.split(run_key, maxsplit=2)
    if len(parts) < 3:
        return f"SOP {run_key}"[:MAX_NAME]
    code, office, reference = parts
    who = subject.strip() if subject and subject.strip() else office_slug(office)
    return " ".join(f"SOP {code} {reference} {who}".split())[:MAX_NAME]


def monitoring_run_name(at: datetime, office: Office) -> str:
    """The flow run name of one SOP E monitoring round (every 15 minutes).

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> office = parse_office('''
        ... office: {name: Kanwil Malut, timezone: Asia/Jayapura}
        ... sops: [E]
        ... ''', "office.yaml")
        >>> monitoring_run_name(datetime(2026, 12, 3, 1, 15, tzinfo=UTC), office)
        'SOP E pemantauan 2026-12-03 10.15 kanwil-malut'
    """
    local = at.astimezone(office.timezone)
    return f"SOP E pemantauan {local:%Y-%m-%d %H.%M} {office_slug(office.short_name)}"


def collection_run_name(trigger: str, filters: Mapping[str, Any] | None) -> str:
    """The flow run name of a collection (``collect-devices``): who started it, for what.

    Args:
        trigger: What started it (``sop:A``, ``manual``, ``schedule``).
        filters: The inventory filters (``{"site": "pusat"}``).

    Returns:
        E.g. ``SOP A pengumpulan site=pusat``.

    Examples:
        >>> collection_run_name("sop:A", {"site": "pusat"})
        'SOP A pengumpulan site=pusat'
        >>> collection_run_name("manual", None)
        'pengumpulan manual semua perangkat'
    """
    what = " ".join(f"{k}={v}" for k, v in sorted((filters or {}).items())) or "semua perangkat"
    who = f"SOP {trigger.split(':', 1)[1]}" if trigger.startswith("sop:") else None
    text = f"{who} pengumpulan {what}" if who else f"pengumpulan {trigger} {what}"
    return " ".join(text.split())[:MAX_NAME]


def first_name(full_name: str) -> str:
    """The first word of a person's name, for a run name (``SOP B KRS-2026-0003 Budi``).

    Honorifics before the name are skipped, so the run name shows no more of the person
    than a receptionist's greeting would.

    Examples:
        >>> first_name("Budi Santoso")
        'Budi'
        >>> first_name("Hj. Rusmini, S.T.")
        'Rusmini'
        >>> first_name("  ")
        ''
    """
    words = [w.strip(",") for w in full_name.split()]
    names = [w for w in words if w and not w.endswith(".")]
    return names[0] if names else (words[0] if words else "")


def waiting_tag(role: str) -> str:
    """The tag of a run waiting for ``role``.

    Examples:
        >>> waiting_tag("kasubag")
        'menunggu:kasubag'
    """
    return f"{WAITING_PREFIX}{role}"


def waiting_tags(
    tags: list[str] | tuple[str, ...], roles: tuple[str, ...], refused: bool
) -> list[str]:
    """A run's tags while it waits for ``roles`` (none: it waits for nobody).

    Tags SIGAP does not own are kept, in their order.

    Args:
        tags: The run's tags now.
        roles: The roles the run waits for (empty once the step is answered).
        refused: Whether the last answer to the waiting step was refused.

    Returns:
        The new tags.

    Examples:
        >>> waiting_tags(["sigap", "menunggu:kasubag", "ditolak"], ("kabag",), False)
        ['sigap', 'menunggu:kabag']
        >>> waiting_tags(["sigap"], ("kasubag",), True)
        ['sigap', 'menunggu:kasubag', 'ditolak']
        >>> waiting_tags(["sigap", "menunggu:kasubag", "ditolak"], (), False)
        ['sigap']
    """
    kept = [t for t in tags if not t.startswith(WAITING_PREFIX) and t != REFUSED_TAG]
    kept += [waiting_tag(role) for role in roles]
    if refused and roles:
        kept.append(REFUSED_TAG)
    return kept


def refusal_line(reason: str) -> str:
    """The first line of a form re-opened after a refused answer.

    Args:
        reason: Why the answer was refused (Indonesian, never the code).

    Returns:
        Markdown, e.g. ``**DITOLAK: kode persetujuan salah. Coba lagi.**``.

    Examples:
        >>> refusal_line("kode persetujuan salah")
        '**DITOLAK: kode persetujuan salah. Coba lagi.**'
    """
    return f"**DITOLAK: {reason.strip().rstrip('.')}. Coba lagi.**"


DECISION_WORDS = {"setuju": "Setuju", "tolak": "Ditolak", "kembalikan": "Dikembalikan"}
"""How a decision reads on the run's artifact."""


def answer_key(sop_run_id: int, step_number: int) -> str:
    """The Prefect artifact key of a step's accepted answer (lower case, digits, dashes).

    Examples:
        >>> answer_key(12, 5)
        'persetujuan-sop12-langkah5'
    """
    return f"persetujuan-sop{sop_run_id}-langkah{step_number}"


def answer_markdown(
    *,
    sop_code: str,
    step_number: int,
    activity: str,
    decision: str | None,
    person: str,
    role_title: str,
    answered_at: str,
    note: str,
    refused_before: int,
) -> str:
    """The markdown artifact of an accepted answer: the decision, the person and the time.

    Args:
        sop_code: E.g. ``A``.
        step_number: The step answered.
        activity: The step's activity (Indonesian).
        decision: ``setuju``/``tolak``/``kembalikan`` for a decision, ``None`` for a form.
        person: Name and username of who answered (``Rahmat (rahmat)``).
        role_title: The role they answered in (``Kasubag``).
        answered_at: When, as the office reads it (``Kamis, 3 Desember 2026 pukul 10.05 WIT``).
        note: Their note (may be empty).
        refused_before: Answers to this step refused before this one.

    Returns:
        Markdown (no code, no secret: the answer's code is never passed here).

    Examples:
        >>> print(answer_markdown(sop_code="A", step_number=5, activity="Periksa laporan",
        ...     decision="setuju", person="Rahmat (rahmat)", role_title="Kasubag",
        ...     answered_at="3 Desember 2026 pukul 10.05 WIT", note="", refused_before=1))
        ### SOP A langkah 5: Setuju
        <BLANKLINE>
        | | |
        |---|---|
        | Langkah | 5. Periksa laporan |
        | Keputusan | Setuju |
        | Oleh | Rahmat (rahmat), Kasubag |
        | Waktu | 3 Desember 2026 pukul 10.05 WIT |
        | Jawaban ditolak sebelumnya | 1 |
    """
    outcome = DECISION_WORDS.get(decision or "", decision or "Dijawab")
    rows = [
        ("Langkah", f"{step_number}. {activity}"),
        ("Keputusan", outcome),
        ("Oleh", f"{person}, {role_title}"),
        ("Waktu", answered_at),
    ]
    if note.strip():
        rows.append(("Catatan", note.strip()))
    if refused_before:
        rows.append(("Jawaban ditolak sebelumnya", str(refused_before)))
    cells = [f"| {k} | {_cell(v)} |" for k, v in rows]
    return "\n".join(
        [f"### SOP {sop_code} langkah {step_number}: {outcome}", "", "| | |", "|---|---|", *cells]
    )


def _cell(text: str) -> str:
    """Text safe inside one markdown table cell (no pipes, no line breaks)."""
    return " ".join(text.replace("|", "/").split())
