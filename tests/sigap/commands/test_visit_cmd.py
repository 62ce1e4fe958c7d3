"""``sigap visit open|start|exit|list`` and ``sigap report kunjungan`` as an IT officer uses them.

The officer registers the visit with ``sigap visit open --no-start``; the flow runs
in a thread against the real Prefect API (as a served deployment would run it);
the Kasub approves with ``sigap approve`` and the officer closes the visit with
``sigap visit exit``. The visitor log is read back from its XLSX and its PDF
(``pdftotext``).
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.visits import akses_ruang_server
from records.db import make_engine, session_scope
from records.models import SopRun
from records.visit_models import Visit
from sigap.cli import app
from tasks import clock
from tests.flows.conftest import _fast_flow_settings, db_url, flow_thread, office_file, wait_for  # noqa: F401
from tests.flows.visits_helpers import ID_NUMBER, MASKED, flow_args, visit, waiting

runner = CliRunner()


def _open_args(office_file: Path, db_url: str, **changes: str) -> list[str]:
    options = {
        "--name": "Andi Wijaya",
        "--org": "PT Data Prima",
        "--id-type": "KTP",
        "--id-number": ID_NUMBER,
        "--purpose": "Penggantian hard disk",
        "--planned-start": "2026-12-01 09:00",
        "--planned-end": "2026-12-01 11:00",
        "--escort": "nurul",
        "--as": "sahrul",
        "--office": str(office_file),
        "--database-url": db_url,
    }
    options.update(changes)
    args = ["visit", "open"]
    for key, value in options.items():
        args += [key, value]
    return [*args, "--device", "Laptop:LT-001"]


def _count(db_url: str, model: type = Visit) -> int:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        n = session.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return int(n or 0)


def test_open_refuses_a_bad_form_naming_the_field_and_starts_nothing(
    office_file: Path, db_url: str
) -> None:
    early = runner.invoke(
        app, _open_args(office_file, db_url, **{"--planned-end": "2026-12-01 08:00"})
    )
    assert early.exit_code == 2
    assert "planned_end: harus setelah planned_start" in early.output
    unknown = runner.invoke(app, _open_args(office_file, db_url, **{"--id-type": "NPWP"}))
    assert unknown.exit_code == 2 and "id_type: 'NPWP' bukan jenis tanda pengenal" in unknown.output
    not_officer = runner.invoke(app, _open_args(office_file, db_url, **{"--as": "rahmat"}))
    assert (
        not_officer.exit_code == 2 and "--as: 'rahmat' is not an IT officer" in not_officer.output
    )
    bad_time = runner.invoke(app, _open_args(office_file, db_url, **{"--planned-start": "besok"}))
    assert bad_time.exit_code == 2 and "--planned-start: 'besok' is not a time" in bad_time.output
    for result in (early, unknown, not_officer, bad_time):
        assert ID_NUMBER not in result.output
    assert _count(db_url) == 0


def test_open_no_start_registers_the_request_and_start_refuses_an_unknown_number(
    office_file: Path, db_url: str
) -> None:
    opened = runner.invoke(app, [*_open_args(office_file, db_url), "--no-start"])
    assert opened.exit_code == 0, opened.output
    assert "kunjungan KRS-2026-0001 tercatat (diajukan)" in opened.output
    assert "sigap visit start KRS-2026-0001" in opened.output
    assert ID_NUMBER not in opened.output
    stored = visit(db_url)
    assert stored["number"] == "KRS-2026-0001" and stored["status"] == "requested"
    assert stored["id_number"] == MASKED and stored["visitor_name"] == "Andi Wijaya"
    assert stored["devices_in"] == [{"name": "Laptop", "serial": "LT-001"}]
    assert _count(db_url, SopRun) == 0  # registered, not started

    unknown = runner.invoke(
        app, ["visit", "start", "KRS-2026-0042", "--here", "--office", str(office_file),
              "--database-url", db_url],
    )  # fmt: skip
    assert unknown.exit_code == 2
    assert "kunjungan 'KRS-2026-0042' tidak ada" in unknown.output
    assert visit(db_url) == stored and _count(db_url, SopRun) == 0


def test_a_visit_through_the_cli_and_its_visitor_log(
    prefect_api, office_file: Path, db_url: str, flow_thread, tmp_path: Path
) -> None:
    start = clock.now() - timedelta(minutes=5)
    opened = runner.invoke(
        app,
        [*_open_args(office_file, db_url, **{
            "--planned-start": start.isoformat(timespec="minutes"),
            "--planned-end": (start + timedelta(hours=2)).isoformat(timespec="minutes"),
        }), "--device", "Hard disk:HD-778", "--no-start"],
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    number = visit(db_url)["number"]
    run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
    flow_run_id, step = wait_for(lambda: waiting(db_url), 60, "the Kasub's decision")
    assert step == 3
    # a visit runs once: starting it again while its run waits is refused
    again = runner.invoke(
        app, ["visit", "start", number, "--office", str(office_file), "--database-url", db_url]
    )
    assert again.exit_code == 2
    assert f"kunjungan {number} sedang dijalankan oleh flow run {flow_run_id}" in again.output
    assert _count(db_url, SopRun) == 1
    approved = runner.invoke(
        app,
        ["approve", flow_run_id[:8], "--decision", "setuju", "--as", "rahmat",
         "--database-url", db_url, "--wait", "30"],
        input="demo-rahmat\n",
    )  # fmt: skip
    assert approved.exit_code == 0, approved.output
    wait_for(lambda: waiting(db_url) and waiting(db_url)[1] == 5, 60, "the exit step")

    listed = runner.invoke(
        app, ["visit", "list", "--open", "--json", "--office", str(office_file),
              "--database-url", db_url],
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert row["number"] == number and row["status"] == "in_progress"
    assert row["id"] == f"KTP {MASKED}" and row["badge"] == "RS-01"
    table = runner.invoke(
        app, ["visit", "list", "--office", str(office_file), "--database-url", db_url]
    )
    assert MASKED in table.output and ID_NUMBER not in table.output + listed.output

    base = ["visit", "exit", number, "--as", "nurul", "--office", str(office_file),
            "--database-url", db_url, "--wait", "30"]  # fmt: skip
    # the new disk stays in the server, the old one leaves: both must be explained
    devices = ["--device", "Laptop:LT-001", "--device", "Hard disk lama:HD-OLD-9"]
    refused = runner.invoke(app, [*base, *devices], input="demo-nurul\n")
    assert refused.exit_code == 1
    assert "HD-OLD-9 (keluar tetapi tidak tercatat masuk)" in refused.output
    assert "HD-778 (masuk tetapi tidak keluar)" in refused.output
    wait_for(lambda: waiting(db_url), 30, "the exit form again")
    closed = runner.invoke(
        app,
        [*base, *devices,
         "--explain", "HD-778=dipasang di server aplikasi",
         "--explain", "HD-OLD-9=disk rusak dibawa vendor (RMA)"],
        input="demo-nurul\n",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    assert f"kunjungan {number} ditutup" in closed.output
    run.join(60)
    assert visit(db_url)["status"] == "archived"

    day = (clock.now() - timedelta(minutes=5)).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Jayapura")
    )
    out = tmp_path / "log"
    report = runner.invoke(
        app,
        ["report", "kunjungan", "--date", f"{day:%Y-%m-%d}", "--out", str(out),
         "--office", str(office_file), "--database-url", db_url],
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    xlsx = out / f"buku-tamu-ruang-server-{day:%Y-%m-%d}.xlsx"
    pdf = out / f"buku-tamu-ruang-server-{day:%Y-%m-%d}.pdf"
    cells = [
        str(c.value)
        for sheet in load_workbook(xlsx).worksheets
        for r in sheet.iter_rows()
        for c in r
        if c.value is not None
    ]
    text = "\n".join(cells)
    assert f"KTP {MASKED}" in cells and number in cells
    assert "HD-OLD-9: disk rusak dibawa vendor (RMA)" in text
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "BUKU TAMU RUANG SERVER" in pdf_text and MASKED in pdf_text
    assert "Andi Wijaya" in pdf_text and number in pdf_text
    for content in (text, pdf_text, pdf.read_bytes().decode("latin-1")):
        assert ID_NUMBER not in content

    month = runner.invoke(
        app,
        ["report", "kunjungan", "--month", "2026-13", "--office", str(office_file),
         "--database-url", db_url],
    )  # fmt: skip
    assert month.exit_code == 2 and "--month: '2026-13' is not a month" in month.output
