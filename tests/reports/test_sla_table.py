"""The shared SLA table: step logs in, one row per step as a reader sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from config.office_file import load_office
from config.sop_files import load_sops
from records.db import make_engine
from records.sop_runs import get_or_create_sop_run
from records.steps import finish_step, list_step_logs, start_step
from reports.data import StepRecord
from reports.document import DocTable, OfficialDocument, render_document
from reports.sla_table import SLA_COLUMNS, step_sla_frame, step_sla_headers
from sop.office import Office
from tests.databases import database_or_fail
from tests.reports.builders import ROOT

SOP_C = load_sops()["C"]
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB


@pytest.fixture(scope="module")
def bpsdm() -> Office:
    return load_office(ROOT / "examples" / "offices" / "bpsdm-kemenkumham.yaml")


def _incident_logs() -> list[StepRecord]:
    """Steps 1..5 of SOP C: 3 met, 4 waited 2 hours on the provider, 5 still running."""
    t = T0
    logs = []
    for number, minutes in ((1, 10), (2, 45), (3, 20)):
        logs.append(StepRecord(number, "team_member", "andika", t, t + timedelta(minutes=minutes)))
        t += timedelta(minutes=minutes)
    logs.append(  # 2 h 25 min on the clock, 2 h of it waiting on the provider: 25 min worked
        StepRecord(4, "team_member", "siti", t, t + timedelta(minutes=145), waiting_seconds=7200)
    )
    t += timedelta(minutes=145)
    logs.append(StepRecord(5, "team_member", "andika", t, None, status="running"))
    return logs


def test_one_row_per_step_with_waiting_shown_apart(bpsdm: Office) -> None:
    logs = _incident_logs()
    now = logs[-1].started_at + timedelta(minutes=90)  # step 5 (standard 1 Jam) is late
    frame = step_sla_frame(logs, SOP_C, bpsdm, "id", now=now)
    assert list(frame.columns) == list(SLA_COLUMNS)
    rows = frame.to_dict(orient="records")
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0] == {
        "step": 1,
        "role": "Anggota Tim Kerja Pengelolaan Sistem Informasi",
        "actor": "Andika Pratama, S.Kom.",
        "started_at": "1 Desember 2026 08:00 WIB",
        "finished_at": "1 Desember 2026 08:10 WIB",
        "actual": "10 menit",
        "waiting": "-",
        "standard": "30 Menit",
        "sla": "tepat waktu",
    }
    assert (rows[1]["actual"], rows[1]["sla"]) == ("45 menit", "melewati standar")
    assert (rows[3]["actual"], rows[3]["waiting"], rows[3]["sla"]) == (
        "25 menit",
        "2 jam",
        "tepat waktu",
    )
    assert (rows[4]["finished_at"], rows[4]["actual"], rows[4]["sla"]) == (
        "-",
        "1 jam 30 menit",
        "melewati standar",
    )


def test_running_step_without_a_clock_and_english(bpsdm: Office) -> None:
    frame = step_sla_frame(_incident_logs(), SOP_C, bpsdm, "en")
    last = frame.iloc[-1]
    assert (last["actual"], last["sla"]) == ("-", "running")
    assert frame.iloc[3]["waiting"] == "2 hours"
    assert frame.iloc[0]["standard"] == "30 minutes"
    assert step_sla_headers("en")["waiting"] == "Waiting on third party"


def test_recorded_verdict_wins_and_mappings_are_read(bpsdm: Office) -> None:
    # the flow judged step 2 met (e.g. after a pause it took off); the table shows that
    logs = [
        {"step": 2, "actor": "agus.isp", "started_at": T0, "sla_status": "met",
         "finished_at": T0 + timedelta(minutes=45)},
        {"step": 9, "role_key": "team_lead", "actor": "zaki", "started_at": T0,
         "finished_at": T0 + timedelta(minutes=5)},
    ]  # fmt: skip
    rows = step_sla_frame(logs, SOP_C, bpsdm).to_dict(orient="records")
    assert rows[0]["sla"] == "tepat waktu"
    assert rows[0]["actor"] == "Agus Setiawan (PT Contoh Jaringan Nusantara)"
    assert rows[0]["role"] == "Anggota Tim Kerja Pengelolaan Sistem Informasi"  # from the SOP
    # a step the SOP does not have and a person the office does not know: shown as recorded
    assert (rows[1]["standard"], rows[1]["sla"], rows[1]["actor"]) == ("-", "tanpa standar", "zaki")
    with pytest.raises(ValueError, match="started_at must be an aware datetime"):
        step_sla_frame([{"step": 1, "started_at": datetime(2026, 12, 1)}], SOP_C, bpsdm)


def test_step_logs_from_the_database_in_a_document(bpsdm: Office, tmp_path: Path) -> None:
    """The engine's own step-log rows go straight into the table and into a document."""
    for url in database_or_fail("sqlite", tmp_path):
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                run = get_or_create_sop_run(
                    session, "C/bpsdm/INC-1", sop_code="C", title="Insiden", office="BPSDM"
                )
                log = start_step(session, run, 1, "team_member", actor="andika", started_at=T0)
                finish_step(session, log, finished_at=T0 + timedelta(minutes=40))
                log = start_step(
                    session, run, 4, "team_member", actor="siti", started_at=T0 + timedelta(hours=1)
                )
                finish_step(
                    session,
                    log,
                    finished_at=T0 + timedelta(hours=2),
                    waiting_seconds=2400,
                    sla_status="met",
                )
                session.commit()
                frame = step_sla_frame(list_step_logs(session, run), SOP_C, bpsdm)
        finally:
            engine.dispose()
    assert frame[["step", "actual", "waiting", "sla"]].values.tolist() == [
        [1, "40 menit", "-", "melewati standar"],
        [4, "20 menit", "40 menit", "tepat waktu"],
    ]
    doc = OfficialDocument(
        office=bpsdm,
        title="Laporan Penanganan Kendala Jaringan",
        date=T0,
        tables=[DocTable("steps", "Langkah SOP", frame, step_sla_headers())],
    )
    html = render_document(doc, "html").decode()
    assert "<th>Menunggu Pihak Ketiga</th>" in html
    assert '<td class="bad">melewati standar</td>' in html
