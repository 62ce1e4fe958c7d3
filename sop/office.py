"""An office's configuration: identity, SOPs it runs, role titles, people, SLA.

Each office names its roles differently ("Kasub Humas, RB & TI" in one, "Kepala
Seksi Jaringan dan Data Center" in another), so role titles, people and the SOP
variants an office runs are configuration, read from one YAML file::

    office:
      name: Kantor Wilayah Kementerian Hukum dan HAM Maluku Utara
      timezone: Asia/Jayapura
    sops: [A, B]
    roles:
      kasubag: Kepala Subbagian Humas, Reformasi Birokrasi dan Teknologi Informasi
    people:
      - username: rahmat
        name: Rahmat Hidayat, S.Kom.
        nip: "198503122010121002"
        roles: [kasubag]
        approval:
          code_hash: "scrypt$..."

:func:`parse_office` validates all of it (the file is read by
:func:`config.office_file.load_office`) and reports every problem with file,
line and field (:class:`~sop.problems.ConfigError`); roles the office's SOPs use
but nobody holds are warnings (:attr:`Office.warnings`), not errors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo

from sop.codes import is_code_hash, is_secret_reference
from sop.configs import SanitizePattern, parse_patterns
from sop.problems import ConfigError, Problem, did_you_mean
from sop.roles import ROLE_KEYS, SOP_ROLES
from sop.yamlsource import LineMap, parse_yaml

TIMEZONES: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
"""The three Indonesian time zones an office may use, with their abbreviations."""

EXTERNAL_ROLES: frozenset[str] = frozenset({"visitor", "provider"})
"""Roles played by outsiders who need not be listed as people (no warning if nobody holds them)."""

SOP_CODES: tuple[str, ...] = tuple(SOP_ROLES)

MAX_OFFICE_BYTES = 1024 * 1024
"""Largest office file read (1 MiB; the seed offices are about 3 KB). Checked before reading."""

_USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")

_TOP_KEYS = ("office", "sops", "sop_dir", "roles", "people", "sla", "config_sanitize", "signing")
_OFFICE_KEYS = ("name", "short_name", "letterhead", "city", "timezone")
_PERSON_KEYS = ("username", "name", "nip", "roles", "email", "phone", "approval", "certificate")
_APPROVAL_KEYS = ("code_hash", "totp")
_CERTIFICATE_KEYS = ("pkcs12", "passphrase")
_SIGNING_KEYS = ("trust_roots", "verify_url")
_SLA_KEYS = ("breach_factor", "lockout", "escalate_to")
_LOCKOUT_KEYS = ("max_attempts", "minutes")

_PLAIN_KEYS = ("code", "password", "pin", "kode", "secret")
"""Approval keys that would hold a plain secret: refused, and replaced by set_code_hash."""

_PLAIN_CODE_MSG = (
    "plain approval codes are not stored in this file; run `sigap people set-code {user}` "
    "to write a hash"
)


@dataclass(frozen=True)
class Approval:
    """How a person proves identity when approving (exactly one of the two is set).

    Attributes:
        code_hash: scrypt hash of the personal approval code (see :mod:`sop.codes`).
        totp: Reference to a base32 TOTP secret: ``env:NAME`` or ``secret:<block>``.
    """

    code_hash: str | None = None
    totp: str | None = None

    @property
    def kind(self) -> str:
        """``"code"`` or ``"totp"``; what :command:`sigap people list` shows."""
        return "code" if self.code_hash is not None else "totp"


@dataclass(frozen=True)
class Certificate:
    """The certificate a person signs official PDFs with (PAdES, :mod:`reports.signing`).

    Attributes:
        pkcs12: The PKCS#12 file (``.p12``/``.pfx``: key and certificate), relative
            paths resolved against the office file's directory.
        passphrase: Reference to its passphrase: ``env:NAME`` or ``secret:<block>``,
            never the passphrase itself.
        line: The line of ``certificate:`` in the office file, for messages.
    """

    pkcs12: Path
    passphrase: str
    line: int | None = None


@dataclass(frozen=True)
class Signing:
    """How the office's signed PDFs are verified.

    Attributes:
        trust_roots: PEM files of the certificates a signer's chain must end at.
        verify_url: The verification page the signatures' QR codes point to
            (``{file}`` is replaced by the file name); None: ``sigap verify <file>``.
    """

    trust_roots: tuple[Path, ...] = ()
    verify_url: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone in the office who performs or approves SOP steps.

    Attributes:
        username: Short login-style name, unique in the office.
        name: Full name with titles, as on official documents.
        nip: 18-digit civil-servant number; ``None`` for non-civil-servants.
        roles: Role keys (see :data:`sop.roles.ROLE_KEYS`).
        email: E-mail address, if known.
        phone: Phone number, if known.
        approval: Approval secret; ``None`` if the person never approves.
        certificate: The certificate they sign PDFs with; ``None``: they do not.
    """

    username: str
    name: str
    nip: str | None
    roles: tuple[str, ...]
    email: str | None
    phone: str | None
    approval: Approval | None = None
    certificate: Certificate | None = None


