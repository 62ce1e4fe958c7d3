"""The words the ``sigap`` command prints for SIGAP's stored codes: Indonesian, or English.

SIGAP stores English codes (``wrong_code``, ``requested``, ``running``, ``warn``,
``new``); a user never reads them in Indonesian output. This is the one table the
commands look them up in (:func:`label`). It reuses the tables that already exist
(the reports' outcomes, checklist statuses, decisions and SLA verdicts; the incident
statuses of ``sop.incidents``; the visit statuses of ``reports.visits``; the
monitoring words of ``flows.monitoring``) and adds only what no other table has:
step and run statuses, incident handlings and the kinds of a refused answer.

Examples:
    >>> label("sla", "running"), label("step", "waiting", "en")
    ('berjalan', 'waiting')
    >>> label("refusal", "wrong_code"), label("run", "rejected")
    ('kode salah', 'ditolak')
    >>> reason_text("wrong_code: kode persetujuan salah")
    'kode persetujuan salah'
"""

from __future__ import annotations

from collections.abc import Callable

from reports import labels as report_labels

Pairs = dict[str, tuple[str, str]]
"""code -> (Indonesian, English)."""

STEP_STATUSES: Pairs = {
    "running": ("berjalan", "running"),
    "waiting": ("menunggu", "waiting"),
    "completed": ("selesai", "completed"),
    "failed": ("gagal", "failed"),
    "skipped": ("dilewati", "skipped"),
    "cancelled": ("dibatalkan", "cancelled"),
    "interrupted": ("terputus", "interrupted"),
}
"""Statuses of a step log (``records.models.STEP_STATUSES``)."""

RUN_STATUSES: Pairs = {
    **STEP_STATUSES,
    "paused": ("dijeda", "paused"),
    "approved": ("disetujui", "approved"),
    "rejected": ("ditolak", "rejected"),
}
"""Statuses of an SOP run and the results the flows return (``approved``, ``rejected``)."""

HANDLINGS: Pairs = {
    "internal": ("tim internal", "internal team"),
    "provider": ("penyedia jasa", "service provider"),
}
"""Who repairs an incident (``sop.incidents.HANDLINGS``)."""

REFUSALS: Pairs = {
    "unknown_person": ("tidak terdaftar", "unknown person"),
    "locked_out": ("terkunci", "locked out"),
    "locked": ("terkunci", "locked out"),
    "wrong_role": ("peran salah", "wrong role"),
    "same_person": ("orang yang sama", "same person"),
    "no_secret": ("tanpa kode", "no code set"),
    "wrong_code": ("kode salah", "wrong code"),
    "code_reused": ("kode sudah dipakai", "code already used"),
    "malformed": ("isian tidak sah", "malformed answer"),
}
"""Kinds of a refused answer (``sop.approval.Refusal``, and ``malformed`` forms)."""


def _incident_statuses() -> Pairs:
    from sop.incidents import INCIDENT_STATUSES

    return {code: (lab.id, lab.en) for code, lab in INCIDENT_STATUSES.items()}


def _visit_statuses() -> Pairs:
    from reports.visits import STATUS_WORDS  # imported when needed: it loads the renderers

    return {
        code: (word, STATUS_WORDS["en"].get(code, code))
        for code, word in STATUS_WORDS["id"].items()
    }


def _finding_statuses() -> Pairs:
    from flows.monitoring import STATUS_WORDS  # imported when needed: it loads Prefect

    return {code: (word, code) for code, word in STATUS_WORDS.items()}


def _finding_changes() -> Pairs:
    from flows.monitoring import CHANGE_WORDS

    return {code: (word, code) for code, word in CHANGE_WORDS.items()}


TABLES: dict[str, Callable[[], Pairs]] = {
    "outcome": lambda: report_labels.OUTCOMES,
    "check": lambda: report_labels.CHECK_STATUSES,
    "decision": lambda: report_labels.DECISIONS,
    "sla": lambda: report_labels.SLA_STATUSES,
    "step": lambda: STEP_STATUSES,
    "run": lambda: RUN_STATUSES,
    "handling": lambda: HANDLINGS,
    "refusal": lambda: REFUSALS,
    "incident": _incident_statuses,
    "visit": _visit_statuses,
    "finding": _finding_statuses,
    "change": _finding_changes,
}
"""Kind of code -> its table (read when first needed)."""


def label(kind: str, code: str | None, lang: str = "id") -> str:
    """The word for a stored code.

    Args:
        kind: A key of :data:`TABLES` (``outcome``, ``sla``, ``step``, ``visit`` ...).
        code: The code as stored; an unknown one is shown as it is, ``None`` as ``-``.
        lang: ``id`` (the default) or ``en``.

    Returns:
        The word in that language.

    Examples:
        >>> label("outcome", "auth_failed"), label("handling", "provider", "en")
        ('autentikasi gagal', 'service provider')
        >>> label("step", None), label("step", "exploded")
        ('-', 'exploded')
    """
    return report_labels.word(TABLES[kind](), code, lang)


REFUSAL_HINTS: dict[str, str] = {"no_secret": "jalankan `sigap people set-code {who}`"}
"""What the person at the terminal can do about a refusal; the stored reason states
only the fact (official documents print it as stored)."""


def reason_text(reason: str, lang: str = "id", who: str | None = None) -> str:
    """A stored refusal reason (``<kind>: <message>``) as a user reads it.

    The message is already in Indonesian; the kind (``wrong_code``) is an internal
    code: Indonesian output shows the message only, English output the kind's word too.
    A refusal the terminal's user can fix gets the command that fixes it
    (:data:`REFUSAL_HINTS`).

    Args:
        reason: As stored (``wrong_code: kode persetujuan salah``).
        lang: ``id`` or ``en``.
        who: The username the refused answer gave, for the hint's command.

    Returns:
        The text.

    Examples:
        >>> reason_text("malformed: isian 'note' terlalu panjang", "en")
        "malformed answer: isian 'note' terlalu panjang"
        >>> reason_text("tanpa jenis")
        'tanpa jenis'
        >>> reason_text("no_secret: ani belum punya kode persetujuan", who="ani")
        'ani belum punya kode persetujuan: jalankan `sigap people set-code ani`'
    """
    kind, sep, message = reason.partition(": ")
    if not sep or kind not in REFUSALS:
        return reason
    hint = REFUSAL_HINTS.get(kind)
    if hint is not None:
        message = f"{message}: {hint.format(who=who or '<nama>')}"
    return f"{label('refusal', kind, lang)}: {message}" if lang == "en" else message
