"""Approval secrets: scrypt hashes, TOTP, the code policy, check_approval_secret."""

from datetime import UTC, datetime

import pyotp

from sop.codes import (
    check_approval_secret,
    code_policy_problems,
    hash_code,
    is_code_hash,
    is_secret_reference,
    verify_code,
    verify_totp,
)
from sop.office import Approval, Person

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = datetime(2024, 9, 1, 9, 0, 0, tzinfo=UTC)


def person(approval):
    return Person("rahmat", "Rahmat Hidayat", None, ("kasubag",), None, None, approval)


def test_hash_round_trip_and_wrong_code_refused():
    stored = hash_code("kopi-ternate-7")
    assert verify_code("kopi-ternate-7", stored)
    assert not verify_code("kopi-ternate-8", stored)
    assert not verify_code("", stored)
    assert not verify_code("KOPI-TERNATE-7", stored)


def test_hash_format_and_no_plain_code_inside():
    stored = hash_code("kopi-ternate-7")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest
    assert "kopi" not in stored
    assert is_code_hash(stored)


def test_salt_differs_per_hash():
    a, b = hash_code("kopi-ternate-7"), hash_code("kopi-ternate-7")
    assert a != b
    assert a.split("$")[4] != b.split("$")[4]
    assert verify_code("kopi-ternate-7", a) and verify_code("kopi-ternate-7", b)


def test_malformed_or_dangerous_hashes_are_not_hashes():
    good = hash_code("kopi-ternate-7")
    salt, digest = good.split("$")[4:]
    assert not is_code_hash("123456")
    assert not is_code_hash("scrypt$16384$8$1$!!$!!")
    # absurd cost parameters would let a crafted file exhaust memory
    assert not is_code_hash(f"scrypt$1073741824$8$1${salt}${digest}")
    assert not verify_code("kopi-ternate-7", f"scrypt$1073741824$8$1${salt}${digest}")
    assert not is_code_hash(f"scrypt$1000$8$1${salt}${digest}")  # n not a power of 2


def test_totp_fixed_time():
    code = pyotp.TOTP(SECRET).at(AT)
    assert verify_totp(SECRET, code, at=AT)
    assert verify_totp(SECRET, code, at=AT.timestamp() + 30)  # one step of drift
    assert not verify_totp(SECRET, code, at=AT.timestamp() + 120)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert not verify_totp(SECRET, wrong, at=AT)
    assert not verify_totp(SECRET, "abcdef", at=AT)
    assert not verify_totp("not base32!", code, at=AT)


def test_secret_references():
    assert is_secret_reference("env:SIGAP_TOTP_RAHMAT")
    assert is_secret_reference("secret:totp-rahmat")
    assert not is_secret_reference(SECRET)
    assert not is_secret_reference("env:")
    assert not is_secret_reference("file:/etc/secret")


def test_code_policy():
    assert code_policy_problems("kopi-ternate-7", "rahmat") == []
    assert code_policy_problems("12345", "rahmat") == ["the code must have at least 6 characters"]
    assert code_policy_problems("000000", "rahmat") == ["the code must not be one digit repeated"]
    assert code_policy_problems("RAHMAT", "rahmat") == ["the code must not be the username"]
    assert code_policy_problems("112233", "rahmat") == []
    for code in ("12345", "000000", "RAHMAT"):
        assert all(code not in m for m in code_policy_problems(code, "rahmat"))


def test_check_approval_secret_code_and_totp():
    coded = person(Approval(code_hash=hash_code("kopi-ternate-7")))
    assert check_approval_secret(coded, "kopi-ternate-7", resolve_ref=lambda ref: "", now=AT)
    assert not check_approval_secret(coded, "kopi-ternate-8", resolve_ref=lambda ref: "", now=AT)

    asked = []

    def resolve(ref):
        asked.append(ref)
        return SECRET

    totp = person(Approval(totp="env:SIGAP_TOTP_RAHMAT"))
    code = pyotp.TOTP(SECRET).at(AT)
    assert check_approval_secret(totp, code, resolve_ref=resolve, now=AT)
    assert asked == ["env:SIGAP_TOTP_RAHMAT"]
    assert not check_approval_secret(totp, code, resolve_ref=resolve, now=AT.timestamp() + 300)


def test_person_without_secret_cannot_approve():
    assert not check_approval_secret(person(None), "anything", resolve_ref=lambda ref: SECRET)
