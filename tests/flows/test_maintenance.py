"""SOP A end to end: the lab, a real Prefect API, approvals answered like a manager would.

Real parts: the session lab (sshd Linux hosts, simulated IOS switches, FRR router),
``prefect_test_harness`` (a real Prefect server), SQLite records. The flow runs in
a thread as a worker would run it; the test answers its pauses with
``resume_flow_run``, the same call ``sigap approve`` and the Prefect UI make.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import func, select

from flows.maintenance import network_maintenance
from records.db import make_engine, session_scope
from records.models import Approval, CollectionRun, DeviceSnapshot, RefusedApproval, SopRun
from records.steps import list_waiting_steps
from tasks.clock import ControlledClock, use_clock
from tests.flows.conftest import is_paused, run_inputs, wait_for
from tests.pauses import resume_paused

LAB_DEVICES = {"linux01", "linux02", "sw01", "sw02", "r01"}


def _waiting(db_url: str) -> tuple[str, int] | None:
    """(flow run id, step) of the step waiting for a decision, once the run is paused."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            rows = list_waiting_steps(session)
            if not rows:
                return None
            step, run = rows[-1]
            flow_run_id, number = run.flow_run_id, step.step_number
    finally:
        engine.dispose()
    return (flow_run_id, number) if flow_run_id and is_paused(flow_run_id) else None


def _count(db_url: str, model: type) -> int:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def _answer(db_url: str, step: int, **answer: str) -> None:
    """Answer the paused run at ``step`` and wait until SIGAP has judged the answer."""
    flow_run_id, waiting = wait_for(lambda: _waiting(db_url), 90, f"a pause at step {step}")
    assert waiting == step
    before = _count(db_url, Approval) + _count(db_url, RefusedApproval)
    resume_paused(flow_run_id, {"note": "", **answer})
    wait_for(
        lambda: _count(db_url, Approval) + _count(db_url, RefusedApproval) > before,
        30,
        "the verdict",
    )


def _start(flow_thread, lab, office_file: Path, db_url: str, month: str):
    return flow_thread(
        network_maintenance,
        month=month,
        inventory_dir=str(lab.inventory_dir),
        office_file=str(office_file),
        database_url=db_url,
    )


def test_whole_chain_with_forged_answers_and_a_revision(
    prefect_api, lab, office_file: Path, db_url: str, flow_thread, tmp_path: Path
) -> None:
    run = _start(flow_thread, lab, office_file, db_url, "2026-11")

    # step 5 (Kasubag). Forged answers, each refused and recorded; the run waits again.
    _answer(db_url, 5, decision="setuju", approver="yusuf", code="demo-yusuf")  # a Kabag
    _answer(db_url, 5, decision="setuju", approver="sahrul", code="demo-sahrul")  # did step 4
    _answer(db_url, 5, decision="setuju", approver="rahmat", code="salah-kode")  # wrong code
    _answer(db_url, 5, decision="setuju", approver="rahmat", code=" ")  # malformed: empty
    _answer(db_url, 5, decision="setuju", approver="siapa", code="x")  # not in the office
    # input the form's schema refuses never reaches the flow; the run stays paused
    flow_run_id, _ = _waiting(db_url) or wait_for(lambda: _waiting(db_url), 30)
    with pytest.raises(RuntimeError, match=r"Validation failed for field .decision."):
        resume_paused(
            flow_run_id,
            {"decision": "mungkin", "approver": "rahmat", "code": "demo-rahmat"},
        )
    assert is_paused(flow_run_id)

    # the Kasubag returns the work for sw01 only: step 4 collects sw01 again
    _answer(
        db_url,
        5,
        decision="kembalikan",
        approver="rahmat",
        code="demo-rahmat",
        note="periksa ulang sw01",
    )
    _answer(db_url, 5, decision="setuju", approver="rahmat", code="demo-rahmat")
    _answer(db_url, 6, decision="setuju", approver="yusuf", code="demo-yusuf")
    _answer(db_url, 7, decision="setuju", approver="fatimah", code="demo-fatimah")
    result = run.join(120)

    assert result["status"] == "approved"
    assert result["totals"]["devices"] == len(LAB_DEVICES)
    _check_report(result["report"], result["totals"])
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        sop_run = session.scalars(select(SopRun)).one()
        assert sop_run.status == "completed" and sop_run.run_key.endswith("/2026-11")
        decisions = [(a.step_number, a.approver, a.decision) for a in sop_run.approvals]
        assert decisions == [
            (5, "rahmat", "kembalikan"),
            (5, "rahmat", "setuju"),
            (6, "yusuf", "setuju"),
            (7, "fatimah", "setuju"),
        ]
        reasons = [
            (r.attempted_username, r.reason.split(":")[0]) for r in sop_run.refused_approvals
        ]
        assert reasons == [
            ("yusuf", "wrong_role"),
            ("sahrul", "same_person"),
            ("rahmat", "wrong_code"),
            ("rahmat", "malformed"),
            ("siapa", "unknown_person"),
        ]
        # every step logged with its actor; step 4 twice (the revision), 5 twice
        logs = [(s.step_number, s.actor, s.status) for s in sop_run.step_logs]
        assert [n for n, _, _ in logs] == [1, 2, 3, 4, 5, 4, 5, 6, 7]
        assert logs[0][1] == "fatimah" and logs[2][1] == "rahmat" and logs[3][1] == "sahrul"
        assert all(status == "completed" for _, _, status in logs)
        assert all(s.sla_status for s in sop_run.step_logs)
        # the revision collected sw01 only
        runs = session.scalars(select(CollectionRun).order_by(CollectionRun.id)).all()
        assert len(runs) == 2
        second = {s.device.name for s in runs[1].snapshots}
        assert second == {"sw01"}
        assert {s.device.name for s in runs[0].snapshots} == LAB_DEVICES
        # no approval code anywhere in the records
        stored = json.dumps(
            [[s.inputs, s.outputs, s.note] for s in sop_run.step_logs]
            + [[r.reason] for r in sop_run.refused_approvals]
            + [[a.note] for a in sop_run.approvals],
            default=str,
        )
        for code in ("demo-rahmat", "demo-yusuf", "demo-fatimah", "salah-kode", "demo-sahrul"):
            assert code not in stored
        flow_run_id = sop_run.flow_run_id
    engine.dispose()
    # ... nor left on the Prefect server: answers are deleted once read
    assert not any("demo-" in value or "salah-kode" in value for value in run_inputs(flow_run_id))

    # a second run of the same month continues (here: finds it done), collects nothing
    snapshots = _count(db_url, DeviceSnapshot)
    again = network_maintenance(
        month="2026-11",
        inventory_dir=str(lab.inventory_dir),
        office_file=str(office_file),
        database_url=db_url,
    )
    assert again["status"] == "approved"
    assert _count(db_url, DeviceSnapshot) == snapshots
    assert _count(db_url, SopRun) == 1


