"""Renderers on hand-made reports (no database): odd texts, empty sections."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime

import openpyxl
import pytest

from config.sop_files import load_sops
from reports.assembly import build_maintenance_report
from reports.data import CheckRecord, MaintenanceData, MonthData, SnapshotRecord
from reports.maintenance import render_maintenance_report
from tests.reports.builders import office as example_office

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
SOP_A = load_sops()["A"]


@pytest.fixture(scope="module")
def office():
    return example_office()


def _report(office, snapshots, lang="id"):
    month = MonthData("2026-11", "collection_run", (1,), tuple(snapshots))
    data = MaintenanceData("2026-11", month, trend={"2026-10": None, "2026-11": month})
    return build_maintenance_report(data, office, SOP_A, now=T0, lang=lang)


ODD = SnapshotRecord(
    device="sw<1>",
    site=None,
    platform="cisco_ios",
    run_id=1,
    collected_at=T0,
    outcome="parse_error",
    error="bad",
    facts={"hostname": '=HYPERLINK("http://x")', "serial": "A\x01B"},
    checks=(
        CheckRecord("reachable", "Perangkat dapat dijangkau", "fail", "<script>alert(1)</script>"),
    ),
)


def test_xlsx_keeps_odd_texts_as_text(office) -> None:
    rendered, _ = render_maintenance_report(_report(office, [ODD]), office, ["xlsx"])
    book = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"]))
    devices = book["Perangkat"]
    assert devices["C2"].value == '=HYPERLINK("http://x")'
    assert devices["C2"].data_type == "s"  # never a formula
    assert devices["F2"].value == "AB"  # control character dropped
    assert book["Perubahan Konfigurasi"].max_row == 1  # header only


def test_html_escapes_and_shows_empty_sections(office) -> None:
    rendered, _ = render_maintenance_report(_report(office, [ODD]), office, ["html"])
    html = rendered["html"].decode("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "sw&lt;1&gt;" in html
    assert html.count("Tidak ada.") == 4  # config changes, steps, approvals, refused
    assert "(belum ada keputusan)" in html  # nobody signed yet


def test_pdf_of_a_report_without_devices(office, tmp_path) -> None:
    report = _report(office, [], lang="en")
    pdf = render_maintenance_report(report, office, ["pdf"])[0]["pdf"]
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "empty.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "SYSTEM PERFORMANCE MAINTENANCE REPORT" in text
    assert "None." in text
