"""write_maintenance_report on real databases; the files are read back."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from records.collection_runs import finish_collection_run, start_collection_run
from reports.maintenance import NoMaintenanceData, ReportFiles, write_maintenance_report
from sop.office import Office
from tests.reports.builders import (
    DEVICES_FAILED,
    DEVICES_OK,
    DEVICES_TOTAL,
    MONTH,
    NOW,
    R1,
    SLA_BREACHED,
    SLA_MET,
    SW1,
    SW2,
    add_device_snapshot,
)

SHEETS_ID = [
    "Ringkasan",
    "Perangkat",
    "Checklist Kinerja",
    "Perubahan Konfigurasi",
    "Langkah SOP",
    "Persetujuan",
    "Percobaan Ditolak",
    "Tren 12 Bulan",
    "Rekonsiliasi Aset",
]
SHEETS_EN = [
    "Summary",
    "Devices",
    "Performance Checklist",
    "Configuration Changes",
    "SOP Steps",
    "Approvals",
    "Refused Attempts",
    "12-Month Trends",
    "Asset Reconciliation",
]
PEOPLE = [
    ("Rahmat Hidayat, S.Kom.", "198503122010121002"),
    ("Yusuf Tomagola, S.H., M.H.", "197811232003121001"),
    ("Dra. Fatimah Abdullah, M.Si.", "197004151995032001"),
]


def pdf_text(path: Path) -> str:
    """The PDF's text, laid out, via poppler's pdftotext."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def written(
    seeded_sqlite: tuple[str, Engine], office: Office, tmp_path_factory: pytest.TempPathFactory
) -> ReportFiles:
    out = tmp_path_factory.mktemp("out")
    return write_maintenance_report(seeded_sqlite[1], office, MONTH, out, now=NOW)


def test_summary_numbers(written: ReportFiles) -> None:
    s = written.summary
    assert (s["devices_total"], s["devices_ok"], s["devices_failed"]) == (
        DEVICES_TOTAL,
        DEVICES_OK,
        DEVICES_FAILED,
    )
    assert s["by_outcome"] == {"ok": 3, "unreachable": 1}
    assert (s["checks_warn"], s["checks_fail"]) == (1, 2)
    assert s["degraded"] == [
        {"device": "r1", "item": "Perangkat dapat dijangkau", "status": "fail"},
        {"device": "srv1", "item": "Kapasitas disk /var", "status": "fail"},
        {"device": "sw2", "item": "Utilisasi CPU", "status": "warn"},
    ]
    assert s["config_changes"] == 1
    assert (s["sla_met"], s["sla_breached"]) == (SLA_MET, SLA_BREACHED)
    assert s["source"] == "sop_run" and len(s["collection_run_ids"]) == 2
    assert s["run_key"] == "A/kanwil-kemenkumham-malut/2026-11"
    assert "## Laporan Pemeliharaan Kinerja Sistem November 2026" in written.markdown
    assert "| Jumlah perangkat | 4 |" in written.markdown
    assert "file://" not in written.markdown  # links are added when published (artifacts.py)


def test_files_written_beside_each_other(written: ReportFiles) -> None:
    assert sorted(written.paths) == ["html", "pdf", "xlsx"]
    base = "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11"
    for fmt, path in written.paths.items():
        assert path.name == f"{base}.{fmt}" and path.stat().st_size > 0
    assert [p.name for p in written.charts] == [
        f"{base}-trend-failed.png",
        f"{base}-trend-usage.png",
    ]
    for chart in written.charts:
        assert chart.read_bytes().startswith(b"\x89PNG")
        assert chart.parent == written.paths["pdf"].parent