@dataclass(frozen=True)
class Sla:
    """SLA, escalation and approval-lockout settings.

    Attributes:
        breach_factor: A step is breached after ``breach_factor`` x its time standard.
        lockout_max_attempts: Wrong approval secrets allowed before a lockout.
        lockout_minutes: How long a lockout lasts.
        escalate_to: Role key -> the role key whose holders are also told when a
            step of that role is breached (e.g. ``kasubag`` -> ``kabag``); one
            level, never an automatic approval. Empty: breaches go to the step's
            role holders only.
    """

    breach_factor: float = 1.0
    lockout_max_attempts: int = 5
    lockout_minutes: int = 15
    escalate_to: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Office:
    """A validated office configuration.

    Attributes:
        name: Full official name.
        short_name: Short name for headers and tables (defaults to ``name``).
        letterhead: Lines of the letterhead (kop surat) printed on reports.
        city: City shown on documents ("Ternate, 1 September 2024").
        timezone_name: ``Asia/Jakarta``, ``Asia/Makassar`` or ``Asia/Jayapura``.
        sops: SOP codes the office runs.
        sop_dir: Directory of the office's own SOP YAML copies, or ``None``.
        role_titles: Every role key -> the office's title for it.
        people: The people, in file order.
        sla: SLA and lockout settings.
        config_sanitize: The office's own patterns removing secrets from device
            configs (regex -> replacement), applied after SIGAP's defaults.
        file: The file the configuration came from.
        warnings: Problems that do not stop SIGAP (e.g. a role nobody holds).
        signing: Trust roots and verification URL of signed PDFs; ``None`` if not set.
    """

    name: str
    short_name: str
    letterhead: tuple[str, ...]
    city: str | None
    timezone_name: str
    sops: tuple[str, ...]
    sop_dir: Path | None
    role_titles: dict[str, str]
    people: tuple[Person, ...]
    sla: Sla = field(default_factory=Sla)
    config_sanitize: tuple[SanitizePattern, ...] = ()
    file: str = "office.yaml"
    warnings: tuple[Problem, ...] = ()
    signing: Signing | None = None

    @property
    def timezone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone_name)

    @property
    def timezone_abbrev(self) -> str:
        """``WIB``, ``WITA`` or ``WIT``."""
        return TIMEZONES[self.timezone_name]

    def person(self, username: str) -> Person | None:
        """Return the person with ``username``, or ``None``.

        Args:
            username: The username to look up.

        Returns:
            The person, if the office has one by that name.
        """
        for p in self.people:
            if p.username == username:
                return p
        return None

    def holders(self, role_key: str) -> tuple[Person, ...]:
        """Return the people who hold ``role_key``, in file order.

        Args:
            role_key: A key of :data:`sop.roles.ROLE_KEYS`.

        Returns:
            The holders (possibly none).
        """
        return tuple(p for p in self.people if role_key in p.roles)

    def has_role(self, username: str, role_key: str) -> bool:
        """Tell whether ``username`` holds ``role_key`` in this office.

        Args:
            username: The person's username.
            role_key: A role key.

        Returns:
            False for unknown people.
        """
        p = self.person(username)
        return p is not None and role_key in p.roles

    def roles_used(self) -> tuple[str, ...]:
        """Role keys the office's SOPs name, in :data:`ROLE_KEYS` order."""
        used = {r for code in self.sops for r in SOP_ROLES.get(code, ())}
        return tuple(k for k in ROLE_KEYS if k in used)


