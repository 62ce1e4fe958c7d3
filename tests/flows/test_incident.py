"""SOP C end to end over a real switch that goes down and comes back.

Real parts: the lab's simulated IOS switch (tests/flows/incident_fixtures.py), the
collection engine, a real Prefect API, SQLite records, WeasyPrint PDFs read back
with pdftotext. The flow runs in a thread as a worker would run it; the test
answers its pauses with ``resume_flow_run``, the call ``sigap answer``/``sigap
approve`` and the Prefect UI make. Time jumps use SIGAP's controlled clock.
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.exceptions import FlowPauseTimeout
from sqlalchemy import func, select
from typer.testing import CliRunner

from config.office_file import load_office
from config.sop_files import load_sops
from flows.collect import collect_flow
from flows.incident import network_incident
from records.db import make_engine, session_scope
from records.incident_models import Incident
from records.incidents import get_incident, incident_history, open_incident
from records.models import CollectionRun, RefusedApproval, SlaBreach, StepLog
from records.steps import list_waiting_steps
from reports.sla_table import step_sla_frame
from sigap.cli import app
from tasks import clock
from tasks.clock import ControlledClock, use_clock
from tests.flows.conftest import FlowThread, is_paused, wait_for
from tests.flows.incident_fixtures import (  # noqa: F401
    SWITCH,
    Switch,
    _fast_flow_settings,
    db_url,
    inventory_dir,
    office_file,
    switch,
)
from tests.pauses import resume_paused

OFFICE = "Pusat Penilaian Kompetensi BPSDM Kemenkumham"


def _waiting(db_url: str) -> tuple[str, int] | None:
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


def _judged(db_url: str) -> int:
    """Answers SIGAP has judged so far: refused ones plus finished steps."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            refused = session.scalar(select(func.count()).select_from(RefusedApproval)) or 0
            done = (
                session.scalar(
                    select(func.count()).select_from(StepLog).where(StepLog.status == "completed")
                )
                or 0
            )
            return int(refused) + int(done)
    finally:
        engine.dispose()


def _answer(db_url: str, step: int, **answer: object) -> None:
    """Answer the run paused at ``step`` and wait until SIGAP has judged the answer."""
    flow_run_id, waiting = wait_for(lambda: _waiting(db_url), 90, f"a pause at step {step}")
    assert waiting == step
    before = _judged(db_url)
    resume_paused(flow_run_id, answer)
    wait_for(lambda: _judged(db_url) > before, 60, f"the verdict on step {step}")


def _history(db_url: str, number: str) -> tuple[dict, dict]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            incident = get_incident(session, number)
            fields = {c.name: getattr(incident, c.name) for c in Incident.__table__.columns}
            return fields, incident_history(session, incident)
    finally:
        engine.dispose()


def _the_incident(db_url: str) -> str:
    def number() -> str | None:
        engine = make_engine(db_url)
        try:
            with session_scope(engine) as session:
                return session.scalar(select(Incident.number))
        finally:
            engine.dispose()

    return wait_for(number, 30, "the incident")


