"""SLA breaches: when a step is late, who is told, and what the e-mail says.

A step (typically an approval waiting for a manager) is *breached* once it has
run longer than ``sla.breach_factor`` x its time standard. SIGAP then tells the
people holding the step's role and, if the office configures
``sla.escalate_to``, the holders of the role one level up. It never approves
anything by itself: the message says so.

Everything here is pure: no clock is read (``now`` is passed in), no mail is
sent, no database is touched. Sending is :mod:`tasks.notify`, recording is
:mod:`records.sla_breaches`, and :mod:`tasks.sla_watch` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sop.dates import DAYS, MONTHS
from sop.durations import Duration
from sop.office import Office, Person, role_title
from sop.sla import due_time


def _check_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value}")
    return value


def _check_lang(lang: str) -> str:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
    return lang


def breach_due(started_at: datetime, standard: Duration | None, factor: float) -> datetime | None:
    """Return when a step started at ``started_at`` becomes breached.

    Pass ``started_at`` in the office's timezone: a month standard counts calendar
    months on the office's calendar (see :func:`sop.sla.due_time`).

    Args:
        started_at: When the step started (aware).
        standard: The step's time standard; ``None`` if the SOP gives none.
        factor: The office's ``sla.breach_factor``.

    Returns:
        ``started_at + factor x standard`` in ``started_at``'s timezone, or ``None``
        for a step without a standard (never breached).

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> from sop.durations import Unit
        >>> t = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Jayapura"))
        >>> breach_due(t, Duration(1, Unit.HOUR), 1.5).isoformat()
        '2026-11-02T10:30:00+09:00'
        >>> breach_due(t, None, 1.0) is None
        True
    """
    _check_aware(started_at, "started_at")
    if standard is None:
        return None
    return due_time(started_at, standard, factor)


def is_breached(
    started_at: datetime, standard: Duration | None, factor: float, now: datetime
) -> bool:
    """Tell whether a step still running at ``now`` is past its breach time.

    Args:
        started_at: When the step started (aware, the office's timezone).
        standard: The step's time standard; ``None``: never breached.
        factor: The office's ``sla.breach_factor``.
        now: The current time (aware), passed in by the caller.

    Returns:
        True once ``now`` is strictly after :func:`breach_due`.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> from sop.durations import Unit
        >>> wit = ZoneInfo("Asia/Jayapura")
        >>> start = datetime(2026, 11, 2, 9, 0, tzinfo=wit)
        >>> hour = Duration(1, Unit.HOUR)
        >>> is_breached(start, hour, 1.0, datetime(2026, 11, 2, 10, 0, tzinfo=wit))
        False
        >>> is_breached(start, hour, 1.0, datetime(2026, 11, 2, 10, 1, tzinfo=wit))
        True
        >>> is_breached(start, None, 1.0, datetime(2027, 1, 1, tzinfo=wit))
        False
    """
    _check_aware(now, "now")
    due = breach_due(started_at, standard, factor)
    return due is not None and now > due


@dataclass(frozen=True)
class Recipients:
    """Who is told about a breached step.

    Attributes:
        to: People holding the step's role, in office-file order.
        escalated: People holding the role the step's role escalates to.
        escalated_role: That role's key; ``None`` if the office sets no escalation.
    """

    to: tuple[Person, ...]
    escalated: tuple[Person, ...]
    escalated_role: str | None

    @property
    def people(self) -> tuple[Person, ...]:
        """Everyone told, each once: the role holders first, then the escalation."""
        seen: list[Person] = []
        for person in (*self.to, *self.escalated):
            if all(person.username != p.username for p in seen):
                seen.append(person)
        return tuple(seen)

    @property
    def emails(self) -> tuple[str, ...]:
        """Their e-mail addresses, each once (people without one are left out)."""
        out: list[str] = []
        for person in self.people:
            if person.email and person.email.lower() not in (e.lower() for e in out):
                out.append(person.email)
        return tuple(out)

    @property
    def without_email(self) -> tuple[Person, ...]:
        """The people who cannot be told by e-mail."""
        return tuple(p for p in self.people if not p.email)


def recipients(office: Office, role_key: str) -> Recipients:
    """Return who is told when a step of ``role_key`` is breached.

    Args:
        office: The office configuration.
        role_key: The role that performs (or approves) the late step.

    Returns:
        The role's holders and, when ``sla.escalate_to`` names a role for it, that
        role's holders.

    Examples:
        >>> from sop.office import parse_office
        >>> office = parse_office('''
        ... office: {name: Kanwil Malut, timezone: Asia/Jayapura}
        ... sops: [A]
        ... people:
        ...   - {username: rahmat, name: Rahmat, roles: [kasubag], email: rahmat@example.go.id}
        ...   - {username: yusuf, name: Yusuf, roles: [kabag], email: yusuf@example.go.id}
        ...   - {username: fatimah, name: Fatimah, roles: [kadivmin]}
        ...   - {username: sahrul, name: Sahrul, roles: [it_officer]}
        ... sla: {escalate_to: {kasubag: kabag}}
        ... ''', "office.yaml")
        >>> r = recipients(office, "kasubag")
        >>> [p.username for p in r.to], [p.username for p in r.escalated], r.escalated_role
        (['rahmat'], ['yusuf'], 'kabag')
        >>> r.emails
        ('rahmat@example.go.id', 'yusuf@example.go.id')
        >>> recipients(office, "kadivmin").escalated_role is None
        True
    """
    target = office.sla.escalate_to.get(role_key)
    escalated = office.holders(target) if target is not None else ()
    return Recipients(to=office.holders(role_key), escalated=escalated, escalated_role=target)


def format_time(value: datetime, office: Office, lang: str = "id") -> str:
    """Show a time in the office's timezone, with WIB/WITA/WIT.

    Args:
        value: An aware datetime (any timezone).
        office: The office, for its timezone.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``"Senin, 2 November 2026 pukul 10.00 WIT"``.

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> office = parse_office('''
        ... office: {name: Kanwil Malut, timezone: Asia/Jayapura}
        ... sops: [B]
        ... ''', "office.yaml")
        >>> t = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        >>> format_time(t, office), format_time(t, office, "en")
        ('Senin, 2 November 2026 pukul 10.00 WIT', 'Monday, 2 November 2026 at 10:00 WIT')
    """
    local = _check_aware(value, "value").astimezone(office.timezone)
    abbrev = office.timezone_abbrev
    if _check_lang(lang) == "en":
        day, month = DAYS["en"][local.weekday()], MONTHS["en"][local.month - 1]
        return f"{day}, {local.day} {month} {local.year} at {local:%H:%M} {abbrev}"
    day, month = DAYS["id"][local.weekday()], MONTHS["id"][local.month - 1]
    return f"{day}, {local.day} {month} {local.year} pukul {local:%H.%M} {abbrev}"


def format_overdue(delta: timedelta, lang: str = "id") -> str:
    """Show how late a step is, in days, hours and minutes.

    Args:
        delta: Time past the breach time.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``"1 hari 2 jam 5 menit"``; under a minute: ``"kurang dari 1 menit"``.

    Examples:
        >>> format_overdue(timedelta(days=1, hours=2, minutes=5, seconds=40))
        '1 hari 2 jam 5 menit'
        >>> format_overdue(timedelta(hours=1), "en"), format_overdue(timedelta(seconds=30))
        ('1 hour', 'kurang dari 1 menit')
    """
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if _check_lang(lang) == "en":
        names = (("day", days), ("hour", hours), ("minute", mins))
        parts = [f"{n} {name}{'' if n == 1 else 's'}" for name, n in names if n]
        return " ".join(parts) if parts else "less than a minute"
    names = (("hari", days), ("jam", hours), ("menit", mins))
    parts = [f"{n} {name}" for name, n in names if n]
    return " ".join(parts) if parts else "kurang dari 1 menit"


def breach_message(
    office: Office,
    *,
    sop_code: str,
    sop_title: str,
    step_number: int,
    role_key: str,
    started_at: datetime,
    due_at: datetime,
    now: datetime,
    run_ref: str,
    lang: str = "id",
) -> tuple[str, str]:
    """Write the e-mail about a breached step.

    Times are shown in the office's timezone with WIB/WITA/WIT. The message
    names the escalation (``sla.escalate_to``) and says plainly that nothing was
    approved automatically: the step still waits for a person.

    Args:
        office: The office configuration.
        sop_code: The SOP code, e.g. ``A`` or ``D4``.
        sop_title: The SOP's (or the run's) title.
        step_number: The late step.
        role_key: The role that performs or approves it.
        started_at: When the step started (aware).
        due_at: When it became breached (aware).
        now: The time of detection (aware).
        run_ref: What identifies the run for people (run key or flow run URL).
        lang: ``"id"`` (Indonesian, default) or ``"en"``.

    Returns:
        ``(subject, body)`` as plain text.

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> office = parse_office('''
        ... office: {name: Kanwil Kemenkumham Malut, timezone: Asia/Jayapura}
        ... sops: [A]
        ... roles: {kasubag: Kepala Subbagian Humas dan TI, kabag: Kepala Bagian Umum}
        ... sla: {escalate_to: {kasubag: kabag}}
        ... ''', "office.yaml")
        >>> at = lambda h, m=0: datetime(2026, 11, 2, h, m, tzinfo=UTC)
        >>> subject, body = breach_message(office, sop_code="A", sop_title="Pemeliharaan Jaringan",
        ...     step_number=7, role_key="kasubag", started_at=at(0), due_at=at(1),
        ...     now=at(3, 15), run_ref="A:kanwil-malut:2026-11")
        >>> subject
        '[SIGAP] Batas waktu terlampaui: SOP A langkah 7 (A:kanwil-malut:2026-11)'
        >>> print(body)  # doctest: +ELLIPSIS
        Kepada Yth. Kepala Subbagian Humas dan TI, Kanwil Kemenkumham Malut,
        <BLANKLINE>
        Langkah 7 SOP A "Pemeliharaan Jaringan" belum selesai dan telah melewati batas waktunya.
        <BLANKLINE>
          Run         : A:kanwil-malut:2026-11
          Peran       : Kepala Subbagian Humas dan TI (kasubag)
          Mulai       : Senin, 2 November 2026 pukul 09.00 WIT
          Batas waktu : Senin, 2 November 2026 pukul 10.00 WIT
          Terdeteksi  : Senin, 2 November 2026 pukul 12.15 WIT
          Terlambat   : 2 jam 15 menit
          Eskalasi    : Kepala Bagian Umum (kabag)
        <BLANKLINE>
        Tidak ada yang disetujui secara otomatis. ...
    """
    for name, value in (("started_at", started_at), ("due_at", due_at), ("now", now)):
        _check_aware(value, name)
    _check_lang(lang)
    title = role_title(office, role_key)
    target = office.sla.escalate_to.get(role_key)
    fields = {
        "start": format_time(started_at, office, lang),
        "due": format_time(due_at, office, lang),
        "now": format_time(now, office, lang),
        "late": format_overdue(now - due_at, lang),
    }
    if lang == "en":
        subject = f"[SIGAP] Time standard exceeded: SOP {sop_code} step {step_number} ({run_ref})"
        escalation = f"{role_title(office, target)} ({target})" if target else "none configured"
        lines = [
            f"To the {title}, {office.short_name},",
            "",
            f'Step {step_number} of SOP {sop_code} "{sop_title}" is not finished and has '
            "passed its time limit.",
            "",
            f"  Run         : {run_ref}",
            f"  Role        : {title} ({role_key})",
            f"  Started     : {fields['start']}",
            f"  Due         : {fields['due']}",
            f"  Detected    : {fields['now']}",
            f"  Overdue by  : {fields['late']}",
            f"  Escalated to: {escalation}",
            "",
            "Nothing was approved automatically. The step is still waiting for the "
            f"{title}: SIGAP never approves on anyone's behalf. Please act on it in SIGAP "
            "(the Prefect UI) or contact the person who holds the role.",
            "",
            "--",
            f"Automatic message from SIGAP, {office.name}.",
        ]
        return subject, "\n".join(lines) + "\n"
    subject = f"[SIGAP] Batas waktu terlampaui: SOP {sop_code} langkah {step_number} ({run_ref})"
    escalation = f"{role_title(office, target)} ({target})" if target else "tidak diatur"
    lines = [
        f"Kepada Yth. {title}, {office.short_name},",
        "",
        f'Langkah {step_number} SOP {sop_code} "{sop_title}" belum selesai dan telah melewati '
        "batas waktunya.",
        "",
        f"  Run         : {run_ref}",
        f"  Peran       : {title} ({role_key})",
        f"  Mulai       : {fields['start']}",
        f"  Batas waktu : {fields['due']}",
        f"  Terdeteksi  : {fields['now']}",
        f"  Terlambat   : {fields['late']}",
        f"  Eskalasi    : {escalation}",
        "",
        "Tidak ada yang disetujui secara otomatis. Langkah ini tetap menunggu tindakan "
        f"{title}: SIGAP tidak pernah menyetujui atas nama siapa pun. Mohon segera "
        "ditindaklanjuti di SIGAP (Prefect UI) atau hubungi pemegang peran tersebut.",
        "",
        "--",
        f"Pesan otomatis dari SIGAP, {office.name}.",
    ]
    return subject, "\n".join(lines) + "\n"