def nip_problem(nip: str, today: date | None = None) -> str | None:
    """Say what is wrong with a civil-servant number (NIP), or ``None`` if plausible.

    A NIP is 18 digits: birth date ``YYYYMMDD``, recruitment ``YYYYMM``, gender
    (1 or 2) and a 3-digit sequence number.

    Args:
        nip: The NIP as written in the file.
        today: Reference date for plausibility (default today).

    Returns:
        A message, or ``None`` if the NIP looks valid.

    Examples:
        >>> nip_problem("198503122010121002") is None
        True
        >>> nip_problem("19850312 201012 1 002")
        'NIP must be 18 digits without spaces or dots'
        >>> nip_problem("198513122010121002")
        'NIP starts with a birth date (YYYYMMDD); 19851312 is not a date'
        >>> nip_problem("198503122001121002")
        'NIP recruitment year 2001 is before the holder turned 18 (born 1985)'
    """
    today = today or date.today()
    if not (len(nip) == 18 and nip.isascii() and nip.isdigit()):
        if nip.replace(" ", "").replace(".", "").isdigit() and len(nip.replace(" ", "")) >= 18:
            return "NIP must be 18 digits without spaces or dots"
        return f"NIP must be 18 digits (got {len(nip)} characters)"
    birth_s, rec_year, rec_month, gender, seq = nip[:8], nip[8:12], nip[12:14], nip[14], nip[15:]
    try:
        birth = date(int(birth_s[:4]), int(birth_s[4:6]), int(birth_s[6:8]))
    except ValueError:
        return f"NIP starts with a birth date (YYYYMMDD); {birth_s} is not a date"
    if birth.year < 1940 or birth.year > today.year - 17:
        return f"NIP birth year {birth.year} is not plausible for a serving civil servant"
    if not 1 <= int(rec_month) <= 12:
        return f"NIP recruitment month {rec_month} (digits 13-14) must be 01-12"
    if int(rec_year) < birth.year + 18:
        return f"NIP recruitment year {rec_year} is before the holder turned 18 (born {birth.year})"
    if (int(rec_year), int(rec_month)) > (today.year, today.month):
        return f"NIP recruitment date {rec_year}-{rec_month} is in the future"
    if gender not in "12":
        return f"NIP digit 15 (gender) must be 1 or 2, not {gender}"
    if seq == "000":
        return "NIP sequence number (last 3 digits) must not be 000"
    return None