def _pdf_text(path: str) -> str:
    """The PDF's words in reading order, whitespace collapsed (table cells wrap)."""
    text = subprocess.run(
        ["pdftotext", path, "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def _start(
    flow_thread, inventory_dir: Path, office_file: Path, db_url: str, **report
) -> FlowThread:
    return flow_thread(
        network_incident,
        inventory_dir=str(inventory_dir),
        office_file=str(office_file),
        database_url=db_url,
        **report,
    )


def test_internal_path_refuses_the_fix_while_the_switch_is_down(
    prefect_api, switch: Switch, inventory_dir: Path, office_file: Path, db_url: str, flow_thread
) -> None:
    # the switch's last good snapshot, from an ordinary collection
    baseline = collect_flow()(inventory_dir=str(inventory_dir), database_url=db_url)
    assert baseline["counts"] == {"ok": 1}
    switch.down()
    run = _start(
        flow_thread,
        inventory_dir,
        office_file,
        db_url,
        device=SWITCH,
        kind="perangkat_mati",
        description="switch lantai 2 mati, pengguna tidak bisa login",
        reporter="andika",
    )
    number = _the_incident(db_url)
    assert number.startswith("INC-") and number.endswith("-0001")
    wait_for(lambda: _waiting(db_url), 90, "the verification form")

    # step 2's damage data shows the fault
    fields, history = _history(db_url, number)
    diagnosis = next(s for s in history["steps"] if s["step"] == 2)["outputs"]["diagnosis"]
    assert diagnosis["fault"] is True
    failing = {c["key"]: c["text"] for c in diagnosis["checks"] if c["status"] == "fail"}
    assert "refused" in failing["tcp"].lower() and "ssh" in failing
    assert diagnosis["last_good_at"] is not None
    assert fields["status"] == "in_progress"

    # the same fault reported again opens no second incident (CLI and records)
    runner = CliRunner()
    again = runner.invoke(
        app,
        [
            "incident", "open", "--device", SWITCH, "--kind", "perangkat_mati",
            "--description", "switch mati (laporan kedua)", "--inventory", str(inventory_dir),
            "--office", str(office_file), "--database-url", db_url,
        ],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert f"already open as {number}" in again.output
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        same, created = open_incident(
            session, office=OFFICE, device=SWITCH, kind="perangkat_mati", description="lagi",
            reporter="monitoring", source="monitoring", occurred_at=clock.now(),
        )  # fmt: skip
        assert (same.number, created) == (number, False)
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
    engine.dispose()

    _answer(db_url, 3, approver="andika", code="demo-andika", handling="internal", note="")
    fix = {
        "approver": "andika",
        "code": "demo-andika",
        "action": "adaptor daya switch diganti, switch dinyalakan ulang",
        "parts": [
            {"part": "Adaptor daya", "serial_old": "PSU-OLD-771", "serial_new": "PSU-NEW-902"}
        ],
        "note": "",
    }
    # the switch is still down: SIGAP checks again and refuses the fix
    _answer(db_url, 5, **fix)
    _, history = _history(db_url, number)
    refusal = history["refused"][-1]
    assert refusal["step"] == 5 and refusal["username"] == "andika"
    assert "gangguan masih ada" in refusal["reason"] and "Jangkauan TCP" in refusal["reason"]
    assert "demo-andika" not in json.dumps(history, default=str)
    assert wait_for(lambda: _waiting(db_url), 60, "step 5 asked again")[1] == 5

    switch.up()
    _answer(db_url, 5, **fix)
    # only the team lead receives the report: a team member's answer is refused
    _answer(db_url, 6, approver="andika", code="demo-andika", decision="setuju", note="")
    _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="setuju", note="")
    result = run.join(120)

    assert result["status"] == "completed" and result["incident"] == number
    fields, history = _history(db_url, number)
    assert fields["status"] == "closed" and fields["handling"] == "internal"
    assert fields["closed_at"] is not None and fields["resolved_at"] is not None
    assert fields["resolution"] == fix["action"]
    assert [s["step"] for s in history["steps"] if s["status"] == "completed"] == [1, 2, 3, 5, 6, 7]
    assert [s["actor"] for s in history["steps"] if s["status"] == "completed"] == [
        "andika", "andika", "andika", "andika", "bambang", "bambang",
    ]  # fmt: skip
    after = [s for s in history["steps"] if s["step"] == 5][-1]["outputs"]["diagnosis_after"]
    assert after["fault"] is False
    assert [(r["step"], r["username"]) for r in history["refused"]] == [
        (5, "andika"),
        (6, "andika"),
    ]
    assert history["refused"][0]["reason"].startswith("invalid: ")

    report = _pdf_text(result["documents"]["laporan"]["pdf"])
    for text in (
        "LAPORAN PENANGANAN KENDALA JARINGAN",
        number,
        SWITCH,
        "Memperbaiki kendala jaringan",
        "Menerima laporan penanganan",
        "Andika Pratama",
        "Bambang Wicaksono",
        "Hendra Kusuma",
        "PSU-NEW-902",
        "Jawaban yang ditolak",
    ):
        assert text in report, text
    ba = _pdf_text(result["documents"]["berita_acara"]["pdf"])
    for text in ("BERITA ACARA PEMELIHARAAN JARINGAN", number, SWITCH, "PSU-OLD-771", "Bambang"):
        assert text in ba, text
    assert "demo-" not in report + ba

    # what the team sees from the CLI
    shown = runner.invoke(
        app, ["incident", "show", number, "--office", str(office_file), "--database-url", db_url]
    )
    assert shown.exit_code == 0, shown.output
    for text in (number, "Ditutup", "ditolak", "gangguan masih ada", "berita_acara", "Andika"):
        assert text in shown.output, text
    listed = runner.invoke(
        app,
        [
            "incident",
            "list",
            "--all",
            "--json",
            "--office",
            str(office_file),
            "--database-url",
            db_url,
        ],
    )
    rows = json.loads(listed.stdout)
    assert [(r["number"], r["status"], r["step"]) for r in rows] == [(number, "closed", None)]
    assert (
        runner.invoke(
            app, ["incident", "list", "--office", str(office_file), "--database-url", db_url]
        ).stdout.strip()
        == "no open incidents"
    )


def test_provider_path_waiting_apart_from_the_sla_and_a_returned_report(
    prefect_api, switch: Switch, inventory_dir: Path, office_file: Path, db_url: str, flow_thread
) -> None:
    ticks = ControlledClock()
    with use_clock(ticks):
        run = _start(
            flow_thread,
            inventory_dir,
            office_file,
            db_url,
            device=SWITCH,
            kind="gangguan_koneksi",
            description="link ke ISP putus",
            reporter="Budi (bagian umum)",
        )
        number = _the_incident(db_url)
        wait_for(lambda: _waiting(db_url), 90, "the verification form")
        # the verification waits 45 minutes: over its 30-minute standard
        ticks.advance(minutes=45)
        wait_for(lambda: _count_breaches(db_url) == 1, 30, "the step 3 breach")
        listed = CliRunner().invoke(
            app,
            ["incident", "list", "--json", "--office", str(office_file), "--database-url", db_url],
        )
        row = json.loads(listed.stdout)[0]
        assert (row["number"], row["status"], row["sla"]) == (number, "in_progress", "breached")
        assert row["step"].startswith("3.") and row["waits_for"].startswith("Anggota Tim")
        _answer(db_url, 3, approver="siti", code="demo-siti", handling="provider", note="ISP")

        _flow_run_id, step = wait_for(lambda: _waiting(db_url), 60, "the provider form")
        assert step == 4
        _, history = _history(db_url, number)
        started = [s for s in history["steps"] if s["step"] == 4][-1]["started_at"]
        ticks.advance(hours=2)
        _answer(
            db_url,
            4,
            approver="siti",
            code="demo-siti",
            provider_name="PT Contoh Jaringan Nusantara",
            provider_ticket="CJN-2026-5531",
            contacted_at=(started + timedelta(minutes=5)).isoformat(),
            answered_at=(started + timedelta(hours=1, minutes=55)).isoformat(),
            note="",
        )
        fix = {"approver": "siti", "code": "demo-siti", "action": "ISP mengganti modem", "note": ""}
        _answer(db_url, 5, **fix)
        _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="kembalikan",
                note="lampirkan nomor seri modem")  # fmt: skip
        _answer(
            db_url,
            5,
            **fix,
            parts=[{"part": "Modem ISP", "serial_old": "MDM-1", "serial_new": "MDM-2"}],
        )
        _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="setuju", note="")
        result = run.join(120)

    assert result["status"] == "completed"
    fields, history = _history(db_url, number)
    assert fields["handling"] == "provider" and fields["provider_ticket"] == "CJN-2026-5531"
    assert fields["provider_answered_at"] - fields["provider_contacted_at"] == timedelta(
        hours=1, minutes=50
    )
    done = [s for s in history["steps"] if s["status"] == "completed"]
    assert [s["step"] for s in done] == [1, 2, 3, 4, 5, 6, 5, 6, 7]
    by_step = {s["step"]: s for s in done}
    assert by_step[3]["sla_status"] == "breached"
    step4 = by_step[4]
    assert step4["waiting_seconds"] == 110 * 60
    assert step4["sla_status"] == "met"  # 2 h on the wall, 1 h 50 min of it waiting on the ISP
    worked = step4["finished_at"] - step4["started_at"] - timedelta(hours=1, minutes=50)
    assert timedelta(minutes=10) <= worked < timedelta(minutes=12)
    frame = step_sla_frame(done, load_sops()["C"], load_office(office_file), now=clock.now())
    row4 = frame[frame["step"] == 4].iloc[0]
    assert (row4["waiting"], row4["sla"]) == ("1 jam 50 menit", "tepat waktu")
    assert frame[frame["step"] == 3].iloc[0]["sla"] == "melewati standar"
    assert [b["step"] for b in history["breaches"]][:1] == [3]

    report = _pdf_text(result["documents"]["laporan"]["pdf"])
    for text in (
        "CJN-2026-5531",
        "PT Contoh Jaringan Nusantara",
        "Menunggu",
        "MDM-2",
        "Peringatan",
    ):
        assert text in report, text


