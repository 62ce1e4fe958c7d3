"""The pure breach logic: due times, breach test, recipients, message (controlled clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.office_file import load_office
from sop.durations import Duration, Unit
from sop.escalation import (
    Recipients,
    breach_due,
    breach_message,
    format_overdue,
    format_time,
    is_breached,
    recipients,
)
from sop.office import parse_office

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "offices"
WIT = ZoneInfo("Asia/Jayapura")
WITA = ZoneInfo("Asia/Makassar")
DAY = Duration(1, Unit.DAY)


@pytest.fixture(scope="module")
def malut():
    return load_office(EXAMPLES / "kanwil-kemenkumham-malut.yaml")


def test_breach_due_uses_the_factor_and_keeps_the_timezone():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=WIT)
    assert breach_due(start, DAY, 1.0) == datetime(2026, 11, 3, 9, 0, tzinfo=WIT)
    assert breach_due(start, DAY, 1.5) == datetime(2026, 11, 3, 21, 0, tzinfo=WIT)
    assert breach_due(start, DAY, 1.0).tzinfo is WIT
    assert breach_due(start, None, 1.0) is None


def test_month_standard_counts_on_the_office_calendar():
    # 1 March 02:00 WIT is still 29 February in UTC: a month later is 1 April in WIT.
    start = datetime(2024, 3, 1, 2, 0, tzinfo=WIT)
    month = Duration(1, Unit.MONTH)
    assert breach_due(start, month, 1.0) == datetime(2024, 4, 1, 2, 0, tzinfo=WIT)


def test_is_breached_only_strictly_after_due():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=WIT)
    due = datetime(2026, 11, 3, 9, 0, tzinfo=WIT)
    assert not is_breached(start, DAY, 1.0, due - timedelta(seconds=1))
    assert not is_breached(start, DAY, 1.0, due)
    assert is_breached(start, DAY, 1.0, due + timedelta(seconds=1))
    assert is_breached(start, DAY, 1.0, (due + timedelta(minutes=1)).astimezone(UTC))
    assert not is_breached(start, DAY, 2.0, due + timedelta(hours=1))
    assert not is_breached(start, None, 1.0, due + timedelta(days=365))


def test_naive_times_are_refused():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=WIT)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        is_breached(start, DAY, 1.0, datetime(2026, 11, 4))
    with pytest.raises(ValueError, match="started_at must be timezone-aware"):
        breach_due(datetime(2026, 11, 2, 9), DAY, 1.0)


def test_recipients_role_holders_and_escalation(malut):
    r = recipients(malut, "kasubag")
    assert [p.username for p in r.to] == ["rahmat"]
    assert [p.username for p in r.escalated] == ["yusuf"]
    assert r.escalated_role == "kabag"
    assert r.emails == ("rahmat.hidayat@example.go.id", "yusuf.tomagola@example.go.id")
    top = recipients(malut, "kadivmin")
    assert top.escalated_role is None and top.escalated == ()
    assert top.emails == ("fatimah.abdullah@example.go.id",)
    officers = recipients(malut, "it_officer")
    assert [p.username for p in officers.to] == ["sahrul", "nurul"]
    assert officers.escalated_role == "kasubag"


def test_recipients_each_person_once_and_without_email_listed():
    office = parse_office(
        """
office: {name: Diskominfosanti Buleleng, timezone: Asia/Makassar}
sops: [E]
people:
  - {username: made, name: Made, roles: [staff], email: made@example.go.id}
  - {username: ayu, name: Ayu, roles: [staff, kasi], email: MADE@example.go.id}
  - {username: gede, name: Gede, roles: [kasi]}
  - {username: nyoman, name: Nyoman, roles: [kabid], email: nyoman@example.go.id}