def test_xlsx_sheets_header_and_numbers(written: ReportFiles) -> None:
    path = written.paths["xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS_ID
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
    assert book["Perangkat"].column_dimensions["A"].width >= 8
    assert len(book["Tren 12 Bulan"]._images) == 2
    summary = pd.read_excel(path, sheet_name="Ringkasan")
    values = dict(zip(summary["Uraian"], summary["Nilai"], strict=True))
    assert values["Jumlah perangkat"] == DEVICES_TOTAL
    assert values["Perangkat gagal diperiksa"] == DEVICES_FAILED
    assert values["Perubahan konfigurasi"] == 1
    assert values["Langkah SOP melewati standar"] == SLA_BREACHED
    devices = pd.read_excel(path, sheet_name="Perangkat").set_index("Perangkat")
    # sw2 comes from the second step-4 collection (CPU 80), not the first (92)
    assert devices.loc["sw2", "CPU %"] == 80.0
    assert devices.loc["sw1", "Hostname"] == "SW-CORE-01"
    assert devices.loc["srv1", "Disk Terpenuh %"] == 91.0
    assert devices.loc["r1", "Hasil"] == "tidak dapat dijangkau"
    changes = pd.read_excel(path, sheet_name="Perubahan Konfigurasi")
    assert changes.iloc[0]["Perangkat"] == "sw1"
    assert (changes.iloc[0]["Dari Versi"], changes.iloc[0]["Ke Versi"]) == (1, 2)
    assert "+ description uplink ke core" in changes.iloc[0]["Perbedaan"]
    steps = pd.read_excel(path, sheet_name="Langkah SOP")
    assert steps["Langkah"].tolist() == [1, 2, 3, 4, 5, 4, 5, 6, 7]
    assert steps.iloc[0]["Status SLA"] == "melewati standar"
    approvals = pd.read_excel(path, sheet_name="Persetujuan", dtype={"NIP": str})
    assert approvals["Keputusan"].tolist() == [
        "dikembalikan untuk perbaikan",
        "setuju",
        "setuju",
        "setuju",
    ]
    assert approvals["NIP"].iloc[-1] == "197004151995032001"
    refused = pd.read_excel(path, sheet_name="Percobaan Ditolak")
    assert refused["Nama Pengguna"].tolist() == ["sahrul"]


def test_trends_over_twelve_months(written: ReportFiles) -> None:
    trends = pd.read_excel(written.paths["xlsx"], sheet_name="Tren 12 Bulan").set_index("Bulan")
    assert list(trends.index) == [
        "Desember 2025",
        "Januari 2026",
        "Februari 2026",
        "Maret 2026",
        "April 2026",
        "Mei 2026",
        "Juni 2026",
        "Juli 2026",
        "Agustus 2026",
        "September 2026",
        "Oktober 2026",
        "November 2026",
    ]
    assert trends.loc["Juni 2026", "Jumlah Perangkat"] == 4
    assert trends.loc["Juni 2026", "Perangkat Gagal"] == 0
    assert trends.loc["Juni 2026", "CPU Maks. %"] == 20.0  # sw2: 10 + 10
    assert trends.loc["Agustus 2026", "Jumlah Perangkat"] == 0
    assert pd.isna(trends.loc["Agustus 2026", "CPU Maks. %"])
    assert trends.loc["Oktober 2026", "Perangkat Gagal"] == 1
    assert trends.loc["November 2026", "CPU Maks. %"] == 80.0
    assert trends.loc["November 2026", "Memori Maks. %"] == 75.0
    assert trends.loc["November 2026", "Disk Maks. %"] == 91.0


def test_html_holds_names_and_sections(written: ReportFiles) -> None:
    html = written.paths["html"].read_text(encoding="utf-8")
    assert "LAPORAN PEMELIHARAAN KINERJA SISTEM" in html
    assert "KANTOR WILAYAH MALUKU UTARA" in html
    for name, nip in PEOPLE:
        assert name in html and f"NIP. {nip}" in html
    assert "Sahrul Umasangaji, S.Kom." in html  # the IT officer in the step log
    assert "Ternate, 2 November 2026" in html
    assert html.count("data:image/png;base64,") == 2
    assert "scrypt" not in html  # never an approval hash


def test_pdf_is_an_official_report(written: ReportFiles) -> None:
    text = pdf_text(written.paths["pdf"])
    flat = " ".join(text.split())
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA REPUBLIK INDONESIA" in flat
    assert "LAPORAN PEMELIHARAAN KINERJA SISTEM" in flat
    assert "Periode: November 2026" in flat
    for name, nip in PEOPLE:
        assert name in flat and f"NIP. {nip}" in flat
    assert "Ternate, 2 November 2026" in flat
    assert "Menyetujui," in flat and "Memeriksa," in flat
    assert re.search(r"Jumlah perangkat\s+4\b", text)
    assert re.search(r"Perangkat gagal diperiksa\s+1\b", text)
    assert re.search(r"Langkah SOP melewati standar\s+1\b", text)
    assert "Halaman 1 dari" in flat
    assert "scrypt" not in flat


def test_english_report(seeded_sqlite: tuple[str, Engine], office: Office, tmp_path: Path) -> None:
    files = write_maintenance_report(
        seeded_sqlite[1], office, MONTH, tmp_path, formats=("xlsx", "pdf"), lang="en", now=NOW
    )
    assert sorted(files.paths) == ["pdf", "xlsx"]
    assert files.paths["xlsx"].name == "maintenance-report-kanwil-kemenkumham-malut-2026-11.xlsx"
    assert openpyxl.load_workbook(files.paths["xlsx"]).sheetnames == SHEETS_EN
    summary = pd.read_excel(files.paths["xlsx"], sheet_name="Summary")
    assert list(summary.columns) == ["Item", "Value"]
    assert dict(zip(summary["Item"], summary["Value"], strict=True))["Devices"] == DEVICES_TOTAL
    flat = " ".join(pdf_text(files.paths["pdf"]).split())
    assert "SYSTEM PERFORMANCE MAINTENANCE REPORT" in flat
    assert "Period: November 2026" in flat and "Approved by," in flat
    assert "Ternate, 2 November 2026" in flat and "Page 1 of" in flat
    assert "## System Performance Maintenance Report November 2026" in files.markdown


def test_month_without_data_is_a_clear_error(
    seeded_sqlite: tuple[str, Engine], office: Office, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with pytest.raises(NoMaintenanceData, match="month 2025-01: no SOP A run"):
        write_maintenance_report(seeded_sqlite[1], office, "2025-01", out, now=NOW)
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"formats": ("xlsx", "docx")}, "formats"),
        ({"formats": ()}, "formats"),
        ({"month": "2026-13"}, "month"),
        ({"month": "November"}, "month"),
        ({"lang": "fr"}, "lang"),
        ({"now": datetime(2026, 12, 1)}, "now"),
    ],
)
def test_bad_input_writes_nothing(
    seeded_sqlite: tuple[str, Engine], office: Office, tmp_path: Path, kwargs, field
) -> None:
    out = tmp_path / "out"
    arguments = {"month": MONTH, "now": NOW} | kwargs
    month = arguments.pop("month")
    with pytest.raises(ValueError, match=f"^{field}"):
        write_maintenance_report(seeded_sqlite[1], office, month, out, **arguments)
    assert not out.exists()