def _count_breaches(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(SlaBreach)) or 0)
    finally:
        engine.dispose()


def test_bad_kind_or_unknown_device_is_refused_and_nothing_written(
    inventory_dir: Path, office_file: Path, db_url: str
) -> None:
    runner = CliRunner()
    base = ["--inventory", str(inventory_dir), "--office", str(office_file)]
    bad_kind = runner.invoke(
        app,
        ["incident", "open", "--device", SWITCH, "--kind", "perangkat-mati",
         "--description", "x", "--database-url", db_url, *base],
    )  # fmt: skip
    assert bad_kind.exit_code == 2
    assert "kind: 'perangkat-mati' is not one of" in bad_kind.output
    assert "did you mean 'perangkat_mati'" in bad_kind.output
    unknown = runner.invoke(
        app,
        ["incident", "open", "--device", "sw99", "--kind", "perangkat_mati",
         "--description", "x", "--database-url", db_url, *base],
    )  # fmt: skip
    assert unknown.exit_code == 2
    assert "device: 'sw99' is not in the inventory" in unknown.output and SWITCH in unknown.output
    bad_time = runner.invoke(
        app,
        ["incident", "open", "--device", SWITCH, "--kind", "perangkat_mati", "--description",
         "x", "--occurred-at", "kemarin", "--database-url", db_url, *base],
    )  # fmt: skip
    assert bad_time.exit_code == 2 and "--occurred-at" in bad_time.output
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
    engine.dispose()
    missing = runner.invoke(app, ["incident", "show", "INC-2026-0042", "--database-url", db_url,
                                  "--office", str(office_file)])  # fmt: skip
    assert missing.exit_code == 1 and "incident 'INC-2026-0042' not found" in missing.output