def _check_report(files: dict[str, str], totals: dict) -> None:
    """The month's report files, read back as a reader would."""
    assert set(files) >= {"xlsx", "html", "pdf"}
    summary = pd.read_excel(files["xlsx"], sheet_name="Ringkasan")
    values = dict(zip(summary["Uraian"], summary["Nilai"], strict=True))
    assert values["Jumlah perangkat"] == totals["devices"] == len(LAB_DEVICES)
    assert values["Perangkat gagal diperiksa"] == totals["failed"]
    approvals = pd.read_excel(files["xlsx"], sheet_name="Persetujuan", dtype={"NIP": str})
    assert approvals["Keputusan"].tolist() == [
        "dikembalikan untuk perbaikan",
        "setuju",
        "setuju",
        "setuju",
    ]
    refused = pd.read_excel(files["xlsx"], sheet_name="Percobaan Ditolak")
    assert len(refused) == 5
    devices = pd.read_excel(files["xlsx"], sheet_name="Perangkat")
    assert set(devices["Perangkat"]) == LAB_DEVICES
    text = subprocess.run(
        ["pdftotext", "-layout", files["pdf"], "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("Rahmat Hidayat", "Yusuf Tomagola", "Fatimah Abdullah", "197004151995032001"):
        assert name in text, name
    assert "LAPORAN PEMELIHARAAN KINERJA SISTEM" in text.upper()
    for path in files.values():
        content = Path(path).read_bytes()
        assert b"demo-rahmat" not in content and b"salah-kode" not in content


def test_reject_ends_the_run(prefect_api, lab, office_file: Path, db_url: str, flow_thread) -> None:
    run = _start(flow_thread, lab, office_file, db_url, "2026-10")
    _answer(
        db_url, 5, decision="tolak", approver="rahmat", code="demo-rahmat", note="tidak lengkap"
    )
    result = run.join(60)
    assert result["status"] == "rejected"
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        sop_run = session.scalars(select(SopRun)).one()
        assert sop_run.status == "cancelled"
        assert [a.decision for a in sop_run.approvals] == ["tolak"]
        assert max(s.step_number for s in sop_run.step_logs) == 5
    engine.dispose()


def test_repeated_wrong_codes_lock_the_approver_for_a_while(
    prefect_api, lab, office_file: Path, db_url: str, flow_thread
) -> None:
    data = yaml.safe_load(office_file.read_text())
    data["sla"]["lockout"] = {"max_attempts": 2, "minutes": 15}
    office_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    clock = ControlledClock()
    with use_clock(clock):
        run = _start(flow_thread, lab, office_file, db_url, "2026-05")
        _answer(db_url, 5, decision="setuju", approver="rahmat", code="tebakan-1")
        _answer(db_url, 5, decision="setuju", approver="rahmat", code="tebakan-2")
        # locked now: even the right code is refused, and says until when
        _answer(db_url, 5, decision="setuju", approver="rahmat", code="demo-rahmat")
        engine = make_engine(db_url)
        with session_scope(engine) as session:
            sop_run = session.scalars(select(SopRun)).one()
            refused = [r.reason for r in sop_run.refused_approvals]
            assert [r.split(":")[0] for r in refused] == ["wrong_code", "wrong_code", "locked_out"]
            assert "dikunci sampai" in refused[-1]
            assert sop_run.approvals == []
        engine.dispose()
        # the lockout ends after its minutes; the run has waited all along
        clock.advance(minutes=16)
        _answer(db_url, 5, decision="tolak", approver="rahmat", code="demo-rahmat")
        assert run.join(60)["status"] == "rejected"
