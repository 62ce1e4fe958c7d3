"""Hostile and broken asset spreadsheets and evidence files, on SQLite and PostgreSQL.

Every refusal names the file, row and column, shows no traceback and adds nothing
(the register's row count is the same before and after). Export escapes text a
spreadsheet would run as a formula, however it got into the register.
"""

from __future__ import annotations

import csv
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from records.asset_models import Asset
from records.assets import add_asset
from records.db import make_engine, session_scope
from records.monitoring_models import EvidenceFile
from tests.cli_run import run_cli as _run

HEADER = ["Kode Aset", "Kategori", "Nama Aset", "Tanggal Perolehan", "Nilai Perolehan",
          "Host Inventaris", "Keterangan"]  # fmt: skip


def _count(db_url: str, model: type = Asset) -> int:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return count


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _refused(db_url: str, path: Path, *expected: str) -> str:
    before = _count(db_url)
    code, out = _run("asset", "import", str(path), "--database-url", db_url)
    assert code == 1, out
    for text in expected:
        assert text in out, out
    assert "tidak ada yang disimpan" in out
    assert _count(db_url) == before
    return out


def test_zip_bomb_is_refused_within_seconds(db_url: str, tmp_path: Path) -> None:
    plain = _xlsx(tmp_path / "plain.xlsx", [["A-1", "hardware", "Switch"]])
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for _ in range(200):  # 200 MB of XML comment, about 200 KB zipped
                    sheet.write(b"<!--" + b"A" * 1024 * 1024 + b"-->")
                sheet.write(b"</sheetData>" + tail)
    assert bomb.stat().st_size < 1024 * 1024
    started = time.monotonic()
    _refused(db_url, bomb, "bom.xlsx: unzips to 200.0 MB, more than the limit of 50.0 MB",
             "(MAX_XLSX_UNCOMPRESSED)")  # fmt: skip
    assert time.monotonic() - started < 10


def test_bad_cells_are_named_by_row_and_column(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "aset.csv"
    path.write_text(
        "Kode Aset,Kategori,Nama Aset,Keterangan\n"
        "A-1,hardware,Sw\x00itch,\n"
        'A-2,hardware,Router,=HYPERLINK("http://x")\n'
        "A-3,hardware,Server,@SUM(A1)\n"
        "A-4,hardware,UPS," + "x" * 1500 + "\n"
        "A-5,hardware,AP,\x1b[31mmerah\n"
        "A-6,hardware,Rak,- rusak ringan\n"
        "A-7,hardware,Kabel,-\n",
        encoding="utf-8",
    )
    _refused(
        db_url,
        path,
        f'{path}: baris 2, kolom "Nama Aset": karakter kontrol U+0000 tidak diterima',
        f"{path}: baris 3, kolom \"Keterangan\": diawali '=': rumus spreadsheet tidak diimpor",
        f"{path}: baris 4, kolom \"Keterangan\": diawali '@'",
        f'{path}: baris 5, kolom "Keterangan": teks 1500 karakter, paling banyak 1000',
        f'{path}: baris 6, kolom "Keterangan": karakter kontrol U+001B',
        f"{path}: baris 7, kolom \"Keterangan\": diawali '-'",
    )
    out = _refused(db_url, path, "6 masalah")
    assert "baris 8" not in out  # a lone dash means "none" and is kept


def test_wrong_xlsx_cell_types_are_named(db_url: str, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "aset.xlsx",
        [
            [datetime(2024, 3, 7), "hardware", "Switch"],
            ["A-3", True, "Router"],
            ["A-4", "hardware", "Server", 45000],
            ["A-5", "hardware", "UPS", None, datetime(2024, 1, 1)],
            ["A-6", "hardware", "AP", None, 1e30],
            [12345, "hardware", "Rak", datetime(2024, 3, 7), 12_500_000.0],
        ],
    )
    out = _refused(
        db_url,
        path,
        'aset.xlsx: baris 2, kolom "Kode Aset": sel tanggal, bukan teks / a date cell where '
        "text is expected",
        'baris 3, kolom "Kategori": sel benar/salah, bukan teks',
        'baris 4, kolom "Tanggal Perolehan": 45000 bukan tanggal',
        'baris 5, kolom "Nilai Perolehan": sel tanggal/benar-salah, bukan nilai rupiah',
        'baris 6, kolom "Nilai Perolehan": 1e+30 terlalu besar',
        "5 masalah",
    )
    assert "baris 7" not in out  # a number in the tag column is the text "12345"


def test_path_separators_in_tag_and_host_are_refused(db_url: str, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "aset.xlsx",
        [["BMN/2024/001", "hardware", "Switch"], ["A-2", "hardware", "Router", None, None,
                                                   "../../etc/passwd"]],
    )  # fmt: skip
    _refused(
        db_url,
        path,
        "baris 2, kolom \"Kode Aset\": kode aset 'BMN/2024/001' tidak boleh berisi '/'",
        "baris 3, kolom \"Host Inventaris\": host name '../../etc/passwd' may not contain a slash",
    )


def test_too_many_rows_and_not_a_spreadsheet(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "aset.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER[:3])
        writer.writerows([f"A-{i}", "hardware", "Switch"] for i in range(20_001))
    _refused(db_url, path, f"{path}: more than 20,000 data rows (MAX_ROWS)")
    fake = tmp_path / "aset.xlsx"
    fake.write_text("bukan zip")
    _refused(db_url, fake, f"{fake}: cannot read spreadsheet: File is not a zip file")


def test_export_escapes_formulas_whatever_way_they_got_in(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:  # as an SOP D form could store them
        add_asset(session, tag="A-1", category="hardware", name="@SUM(1+1)*cmd|' /C calc'!A0",
                  status="in_service", notes="=HYPERLINK(\"http://x\")", serial="-2+3")  # fmt: skip
    engine.dispose()
    for suffix in ("xlsx", "csv"):
        target = tmp_path / f"register.{suffix}"
        code, out = _run("asset", "export", str(target), "--database-url", db_url)
        assert code == 0, out
        if suffix == "xlsx":
            sheet = load_workbook(target).active
            row = [c for c in sheet[2]]
            assert all(c.data_type != "f" for c in row)
            values = [c.value for c in row]
        else:
            values = list(csv.reader(target.open(encoding="utf-8-sig")))[1]
        assert "'@SUM(1+1)*cmd|' /C calc'!A0" in values
        assert '\'=HYPERLINK("http://x")' in values
        assert "'-2+3" in values


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("SIGAP_DATA_DIR", str(data))
    return data


def test_evidence_names_with_control_characters_or_separators(
    db_url: str, tmp_path: Path, data_dir: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    (tmp_path / "foto\nbaru.png").write_bytes(png)
    (tmp_path / "a\\b.png").write_bytes(png)
    code, out = _run(
        "incident", "attach", "INC-2026-0001", str(tmp_path / "foto\nbaru.png"),
        str(tmp_path / "a\\b.png"), "--as", "made", "--database-url", db_url,
    )  # fmt: skip
    assert code == 1, out
    assert len(out.strip().splitlines()) == 1, out
    assert "foto\\nbaru.png': the name holds a control character (U+000A)" in out
    assert "a\\b.png: the name may not hold a slash, a backslash or '..'" in out
    assert _count(db_url, EvidenceFile) == 0
    assert not (data_dir / "evidence").exists()