class _Checker:
    """Collects problems while walking the parsed document."""

    def __init__(self, lm: LineMap) -> None:
        self.lm = lm
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str, shown: str | None = None) -> None:
        self.problems.append(self.lm.problem(path, message, shown))

    def mapping(
        self, value: Any, path: tuple[str | int, ...], shown: str, keys: tuple[str, ...]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping of {', '.join(keys)}", shown)
            return None
        for key in value:
            if key not in keys:
                k = str(key)
                where = f"{shown}.{k}" if shown else k
                self.add(
                    (*path, key),
                    f"unknown key{did_you_mean(k, keys)}; allowed: {', '.join(keys)}",
                    where,
                )
        return value

    def text(self, value: Any, path: tuple[str | int, ...], shown: str) -> str | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(path, "must be a non-empty text", shown)
            return None
        return value.strip()


def _parse_approval(
    ck: _Checker, raw: Any, path: tuple[str | int, ...], shown: str, username: str
) -> Approval | None:
    user = username or "USER"
    if not isinstance(raw, dict):
        ck.add(path, "must be a mapping with code_hash or totp", shown)
        return None
    ok = True
    for key in raw:
        k = str(key)
        if k in _APPROVAL_KEYS:
            continue
        ok = False
        if k in _PLAIN_KEYS:
            ck.add((*path, key), _PLAIN_CODE_MSG.format(user=user), f"{shown}.{k}")
        else:
            ck.add(
                (*path, key),
                f"unknown key{did_you_mean(k, _APPROVAL_KEYS)}; allowed: code_hash, totp",
                f"{shown}.{k}",
            )
    code_hash, totp = raw.get("code_hash"), raw.get("totp")
    if code_hash is not None and totp is not None:
        ck.add(path, "give either code_hash or totp, not both", shown)
        return None
    if code_hash is not None:
        if not is_code_hash(code_hash):
            ck.add(
                (*path, "code_hash"),
                "not a hash written by SIGAP (scrypt$n$r$p$salt$hash); "
                + _PLAIN_CODE_MSG.format(user=user),
                f"{shown}.code_hash",
            )
            return None
        return Approval(code_hash=code_hash) if ok else None
    if totp is not None:
        if not is_secret_reference(totp):
            ck.add(
                (*path, "totp"),
                "must be a reference to the base32 secret, `env:VARIABLE` or "
                "`secret:<prefect-secret-block>`, never the secret itself",
                f"{shown}.totp",
            )
            return None
        return Approval(totp=totp) if ok else None
    if ok:
        ck.add(path, "give code_hash (via `sigap people set-code`) or totp", shown)
    return None


def _parse_person(
    ck: _Checker, raw: Any, i: int, seen: dict[str, int], today: date | None
) -> Person | None:
    path: tuple[str | int, ...] = ("people", i)
    username = raw.get("username") if isinstance(raw, dict) else None
    label = f"people.{username}" if isinstance(username, str) and username else f"people[{i}]"
    data = ck.mapping(raw, path, label, _PERSON_KEYS)
    if data is None:
        return None
    n_before = len(ck.problems)
    if "username" not in data:
        ck.add(path, "missing username", label)
        username = ""
    elif not isinstance(username, str) or not _USERNAME_RE.match(username):
        ck.add(
            (*path, "username"),
            "username must be 2-32 characters: lowercase letters, digits, '.', '_', '-', "
            "starting with a letter",
            f"{label}.username",
        )
        username = ""
    elif username in seen:
        ck.add(
            (*path, "username"),
            f"duplicate username (first used on line {seen[username]})",
            f"{label}.username",
        )
    else:
        seen[username] = ck.lm.line(*path, "username") or 0
    name = ck.text(data.get("name"), (*path, "name"), f"{label}.name")
    nip: str | None = None
    if data.get("nip") is not None:
        raw_nip = data["nip"]
        nip = str(raw_nip) if isinstance(raw_nip, int | str) else None
        why = "NIP must be 18 digits" if nip is None else nip_problem(nip, today)
        if why:
            ck.add((*path, "nip"), why, f"{label}.nip")
    roles: list[str] = []
    raw_roles = data.get("roles")
    if raw_roles is None:
        ck.add(path, "missing roles (a list of role keys)", f"{label}.roles")
    elif not isinstance(raw_roles, list) or not raw_roles:
        ck.add((*path, "roles"), "must be a non-empty list of role keys", f"{label}.roles")
    else:
        for j, role in enumerate(raw_roles):
            if not isinstance(role, str) or role not in ROLE_KEYS:
                ck.add(
                    (*path, "roles", j),
                    f"unknown role key {role!r}{did_you_mean(str(role), ROLE_KEYS)}",
                    f"{label}.roles",
                )
            elif role not in roles:
                roles.append(role)
    email = data.get("email")
    if email is not None and (not isinstance(email, str) or not _EMAIL_RE.match(email)):
        ck.add((*path, "email"), f"not an e-mail address: {email!r}", f"{label}.email")
    phone = data.get("phone")
    if phone is not None:
        phone = str(phone)
        if not _PHONE_RE.match(phone):
            ck.add(
                (*path, "phone"),
                "phone must be digits, optionally starting with + (e.g. +62 812 3456 7890)",
                f"{label}.phone",
            )
    approval = None
    if data.get("approval") is not None:
        approval = _parse_approval(
            ck, data["approval"], (*path, "approval"), f"{label}.approval", username or ""
        )
    certificate = None
    if data.get("certificate") is not None:
        certificate = _parse_certificate(
            ck, data["certificate"], (*path, "certificate"), f"{label}.certificate"
        )
    if len(ck.problems) > n_before or name is None:
        return None
    return Person(
        username=str(username),
        name=name,
        nip=nip,
        roles=tuple(roles),
        email=email,
        phone=phone,
        approval=approval,
        certificate=certificate,
    )


def _file_path(raw: str, file: str) -> Path:
    """A path written in the office file: relative ones are relative to the file's directory."""
    return Path(raw) if PurePath(raw).is_absolute() else Path(file).parent / raw


def _parse_certificate(
    ck: _Checker, raw: Any, path: tuple[str | int, ...], shown: str
) -> Certificate | None:
    data = ck.mapping(raw, path, shown, _CERTIFICATE_KEYS)
    if data is None:
        return None
    n_before = len(ck.problems)
    pkcs12 = None
    if "pkcs12" not in data:
        ck.add(
            path, "missing pkcs12: the PKCS#12 file (.p12) of the certificate", f"{shown}.pkcs12"
        )
    else:
        pkcs12 = ck.text(data["pkcs12"], (*path, "pkcs12"), f"{shown}.pkcs12")
    passphrase = data.get("passphrase")
    if not is_secret_reference(passphrase):
        ck.add(
            (*path, "passphrase"),
            "must be a reference to the PKCS#12 passphrase, `env:VARIABLE` or "
            "`secret:<prefect-secret-block>`, never the passphrase itself",
            f"{shown}.passphrase",
        )
    if len(ck.problems) > n_before or pkcs12 is None:
        return None
    return Certificate(_file_path(pkcs12, ck.lm.file), str(passphrase), ck.lm.line(*path))


def _parse_signing(ck: _Checker, raw: Any) -> Signing | None:
    data = ck.mapping(raw, ("signing",), "signing", _SIGNING_KEYS)
    if data is None:
        return None
    roots: list[Path] = []
    raw_roots = data.get("trust_roots")
    if isinstance(raw_roots, str):
        raw_roots = [raw_roots]
    if raw_roots is not None and not isinstance(raw_roots, list):
        ck.add(("signing", "trust_roots"), "must be a list of PEM certificate files")
    for i, item in enumerate(raw_roots or []):
        text = ck.text(item, ("signing", "trust_roots", i), f"signing.trust_roots[{i}]")
        if text is not None:
            roots.append(_file_path(text, ck.lm.file))
    url = data.get("verify_url")
    if url is not None:
        url = ck.text(url, ("signing", "verify_url"), "signing.verify_url")
        if url is not None and not re.match(r"^https?://\S+$", url):
            ck.add(("signing", "verify_url"), "must be an http(s) URL", "signing.verify_url")
    return Signing(trust_roots=tuple(roots), verify_url=url)


def _parse_sla(ck: _Checker, raw: Any) -> Sla:
    data = ck.mapping(raw, ("sla",), "sla", _SLA_KEYS)
    if data is None:
        return Sla()
    factor = data.get("breach_factor", 1.0)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor <= 100:
        ck.add(("sla", "breach_factor"), "must be a number above 0 (e.g. 1.0)")
        factor = 1.0
    attempts, minutes = 5, 15
    if "lockout" in data:
        lock = ck.mapping(data["lockout"], ("sla", "lockout"), "sla.lockout", _LOCKOUT_KEYS)
        if lock is not None:
            attempts = lock.get("max_attempts", attempts)
            minutes = lock.get("minutes", minutes)
            for key, val in (("max_attempts", attempts), ("minutes", minutes)):
                if isinstance(val, bool) or not isinstance(val, int) or val < 1:
                    ck.add(("sla", "lockout", key), "must be a whole number of at least 1")
    escalate_to = _parse_escalate_to(ck, data["escalate_to"]) if "escalate_to" in data else {}
    return Sla(
        breach_factor=float(factor),
        lockout_max_attempts=attempts if isinstance(attempts, int) else 5,
        lockout_minutes=minutes if isinstance(minutes, int) else 15,
        escalate_to=escalate_to,
    )


def _parse_escalate_to(ck: _Checker, raw: Any) -> dict[str, str]:
    """Read ``sla.escalate_to``: role key -> role key, both known, no outsiders as targets."""
    path: tuple[str | int, ...] = ("sla", "escalate_to")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        ck.add(
            path,
            "must be a mapping of role key -> the role key to escalate to (e.g. kasubag: kabag)",
            "sla.escalate_to",
        )
        return {}
    known = ", ".join(ROLE_KEYS)
    result: dict[str, str] = {}
    for key, target in raw.items():
        k = str(key)
        shown = f"sla.escalate_to.{k}"
        if k not in ROLE_KEYS:
            hint = did_you_mean(k, ROLE_KEYS)
            ck.add((*path, key), f"unknown role key{hint}; known: {known}", shown)
            continue
        if not isinstance(target, str) or target not in ROLE_KEYS:
            hint = did_you_mean(str(target), ROLE_KEYS)
            ck.add((*path, key), f"unknown role key {target!r} to escalate to{hint}", shown)
        elif target == k:
            ck.add((*path, key), "a role cannot escalate to itself", shown)
        elif target in EXTERNAL_ROLES:
            ck.add(
                (*path, key),
                f"cannot escalate to {target}: outsiders ({', '.join(sorted(EXTERNAL_ROLES))}) "
                "do not receive escalations",
                shown,
            )
        else:
            result[k] = target
    return result


def _escalation_warnings(
    lm: LineMap,
    sops: tuple[str, ...],
    people: list[Person],
    role_titles: dict[str, str],
    escalate_to: dict[str, str],
) -> list[Problem]:
    """Warn about escalations that cannot work: unused role, nobody to tell, no e-mail."""
    used = {r for code in sops for r in SOP_ROLES.get(code, ())}
    warnings: list[Problem] = []
    for role, target in escalate_to.items():
        path = ("sla", "escalate_to", role)
        shown = f"sla.escalate_to.{role}"
        if role not in used:
            warnings.append(
                lm.problem(
                    path,
                    f"role {role} ({role_titles[role]}) is not used by SOP {', '.join(sops)}: "
                    "this escalation never applies",
                    shown,
                )
            )
        if not any(target in p.roles for p in people):
            warnings.append(
                lm.problem(
                    path,
                    f"role {target} ({role_titles[target]}) receives escalations but no person "
                    "holds it",
                    shown,
                )
            )
    involved = set(escalate_to) | set(escalate_to.values())
    for i, person in enumerate(people):
        roles = [r for r in person.roles if r in involved]
        if roles and person.email is None:
            warnings.append(
                lm.problem(
                    ("people", i),
                    f"no email: SLA breach notifications and escalations for role "
                    f"{', '.join(roles)} cannot reach this person",
                    f"people.{person.username}.email",
                )
            )
    return warnings


def _parse_sops(ck: _Checker, raw: Any) -> tuple[str, ...]:
    if raw is None:
        ck.add(("sops",), f"missing sops: the SOP codes this office runs ({', '.join(SOP_CODES)})")
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        ck.add(("sops",), f"must be a non-empty list of SOP codes ({', '.join(SOP_CODES)})")
        return ()
    codes: list[str] = []
    for i, code in enumerate(raw):
        c = str(code)
        if c not in SOP_ROLES:
            hint = did_you_mean(c, SOP_CODES)
            if c == "D":
                hint = " (SOP D is six procedures: list D1, D2, D3, D4, D5, D6)"
            ck.add(("sops", i), f"unknown SOP code {c!r}{hint}", "sops")
        elif c in codes:
            ck.add(("sops", i), f"SOP {c} is listed twice", "sops")
        else:
            codes.append(c)
    return tuple(codes)


def _parse_roles(ck: _Checker, raw: Any) -> dict[str, str]:
    titles = dict(ROLE_KEYS)
    if raw is None:
        return titles
    if not isinstance(raw, dict):
        ck.add(("roles",), "must be a mapping of role key -> the office's title")
        return titles
    for key, title in raw.items():
        k = str(key)
        if k not in ROLE_KEYS:
            ck.add(
                ("roles", key),
                f"unknown role key{did_you_mean(k, ROLE_KEYS)}; known: {', '.join(ROLE_KEYS)}",
                f"roles.{k}",
            )
            continue
        text = ck.text(title, ("roles", key), f"roles.{k}")
        if text is not None:
            titles[k] = text
    return titles


def parse_office(text: str, file: str, *, today: date | None = None) -> Office:
    r"""Parse and validate an office configuration.

    Args:
        text: The YAML text.
        file: Its path or name; used in problems and to resolve ``sop_dir``.
        today: Reference date for NIP plausibility checks (default today).

    Returns:
        The office; roles used by its SOPs that nobody holds are in ``warnings``.

    Raises:
        ConfigError: Every problem found, each with file, line and field.

    Examples:
        >>> office = parse_office('''
        ... office: {name: Dinas Kominfosanti Kabupaten Buleleng, timezone: Asia/Makassar}
        ... sops: [E]
        ... roles: {kasi: Kepala Seksi Jaringan dan Data Center}
        ... people:
        ...   - {username: made, name: I Made Sudarma, roles: [staff]}
        ... ''', "office.yaml")
        >>> office.role_titles["kasi"], office.timezone_abbrev, office.has_role("made", "staff")
        ('Kepala Seksi Jaringan dan Data Center', 'WITA', True)
        >>> [str(w) for w in office.warnings]  # doctest: +NORMALIZE_WHITESPACE
        ['office.yaml:3: sops: role kasi (Kepala Seksi Jaringan dan Data Center) is used by SOP E
          but no person holds it',
         'office.yaml:3: sops: role kabid (Kepala Bidang) is used by SOP E but no person holds it']
        >>> parse_office("office: {name: X, timezone: Asia/Tokyo}\nsops: [A]\n", "o.yaml")
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: o.yaml:1: office.timezone: must be one of Asia/Jakarta (WIB), ...
    """
    data, lm = parse_yaml(text, file)
    ck = _Checker(lm)
    if data is None:
        raise ConfigError([Problem(file, None, "", "file is empty")])
    top = ck.mapping(data, (), "", _TOP_KEYS)
    if top is None:
        raise ConfigError(ck.problems)

    off: dict[str, Any] = {}
    if top.get("office") is None:
        ck.add(("office",), "missing office: section (name, timezone)")
    else:
        off = ck.mapping(top["office"], ("office",), "office", _OFFICE_KEYS) or {}
    name = short_name = city = None
    letterhead: tuple[str, ...] = ()
    tz_name = ""
    if off:
        name = ck.text(off.get("name"), ("office", "name"), "office.name")
        if "short_name" in off:
            short_name = ck.text(off["short_name"], ("office", "short_name"), "office.short_name")
        if "city" in off:
            city = ck.text(off["city"], ("office", "city"), "office.city")
        lh = off.get("letterhead")
        if lh is not None:
            if isinstance(lh, str):
                lh = [lh]
            if not isinstance(lh, list) or not all(isinstance(x, str) and x.strip() for x in lh):
                ck.add(("office", "letterhead"), "must be a list of text lines")
            else:
                letterhead = tuple(lh)
        tz = off.get("timezone")
        if tz is None:
            ck.add(("office",), "missing timezone", "office.timezone")
        elif tz not in TIMEZONES:
            zones = ", ".join(f"{z} ({a})" for z, a in TIMEZONES.items())
            ck.add(("office", "timezone"), f"must be one of {zones}; got {tz!r}")
        else:
            tz_name = tz

    sops = _parse_sops(ck, top.get("sops"))
    sop_dir: Path | None = None
    if top.get("sop_dir") is not None:
        raw_dir = top["sop_dir"]
        if not isinstance(raw_dir, str) or not raw_dir.strip():
            ck.add(("sop_dir",), "must be a directory path (relative to this file) or null")
        else:
            sop_dir = (
                Path(file).parent / raw_dir
                if not PurePath(raw_dir).is_absolute()
                else Path(raw_dir)
            )
    role_titles = _parse_roles(ck, top.get("roles"))

    people: list[Person] = []
    raw_people = top.get("people")
    if raw_people is not None and not isinstance(raw_people, list):
        ck.add(("people",), "must be a list of people (- username: ...)")
    elif raw_people:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_people):
            person = _parse_person(ck, raw, i, seen, today)
            if person is not None:
                people.append(person)
    sla = _parse_sla(ck, top["sla"]) if top.get("sla") is not None else Sla()
    signing = _parse_signing(ck, top["signing"]) if top.get("signing") is not None else None
    sanitize: tuple[SanitizePattern, ...] = ()
    try:
        sanitize = parse_patterns(top.get("config_sanitize"), lm, ("config_sanitize",))
    except ConfigError as exc:
        ck.problems.extend(exc.problems)

    if ck.problems:
        raise ConfigError(ck.problems)
    assert name is not None  # guaranteed: a missing name is a problem above

    held = {r for p in people for r in p.roles}
    warnings: list[Problem] = []
    for role in ROLE_KEYS:
        users = [c for c in sops if role in SOP_ROLES[c]]
        if users and role not in held and role not in EXTERNAL_ROLES:
            warnings.append(
                lm.problem(
                    ("sops",),
                    f"role {role} ({role_titles[role]}) is used by SOP {', '.join(users)} "
                    "but no person holds it",
                )
            )
    warnings.extend(_escalation_warnings(lm, sops, people, role_titles, sla.escalate_to))
    return Office(
        name=name,
        short_name=short_name or name,
        letterhead=letterhead,
        city=city,
        timezone_name=tz_name,
        sops=sops,
        sop_dir=sop_dir,
        role_titles=role_titles,
        people=tuple(people),
        sla=sla,
        config_sanitize=sanitize,
        file=file,
        warnings=tuple(warnings),
        signing=signing,
    )