sla: {escalate_to: {staff: kasi}}
""",
        "office.yaml",
    )
    r = recipients(office, "staff")
    assert isinstance(r, Recipients)
    assert [p.username for p in r.people] == ["made", "ayu", "gede"]
    assert r.emails == ("made@example.go.id",)  # same address in another case: once
    assert [p.username for p in r.without_email] == ["gede"]
    nobody = recipients(office, "asset_user")
    assert (nobody.to, nobody.escalated, nobody.emails) == ((), (), ())


def test_format_time_in_each_indonesian_zone():
    t = datetime(2026, 8, 17, 1, 5, tzinfo=UTC)
    zones = {
        "Asia/Jakarta": "08.05 WIB",
        "Asia/Makassar": "09.05 WITA",
        "Asia/Jayapura": "10.05 WIT",
    }
    for zone, shown in zones.items():
        office = parse_office(f"office: {{name: X, timezone: {zone}}}\nsops: [B]\n", "o.yaml")
        assert format_time(t, office) == f"Senin, 17 Agustus 2026 pukul {shown}"
    assert format_time(t, office, "en") == "Monday, 17 August 2026 at 10:05 WIT"


def test_format_overdue():
    assert format_overdue(timedelta(days=2, minutes=1)) == "2 hari 1 menit"
    assert format_overdue(timedelta(days=1, hours=1, minutes=2), "en") == "1 day 1 hour 2 minutes"
    assert format_overdue(timedelta(seconds=59), "en") == "less than a minute"


def _message(office, lang="id"):
    return breach_message(
        office,
        sop_code="A",
        sop_title="SOP Pemeliharaan Infrastruktur Sistem Jaringan",
        step_number=5,
        role_key="kasubag",
        started_at=datetime(2026, 11, 2, 0, 0, tzinfo=UTC),  # 09.00 WIT
        due_at=datetime(2026, 11, 3, 0, 0, tzinfo=UTC),  # 09.00 WIT the next day
        now=datetime(2026, 11, 3, 2, 30, tzinfo=UTC),  # 11.30 WIT
        run_ref="A:kanwil-malut:2026-11",
        lang=lang,
    )


def test_message_indonesian_office_time_and_no_auto_approval(malut):
    subject, body = _message(malut)
    assert subject == "[SIGAP] Batas waktu terlampaui: SOP A langkah 5 (A:kanwil-malut:2026-11)"
    title = "Kepala Subbagian Humas, Reformasi Birokrasi dan Teknologi Informasi"
    assert body.startswith(f"Kepada Yth. {title}, Kanwil Kemenkumham Malut,\n")
    assert 'Langkah 5 SOP A "SOP Pemeliharaan Infrastruktur Sistem Jaringan"' in body
    assert "Mulai       : Senin, 2 November 2026 pukul 09.00 WIT" in body
    assert "Batas waktu : Selasa, 3 November 2026 pukul 09.00 WIT" in body
    assert "Terdeteksi  : Selasa, 3 November 2026 pukul 11.30 WIT" in body
    assert "Terlambat   : 2 jam 30 menit" in body
    assert "Eskalasi    : Kepala Bagian Program dan Hubungan Masyarakat (kabag)" in body
    assert "Tidak ada yang disetujui secara otomatis." in body
    assert "UTC" not in body and "+09:00" not in body


def test_message_english(malut):
    subject, body = _message(malut, "en")
    assert subject == "[SIGAP] Time standard exceeded: SOP A step 5 (A:kanwil-malut:2026-11)"
    assert "Due         : Tuesday, 3 November 2026 at 09:00 WIT" in body
    assert "Overdue by  : 2 hours 30 minutes" in body
    assert "Nothing was approved automatically." in body


def test_message_without_escalation_and_bad_language(malut):
    office = parse_office("office: {name: X, timezone: Asia/Makassar}\nsops: [A]\n", "o.yaml")
    _, body = _message(office)
    assert "Eskalasi    : tidak diatur" in body
    assert "WITA" in body
    with pytest.raises(ValueError, match="lang must be 'id' or 'en'"):
        _message(malut, "fr")
