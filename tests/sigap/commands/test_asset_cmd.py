"""`sigap asset import|export|list|show` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from records.asset_models import Asset, AssetEvent
from records.db import make_engine, session_scope
from sigap.cli import app

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "assets" / "aset.csv"

HEADER = (
    "Kode Aset,Kategori,Nama Aset,Merek,Model,Nomor Seri,Lokasi,Pemegang,Status,"
    "Tanggal Perolehan,Nilai Perolehan,Akhir Garansi,Host Inventaris,Keterangan"
)

#: One bad thing per row (row number -> column as written -> words of the message).
BAD_ROWS: dict[int, tuple[str, str, str]] = {
    3: (
        "A-3,mebel,Meja,,,,,,,,,,,",
        "Kategori",
        "'mebel' bukan kategori yang dikenal / is not one of hardware",
    ),
    4: ("A-4,hardware,Switch,,,,,,,31/02/2024,,,,", "Tanggal Perolehan", "not a real date"),
    5: ("A-5,hardware,Switch,,,,,,,,12.5 juta,,,", "Nilai Perolehan", "not a rupiah amount"),
    6: ("A-6,hardware,,,,,,,,,,,,", "Nama Aset", "kosong: wajib diisi"),
    7: ("A-2,hardware,Router,,,,,,,,,,,", "Kode Aset", "sudah dipakai di baris 2"),
    8: ("REG-1,hardware,Router,,,,,,,,,,,", "Kode Aset", "sudah ada di register"),
    9: (
        "A-9,hardware,Switch,,,,,,,01/06/2024,,01/01/2024,,",
        "Akhir Garansi",
        "akhir garansi 01/01/2024 sebelum tanggal perolehan 01/06/2024",
    ),
    10: ("A-10,hardware,Switch,,,,,,,,,,core sw 1,", "Host Inventaris", "without spaces"),
    11: (
        "A-11,hardware,Switch,,,,,,hilang,,,,,",
        "Status",
        "'hilang' bukan status yang dikenal / is not one of planned",
    ),
    12: (
        "A-12,hardware,Switch,,," + "S" * 101 + ",,,,,,,,",
        "Nomor Seri",
        "paling banyak 100 karakter",
    ),
    13: ("A-13,hardware,Switch,,,,,,,March 2024,,,,", "Tanggal Perolehan", "DD/MM/YYYY"),
    14: (",hardware,Switch,,,,,,,,,,,", "Kode Aset", "kosong: wajib diisi"),
}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _count(db_url: str) -> int:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Asset)) or 0
    engine.dispose()
    return count


def _register(db_url: str) -> list[dict[str, object]]:
    code, out = _run("asset", "list", "--json", "--database-url", db_url)
    assert code == 0, out
    return json.loads(out)


def test_bad_rows_each_named_by_row_and_column_and_nothing_written(
    db_url: str, tmp_path: Path
) -> None:
    reg = tmp_path / "reg.csv"
    reg.write_text(f"{HEADER}\nREG-1,data,Basis data,,,,,,,,,,,\n")
    assert _run("asset", "import", str(reg), "--database-url", db_url)[0] == 0

    lines = [HEADER, "A-2,hardware,Switch baik,Cisco,,,,,,,Rp 1.000.000,,,"]
    lines += [BAD_ROWS[n][0] for n in sorted(BAD_ROWS)]
    sheet = tmp_path / "aset.csv"
    sheet.write_text("\n".join(lines) + "\n")
    code, out = _run("asset", "import", str(sheet), "--database-url", db_url)

    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("aset.csv: baris")]
    assert len(errors) == len(BAD_ROWS), out
    for number, (_, column, words) in BAD_ROWS.items():
        expected = f'aset.csv: baris {number}, kolom "{column}": '
        assert any(e.startswith(expected) and words in e for e in errors), (number, out)
    assert "12 masalah" in out and "tidak ada yang disimpan" in out
    assert _count(db_url) == 1  # REG-1 only: the good row A-2 was not written either


def test_missing_columns_and_duplicate_columns_on_row_1(db_url: str, tmp_path: Path) -> None:
    sheet = tmp_path / "aset.csv"
    sheet.write_text("Nama,Merek,Merk\nSwitch,Cisco,Cisco\n")
    code, out = _run("asset", "import", str(sheet), "--database-url", db_url)
    assert code == 1
    assert 'aset.csv: baris 1, kolom "tag": missing column; name it one of: tag, asset tag' in out
    assert 'aset.csv: baris 1, kolom "category": missing column' in out
    assert "aset.csv: baris 1, kolom \"Merk\": columns 'Merek' and 'Merk' both mean vendor" in out
    assert _count(db_url) == 0


def test_unreadable_file_named(db_url: str, tmp_path: Path) -> None:
    code, out = _run("asset", "import", str(tmp_path / "nope.xlsx"), "--database-url", db_url)
    assert code == 1 and "nope.xlsx: file not found" in out


def test_dry_run_checks_but_writes_nothing(db_url: str) -> None:
    code, out = _run("asset", "import", str(EXAMPLE), "--dry-run", "--database-url", db_url)
    assert code == 0, out
    assert "9 aset valid (dry run" in out
    assert _count(db_url) == 0


def test_xlsx_with_english_headers_real_dates_and_numbers(db_url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Tag", "Category", "Name", "Serial", "Acquired on", "Value", "Status", "No"])
    sheet.append(["S-1", "software", "Antivirus", None, datetime(2025, 1, 31), 7500000, "", 1])
    sheet.append(["H-1", "HW", "NAS", "NAS123", "2024-12-01", "Rp 45.000.000,00", "rusak", 2])
    path = tmp_path / "assets.xlsx"
    book.save(path)
    code, out = _run("asset", "import", str(path), "--as", "andi", "--database-url", db_url)
    assert code == 0, out
    assert "ignored columns: No" in out
    rows = {a["tag"]: a for a in _register(db_url)}
    assert rows["S-1"]["acquired_on"] == "2025-01-31"
    assert rows["S-1"]["value"] == 7500000
    assert rows["S-1"]["status"] == "in_service"  # empty status: in service
    assert (rows["H-1"]["category"], rows["H-1"]["status"]) == ("hardware", "under_repair")
    assert rows["H-1"]["value"] == 45000000


def test_semicolon_csv_from_indonesian_excel(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "aset.csv"
    path.write_text(
        "\ufeffKode Aset;Kategori;Nama;Nilai\nK-1;Data;Arsip digital;Rp 2.500.000\n",
        encoding="utf-8",
    )
    assert _run("asset", "import", str(path), "--database-url", db_url)[0] == 0
    assert _register(db_url)[0]["value"] == 2500000


@pytest.mark.parametrize(("suffix", "lang"), [(".xlsx", "id"), (".csv", "id"), (".csv", "en")])
def test_export_round_trips_through_import(
    db_url: str, tmp_path: Path, suffix: str, lang: str
) -> None:
    assert _run("asset", "import", str(EXAMPLE), "--database-url", db_url)[0] == 0
    original = _register(db_url)
    out_file = tmp_path / f"export{suffix}"
    code, out = _run("asset", "export", str(out_file), "--lang", lang, "--database-url", db_url)
    assert code == 0 and "9 aset ditulis" in out

    second = tmp_path / "second.db"
    other = f"sqlite:///{second}"
    assert _run("init", "--database-url", other)[0] == 0
    code, out = _run("asset", "import", str(out_file), "--database-url", other)
    assert code == 0, out
    assert _register(other) == original


def test_xlsx_export_has_real_dates_and_numbers(db_url: str, tmp_path: Path) -> None:
    assert _run("asset", "import", str(EXAMPLE), "--database-url", db_url)[0] == 0
    out_file = tmp_path / "aset.xlsx"
    assert _run("asset", "export", str(out_file), "--database-url", db_url)[0] == 0
    sheet = load_workbook(out_file).active
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[3], strict=True)}  # rows sorted by tag
    assert row["Kode aset"] == "KP-NET-0001"
    assert row["Tanggal perolehan"] == datetime(2022, 3, 15)
    assert row["Nilai perolehan"] == 125000000
    assert row["Status"] == "Digunakan"


def test_export_refuses_other_file_types(db_url: str, tmp_path: Path) -> None:
    code, out = _run("asset", "export", str(tmp_path / "a.ods"), "--database-url", db_url)
    assert code == 1 and "unsupported file type: use .csv or .xlsx" in out
    assert not (tmp_path / "a.ods").exists()


def test_list_filters_and_show_with_history(db_url: str) -> None:
    assert _run("asset", "import", str(EXAMPLE), "--as", "andi", "--database-url", db_url)[0] == 0
    code, out = _run("asset", "list", "--status", "planned", "--json", "--database-url", db_url)
    assert [a["tag"] for a in json.loads(out)] == ["KP-NET-0031"]
    code, out = _run("asset", "list", "--category", "software", "--json", "--database-url", db_url)
    assert [a["tag"] for a in json.loads(out)] == ["KP-SW-0005"]
    code, out = _run("asset", "list", "--status", "lost", "--database-url", db_url)
    assert code == 2 and "status: 'lost' is not one of planned" in out
    code, out = _run("asset", "list", "--database-url", db_url)
    assert code == 0 and "Laptop Kasubag Umum" in out and "budi.santoso" in out

    code, out = _run("asset", "show", "KP-NET-0001", "--database-url", db_url)
    assert code == 0, out
    assert "Rp 125.000.000" in out and "15/03/2022" in out and "core-sw1" in out
    assert "created" in out and "andi" in out
    code, out = _run("asset", "show", "KP-NET-0001", "--json", "--database-url", db_url)
    data = json.loads(out)
    assert data["warranty_end"] == "2027-03-15"
    assert [(e["kind"], e["procedure"], e["actor"]) for e in data["events"]] == [
        ("created", "import", "andi")
    ]
    code, out = _run("asset", "show", "NOPE-1", "--database-url", db_url)
    assert code == 1 and "'NOPE-1'" in out


def test_every_imported_asset_has_its_created_event(db_url: str) -> None:
    assert _run("asset", "import", str(EXAMPLE), "--database-url", db_url)[0] == 0
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        events = list(session.scalars(select(AssetEvent)))
        first = session.scalar(select(Asset).where(Asset.tag == "KP-PC-0107"))
        assert first is not None and first.acquired_on == date(2023, 6, 20)
    engine.dispose()
    assert len(events) == 9
    assert {e.kind for e in events} == {"created"}