def test_a_run_that_timed_out_continues_from_its_records(
    prefect_api,
    switch: Switch,
    inventory_dir: Path,
    office_file: Path,
    db_url: str,
    flow_thread,
    monkeypatch,
) -> None:
    monkeypatch.setenv("SIGAP_APPROVAL_TIMEOUT", "3")
    first = _start(
        flow_thread,
        inventory_dir,
        office_file,
        db_url,
        device=SWITCH,
        kind="kinerja",
        description="akses lambat",
        reporter="siti",
    )
    with pytest.raises(FlowPauseTimeout):
        first.join(90)
    number = _the_incident(db_url)
    monkeypatch.setenv("SIGAP_APPROVAL_TIMEOUT", "600")
    # the monitoring and the Prefect UI continue an incident by its number
    second = _start(flow_thread, inventory_dir, office_file, db_url, incident=number)
    _answer(db_url, 3, approver="siti", code="demo-siti", handling="internal", note="")
    _answer(db_url, 5, approver="siti", code="demo-siti", action="QoS diatur ulang", note="")
    _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="setuju", note="")
    result = second.join(120)
    assert (result["incident"], result["status"], result["created"]) == (number, "completed", False)
    _, history = _history(db_url, number)
    done = [s["step"] for s in history["steps"] if s["status"] == "completed"]
    assert done == [1, 2, 3, 5, 6, 7]  # steps 1-2 were not done again
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        # two collections: step 2's diagnostics and the re-check of the fix
        assert session.scalar(select(func.count()).select_from(CollectionRun)) == 2
    engine.dispose()


def test_open_without_a_prefect_server_records_once_and_starts_later(
    inventory_dir: Path, office_file: Path, db_url: str
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    args = ["incident", "open", "--device", SWITCH, "--kind", "perangkat_mati",
            "--description", "switch mati", "--inventory", str(inventory_dir),
            "--office", str(office_file), "--database-url", db_url]  # fmt: skip
    runner = CliRunner()
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        first = runner.invoke(app, args)
        again = runner.invoke(app, args)
    assert first.exit_code == 2 and "127.0.0.1:9/api does not answer" in first.output
    assert "INC-" in first.output and "opened" in first.output
    number = first.output.split("incident ", 1)[1].split()[0]
    # the second call does not open another incident: it tries to start the same one
    assert again.exit_code == 2 and f"incident {number} is open but" in again.output
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
    engine.dispose()
