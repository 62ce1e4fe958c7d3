"""The step-by-step SOP engine (flows/engine/procedure.py) over SOP E, against a real Prefect API.

A small flow gives every SOP E step a handler: automatic steps, a form step and
decision steps. The test answers the paused run as people would (``resume_flow_run``
and ``sigap answer``) and reads what the records say.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import flow
from pydantic import Field
from sqlalchemy import select
from typer.testing import CliRunner

from config.office_file import load_office
from config.settings import load_settings
from config.sop_files import load_sops
from flows.approvals import SignedInput
from flows.engine import Procedure, StepResult
from records.db import make_engine, session_scope
from records.models import Approval, RefusedApproval, SopRun, StepLog
from sigap.cli import app
from sop.model import Step
from tasks import clock
from tests.flows.conftest import office_with_demo_codes, wait_for
from tests.pauses import resume_paused

runner = CliRunner()


class AnalysisForm(SignedInput):
    """Step 2's form in this test: the kind of fault."""

    kind: str = Field(description="Jenis kerusakan")
    note: str = Field(default="", description="Catatan")


def _analysis(procedure: Procedure, step: Step) -> StepResult:
    answer = procedure.ask(step, AnalysisForm, summary="Analisa kerusakan server")
    return StepResult(outputs={"kind_upper": str(answer.data["kind"]).upper()})


CLOCK = clock.ControlledClock()


def _repair(procedure: Procedure, step: Step) -> StepResult:
    """80 minutes of repair, 50 of them waiting on the provider."""
    start = clock.now()
    CLOCK.advance(minutes=80)
    return StepResult(
        outputs={"repaired": True},
        waits=[(start + timedelta(minutes=10), start + timedelta(minutes=60))],
    )


