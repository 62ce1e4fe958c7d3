"""The pure assembly: plain data in, DataFrames out, no database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from config.sop_files import load_sops
from reports import labels
from reports.assembly import (
    APPROVAL_COLUMNS,
    DEVICE_COLUMNS,
    SECTION_KEYS,
    build_maintenance_report,
    signature_blocks,
    trend_table,
)
from reports.data import (
    ApprovalRecord,
    CheckRecord,
    ConfigChangeRecord,
    MaintenanceData,
    MonthData,
    RefusedRecord,
    SnapshotRecord,
    SopRunRecord,
    StepRecord,
)
from reports.sla_table import step_timing
from tests.factories import make_snapshot
from tests.reports.builders import office as example_office

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 09:00 WIT
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
SOP_A = load_sops()["A"]


@pytest.fixture(scope="module")
def office():
    return example_office()


def _ok(name: str, cpu: float, *, disks: dict[str, float] | None = None) -> SnapshotRecord:
    data = make_snapshot(cpu_percent=cpu, memory=(1, 3), disks=disks, uptime=90061)
    return SnapshotRecord(
        device=name,
        site="ternate",
        platform="linux" if disks else "cisco_ios",
        run_id=1,
        collected_at=T0,
        outcome="ok",
        facts=data.facts.model_dump(mode="json"),
        health=data.health.model_dump(mode="json"),
        checks=(
            CheckRecord("reachable", "Perangkat dapat dijangkau", "pass", {"text": "ok"}),
            CheckRecord(
                "cpu",
                "Utilisasi CPU",
                "fail" if cpu > 85 else "pass",
                {"text": f"CPU {cpu:g} %", "data": {"value": cpu}},
            ),
        )
        + (
            (CheckRecord("disk:/var", "Kapasitas disk /var", "warn", {"text": "Disk /var 86 %"}),)
            if disks
            else ()
        ),
    )


def _failed(name: str) -> SnapshotRecord:
    return SnapshotRecord(
        device=name,
        site=None,
        platform="cisco_ios",
        run_id=1,
        collected_at=T0,
        outcome="timeout",
        error="no answer",
        checks=(
            CheckRecord(
                "reachable", "Perangkat dapat dijangkau", "fail", {"text": "waktu habis: x" * 40}
            ),
        ),
    )


def _data(**extra: object) -> MaintenanceData:
    snapshots = (
        _ok("sw1", 92.04),
        _ok("srv1", 10.0, disks={"/": 40.0, "/var": 86.0}),
        _failed("r1"),
    )
    month = MonthData("2026-11", "sop_run", (1,), snapshots)
    fields: dict[str, object] = {
        "month": "2026-11",
        "devices": month,
        "sop_run": SopRunRecord("A/kanwil-kemenkumham-malut/2026-11", "t", "completed", T0),
        "steps": (
            StepRecord(1, "kadivmin", "fatimah", T0, T0 + timedelta(minutes=30)),
            StepRecord(
                4,
                "it_officer",
                "sahrul",
                T0,
                T0 + timedelta(days=3),
                sla_status="met",
                outputs={"collection_run_id": 1},
            ),
            StepRecord(5, "kasubag", "rahmat", T0 + timedelta(days=3), None, status="waiting"),
        ),
        "approvals": (
            ApprovalRecord(5, "rahmat", "kasubag", "kembalikan", "ulang", T0 + timedelta(days=1)),
            ApprovalRecord(5, "rahmat", "kasubag", "setuju", None, T0 + timedelta(days=4)),
            ApprovalRecord(6, "yusuf", "kabag", "tolak", "tidak lengkap", T0 + timedelta(days=5)),
        ),
        "refused": (
            RefusedRecord(6, "mallory", "unknown_person: unknown user", T0 + timedelta(days=5)),
            RefusedRecord(6, "rahmat", "wrong_code: kode salah", T0 + timedelta(days=5)),
            RefusedRecord(6, "<b>Kepala</b>", "unknown_person: x", T0 + timedelta(days=5, hours=1)),
        ),
        "config_changes": (ConfigChangeRecord("sw1", 1, 2, T0, "--- a\n+++ b\n-x\n+y\n"),),
        "trend": {
            "2026-09": MonthData("2026-09", "collection_run", (0,), (_ok("sw1", 50.0),)),
            "2026-10": None,
            "2026-11": month,
        },
    }
    fields.update(extra)
    return MaintenanceData(**fields)  # type: ignore[arg-type]


def test_summary_counts_and_degraded_items(office) -> None:
    report = build_maintenance_report(_data(), office, SOP_A, now=NOW)
    s = report.summary
    assert (s["devices_total"], s["devices_ok"], s["devices_failed"]) == (3, 2, 1)
    assert s["by_outcome"] == {"ok": 2, "timeout": 1}
    assert (s["checks_pass"], s["checks_warn"], s["checks_fail"]) == (3, 1, 2)
    assert s["degraded"] == [
        {"device": "r1", "item": "Perangkat dapat dijangkau", "status": "fail"},
        {"device": "sw1", "item": "Utilisasi CPU", "status": "fail"},
        {"device": "srv1", "item": "Kapasitas disk /var", "status": "warn"},
    ]
    assert s["config_changes"] == 1
    # step 1: 30 min vs 10 Menit -> breached; step 4 recorded met; step 5 still running
    # 26 days after it started, against 1 Hari -> breached
    assert (s["sla_met"], s["sla_breached"], s["sla_percent"]) == (1, 2, 33.3)
    assert (s["source"], s["collection_run_ids"]) == ("sop_run", [1])


def test_device_table(office) -> None:
    devices = build_maintenance_report(_data(), office, SOP_A, now=NOW).devices
    assert list(devices.columns) == list(DEVICE_COLUMNS)
    sw1 = devices.set_index("device").loc["sw1"]
    assert sw1["cpu_percent"] == 92.0  # rounded to one decimal
    assert sw1["memory_percent"] == pytest.approx(33.3)
    assert math.isnan(sw1["disk_percent"])  # a switch has no disks
    assert (sw1["hostname"], sw1["vendor"], sw1["serial"]) == ("sw1", "Cisco", "FOC1234X0AB")
    assert (sw1["uptime"], sw1["outcome"]) == ("1 hari 1 jam", "berhasil")
    srv1 = devices.set_index("device").loc["srv1"]
    assert srv1["disk_percent"] == 86.0  # the fullest disk
    r1 = devices.set_index("device").loc["r1"]
    assert r1["outcome"] == "waktu habis" and pd.isna(r1["hostname"])
    assert devices["cpu_percent"].dtype == "float64"


def test_checklist_evidence_is_short_text(office) -> None:
    checklist = build_maintenance_report(_data(), office, SOP_A, now=NOW).checklist
    assert len(checklist) == 6
    r1 = checklist[checklist["device"] == "r1"].iloc[0]
    assert r1["status"] == "gagal"
    assert len(r1["evidence"]) == 200 and r1["evidence"].endswith("…")
    assert "CPU 92.04 %" in checklist["evidence"].tolist()


def test_steps_actual_vs_standard(office) -> None:
    steps = build_maintenance_report(_data(), office, SOP_A, now=NOW).steps
    first = steps.iloc[0]
    assert first["role"] == "Kepala Divisi Administrasi"
    assert first["actor"] == "Dra. Fatimah Abdullah, M.Si."
    assert (first["started_at"], first["finished_at"]) == (
        "2 November 2026 09:00 WIT",
        "2 November 2026 09:30 WIT",
    )
    assert (first["actual"], first["standard"], first["sla"]) == (
        "30 menit",
        "10 Menit",
        "melewati standar",
    )
    assert steps.iloc[1]["standard"] == "1 Bulan"
    running = steps.iloc[2]
    assert (running["finished_at"], running["sla"]) == ("-", "melewati standar")  # 25 days > 1 Hari


def test_step_timing_running_within_standard() -> None:
    log = StepRecord(5, "kasubag", "rahmat", T0, None, status="waiting")
    actual, verdict = step_timing(log, SOP_A.step(5), T0 + timedelta(hours=2))
    assert (actual, verdict) == (timedelta(hours=2), "running")
    assert step_timing(log, None, T0 + timedelta(hours=2))[1] == "no_standard"
    backwards = StepRecord(5, "kasubag", "rahmat", T0, T0 - timedelta(seconds=1))
    assert step_timing(backwards, SOP_A.step(5), NOW) == (None, None)


def test_approvals_and_refused(office) -> None:
    report = build_maintenance_report(_data(), office, SOP_A, now=NOW)
    approvals = report.approvals
    assert list(approvals.columns) == list(APPROVAL_COLUMNS)
    assert approvals["name"].tolist() == [
        "Rahmat Hidayat, S.Kom.",
        "Rahmat Hidayat, S.Kom.",
        "Yusuf Tomagola, S.H., M.H.",
    ]
    assert approvals["nip"].tolist()[-1] == "197811232003121001"
    assert approvals["decision"].tolist() == ["dikembalikan untuk perbaikan", "setuju", "tolak"]
    assert approvals["role"].iloc[0].startswith("Kepala Subbagian Humas")
    refused = report.refused
    # the office's people one by one; names nobody in the office has only as a count
    assert refused.to_dict(orient="records") == [
        {
            "step": 6,
            "username": "rahmat",
            "name": "Rahmat Hidayat, S.Kom.",
            "reason": "wrong_code: kode salah",
            "refused_at": "7 November 2026 09:00 WIT",
        },
        {
            "step": 6,
            "username": "-",
            "name": "di luar konfigurasi kantor",
            "reason": "2 percobaan ditolak",
            "refused_at": "7 November 2026 10:00 WIT",
        },
    ]


def test_signature_blocks(office) -> None:
    report = build_maintenance_report(_data(), office, SOP_A, now=NOW)
    blocks = report.signatures
    assert [b.role_key for b in blocks] == ["kasubag", "kabag", "kadivmin"]  # steps 5, 6, 7
    kasubag, kabag, kadivmin = blocks
    assert (kasubag.name, kasubag.nip, kasubag.decision) == (
        "Rahmat Hidayat, S.Kom.",
        "198503122010121002",
        "setuju",  # the latest decision on step 5
    )
    assert kasubag.remark.startswith("Setuju, ") and kasubag.remark.endswith(" WIT")
    assert (kasubag.label, kadivmin.label) == ("Memeriksa,", "Menyetujui,")
    assert kabag.decision == "tolak"
    # nobody decided step 7 yet: the role's holder, no decision
    assert (kadivmin.name, kadivmin.nip, kadivmin.decision) == (
        "Dra. Fatimah Abdullah, M.Si.",
        "197004151995032001",
        None,
    )
    assert kadivmin.remark == "(belum ada keputusan)"
    assert report.place_date == "Ternate, 7 November 2026"  # the last decision's date


def test_place_date_without_approvals_is_today(office) -> None:
    report = build_maintenance_report(_data(approvals=()), office, SOP_A, now=NOW)
    assert report.place_date == "Ternate, 1 Desember 2026"
    assert all(b.decision is None for b in report.signatures)
    assert report.approvals.empty and list(report.approvals.columns) == list(APPROVAL_COLUMNS)


def test_signatures_name_an_approver_who_left_the_office(office) -> None:
    gone = (ApprovalRecord(7, "pensiun", "kadivmin", "setuju", None, T0),)
    block = signature_blocks(SOP_A, office, gone)[-1]
    assert (block.name, block.nip, block.decision) == ("pensiun", None, "setuju")


def test_trends_per_month() -> None:
    trend = _data().trend
    frame = trend_table(trend)
    assert frame["month"].tolist() == ["September 2026", "Oktober 2026", "November 2026"]
    assert frame["devices_total"].tolist() == [1, 0, 3]
    sept, octo, nov = (frame.iloc[i] for i in range(3))
    assert (sept["devices_failed"], sept["cpu_max"], sept["memory_max"]) == (0, 50.0, 33.3)
    assert math.isnan(octo["devices_failed"]) and math.isnan(octo["cpu_mean"])
    assert (nov["devices_failed"], nov["cpu_mean"], nov["cpu_max"], nov["disk_max"]) == (
        1,
        51.0,
        92.0,
        86.0,
    )


def test_english_labels(office) -> None:
    report = build_maintenance_report(_data(), office, SOP_A, now=NOW, lang="en")
    assert report.title == "System Performance Maintenance Report"
    assert report.period == "November 2026"
    assert report.place_date == "Ternate, 7 November 2026"
    devices = report.frame("devices")
    assert "Serial" in devices.columns and "Outcome" in devices.columns
    assert set(report.devices["outcome"]) == {"ok", "timed out"}
    assert report.summary["degraded"][2]["item"] == "Disk capacity /var"
    assert report.approvals["decision"].tolist() == [
        "returned for revision",
        "approved",
        "rejected",
    ]
    assert report.steps["actual"].iloc[0] == "30 minutes"
    titles = [s.title for s in report.sections()]
    assert titles == [labels.section(k, "en") for k in SECTION_KEYS]
    assert report.signatures[0].label == "Reviewed by,"
    assert report.trends["month"].iloc[0] == "September 2026"


def test_indonesian_sections_and_headers(office) -> None:
    report = build_maintenance_report(_data(), office, SOP_A, now=NOW)
    assert report.title == "Laporan Pemeliharaan Kinerja Sistem"
    sections = {s.key: s for s in report.sections()}
    assert list(sections) == list(SECTION_KEYS)
    assert sections["devices"].title == "Perangkat"
    assert list(sections["steps"].frame.columns)[-3:] == [
        "Waktu Aktual",
        "Waktu Standar",
        "Status SLA",
    ]
    summary = sections["summary"].frame
    values = dict(zip(summary["Uraian"], summary["Nilai"], strict=True))
    assert values["Jumlah perangkat"] == 3
    assert values["Periode"] == "November 2026"
    assert values["Hasil pengumpulan: waktu habis"] == 1


def test_bad_language_is_refused(office) -> None:
    with pytest.raises(ValueError, match=r"^lang: 'de'"):
        build_maintenance_report(_data(), office, SOP_A, now=NOW, lang="de")


def test_a_month_with_no_steps_or_changes(office) -> None:
    only = MaintenanceData(
        "2026-11", MonthData("2026-11", "collection_run", (9,), (_failed("r1"),))
    )
    report = build_maintenance_report(only, office, SOP_A, now=NOW)
    assert report.steps.empty and report.config_changes.empty and report.refused.empty
    assert report.summary["sla_percent"] is None
    assert report.source == "Pengumpulan data #9 (tanpa proses SOP A bulan ini)"
    assert report.trends["month"].tolist() == ["November 2026"]
    assert isinstance(report.trends, pd.DataFrame)


def test_an_sop_run_before_step_4_and_no_devices(office) -> None:
    empty = MonthData("2026-11", "collection_run", (3,), ())
    data = MaintenanceData(
        "2026-11",
        empty,
        sop_run=SopRunRecord("A/kanwil-kemenkumham-malut/2026-11", "t", "running", T0),
        steps=(StepRecord(1, "kadivmin", "fatimah", T0, None, status="running"),),
    )
    report = build_maintenance_report(data, office, SOP_A, now=T0 + timedelta(minutes=5))
    assert report.source.startswith("Proses SOP A A/kanwil-kemenkumham-malut/2026-11 (langkah 4")
    assert report.devices.empty and report.checklist.empty
    assert report.summary["devices_total"] == 0 and report.summary["degraded"] == []
    assert report.steps["sla"].tolist() == ["berjalan"]
    assert report.trends["devices_total"].tolist() == [0]


def test_a_site_that_did_not_answer_gets_its_section(office) -> None:
    silent = SnapshotRecord(
        device="t1",
        site="timur",
        platform="linux",
        run_id=7,
        collected_at=T0,
        outcome="unreachable",
        error="situs timur: worker tidak menjawab dalam 900 detik",
    )
    month = MonthData("2026-11", "sop_run", (1, 7), (_ok("sw1", 10.0), silent))
    step4 = StepRecord(
        4,
        "it_officer",
        "sahrul",
        T0,
        T0 + timedelta(hours=1),
        outputs={
            "collection_run_ids": [1, 7],
            "unanswered_sites": [
                {"site": "timur", "reason": silent.error, "hosts": ["t1"]},
            ],
        },
    )
    report = build_maintenance_report(_data(devices=month, steps=(step4,)), office, SOP_A, now=NOW)
    sections = {s.key: s for s in report.sections()}
    keys = list(sections)
    assert keys[keys.index("devices") + 1] == "unanswered_sites"
    table = sections["unanswered_sites"]
    assert table.title == "Situs yang tidak menjawab"
    assert table.frame.to_dict(orient="records") == [
        {"Lokasi": "timur", "Perangkat": "t1", "Alasan": silent.error}
    ]
    english = build_maintenance_report(
        _data(devices=month, steps=(step4,)), office, SOP_A, now=NOW, lang="en"
    )
    assert "Sites that did not answer" in [s.title for s in english.sections()]
    # every site answered: no such section
    assert "unanswered_sites" not in [
        s.key for s in build_maintenance_report(_data(), office, SOP_A, now=NOW).sections()
    ]