def test_without_sop_run_the_months_last_collection_is_used(
    empty_sqlite: tuple[str, Engine], office: Office, tmp_path: Path
) -> None:
    engine = empty_sqlite[1]
    # 30 Sept 16:00 UTC is 1 October 01:00 WIT: an October run at the office
    early = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    late = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
    after = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 1 November 00:30 WIT: November's
    with Session(engine) as session:
        for at, cpu in ((early, 10.0), (late, 40.0), (after, 70.0)):
            run = start_collection_run(session, trigger="manual", started_at=at)
            add_device_snapshot(session, run, SW1, at, cpu=cpu)
            add_device_snapshot(session, run, SW2, at, cpu=cpu)
            if at == early:
                add_device_snapshot(session, run, R1, at, outcome="timeout")
            finish_collection_run(session, run, finished_at=at + timedelta(minutes=1))
        # an empty run later in October (e.g. cancelled) is not "the last collection"
        empty = start_collection_run(session, trigger="manual", started_at=late + timedelta(days=1))
        finish_collection_run(session, empty, status="cancelled")
        session.commit()
    files = write_maintenance_report(engine, office, "2026-10", tmp_path, formats=["xlsx"], now=NOW)
    s = files.summary
    assert (s["source"], s["run_key"], s["devices_total"], s["devices_failed"]) == (
        "collection_run",
        None,
        2,
        0,
    )
    assert (s["sla_met"], s["sla_breached"], s["sla_percent"]) == (0, 0, None)
    devices = pd.read_excel(files.paths["xlsx"], sheet_name="Perangkat")
    assert devices["CPU %"].tolist() == [40.0, 40.0]
    trends = pd.read_excel(files.paths["xlsx"], sheet_name="Tren 12 Bulan")
    assert trends["Jumlah Perangkat"].tolist()[-2:] == [0, 2]  # September empty at WIT
    steps = pd.read_excel(files.paths["xlsx"], sheet_name="Langkah SOP")
    assert steps.empty
    september = write_maintenance_report(
        engine, office, "2026-11", tmp_path / "nov", formats=["html"], now=NOW
    )
    assert september.summary["devices_total"] == 2  # the 1 November 00:30 WIT run


@pytest.mark.postgres
def test_report_on_postgresql(
    seeded_postgres: tuple[str, Engine], office: Office, tmp_path: Path
) -> None:
    files = write_maintenance_report(seeded_postgres[1], office, MONTH, tmp_path, now=NOW)
    s = files.summary
    assert (s["devices_total"], s["devices_failed"], s["config_changes"]) == (4, 1, 1)
    assert (s["sla_met"], s["sla_breached"]) == (SLA_MET, SLA_BREACHED)
    devices = pd.read_excel(files.paths["xlsx"], sheet_name="Perangkat").set_index("Perangkat")
    assert devices.loc["sw2", "CPU %"] == 80.0
    flat = " ".join(pdf_text(files.paths["pdf"]).split())
    for name, nip in PEOPLE:
        assert name in flat and f"NIP. {nip}" in flat
    trends = pd.read_excel(files.paths["xlsx"], sheet_name="Tren 12 Bulan")
    assert trends["Jumlah Perangkat"].tolist() == [0, 0, 0, 0, 0, 0, 4, 4, 0, 4, 4, 4]
