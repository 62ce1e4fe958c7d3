"""D2 relocation and D3 handover end to end through real Prefect pauses."""

from __future__ import annotations

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import func, select

from flows.assets.common import AssetProcedureError
from flows.assets.handover import asset_handover
from flows.assets.relocation import asset_relocation
from records.asset_models import AssetEvent
from records.db import session_scope
from records.models import SopRun
from tests.flows.assets.conftest import (
    ASSET,
    add,
    answer,
    asset,
    decide,
    pdf_text,
    run_row,
)

TAG = ASSET["tag"]


def _pdf(documents: list[str]) -> str:
    return next(d for d in documents if d.endswith(".pdf"))


def test_relocation_moves_the_asset_only_at_the_end(
    prefect_api, office: str, db_url: str, engine, flow_thread, monkeypatch
) -> None:
    # the report directory is served (sigap report serve): artifacts link over HTTP
    monkeypatch.setenv("SIGAP_REPORTS_URL", "http://127.0.0.1:4201/")
    add(engine)
    run = flow_thread(
        asset_relocation,
        tag=TAG,
        to_location="Gedung Command Center, Rak B3",
        reason="Konsolidasi perangkat ke command center",
        actor="rusmini",
        reference="pindah-sw-001",
        office_file=office,
        database_url=db_url,
    )
    # the proposing Kasi may not approve in the Kabid's place; a wrong code is refused
    decide(engine, 2, "rusmini")
    answer(engine, 2, "syahrani", decision="setuju", note="", code="salah")
    decide(engine, 2, "syahrani")
    assert asset(engine)["location"] == "Ruang Server Lt. 2"  # approved, not moved yet
    decide(engine, 3, "ardiansyah")
    answer(engine, 5, "rusmini", condition="Baik, berfungsi normal", note="dipindah 2 orang")
    result = run.join(60)

    assert result["status"] == "completed"
    moved = asset(engine)
    assert moved["location"] == "Gedung Command Center, Rak B3"
    assert moved["status"] == "relocated"
    row = run_row(engine)
    assert [n for n, _ in row["steps"]] == [1, 2, 3, 4, 5, 6]
    assert row["decisions"] == [(2, "syahrani", "setuju"), (3, "ardiansyah", "setuju")]
    assert row["refused"] == [(2, "wrong_role"), (2, "wrong_code")]
    # the assignment letter (step 4) and the Berita Acara (step 5), signed by the right people
    letter = pdf_text(_pdf(row["documents"][4]))
    assert "SURAT PENUGASAN" in letter and TAG in letter
    assert "Hj. Rusmini, S.T." in letter and "H. Syahrani, S.Sos., M.M." in letter
    ba = pdf_text(_pdf(row["documents"][5]))
    assert "BERITA ACARA PEMINDAHTEMPATAN ASET" in ba
    assert TAG in ba and "Gedung Command Center, Rak B3" in ba and "Ruang Server Lt. 2" in ba
    assert "Hj. Rusmini, S.T." in ba and "H. Syahrani, S.Sos., M.M." in ba
    assert "DINAS KOMUNIKASI, INFORMATIKA, STATISTIK DAN PERSANDIAN" in ba
    assert "demo-" not in ba + letter  # no approval code in any document
    # both documents are Prefect artifacts of the run (summary, tables, file links)
    with get_client(sync_client=True) as client:
        found = {
            a.key: a
            for a in client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="pindah-sw-001-%"))
            )
        }
    keys = set(found)
    assert {"pindah-sw-001-surat-penugasan", "pindah-sw-001-berita-acara"} <= keys
    assert "pindah-sw-001-berita-acara-pdf" in keys and "pindah-sw-001-berita-acara-barang" in keys
    link = str(found["pindah-sw-001-berita-acara-pdf"].data)
    assert "(http://127.0.0.1:4201/" in link and link.rstrip(")").endswith(".pdf")
    assert all("file://" not in str(a.data) for a in found.values())
    with session_scope(engine) as session:
        event = session.scalars(select(AssetEvent).where(AssetEvent.procedure == "D2")).one()
        assert event.changes["location"] == ["Ruang Server Lt. 2", "Gedung Command Center, Rak B3"]
        assert event.sop_run_id == row["id"] and event.actor == "syahrani"


def test_relocation_refused_by_the_kadis_leaves_the_asset(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    run = flow_thread(
        asset_relocation,
        tag=TAG,
        to_location="Gudang",
        reason="Tidak terpakai",
        office_file=office,
        database_url=db_url,
    )
    decide(engine, 2, "syahrani")
    decide(engine, 3, "ardiansyah", "tolak", note="masih dibutuhkan di ruang server")
    result = run.join(60)
    assert result["status"] == "cancelled"
    assert asset(engine)["location"] == "Ruang Server Lt. 2"
    assert [n for n, _ in run_row(engine)["steps"]] == [1, 2, 3]
    assert result["documents"] == []


def test_relocating_a_disposed_asset_is_refused_and_records_nothing(
    prefect_api, office: str, db_url: str, engine
) -> None:
    add(engine, status="disposed")
    with pytest.raises(AssetProcedureError, match=r"D2 .*ditolak.*disposed"):
        asset_relocation(
            tag=TAG, to_location="Gudang", reason="x", office_file=office, database_url=db_url
        )
    with pytest.raises(AssetProcedureError, match=r"no asset with tag 'TIDAK-ADA'"):
        asset_relocation(
            tag="TIDAK-ADA",
            to_location="Gudang",
            reason="x",
            office_file=office,
            database_url=db_url,
        )
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(SopRun)) == 0


def test_handover_sets_the_custodian_when_the_user_signs(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine, status="procured", location="Gudang TI")
    run = flow_thread(
        asset_handover,
        tag=TAG,
        user="lina",
        purpose="Jaringan Sekretariat",
        office_file=office,
        database_url=db_url,
    )
    # only the named user may sign for it: the Kasi is refused (not an asset user)
    answer(engine, 2, "rusmini", received=True)
    assert asset(engine)["custodian"] is None
    answer(
        engine,
        2,
        "lina",
        received=True,
        location="Ruang Sekretariat",
        configuration="VLAN 20, SSH only",
    )
    result = run.join(60)
    assert result["status"] == "completed"
    held = asset(engine)
    assert held["custodian"] == "lina"
    assert held["location"] == "Ruang Sekretariat" and held["status"] == "in_service"
    row = run_row(engine)
    assert row["refused"] == [(2, "wrong_role")]
    bast = pdf_text(_pdf(row["documents"][1]))
    assert "BERITA ACARA SERAH TERIMA BARANG" in bast and TAG in bast
    assert "Lina Marlina, S.E." in bast and "Hj. Rusmini, S.T." in bast
    report = pdf_text(_pdf(row["documents"][2]))
    assert "LAPORAN INSTALASI DAN KONFIGURASI" in report and "VLAN 20, SSH only" in report


def test_handover_refused_by_the_user_sets_no_custodian(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    run = flow_thread(
        asset_handover,
        tag=TAG,
        user="lina",
        purpose="Jaringan Sekretariat",
        office_file=office,
        database_url=db_url,
    )
    answer(engine, 2, "lina", received=False, note="unit tidak lengkap")
    assert run.join(60)["status"] == "cancelled"
    assert asset(engine)["custodian"] is None
    with pytest.raises(AssetProcedureError, match=r"user: 'rusmini' does not hold the role"):
        asset_handover(
            tag=TAG, user="rusmini", purpose="x", office_file=office, database_url=db_url
        )
