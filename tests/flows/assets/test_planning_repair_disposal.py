"""D1 planning, D4 repair and D5 disposal end to end through real Prefect pauses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from flows.assets.common import AssetProcedureError
from flows.assets.disposal import asset_disposal
from flows.assets.planning import asset_planning
from flows.assets.repair import asset_repair
from records.asset_models import Asset
from records.db import session_scope
from records.incidents import open_incident
from records.models import SopRun, StepLog
from tests.flows.assets.conftest import (
    ASSET,
    add,
    answer,
    asset,
    decide,
    pdf_text,
    run_row,
    wait_for,
)

TAG = ASSET["tag"]
PLAN = [
    {"name": "Access Point Wi-Fi 6", "category": "hardware", "quantity": 2, "unit_cost": 4500000},
    {"name": "Lisensi NMS", "category": "software", "quantity": 1, "unit_cost": 12000000},
]


def _pdf(documents: list[str]) -> str:
    return next(d for d in documents if d.endswith(".pdf"))


def _status_now(engine) -> str:
    return asset(engine)["status"]


def test_plan_returned_by_the_kadis_goes_back_to_the_kasi_then_is_procured(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine, tag="AP-LAMA-01")  # a tag already in the register
    run = flow_thread(
        asset_planning,
        items=PLAN,
        reason="Perluasan jaringan nirkabel kantor",
        actor="rusmini",
        reference="2027-anggaran",
        office_file=office,
        database_url=db_url,
    )
    # round 1: Kabid approves, Kadis refuses -> step 4 returns it to the proposing Kasi
    decide(engine, 2, "syahrani")
    decide(engine, 3, "ardiansyah", "tolak", note="kurangi lisensi")
    revised = [PLAN[0]]
    answer(engine, 1, "rusmini", items=revised, reason="Perluasan jaringan nirkabel (revisi)")
    # round 2: the Kabid refuses -> the Kadis is not asked, back to the Kasi again
    decide(engine, 2, "syahrani", "kembalikan", note="tambah alasan")
    answer(engine, 1, "rusmini", items=revised, reason="Perluasan Wi-Fi ruang rapat dan aula")
    decide(engine, 2, "syahrani")
    decide(engine, 3, "ardiansyah")
    answer(engine, 5, "rusmini", budget_reference="DPA 2027 2.16.01", budget_amount=9000000)
    # procurement: wrong counts and a tag already registered are refused, the run waits again
    answer(engine, 6, "rizky", tags="AP-2027-01")
    answer(engine, 6, "rizky", tags="AP-2027-01, AP-LAMA-01")
    answer(
        engine,
        6,
        "rizky",
        tags="AP-2027-01, AP-2027-02",
        serials="SN-A1, SN-A2",
        vendor="Ubiquiti",
        location="Gudang TI",
    )
    result = run.join(60)

    assert result["status"] == "completed"
    row = run_row(engine)
    assert [n for n, _ in row["steps"]] == [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6]
    # the skipped Kadis step is recorded with who stopped the plan
    assert row["steps"][6] == (3, "syahrani")
    assert row["decisions"] == [
        (2, "syahrani", "setuju"),
        (3, "ardiansyah", "tolak"),
        (2, "syahrani", "kembalikan"),
        (2, "syahrani", "setuju"),
        (3, "ardiansyah", "setuju"),
    ]
    assert row["refused"] == [(6, "invalid"), (6, "invalid")]
    with session_scope(engine) as session:
        new = {
            a.tag: (a.status, a.serial, a.value, a.name)
            for a in session.scalars(select(Asset).where(Asset.tag.like("AP-2027-%")))
        }
        branches = [
            s.outputs.get("branch")
            for s in session.scalars(select(StepLog).where(StepLog.step_number == 4))
        ]
    assert new == {
        "AP-2027-01": ("procured", "SN-A1", 4500000, "Access Point Wi-Fi 6"),
        "AP-2027-02": ("procured", "SN-A2", 4500000, "Access Point Wi-Fi 6"),
    }
    assert branches == ["tidak", "tidak", "ya"]
    report = pdf_text(_pdf(row["documents"][6]))
    assert "LAPORAN KEGIATAN PENGADAAN ASET" in report
    assert "AP-2027-01" in report and "DPA 2027 2.16.01" in report
    assert "Muhammad Rizky Ramadhan, S.Kom." in report and "Hj. Rusmini, S.T." in report


def test_plan_with_a_bad_item_is_refused_before_anything_is_recorded(
    prefect_api, office: str, db_url: str, engine
) -> None:
    bad = [{**PLAN[0], "category": "mebel"}, {**PLAN[1], "quantity": 0}]
    with pytest.raises(ValueError, match=r"item 1, category: .*'mebel'.*item 2, quantity"):
        asset_planning(items=bad, reason="x", office_file=office, database_url=db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(SopRun)) == 0


def test_repair_marks_the_asset_under_repair_while_it_runs(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    with session_scope(engine) as session:
        incident, _ = open_incident(
            session,
            office="Diskominfo SP Tanah Bumbu",
            device="sw-dist-01",
            kind="kerusakan_perangkat",
            description="Port 1-8 mati",
            reporter="rizky",
            source="manual",
            occurred_at=datetime(2026, 11, 30, 1, 0, tzinfo=UTC),
        )
        number = incident.number
    run = flow_thread(
        asset_repair,
        tag=TAG,
        incident=number,
        problem="Port 1-8 mati",
        analysis="Modul PoE rusak, perlu penggantian power supply",
        office_file=office,
        database_url=db_url,
    )
    answer(
        engine,
        2,
        "rusmini",
        subject="Perbaikan switch distribusi",
        plan="Ganti power supply",
        estimated_cost=3500000,
    )
    assert _status_now(engine) == "in_service"  # not yet approved
    decide(engine, 3, "syahrani")
    wait_for(lambda: _status_now(engine) == "under_repair", 30, "under_repair")
    answer(engine, 5, "rizky", actions="Power supply diganti", parts_replaced="PWR-C5-125WAC")
    result = run.join(60)
    assert result["status"] == "completed"
    assert _status_now(engine) == "in_service"
    row = run_row(engine)
    nd = pdf_text(_pdf(row["documents"][2]))
    assert "NOTA DINAS" in nd and TAG in nd and "Rp 3.500.000" in nd and number in nd
    assert "Hj. Rusmini, S.T." in nd
    letter = pdf_text(_pdf(row["documents"][4]))
    assert "SURAT PENUGASAN" in letter and "Muhammad Rizky Ramadhan, S.Kom." in letter
    report = pdf_text(_pdf(row["documents"][6]))
    assert "LAPORAN KEGIATAN PERBAIKAN" in report and "PWR-C5-125WAC" in report
    assert number in report


def test_repair_refused_by_the_kabid_keeps_the_asset_in_service(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    run = flow_thread(
        asset_repair,
        tag=TAG,
        problem="Kipas berisik",
        analysis="Masih dalam batas wajar",
        office_file=office,
        database_url=db_url,
    )
    answer(engine, 2, "rusmini", subject="Pemeliharaan kipas", plan="Ganti kipas")
    decide(engine, 3, "syahrani", "tolak", note="tunda sampai tahun depan")
    assert run.join(60)["status"] == "cancelled"
    assert _status_now(engine) == "in_service"
    assert [n for n, _ in run_row(engine)["steps"]] == [1, 2, 3]


def test_disposal_returned_by_the_kabid_redoes_the_analysis_then_disposes(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    run = flow_thread(
        asset_disposal,
        tag=TAG,
        reason="Rusak berat, tidak ekonomis diperbaiki",
        office_file=office,
        database_url=db_url,
    )
    review = {"requirements_met": True, "method": "pemusnahan", "analysis": "Biaya > nilai buku"}
    answer(engine, 2, "rusmini", **review)
    decide(engine, 3, "syahrani", "tolak", note="lampirkan hasil uji")
    answer(engine, 2, "rusmini", **{**review, "analysis": "Uji fungsi gagal; biaya > nilai"})
    assert _status_now(engine) == "in_service"
    decide(engine, 3, "syahrani")
    answer(engine, 5, "rizky", witnesses="Budi (BPKAD), Sari (Inspektorat)")
    result = run.join(60)
    assert result["status"] == "completed"
    assert _status_now(engine) == "disposed"
    row = run_row(engine)
    assert [n for n, _ in row["steps"]] == [1, 2, 3, 2, 3, 4, 5, 6]
    ba = pdf_text(_pdf(row["documents"][5]))
    assert "BERITA ACARA PENGHAPUSAN ASET" in ba and TAG in ba
    assert "Uji fungsi gagal" in ba and "Budi (BPKAD)" in ba
    for name in ("Muhammad Rizky Ramadhan, S.Kom.", "Hj. Rusmini, S.T.", "H. Syahrani"):
        assert name in ba


def test_disposal_is_refused_while_the_asset_is_assigned_or_under_repair(
    prefect_api, office: str, db_url: str, engine
) -> None:
    add(engine, custodian="lina")
    add(engine, tag="KOM-SW-002", status="under_repair")
    with pytest.raises(AssetProcedureError, match=r"D5 .*ditolak: aset masih dipegang oleh lina"):
        asset_disposal(tag=TAG, reason="x", office_file=office, database_url=db_url)
    with pytest.raises(AssetProcedureError, match=r"D5 .*ditolak: status aset Dalam perbaikan"):
        asset_disposal(tag="KOM-SW-002", reason="x", office_file=office, database_url=db_url)
    with pytest.raises(AssetProcedureError, match=r"D4 .*ditolak.*under_repair"):
        asset_repair(
            tag="KOM-SW-002", problem="x", analysis="y", office_file=office, database_url=db_url
        )
    with pytest.raises(AssetProcedureError, match=r"incident: .*'INC-2026-9999' not found"):
        asset_repair(
            tag=TAG,
            incident="INC-2026-9999",
            problem="x",
            analysis="y",
            office_file=office,
            database_url=db_url,
        )
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(SopRun)) == 0
    assert asset(engine)["status"] == "in_service"
