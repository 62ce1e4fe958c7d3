"""SOP E perbaikan-server end to end over the lab, and the evidence upload.

Real parts: the SOP E lab (tests/flows/monitoring_fixtures.py), a real Prefect API,
SQLite records. The monitoring opens the incident from a stopped service; the
flow runs in a thread as a worker would; the test answers each pause with
``resume_flow_run`` (what the Prefect UI and ``sigap answer`` do).
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from flows.monitoring import pemantauan_server
from flows.server_repair import perbaikan_server
from records.db import make_engine, session_scope
from records.incident_models import Incident
from records.incidents import open_incident
from records.models import RefusedApproval, SopRun, StepLog
from records.monitoring_models import EvidenceFile
from sigap.cli import app
from sop.evidence import EvidenceError
from tasks import clock
from tasks.evidence import store_evidence
from tests.flows.conftest import wait_for
from tests.flows.monitoring_fixtures import Service, _fast_flow_settings, write_inventory  # noqa: F401
from tests.pauses import resume_paused

CLOCK = clock.ControlledClock()


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _waiting(db_url: str) -> tuple[str, int] | None:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            row = session.execute(
                select(SopRun.flow_run_id, StepLog.step_number)
                .join(StepLog, StepLog.sop_run_id == SopRun.id)
                .where(StepLog.status == "waiting")
            ).first()
            return (str(row[0]), int(row[1])) if row else None
    finally:
        engine.dispose()


def _verdicts(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            refused = session.scalars(select(RefusedApproval.id)).all()
            done = session.scalars(select(StepLog.id).where(StepLog.status == "completed")).all()
            return len(refused) + len(done)
    finally:
        engine.dispose()


def _answer(db_url: str, step: int, user: str, **values: Any) -> None:
    flow_run_id, waiting = wait_for(lambda: _waiting(db_url), 120, f"step {step} to wait")
    assert waiting == step
    before = _verdicts(db_url)
    resume_paused(flow_run_id, {"approver": user, "code": f"demo-{user}", **values})
    wait_for(lambda: _verdicts(db_url) > before, 60, f"the answer to step {step}")


def _logs(db_url: str) -> list[tuple[int, str, str | None, dict[str, Any], float | None]]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(
                select(StepLog).where(StepLog.status == "completed").order_by(StepLog.id)
            ).all()
            return [
                (r.step_number, r.actor or "", r.note, dict(r.outputs), r.waiting_seconds)
                for r in rows
            ]
    finally:
        engine.dispose()


def _incident(db_url: str, number: str) -> tuple[str, str | None, int]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            row = session.scalars(select(Incident).where(Incident.number == number)).one()
            files = session.scalars(
                select(EvidenceFile).where(EvidenceFile.incident_id == row.id)
            ).all()
            return row.status, row.handling, len(files)
    finally:
        engine.dispose()


def test_repair_refuses_to_close_while_the_service_is_down(
    prefect_api: None, e_lab, e_office: Path, e_db: str, flow_thread, tmp_path: Path
) -> None:
    with clock.use_clock(CLOCK):
        _repair_run(e_lab, e_office, e_db, flow_thread, tmp_path)


def _repair_run(e_lab: Any, e_office: Path, e_db: str, flow_thread: Any, tmp_path: Path) -> None:
    inventory = write_inventory(
        e_lab, tmp_path / "inventory", {"linux02": {"services": [{"name": "api", "port": 8081}]}}
    )
    args = {"office_file": str(e_office), "database_url": e_db}
    web = Service("127.0.53.2", 8081)
    pemantauan_server(inventory_dir=str(inventory), start_flows=False, **args)
    web.stop()
    report = pemantauan_server(inventory_dir=str(inventory), start_flows=False, **args)
    opened = [i for i in report["incidents_opened"] if i["fault_key"] == "linux02:service:api"]
    assert len(opened) == 1
    number = opened[0]["number"]

    run = flow_thread(perbaikan_server, incident=number, inventory_dir=str(inventory), **args)
    try:
        _answer(e_db, 2, "made", kind="layanan_berhenti", analysis="proses api mati", parts="")
        _answer(e_db, 3, "wirawan", decision="kembalikan", note="periksa log dulu")
        _answer(e_db, 2, "made", kind="layanan_berhenti", analysis="api kehabisan memori")
        _answer(e_db, 3, "wirawan", decision="setuju")
        # the provider is contacted a minute into step 4 and answers 40 minutes later; step 4
        # must have started before the clock is read, or the wait falls before the step
        wait_for(lambda: (_waiting(e_db) or ("", 0))[1] == 4, 120, "step 4 to start")
        contacted = clock.now().replace(microsecond=0) + timedelta(minutes=1)
        CLOCK.advance(minutes=60)
        _answer(
            e_db,
            4,
            "ayu",
            action="tiket ke penyedia aplikasi",
            handled_by="provider",
            provider_name="PT Contoh",
            provider_ticket="T-77",
            provider_contacted_at=contacted.isoformat(),
            provider_answered_at=(contacted + timedelta(minutes=40)).isoformat(),
        )
        # SIGAP re-checks: the service is still down, the run goes back to step 4
        wait_for(lambda: (_waiting(e_db) or ("", 0))[1] == 4, 120, "the run back at step 4")
        web = Service("127.0.53.2", 8081)
        _answer(e_db, 4, "ayu", action="layanan api dijalankan ulang", parts_replaced="")
        _answer(e_db, 5, "ayu", report="layanan api berjalan kembali")
        _answer(e_db, 6, "wirawan", decision="setuju")
        evidence = tmp_path / "bukti.png"
        evidence.write_bytes(png_bytes())
        store_evidence(
            make_engine(e_db),
            number,
            [evidence],
            data_dir=tmp_path / "data",
            max_bytes=1_000_000,
            attached_by="wirawan",
        )
        _answer(e_db, 7, "wirawan", note="disimpan di lemari arsip")
        result = run.join(120)
    finally:
        web.stop()
    assert result["status"] == "completed"
    logs = _logs(e_db)
    assert [step for step, *_ in logs] == [1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7]
    refusal = logs[6]
    assert refusal[0] == 5 and refusal[3]["branch"] == "tidak" and refusal[3]["fault_present"]
    assert "gangguan masih ada" in (refusal[2] or "")
    assert "service:api" in refusal[3]["found"]
    closing = logs[8]
    assert closing[3]["fault_present"] is False and closing[3]["branch"] == "ya"
    provider_step = logs[5]
    assert provider_step[4] == pytest.approx(40 * 60, abs=1)
    assert logs[3][1] == "made" and logs[4][1] == "wirawan"
    assert logs[10][3]["evidence"][0]["type"] == "image/png"
    # the second repair was done in-house: the incident says who fixed it last
    assert _incident(e_db, number) == ("closed", "internal", 1)


def test_evidence_accepts_png_and_pdf_and_refuses_fakes_and_oversized(
    e_db: str, tmp_path: Path
) -> None:
    engine = make_engine(e_db)
    with session_scope(engine) as session:
        incident, _ = open_incident(
            session,
            office="Diskominfosanti Buleleng",
            device="linux01",
            kind="kerusakan_perangkat",
            description="disk rusak",
            reporter="made",
            source="manual",
            occurred_at=clock.now(),
            sop_code="E",
        )
        number = incident.number
    data = tmp_path / "data"
    png = tmp_path / "disk-lama.png"
    png.write_bytes(png_bytes())
    pdf = tmp_path / "berita-acara.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    fake = tmp_path / "foto.png"
    fake.write_text("ini bukan gambar")
    big = tmp_path / "besar.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 3000)

    with pytest.raises(EvidenceError) as refused:
        store_evidence(
            engine, number, [png, fake, big], data_dir=data, max_bytes=2000, attached_by="made"
        )
    message = str(refused.value)
    assert "foto.png: not a PNG, JPEG or PDF" in message
    assert "besar.pdf: 3009 bytes is larger than the limit of 2000 bytes" in message
    assert _incident(e_db, number)[2] == 0
    refused_cli = CliRunner().invoke(
        app,
        ["incident", "attach", number, str(png), str(fake), "--as", "made", "--database-url", e_db],
    )
    assert refused_cli.exit_code == 1
    assert "foto.png: not a PNG, JPEG or PDF" in refused_cli.output
    assert _incident(e_db, number)[2] == 0
    assert not (data / "evidence").exists() or not any((data / "evidence").iterdir())

    stored = store_evidence(
        engine, number, [png, pdf], data_dir=data, max_bytes=2000, attached_by="made"
    )
    assert [(e.content_type, new) for e, new in stored] == [
        ("image/png", True),
        ("application/pdf", True),
    ]
    for evidence, _ in stored:
        assert (data / "evidence" / evidence.sha256).read_bytes() in (png_bytes(), pdf.read_bytes())
    again = store_evidence(engine, number, [png], data_dir=data, max_bytes=2000, attached_by="made")
    assert again[0][1] is False
    assert _incident(e_db, number)[2] == 2
    engine.dispose()