def set_code_hash(text: str, username: str, code_hash: str, file: str = "office.yaml") -> str:
    r"""Return ``text`` with ``username``'s ``approval.code_hash`` set to ``code_hash``.

    A round trip through ruamel.yaml: comments, key order and quoting stay as they
    were. A plain ``code:`` (or ``pin:``, ``password:``... or a malformed
    ``code_hash``) in the person's approval is replaced. People who approve with
    TOTP are refused: change that by hand.

    Args:
        text: The office YAML text.
        username: Whose code to set.
        code_hash: A hash from :func:`sop.codes.hash_code`.
        file: File name used in problems.

    Returns:
        The new YAML text.

    Raises:
        ConfigError: The text does not parse, the person is not listed, or uses TOTP.
        ValueError: ``code_hash`` is not a hash (never write a plain code).

    Examples:
        >>> from sop.codes import hash_code
        >>> text = "people:\n  - username: ani  # Kasi\n    roles: [kasi]\n"
        >>> new = set_code_hash(text, "ani", hash_code("gunung-batur-9"))
        >>> print(new[: new.index("$")])
        people:
          - username: ani  # Kasi
            roles: [kasi]
            approval:
              code_hash: "scrypt
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if not is_code_hash(code_hash):
        raise ValueError("code_hash must be a hash from sop.codes.hash_code")
    yaml, doc = _rt_load(text, file)
    _, lm = parse_yaml(text, file)
    people: Any = doc.get("people") if hasattr(doc, "get") else None  # round-trip YAML nodes
    index = None
    if isinstance(people, list):
        for i, entry in enumerate(people):
            if hasattr(entry, "get") and entry.get("username") == username:
                index = i
                break
    if index is None:
        raise ConfigError(
            [lm.problem(("people",), f"no person with username {username!r}", "people")]
        )
    entry = people[index]
    approval = entry.get("approval")
    shown = f"people.{username}.approval"
    if hasattr(approval, "get") and approval.get("totp") is not None:
        raise ConfigError(
            [
                lm.problem(
                    ("people", index, "approval", "totp"),
                    "this person approves with TOTP; remove totp by hand to use a code instead",
                    f"{shown}.totp",
                )
            ]
        )
    if not hasattr(approval, "insert"):
        from ruamel.yaml.comments import CommentedMap

        fresh = CommentedMap()
        fresh["code_hash"] = DoubleQuotedScalarString(code_hash)
        if approval is None and "approval" in entry:
            entry["approval"] = fresh
        else:
            _append_key(entry, "approval", fresh)
    elif "code_hash" in approval:
        approval["code_hash"] = DoubleQuotedScalarString(code_hash)
    else:
        keys = list(approval)
        plain = [k for k in keys if k in _PLAIN_KEYS]
        pos = keys.index(plain[0]) if plain else len(keys)
        approval.insert(pos, "code_hash", DoubleQuotedScalarString(code_hash))
        for k in plain:
            del approval[k]
    return _rt_dump(yaml, doc)


def _mapping_indent(text: str) -> int:
    """Guess how far nested mapping keys are indented (2 if no example is found)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for cur, nxt in itertools.pairwise(lines):
        body = cur.strip()
        if body.endswith(":") and not body.startswith("- "):
            inner = nxt.lstrip()
            width = len(nxt) - len(inner) - (len(cur) - len(cur.lstrip()))
            if width > 0 and not inner.startswith("- "):
                return width
    return 2


