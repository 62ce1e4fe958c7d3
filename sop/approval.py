"""Approval policy, pure: may this person decide this SOP step, now?

The open-source Prefect server has no per-user identity, so SIGAP checks every
answer to a paused run itself, in this order:

1. the approver is a person of the office;
2. the approver is not locked out by earlier wrong codes;
3. the approver holds the step's role;
4. the approver did not perform the step being reviewed (separation of duties);
5. the approval code (hash or TOTP) proves the approver's identity;
6. a one-time (TOTP) code was not accepted before (its time step is later than the
   approver's last accepted one): a code seen on a screen, in the old Prefect UI's
   plain form field or in Prefect's database, cannot be used again.

A refusal names its reason (recorded with who and when; never the code), and
the run waits again. Only wrong codes count towards a lockout: a wrong role
is a mistake, not a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sop.codes import secret_check
from sop.office import Office
from sop.roles import ROLE_KEYS


class Refusal(StrEnum):
    """Why an approval attempt was refused (stored with the attempt)."""

    UNKNOWN_PERSON = "unknown_person"
    LOCKED_OUT = "locked_out"
    WRONG_ROLE = "wrong_role"
    SAME_PERSON = "same_person"
    NO_SECRET = "no_secret"
    WRONG_CODE = "wrong_code"
    CODE_REUSED = "code_reused"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one approval attempt.

    Attributes:
        accepted: Whether the decision may be recorded.
        refusal: Why not, when refused.
        message: What to tell the approver (Indonesian), never the code.
        locked_until: End of a lockout, when the attempt was refused for one.
        totp_step: For an accepted one-time (TOTP) code, its time step: the caller
            records it as used (``records.approvals.claim_totp_step``) so that the
            same code is never accepted again, in any run.
    """

    accepted: bool
    refusal: Refusal | None = None
    message: str = ""
    locked_until: datetime | None = None
    totp_step: int | None = None


def lockout_until(
    wrong_codes_at: Iterable[datetime], now: datetime, max_attempts: int, minutes: int
) -> datetime | None:
    """When the approver's lockout ends, or ``None`` if they are not locked out.

    ``max_attempts`` wrong codes within ``minutes`` lock the approver until
    ``minutes`` after the last of them.

    Args:
        wrong_codes_at: Times of the approver's refused attempts with a wrong code.
        now: The moment of the new attempt (aware).
        max_attempts: Wrong codes allowed in the window.
        minutes: Length of the window and of the lockout.

    Returns:
        The end of the lockout, or ``None``.

    Examples:
        >>> from datetime import UTC
        >>> t = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
        >>> tries = [t + timedelta(minutes=m) for m in (0, 1, 2)]
        >>> lockout_until(tries, t + timedelta(minutes=3), 3, 15)
        datetime.datetime(2026, 11, 1, 8, 17, tzinfo=datetime.timezone.utc)
        >>> lockout_until(tries, t + timedelta(minutes=18), 3, 15) is None
        True
        >>> lockout_until(tries[:2], t + timedelta(minutes=3), 3, 15) is None
        True
    """
    window = timedelta(minutes=minutes)
    recent = sorted(at for at in wrong_codes_at if now - window <= at <= now)
    if len(recent) < max_attempts:
        return None
    return recent[-1] + window