@flow(name="test-procedure-e")
def procedure_flow(office_file: str, database_url: str, run_key: str) -> dict[str, Any]:
    office = load_office(Path(office_file))
    engine = make_engine(database_url)
    try:
        result = Procedure(
            engine=engine,
            office=office,
            settings=load_settings(),
            sop=load_sops()["E"],
            run_key=run_key,
            title="uji",
            parameters={"server": "srv01"},
            handlers={
                1: lambda p, s: StepResult(outputs={"monitored": ["srv01"]}),
                2: _analysis,
                3: lambda p, s: p.decide(s, summary="Setujui?", performed_by=p.actors(2)),
                4: _repair,
                5: lambda p, s: StepResult(outputs={"checked": True}, branch="ya"),
                6: lambda p, s: p.decide(s, summary="Terima laporan?"),
                7: lambda p, s: StepResult(documents=["bukti.pdf"]),
            },
        ).run()
    finally:
        engine.dispose()
    return {"status": result.status, "outputs": result.outputs}


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
    """Answers judged so far: refused ones and finished steps."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            refused = session.scalars(select(RefusedApproval.id)).all()
            done = session.scalars(select(StepLog.id).where(StepLog.status == "completed")).all()
            return len(refused) + len(done)
    finally:
        engine.dispose()


def _answer(db_url: str, step: int, **values: Any) -> str:
    flow_run_id, waiting = wait_for(lambda: _waiting(db_url), 60, f"step {step} to wait")
    assert waiting == step
    before = _verdicts(db_url)
    resume_paused(flow_run_id, values)
    wait_for(lambda: _verdicts(db_url) > before, 60, f"the answer to step {step}")
    return flow_run_id


def _logs(db_url: str) -> list[tuple[int, str, str | None, dict[str, Any], Any, Any]]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return [
                (
                    log.step_number,
                    log.status,
                    log.actor,
                    dict(log.outputs),
                    log.waiting_seconds,
                    log.sla_status,
                )
                for log in session.scalars(select(StepLog).order_by(StepLog.id))
            ]
    finally:
        engine.dispose()


def test_a_run_follows_the_sop_branches_and_records_every_step(
    prefect_api, tmp_path: Path, db_url: str, flow_thread
) -> None:
    # ayu is staff and Kasi here: she may not approve her own analysis
    office = office_with_demo_codes("kominfosanti-buleleng", tmp_path, {"ayu": ["staff", "kasi"]})
    with clock.use_clock(CLOCK):
        run = flow_thread(
            procedure_flow, office_file=str(office), database_url=db_url, run_key="E:uji:1"
        )
        _answer_the_whole_chain(db_url)
        result = run.join(60)

    _check(db_url, office, result)


def _answer_the_whole_chain(db_url: str) -> None:
    # step 2: a form; a Kasi may not fill in the staff's analysis
    _answer(db_url, 2, approver="wirawan", code="demo-wirawan", kind="disk")
    _answer(db_url, 2, approver="ayu", code="demo-ayu", kind="disk", note="sda1")
    # step 3: the one who analysed may not approve; the Kasi returns it (Tidak -> 2)
    _answer(db_url, 3, approver="ayu", code="demo-ayu", decision="setuju")
    _answer(db_url, 3, approver="wirawan", code="demo-wirawan", decision="kembalikan")
    _answer(db_url, 2, approver="made", code="demo-made", kind="disk penuh")
    _answer(db_url, 3, approver="wirawan", code="demo-wirawan", decision="setuju")
    # step 6 is the Kasi's or the Kabid's (SOP E: "Kasi / Kabid"): staff are refused
    _answer(db_url, 6, approver="made", code="demo-made", decision="setuju")
    _answer(db_url, 6, approver="suparta", code="demo-suparta", decision="setuju")


def _check(db_url: str, office: Path, result: dict[str, Any]) -> None:
    assert result["status"] == "completed"
    logs = _logs(db_url)
    assert [(n, status) for n, status, *_ in logs] == [
        (1, "completed"),
        (2, "completed"),
        (3, "completed"),
        (2, "completed"),
        (3, "completed"),
        (4, "completed"),
        (5, "completed"),
        (6, "completed"),
        (7, "completed"),
    ]
    second_analysis = logs[3]
    assert second_analysis[2] == "made"
    assert second_analysis[3]["kind"] == "disk penuh"
    assert second_analysis[3]["kind_upper"] == "DISK PENUH"
    assert "code" not in second_analysis[3] and "approver" not in second_analysis[3]
    assert logs[2][3] == {"decision": "kembalikan", "branch": "tidak"}
    repair = logs[5]
    # 80 minutes against a 1-hour standard, 50 of them on the provider: shown apart, met
    assert (repair[4], repair[5]) == (50 * 60, "met")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        refused = [
            (r.step_number, r.attempted_username, r.reason.split(":")[0])
            for r in session.scalars(select(RefusedApproval).order_by(RefusedApproval.id))
        ]
        stored = " ".join(str(row) for row in session.execute(select(StepLog)).all())
        decided = [
            (a.step_number, a.approver, a.role_key, a.decision)
            for a in session.scalars(select(Approval).order_by(Approval.id))
        ]
    engine.dispose()
    assert decided == [
        (3, "wirawan", "kasi", "kembalikan"),
        (3, "wirawan", "kasi", "setuju"),
        (6, "suparta", "kabid", "setuju"),  # recorded under the role the Kabid holds
    ]
    assert refused == [
        (2, "wirawan", "wrong_role"),
        (3, "ayu", "same_person"),  # separation of duties
        (6, "made", "wrong_role"),
    ]
    assert "demo-" not in stored

    # the same run key again: nothing is performed twice
    again = procedure_flow(office_file=str(office), database_url=db_url, run_key="E:uji:1")
    assert again["status"] == "completed" and len(_logs(db_url)) == len(logs)


def test_sigap_answer_fills_in_a_form_step(
    prefect_api, tmp_path: Path, db_url: str, flow_thread
) -> None:
    office = office_with_demo_codes("kominfosanti-buleleng", tmp_path)
    run = flow_thread(
        procedure_flow, office_file=str(office), database_url=db_url, run_key="E:uji:2"
    )
    flow_run_id, _ = wait_for(lambda: _waiting(db_url), 60, "step 2 to wait")
    listed = runner.invoke(app, ["approvals", "list", "--database-url", db_url, "--json"])
    [row] = __import__("json").loads(listed.output)
    assert row["step"] == 2 and {"kind", "note", "approver"} <= set(row["form"])

    base = ["answer", flow_run_id[:8], "--database-url", db_url, "--wait", "30"]
    unknown = runner.invoke(app, [*base, "--as", "made", "--set", "jenis=disk"], input="x\n")
    assert unknown.exit_code == 2 and "has no field jenis" in unknown.output
    wrong = runner.invoke(app, [*base, "--as", "made", "--set", "kind=disk"], input="salah\n")
    assert wrong.exit_code == 1 and "ditolak" in wrong.output
    wait_for(lambda: _waiting(db_url), 30, "the run to wait again")
    accepted = runner.invoke(
        app, [*base, "--as", "made", "--set", "kind=disk penuh"], input="demo-made\n"
    )
    assert accepted.exit_code == 0, accepted.output
    assert "diterima" in accepted.output and "oleh made" in accepted.output
    _answer(db_url, 3, approver="wirawan", code="demo-wirawan", decision="tolak")
    # tolak at step 3 goes back to the staff (Tidak -> 2), as the SOP says
    flow_run_id, step = wait_for(lambda: _waiting(db_url), 60, "step 2 again")
    assert step == 2
    assert run.alive
