"""The server-room visitor log (SOP B), read back as a user reads the files.

PDF through poppler (``pdfinfo``, ``pdftotext``, ``pdftoppm``), the workbook with openpyxl.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reports.document import write_document
from reports.visits import visitor_log_document
from sop.office import Office

AT = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 WIT
ROWS = 40


def _line(i: int, *, status: str = "archived") -> dict[str, Any]:
    start = AT + timedelta(hours=i)
    return {
        "number": f"KRS-2026-{i:04d}",
        "visitor_name": f"Muhammad Abdurrahman Wahid Al-Ghazali Nomor {i}",
        "organisation": "PT Jaringan Nusantara Telekomunikasi Indonesia Timur Sejahtera",
        "id_type": "KTP",
        "id_number": f"************{i:04d}",
        "purpose": "Penggantian modul catu daya dan pemeriksaan kabel fiber optik di rak B3",
        "planned_start": start,
        "planned_end": start + timedelta(hours=2),
        "escort": "nurul",
        "badge_number": f"RS-{i:02d}",
        "entered_at": start + timedelta(minutes=5),
        "exited_at": start + timedelta(hours=1),
        "devices_in": [
            {"name": "Laptop Lenovo ThinkPad T14 Gen 4", "serial": f"PF3XYZ{i:04d}"},
            {"name": "Modul catu daya cadangan", "serial": f"PSU-SPARE-{i:04d}"},
        ],
        "devices_out": [{"name": "Laptop Lenovo ThinkPad T14 Gen 4", "serial": f"PF3XYZ{i:04d}"}],
        "explanations": {f"PSU-SPARE-{i:04d}": "dipasang pada rak B3 menggantikan modul rusak"},
        "overstay_at": None,
        "status": status,
    }


def _pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def _pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def log_files(office: Office, tmp_path: Path) -> dict[str, Path]:
    lines = [_line(i, status="archived" if i % 3 else "refused") for i in range(1, ROWS + 1)]
    doc = visitor_log_document(office, lines, "2026-12", AT)
    return write_document(doc, tmp_path, "buku-tamu-ruang-server-2026-12", ("pdf", "xlsx"))


def test_visitor_log_pdf_fits_a4_and_keeps_every_column(log_files: dict[str, Path]) -> None:
    info = _pdfinfo(log_files["pdf"])
    sizes = set(re.findall(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info))
    assert sizes, info
    for width, height in sizes:
        assert {round(float(width)), round(float(height))} == {595, 842}, info
    text = _pdftext(log_files["pdf"])
    # the last column (Status) of every row is on the page, nothing cut off at the edge
    assert text.count("diarsip") + text.count("ditolak") >= ROWS
    assert text.count("diarsip") == len([i for i in range(1, ROWS + 1) if i % 3])
    flat = re.sub(r"\s+", "", text)
    for i in range(1, ROWS + 1):
        assert f"KRS-2026-{i:04d}" in flat  # the first column, too
    assert "Status" in text and "Keterangan" in text


def test_visitor_log_names_the_month(log_files: dict[str, Path]) -> None:
    text = _pdftext(log_files["pdf"])
    assert "Desember 2026" in text
    assert "2026-12" not in text
    sheet = openpyxl.load_workbook(log_files["xlsx"])["Dokumen"]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert values["Periode"].value == "Desember 2026"


def test_visitor_log_counts_are_numbers_in_the_xlsx(log_files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(log_files["xlsx"])
    cover = {row[0].value: row[1] for row in book["Dokumen"].iter_rows(min_row=2)}
    visits = cover["Jumlah kunjungan"]
    assert (visits.value, visits.data_type) == (ROWS, "n")
    refused = cover["Ditolak"]
    assert (refused.value, refused.data_type) == (ROWS // 3, "n")
    assert cover["Masih di dalam / belum keluar"].data_type == "n"
    table = book["Daftar kunjungan"]
    numbers = [row[0] for row in table.iter_rows(min_row=2, max_row=ROWS + 1)]
    assert [(c.value, c.data_type) for c in numbers] == [(i, "n") for i in range(1, ROWS + 1)]


def test_visitor_log_of_a_day_and_in_english(office: Office, tmp_path: Path) -> None:
    doc = visitor_log_document(office, [_line(1)], "2026-12-01", AT, lang="en")
    paths = write_document(doc, tmp_path, "log", ("pdf",))
    text = _pdftext(paths["pdf"])
    assert "1 December 2026" in text and "2026-12-01" not in text
