"""D6 evaluation end to end: the recap read back from its XLSX, the approval chain, a refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine

from flows.assets.evaluation import asset_evaluation
from records.db import session_scope
from records.models import SopRun
from records.sop_runs import get_or_create_sop_run, set_sop_run_status
from records.steps import finish_step, start_step
from tasks.clock import use_clock
from tests.flows.assets.conftest import add, answer, decide, pdf_text, run_row

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 1 Dec 2026, 10:00 WITA


def _clock() -> datetime:
    return NOW + (datetime.now(UTC) - _START)


_START = datetime.now(UTC)


def _seed(engine) -> None:
    """A register and three earlier procedure runs (two in 2026, one in 2025)."""
    add(engine, warranty_end=date(2027, 1, 15))  # KOM-SW-001, ends in 45 days
    add(engine, tag="KOM-SRV-001", name="Server Aplikasi", acquired_on=date(2019, 5, 1))
    add(
        engine,
        tag="APP-001",
        category="software",
        name="Aplikasi Helpdesk",
        acquired_on=date(2026, 2, 1),
        warranty_end=date(2027, 6, 30),
    )
    add(engine, tag="KOM-SW-009", name="Switch lama", status="disposed")
    add(
        engine,
        tag="KOM-AP-003",
        name="Access Point",
        status="under_repair",
        acquired_on=date(2024, 1, 10),
    )
    runs = [
        ("D2", "D2/x/a", datetime(2026, 3, 2, 1, tzinfo=UTC), "completed", {2: "breached"}),
        ("D5", "D5/x/b", datetime(2026, 5, 4, 1, tzinfo=UTC), "cancelled", {}),
        ("D4", "D4/x/c", datetime(2025, 12, 1, 1, tzinfo=UTC), "completed", {}),
    ]
    with session_scope(engine) as session:
        for code, key, started, status, breaches in runs:
            run = get_or_create_sop_run(
                session, key, sop_code=code, title=key, office="x", started_at=started
            )
            last = 6 if status == "completed" else 3
            for number in range(1, last + 1):
                log = start_step(session, run, number, "kasi", actor="rusmini", started_at=started)
                finish_step(
                    session,
                    log,
                    finished_at=started + timedelta(minutes=5),
                    sla_status=breaches.get(number, "met"),
                )
            set_sop_run_status(session, run, status, finished_at=started + timedelta(hours=1))


def _d6_row(engine: Engine) -> dict[str, Any]:
    """The D6 run's documents per step and its refused answers."""
    with session_scope(engine) as session:
        run = session.scalars(select(SopRun).where(SopRun.sop_code == "D6")).one()
        return {
            "documents": {s.step_number: list(s.documents) for s in run.step_logs},
            "refused": [(r.step_number, r.reason.split(":")[0]) for r in run.refused_approvals],
        }


def _sheet(path: str, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name)


def test_yearly_evaluation_recap_approval_and_action_plan(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    _seed(engine)
    with use_clock(_clock):
        run = flow_thread(
            asset_evaluation,
            period="2026",
            actor="rusmini",
            office_file=office,
            database_url=db_url,
        )
        answer(engine, 2, "rusmini", findings="Dua prosedur berjalan; satu langkah terlambat.")
        decide(engine, 3, "ardiansyah")
        answer(engine, 4, "syahrani", plan="Percepat persetujuan; perpanjang garansi switch.")
        answer(engine, 5, "rusmini", actions="a | b | c | d")  # refused: four parts
        answer(
            engine,
            5,
            "rusmini",
            actions="Perpanjang garansi KOM-SW-001 | Pengelola Aset | 2027-01-10\n"
            "Usulkan peremajaan KOM-SRV-001 | Kepala Seksi | 2027-03-31",
        )
        result = run.join(60)
    assert result["status"] == "completed"
    row = _d6_row(engine)
    assert row["refused"] == [(5, "invalid")]

    # the recap (step 1) read back from its XLSX
    recap = next(d for d in row["documents"][1] if d.endswith(".xlsx"))
    procedures = _sheet(recap, "Rekap prosedur").set_index("Kode")
    assert procedures.loc["D2", ["Jumlah", "Selesai"]].tolist() == [1, 1]
    assert procedures.loc["D5", ["Jumlah", "Ditolak/dibatalkan"]].tolist() == [1, 1]
    assert procedures.loc["D4", "Jumlah"] == 0  # its run was in 2025
    sla = _sheet(recap, "Kepatuhan waktu per langkah")
    d2 = sla[sla["Kode"] == "D2"].set_index("Langkah")
    assert d2.loc[2, ["Tepat waktu", "Terlambat", "Kepatuhan (%)"]].tolist() == [0, 1, 0.0]
    assert d2.loc[5, "Kepatuhan (%)"] == 100.0
    by_status = _sheet(recap, "Aset per status dan kategori").set_index("Status")
    assert by_status.loc["Digunakan", ["Perangkat keras", "Perangkat lunak"]].tolist() == [2, 1]
    assert by_status.loc["Dihapuskan", "Jumlah"] == 1 and by_status.loc["Jumlah", "Jumlah"] == 5
    aging = _sheet(recap, "Umur aset").set_index("Umur")
    assert aging.loc["> 5 tahun", "Perangkat keras"] == 1
    assert aging["Jumlah"].sum() == 4  # the disposed asset is not counted
    warranty = _sheet(recap, "Garansi segera berakhir")
    assert warranty[["Kode aset", "Sisa hari"]].values.tolist() == [["KOM-SW-001", 45]]
    suggested = _sheet(recap, "Rencana tindak lanjut")["Tindak lanjut"].tolist()
    assert any("KOM-SW-001" in s for s in suggested)
    assert any("KOM-SRV-001" in s for s in suggested)
    assert any("KOM-AP-003" in s for s in suggested)
    assert any("D2 langkah 2" in s for s in suggested)

    # the final report (step 6): the Kasi's action plan, signed by Kasi, Kabid and Kadis
    final = row["documents"][6]
    plan = _sheet(next(d for d in final if d.endswith(".xlsx")), "Rencana aksi tindak lanjut")
    assert plan["Tindak lanjut"].tolist() == [
        "Perpanjang garansi KOM-SW-001",
        "Usulkan peremajaan KOM-SRV-001",
    ]
    text = pdf_text(next(d for d in final if d.endswith(".pdf")))
    assert "LAPORAN EVALUASI PENGELOLAAN ASET" in text and "Tahun 2026" in text
    for name in ("Hj. Rusmini, S.T.", "H. Syahrani, S.Sos., M.M.", "Drs. H. Ardiansyah, M.Si."):
        assert name in text
    assert Path(next(d for d in final if d.endswith(".html"))).exists()
    assert load_workbook(next(d for d in final if d.endswith(".xlsx"))).sheetnames[0] == "Dokumen"


def test_evaluation_refused_by_the_kadis_ends_without_a_final_report(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    run = flow_thread(
        asset_evaluation, period="2026-01-01..2026-07-01", office_file=office, database_url=db_url
    )
    answer(engine, 2, "rusmini", findings="Belum lengkap")
    decide(engine, 3, "ardiansyah", "tolak", note="lengkapi data garansi")
    result = run.join(60)
    assert result["status"] == "cancelled"
    row = run_row(engine)
    assert [n for n, _ in row["steps"]] == [1, 2, 3]
    assert row["decisions"] == [(3, "ardiansyah", "tolak")]
