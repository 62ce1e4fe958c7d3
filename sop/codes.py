"""Approval secrets: hashed personal codes and TOTP, and the code policy.

The open-source Prefect server knows no users, so SIGAP checks who approves a
paused step itself: the approver proves identity with a personal approval code
(stored only as an scrypt hash in the office configuration) or a TOTP code from
an authenticator app (the base32 secret lives outside the file, behind an
``env:`` or ``secret:`` reference).

Nothing here logs, prints or stores a plain code; error messages never repeat one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyotp

if TYPE_CHECKING:  # pragma: no cover - typing only (sop.office imports this module)
    from sop.office import Person

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_CODE_LENGTH = 6

# Bounds accepted when verifying, so a crafted hash cannot make verification
# allocate gigabytes (scrypt needs 128 * n * r bytes).
_MAX_N = 2**20
_MAX_R = 16
_MAX_P = 4

_HASH_RE = re.compile(
    r"^scrypt\$(?P<n>[0-9]{1,8})\$(?P<r>[0-9]{1,2})\$(?P<p>[0-9]{1,2})"
    r"\$(?P<salt>[A-Za-z0-9+/]+={0,2})\$(?P<hash>[A-Za-z0-9+/]+={0,2})$"
)
_ENV_REF_RE = re.compile(r"^env:[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_REF_RE = re.compile(r"^secret:[a-z0-9][a-z0-9-]*$")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        code.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * 1024 * 1024
    )


def hash_code(code: str) -> str:
    """Hash an approval code with scrypt and a fresh random salt.

    Args:
        code: The plain approval code.

    Returns:
        ``scrypt$n$r$p$salt_b64$hash_b64``; two calls never give the same string.

    Examples:
        >>> stored = hash_code("kopi-ternate-7")
        >>> stored.startswith("scrypt$16384$8$1$"), "kopi" in stored
        (True, False)
        >>> hash_code("kopi-ternate-7") == stored
        False
    """
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(code, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    match = _HASH_RE.match(stored)
    if match is None:
        return None
    n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
    if n < 2 or n > _MAX_N or n & (n - 1) or not 1 <= r <= _MAX_R or not 1 <= p <= _MAX_P:
        return None
    try:
        salt = base64.b64decode(match["salt"], validate=True)
        digest = base64.b64decode(match["hash"], validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest


def is_code_hash(value: object) -> bool:
    """Tell whether ``value`` is a well-formed hash written by :func:`hash_code`.

    Args:
        value: Anything read from a configuration file.

    Returns:
        True for a ``scrypt$...`` string with sane parameters, salt and digest.

    Examples:
        >>> is_code_hash(hash_code("123987"))
        True
        >>> is_code_hash("123987"), is_code_hash("scrypt$16384$8$1$bad$bad"), is_code_hash(None)
        (False, False, False)
    """
    return isinstance(value, str) and _parse_hash(value) is not None


def verify_code(code: str, stored: str) -> bool:
    """Check a plain code against a stored hash, in constant time.

    Args:
        code: The code the approver typed.
        stored: The ``code_hash`` from the office configuration.

    Returns:
        True if the code matches; False if it does not or ``stored`` is malformed.

    Examples:
        >>> stored = hash_code("819273")
        >>> verify_code("819273", stored), verify_code("819274", stored)
        (True, False)
        >>> verify_code("819273", "not-a-hash")
        False
    """
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    n, r, p, salt, digest = parsed
    candidate = _scrypt(code, salt, n, r, p, len(digest))
    return hmac.compare_digest(candidate, digest)


def is_secret_reference(value: object) -> bool:
    """Tell whether ``value`` points at a secret instead of holding it.

    Accepted: ``env:NAME`` (an environment variable) and ``secret:<block-name>``
    (a Prefect Secret block).

    Args:
        value: Anything read from a configuration file.

    Returns:
        True for a well-formed reference.

    Examples:
        >>> is_secret_reference("env:SIGAP_TOTP_RAHMAT"), is_secret_reference("secret:totp-rahmat")
        (True, True)
        >>> is_secret_reference("JBSWY3DPEHPK3PXP"), is_secret_reference("env:")
        (False, False)
    """
    return isinstance(value, str) and bool(_ENV_REF_RE.match(value) or _SECRET_REF_RE.match(value))


def totp_step(secret_b32: str, code: str, at: datetime | float | None = None) -> int | None:
    """The TOTP time step (30-second counter) a code belongs to, allowing one step of drift.

    RFC 6238 section 5.2: a verifier must not accept a code twice. The step lets the
    caller remember which codes were used (the step, never the code or the secret).

    Args:
        secret_b32: The base32 secret shared with the approver's authenticator app.
        code: The code the approver typed.
        at: The moment to check against (datetime or Unix time); default now.

    Returns:
        The step ``code`` is valid for (``at``'s, or one before/after), or ``None``.

    Examples:
        >>> secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        >>> code = pyotp.TOTP(secret).at(1_700_000_000)
        >>> totp_step(secret, code, at=1_700_000_000), totp_step(secret, code, at=1_700_000_030)
        (56666666, 56666666)
        >>> totp_step(secret, code, at=1_700_000_300) is None
        True
    """
    code = code.strip()
    if not code.isdigit():
        return None
    try:
        totp = pyotp.TOTP(secret_b32)
        moment = at if at is not None else time.time()
        when = moment.timestamp() if isinstance(moment, datetime) else float(moment)
        current = totp.timecode(datetime.fromtimestamp(when, UTC))
        for step in (current, current - 1, current + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
    except (binascii.Error, ValueError, TypeError):
        return None
    return None


def verify_totp(secret_b32: str, code: str, at: datetime | float | None = None) -> bool:
    """Check a TOTP code (30-second steps, 6 digits), allowing one step of clock drift.

    Args:
        secret_b32: The base32 secret shared with the approver's authenticator app.
        code: The code the approver typed.
        at: The moment to check against (datetime or Unix time); default now.

    Returns:
        True if ``code`` is valid at ``at`` or one step before/after.

    Examples:
        >>> secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        >>> code = pyotp.TOTP(secret).at(1_700_000_000)
        >>> verify_totp(secret, code, at=1_700_000_000), verify_totp(secret, code, at=1_700_000_030)
        (True, True)
        >>> verify_totp(secret, code, at=1_700_000_300)
        False
    """
    return totp_step(secret_b32, code, at) is not None


def code_policy_problems(code: str, username: str) -> list[str]:
    """List what is wrong with a new approval code (empty list: acceptable).

    Policy: at least 6 characters, not one digit repeated, not the username.
    Messages never contain the code.

    Args:
        code: The proposed code.
        username: The person who will use it.

    Returns:
        Messages, one per broken rule.

    Examples:
        >>> code_policy_problems("kopi-ternate-7", "rahmat")
        []
        >>> code_policy_problems("12345", "rahmat")
        ['the code must have at least 6 characters']
        >>> code_policy_problems("777777", "rahmat")
        ['the code must not be one digit repeated']
        >>> code_policy_problems("Rahmat", "rahmat")
        ['the code must not be the username']
    """
    problems: list[str] = []
    if len(code) < MIN_CODE_LENGTH:
        problems.append(f"the code must have at least {MIN_CODE_LENGTH} characters")
    if code.isdigit() and len(set(code)) == 1:
        problems.append("the code must not be one digit repeated")
    if code.strip().casefold() == username.casefold():
        problems.append("the code must not be the username")
    return problems


def check_approval_secret(
    person: Person,
    code: str,
    resolve_ref: Callable[[str], str],
    now: datetime | float | None = None,
) -> bool:
    """Check the secret an approver typed against what the office configures for them.

    Args:
        person: The approver, from the office configuration.
        code: What they typed (a personal code or a TOTP code).
        resolve_ref: Turns a ``totp:`` reference (``env:...`` / ``secret:...``) into
            the base32 secret; only called for TOTP users.
        now: Moment of the attempt for TOTP checks; default now.

    Returns:
        True if the secret proves the identity; False for a wrong code or a person
        with no approval secret configured.

    Examples:
        >>> from sop.office import Approval, Person
        >>> p = Person("rahmat", "Rahmat", None, ("kasubag",), None, None,
        ...            Approval(code_hash=hash_code("kopi-ternate-7")))
        >>> check_approval_secret(p, "kopi-ternate-7", resolve_ref=lambda ref: "")
        True
        >>> check_approval_secret(p, "kopi-ternate-8", resolve_ref=lambda ref: "")
        False
    """
    return secret_check(person, code, resolve_ref, now).ok


@dataclass(frozen=True)
class SecretCheck:
    """What checking an approver's secret proved.

    Attributes:
        ok: The secret proves the identity.
        totp_step: For a TOTP code, the time step it belongs to; the caller refuses a
            step already used (:func:`totp_step`). ``None`` for a personal code.
    """

    ok: bool
    totp_step: int | None = None


def secret_check(
    person: Person,
    code: str,
    resolve_ref: Callable[[str], str],
    now: datetime | float | None = None,
) -> SecretCheck:
    """:func:`check_approval_secret` with the TOTP step of an accepted one-time code.

    Args:
        person: The approver, from the office configuration.
        code: What they typed.
        resolve_ref: Turns a ``totp:`` reference into the base32 secret.
        now: Moment of the attempt for TOTP checks; default now.

    Returns:
        The check.
    """
    approval = person.approval
    if approval is None:
        return SecretCheck(False)
    if approval.code_hash is not None:
        return SecretCheck(verify_code(code, approval.code_hash))
    if approval.totp is not None:
        step = totp_step(resolve_ref(approval.totp), code, at=now)
        return SecretCheck(step is not None, step)
    return SecretCheck(False)
