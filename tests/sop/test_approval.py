"""Approval policy: role, separation of duties, identity, lockout (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from sop.approval import Refusal, judge_approval, lockout_until
from sop.codes import hash_code
from sop.office import parse_office

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CODE = "kopi-ternate-7"
TOTP_SECRET = pyotp.random_base32()

OFFICE = f"""
office: {{name: Kanwil Malut, timezone: Asia/Jayapura}}
sops: [A]
roles: {{kasubag: "Kepala Subbagian Humas, RB dan TI"}}
sla: {{lockout: {{max_attempts: 3, minutes: 15}}}}
people:
  - {{username: sahrul, name: Sahrul, roles: [it_officer]}}
  - username: rahmat
    name: Rahmat
    roles: [kasubag, it_officer]
    approval: {{code_hash: "{hash_code(CODE)}"}}
  - username: yusuf
    name: Yusuf
    roles: [kabag]
    approval: {{totp: env:SIGAP_TOTP_YUSUF}}
  - {{username: fatimah, name: Fatimah, roles: [kadivmin]}}
"""


@pytest.fixture(scope="module")
def office():
    return parse_office(OFFICE, "office.yaml")


def judge(
    office, approver, code=CODE, role="kasubag", performed_by=("sahrul",), wrong=(), last=None
):
    return judge_approval(
        office,
        approver=approver,
        code=code,
        step_role=role,
        performed_by=performed_by,
        wrong_codes_at=wrong,
        now=NOW,
        resolve_ref=lambda ref: {"env:SIGAP_TOTP_YUSUF": TOTP_SECRET}[ref],
        last_totp_step=last,
    )


def test_the_right_person_with_the_right_code_is_accepted(office) -> None:
    verdict = judge(office, "rahmat")
    assert verdict.accepted and verdict.refusal is None


@pytest.mark.parametrize(
    ("approver", "code", "role", "performed_by", "refusal", "words"),
    [
        ("ghost", CODE, "kasubag", ("sahrul",), Refusal.UNKNOWN_PERSON, "tidak terdaftar"),
        ("sahrul", CODE, "kasubag", (), Refusal.WRONG_ROLE, "bukan Kepala Subbagian Humas"),
        ("rahmat", CODE, "kasubag", ("rahmat",), Refusal.SAME_PERSON, "pemisahan tugas"),
        ("fatimah", "x", "kadivmin", ("yusuf",), Refusal.NO_SECRET, "belum punya kode"),
        ("rahmat", "kopi-ternate-8", "kasubag", ("sahrul",), Refusal.WRONG_CODE, "salah"),
    ],
)
def test_each_refusal_names_its_reason_and_never_the_code(
    office, approver, code, role, performed_by, refusal, words
) -> None:
    verdict = judge(office, approver, code=code, role=role, performed_by=performed_by)
    assert not verdict.accepted
    assert verdict.refusal is refusal
    assert words in verdict.message
    assert code not in verdict.message


def test_totp_approver(office) -> None:
    good = pyotp.TOTP(TOTP_SECRET).at(NOW)
    assert judge(office, "yusuf", code=good, role="kabag", performed_by=("rahmat",)).accepted
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    verdict = judge(office, "yusuf", code=wrong, role="kabag", performed_by=("rahmat",))
    assert verdict.refusal is Refusal.WRONG_CODE


def test_a_one_time_code_is_accepted_once(office) -> None:
    totp = pyotp.TOTP(TOTP_SECRET)
    good = totp.at(NOW)
    first = judge(office, "yusuf", code=good, role="kabag", performed_by=("rahmat",))
    assert first.accepted and first.totp_step == totp.timecode(NOW)
    # the same code again (seen in a form, typed twice): refused, not counted as wrong
    again = judge(office, "yusuf", good, "kabag", ("rahmat",), last=first.totp_step)
    assert again.refusal is Refusal.CODE_REUSED and "sudah dipakai" in again.message
    assert good not in again.message
    # the previous step's code, still inside the drift window, is older: refused too
    older = totp.at(NOW - timedelta(seconds=30))
    assert judge(office, "yusuf", older, "kabag", ("rahmat",), last=first.totp_step).refusal is (
        Refusal.CODE_REUSED
    )
    # the app's next code is accepted
    later = totp.at(NOW + timedelta(seconds=30))
    verdict = judge(office, "yusuf", later, "kabag", ("rahmat",), last=first.totp_step)
    assert verdict.accepted and verdict.totp_step == first.totp_step + 1
    # a personal code has no step and is never "reused"
    assert judge(office, "rahmat", last=first.totp_step).totp_step is None


def test_wrong_codes_lock_the_approver_even_with_the_right_code(office) -> None:
    wrong = [NOW - timedelta(minutes=m) for m in (1, 2, 3)]
    verdict = judge(office, "rahmat", wrong=wrong)
    assert verdict.refusal is Refusal.LOCKED_OUT
    assert verdict.locked_until == NOW - timedelta(minutes=1) + timedelta(minutes=15)
    assert "dikunci sampai 18:14" in verdict.message  # WIT = UTC+9
    # two wrong codes are not yet a lockout; old ones have expired
    assert judge(office, "rahmat", wrong=wrong[:2]).accepted
    assert judge(office, "rahmat", wrong=[NOW - timedelta(minutes=20)] * 3).accepted


def test_lockout_window_edges() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    tries = [start, start + timedelta(minutes=5), start + timedelta(minutes=10)]
    assert lockout_until(tries, start + timedelta(minutes=10), 3, 15) == start + timedelta(
        minutes=25
    )
    # the first wrong code left the 15-minute window: only two remain
    assert lockout_until(tries, start + timedelta(minutes=16), 3, 15) is None
    # a future timestamp (clock skew) does not count
    assert lockout_until([start + timedelta(hours=1)] * 3, start, 3, 15) is None