def _rt_load(text: str, file: str) -> tuple[Any, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    parse_yaml(text, file)  # reports syntax errors and duplicate keys with lines
    _, seq_indent, block_seq_indent = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    yaml.indent(
        mapping=_mapping_indent(text),
        sequence=seq_indent or 2,
        offset=block_seq_indent or 0,
    )
    return yaml, yaml.load(text)


def _rt_dump(yaml: Any, doc: Any) -> str:
    import io

    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _append_key(mapping: Any, key: str, value: Any) -> None:
    """Append ``key`` to a ruamel mapping, keeping following comment lines after it.

    Comment lines after the old last key belong visually to what comes next, so
    they move behind the new key; an end-of-line comment stays where it was.
    """
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    keys = list(mapping)
    moved = None
    if keys and keys[-1] in mapping.ca.items:
        tokens = mapping.ca.items[keys[-1]]
        tok = tokens[2] if len(tokens) > 2 else None
        if tok is not None:
            text = tok.value
            nl = text.find("\n")
            if nl != -1 and text[nl + 1 :]:
                moved = "\n" + text[nl + 1 :]
                tok.value = text[: nl + 1]
    mapping[key] = value
    if moved is not None:
        last_sub = list(value)[-1]
        value.ca.items[last_sub] = [None, None, CommentToken(moved, CommentMark(0), None), None]


def role_title(office: Office, role_key: str) -> str:
    """Return the office's title for ``role_key``.

    Args:
        office: The office.
        role_key: A role key.

    Returns:
        The title, or the key itself if unknown.
    """
    return office.role_titles.get(role_key, role_key)


def describe_people(
    office: Office, title: Callable[[str], str] | None = None
) -> list[dict[str, str]]:
    """Rows describing each person, safe to print (never a hash or secret).

    Args:
        office: The office.
        title: Role key -> shown title (default: the office's titles).

    Returns:
        One dict per person: username, name, nip, roles, approval
        (``code set`` / ``totp (env:...)`` / ``none``).
    """
    title = title or (lambda k: role_title(office, k))
    rows = []
    for p in office.people:
        if p.approval is None:
            how = "none"
        elif p.approval.code_hash is not None:
            how = "code set"
        else:
            how = f"totp ({p.approval.totp})"
        rows.append(
            {
                "username": p.username,
                "name": p.name,
                "nip": p.nip or "-",
                "roles": ", ".join(f"{title(r)} [{r}]" for r in p.roles),
                "approval": how,
            }
        )
    return rows