def judge_approval(
    office: Office,
    *,
    approver: str,
    code: str,
    step_role: str | Sequence[str],
    performed_by: Iterable[str],
    wrong_codes_at: Iterable[datetime],
    now: datetime,
    resolve_ref: Callable[[str], str],
    last_totp_step: int | None = None,
) -> Verdict:
    """Decide whether ``approver`` may decide a step that needs ``step_role``.

    A step with several actors (SOP E step 6: Kasi / Kabid) takes any of its roles.

    Args:
        office: The office configuration (people, roles, lockout settings).
        approver: Username given in the approval form.
        code: The approval code typed (checked last, never stored or shown).
        step_role: Role key the SOP step requires (e.g. ``kasubag``), or the keys of
            all its actors, any of which may answer.
        performed_by: Usernames who performed the work under review (the
            previous step's actor); none of them may approve it.
        wrong_codes_at: Times of this approver's earlier wrong codes (records).
        now: The moment of the attempt (aware).
        resolve_ref: Resolves a TOTP secret reference (``env:``/``secret:``).
        last_totp_step: The latest TOTP step this approver's codes were accepted for
            (records); a code of that step or an earlier one is refused as reused
            (RFC 6238 5.2), so a code seen on a screen or in a form is worth nothing.

    Returns:
        The verdict.

    Examples:
        >>> from datetime import UTC
        >>> from sop.codes import hash_code
        >>> from sop.office import Approval, Office, Person
        >>> people = (
        ...     Person("ani", "Ani", None, ("it_officer",), None, None),
        ...     Person("budi", "Budi", None, ("kasubag",), None, None,
        ...            Approval(code_hash=hash_code("kopi-ternate-7"))),
        ... )
        >>> office = Office("Kanwil", "Kanwil", (), None, "Asia/Jayapura", ("A",), None,
        ...                 dict(ROLE_KEYS), people)
        >>> now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        >>> def judge(who, code):
        ...     return judge_approval(office, approver=who, code=code, step_role="kasubag",
        ...         performed_by=["ani"], wrong_codes_at=[], now=now, resolve_ref=str)
        >>> judge("budi", "kopi-ternate-7").accepted
        True
        >>> judge("ani", "x").refusal, judge("budi", "salah").refusal
        (<Refusal.WRONG_ROLE: 'wrong_role'>, <Refusal.WRONG_CODE: 'wrong_code'>)
        >>> judge_approval(office, approver="budi", code="kopi-ternate-7",
        ...     step_role=("kabag", "kasubag"), performed_by=[], wrong_codes_at=[], now=now,
        ...     resolve_ref=str).accepted
        True
    """
    person = office.person(approver)
    if person is None:
        return Verdict(
            False, Refusal.UNKNOWN_PERSON, f"{approver!r} tidak terdaftar di konfigurasi kantor"
        )
    until = lockout_until(
        wrong_codes_at, now, office.sla.lockout_max_attempts, office.sla.lockout_minutes
    )
    if until is not None:
        return Verdict(
            False,
            Refusal.LOCKED_OUT,
            f"{approver} dikunci sampai {until.astimezone(office.timezone):%H:%M} "
            f"karena {office.sla.lockout_max_attempts} kali salah kode",
            locked_until=until,
        )
    roles = (step_role,) if isinstance(step_role, str) else tuple(step_role)
    if not set(roles) & set(person.roles):
        title = " / ".join(office.role_titles.get(r, ROLE_KEYS.get(r, r)) for r in roles)
        return Verdict(False, Refusal.WRONG_ROLE, f"{approver} bukan {title}")
    if approver in set(performed_by):
        return Verdict(
            False,
            Refusal.SAME_PERSON,
            f"{approver} mengerjakan langkah yang diperiksa; pemisahan tugas "
            "mengharuskan orang lain yang menyetujui",
        )
    if person.approval is None:
        return Verdict(
            False,
            Refusal.NO_SECRET,
            f"{approver} belum punya kode persetujuan",
        )
    check = secret_check(person, code, resolve_ref, now)
    if not check.ok:
        return Verdict(False, Refusal.WRONG_CODE, "kode persetujuan salah")
    step = check.totp_step
    if step is not None and last_totp_step is not None and step <= last_totp_step:
        return Verdict(False, Refusal.CODE_REUSED, CODE_REUSED_MESSAGE)
    return Verdict(True, totp_step=check.totp_step)


CODE_REUSED_MESSAGE = "kode sekali pakai ini sudah dipakai; tunggu kode berikutnya di aplikasi"
"""Why a one-time code used before is refused (never the code)."""


T = TypeVar("T")

OUTSIDER_LABEL = "di luar konfigurasi kantor"
"""What an official document says instead of a name nobody in the office has."""


@dataclass(frozen=True)
class OutsiderAttempts:
    """Refused attempts of one step by names that are not people of the office.

    Attributes:
        step_number: The step the attempts were for.
        count: How many attempts.
        last_at: When the last one was refused.
    """

    step_number: int
    count: int
    last_at: datetime


def split_refusals(
    refused: Sequence[T],
    office: Office,
    username: Callable[[T], str],
    step: Callable[[T], int],
    at: Callable[[T], datetime],
) -> tuple[list[T], list[OutsiderAttempts]]:
    r"""Split refused attempts into those of office people and a count of the others (pure).

    An official document lists the attempts of the office's people one by one; the
    attempts by names that are not in the office configuration appear only as a count
    per step, so nobody can write lines into a signed document by typing names.

    Args:
        refused: The attempts, oldest first.
        office: Who the office's people are.
        username: The username an attempt gave.
        step: The step an attempt was for.
        at: When it was refused.

    Returns:
        The office people's attempts (in order) and one :class:`OutsiderAttempts` per
        step with attempts by others (by step).

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> o = parse_office("office: {name: X, timezone: Asia/Jakarta}\nsops: [A]\npeople:\n"
        ...                  "  - {username: rahmat, name: Rahmat, roles: [staff]}\n", "o")
        >>> t = datetime(2026, 12, 1, tzinfo=UTC)
        >>> rows = [("rahmat", 5), ("<script>", 5), ("x" * 100, 5), ("eve", 6)]
        >>> mine, others = split_refusals(rows, o, lambda r: r[0], lambda r: r[1],
        ...                               lambda r: t)
        >>> mine, [(a.step_number, a.count) for a in others]
        ([('rahmat', 5)], [(5, 2), (6, 1)])
    """
    mine: list[T] = []
    others: dict[int, OutsiderAttempts] = {}
    for attempt in refused:
        if office.person(username(attempt)) is not None:
            mine.append(attempt)
            continue
        number, when = step(attempt), at(attempt)
        seen = others.get(number)
        others[number] = OutsiderAttempts(
            number,
            (seen.count if seen else 0) + 1,
            max(seen.last_at, when) if seen else when,
        )
    return mine, [others[number] for number in sorted(others)]
