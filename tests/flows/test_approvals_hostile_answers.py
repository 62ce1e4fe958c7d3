"""No answer can crash a run: hostile values in every way a person can send them.

A small SOP E flow (the step engine of flows/engine/procedure.py with SIGAP's approvals)
runs against the real Prefect API, on SQLite and on PostgreSQL. The test answers its
pauses as an attacker would: over-long and control-character text through the
normal resume (what the Prefect UI's form and ``sigap approve`` send), values written
straight to the run's input endpoint past the form's schema, a resume with no input,
a name nobody in the office has. Each is refused and recorded, the run pauses again
(Prefect's PAUSED state), and a proper answer still finishes the run. Nothing reaches
the database that its columns cannot hold (PostgreSQL refuses NUL and over-long
values outright; SQLite would store them, so the stored lengths are checked too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.input.run_input import keyset_from_base_key
from prefect.states import Running
from pydantic import Field
from sqlalchemy import func, select

from config.office_file import load_office
from config.settings import load_settings
from config.sop_files import load_sops
from flows.approvals import SignedInput
from flows.engine import Procedure, StepResult
from records.db import make_engine, session_scope
from records.models import RefusedApproval, StepLog
from reports.assembly import refused_table
from reports.data import RefusedRecord
from sop.form_text import ShortText
from sop.model import Step
from tests.databases import DB_KINDS, database_or_fail
from tests.flows.conftest import office_with_demo_codes
from tests.flows.visits_helpers import refusals as _refusals
from tests.flows.visits_helpers import waiting as _waiting
from tests.pauses import flow_run_state, resume_paused, wait_for, wait_until_paused


class TicketForm(SignedInput):
    """Step 2's form in this test: a provider's ticket (a ``String(100)`` column)."""

    ticket: ShortText = Field(description="Nomor tiket")


def _analysis(procedure: Procedure, step: Step) -> StepResult:
    answer = procedure.ask(step, TicketForm, summary="Tiket penyedia")
    return StepResult(outputs={"ticket": answer.data["ticket"]})


@flow(name="test-hostile-answers")
def hostile_flow(office_file: str, database_url: str) -> dict[str, Any]:
    office = load_office(Path(office_file))
    engine = make_engine(database_url)
    try:
        result = Procedure(
            engine=engine,
            office=office,
            settings=load_settings(),
            sop=load_sops()["E"],
            run_key="E:uji:hostile",
            title="uji",
            parameters={"server": "srv01"},
            handlers={
                1: lambda p, s: StepResult(outputs={"monitored": ["srv01"]}),
                2: _analysis,
                3: lambda p, s: p.decide(s, summary="Setujui?", performed_by=p.actors(2)),
                4: lambda p, s: StepResult(outputs={"repaired": True}),
                5: lambda p, s: StepResult(outputs={"checked": True}, branch="ya"),
                6: lambda p, s: p.decide(s, summary="Terima laporan?"),
                7: lambda p, s: StepResult(documents=["bukti.pdf"]),
            },
        ).run()
    finally:
        engine.dispose()
    return {"status": result.status}


@pytest.fixture(params=DB_KINDS)
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_or_fail(request.param, tmp_path)


def _completed(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(StepLog).where(StepLog.status == "completed")
                )
                or 0
            )
    finally:
        engine.dispose()


def _judged(db_url: str) -> int:
    return len(_refusals(db_url)) + _completed(db_url)


def _at_step(db_url: str, step: int) -> str:
    flow_run_id, at = wait_for(lambda: _waiting(db_url), 90, f"step {step} to wait")
    assert at == step
    wait_until_paused(flow_run_id)
    return flow_run_id


def _send(db_url: str, step: int, values: dict[str, Any]) -> None:
    """Answer as the Prefect UI or ``sigap approve`` does, and wait for the verdict."""
    flow_run_id = _at_step(db_url, step)
    before = _judged(db_url)
    resume_paused(flow_run_id, values)
    wait_for(lambda: _judged(db_url) > before, 60, f"the verdict on step {step}")


def _forge(db_url: str, step: int, raw: str | None) -> None:
    """Write ``raw`` straight to the pause's input key (no schema) and set the run Running."""
    flow_run_id = _at_step(db_url, step)
    before = _judged(db_url)
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
        assert state is not None and state.state_details.pause_key
        key = keyset_from_base_key(f"paused-{state.state_details.pause_key}")["response"]
        if raw is not None:
            client.create_flow_run_input(UUID(flow_run_id), key=key, value=raw)
        client.set_flow_run_state(UUID(flow_run_id), Running(), force=True)
    wait_for(lambda: _judged(db_url) > before, 60, f"the verdict on step {step}")


def test_hostile_answers_are_refused_recorded_and_the_run_waits_again(
    prefect_api, tmp_path: Path, any_db: str, flow_thread
) -> None:
    office = office_with_demo_codes("kominfosanti-buleleng", tmp_path)
    run = flow_thread(hostile_flow, office_file=str(office), database_url=any_db)
    ok = {"approver": "ayu", "code": "demo-ayu"}

    # through the form (what the UI and the CLI send): the schema lets these through
    _send(any_db, 2, {**ok, "ticket": "T" * 101})  # longer than the ticket column
    _send(any_db, 2, {**ok, "ticket": "T-1\x00; DROP TABLE"})  # NUL: PostgreSQL's crash
    _send(any_db, 2, {"approver": "a" * 5000, "code": "x", "ticket": "T-1"})  # huge username
    _send(any_db, 2, {"approver": "ayu\u2028budi", "code": "x", "ticket": "T-1"})
    # past the schema: straight to the input endpoint, then the run set Running
    _forge(any_db, 2, json.dumps({**ok, "ticket": "T-1", "note": "x" * 100_000}))
    _forge(any_db, 2, json.dumps({"approver": ["ayu"], "code": 7, "ticket": {"a": 1}}))
    _forge(any_db, 2, json.dumps([1, 2, 3]))
    _forge(any_db, 2, "{not json")
    _forge(any_db, 2, None)  # a resume with no input at all

    refused = _refusals(any_db)
    assert len(refused) == 9
    assert all(step == 2 for step, _, _ in refused)
    assert all(reason.startswith("malformed: ") for _, _, reason in refused), refused
    reasons = [reason for _, _, reason in refused]
    assert "ticket: terlalu panjang: 101 karakter, paling banyak 100" in reasons[0]
    assert "U+0000" in reasons[1]
    assert "approver: terlalu panjang: 5000 karakter" in reasons[2]
    assert "note: terlalu panjang: 100000 karakter" in reasons[4]
    assert "jawaban bukan isian formulir" in reasons[6]
    assert "tidak ada jawaban formulir" in reasons[8]
    # who tried is recorded within the column, never with what was typed as the code
    names = [name for _, name, _ in refused]
    assert names[0] == "ayu" and names[2] == "a" * 100 and names[4] == "ayu"
    assert names[5:] == ["?", "?", "?", "?"]
    assert all(len(name) <= 100 and "\x00" not in name for name in names)
    assert all(len(reason) <= 500 for reason in reasons)
    assert not any("DROP TABLE" in reason or "demo-ayu" in reason for reason in reasons)

    # the run is alive and paused again at the same step
    flow_run_id = _at_step(any_db, 2)
    assert flow_run_state(flow_run_id) == "PAUSED"
    assert run.alive

    # a name nobody in the office has: refused like any stranger, listed apart
    _send(any_db, 2, {"approver": "<b>Kepala Dinas</b>", "code": "x", "ticket": "T-1"})
    _send(any_db, 2, {"approver": "pak bos", "code": "x", "ticket": "T-1"})
    # a proper answer still goes through, and the run finishes
    _send(any_db, 2, {**ok, "ticket": "T-1"})
    _send(any_db, 3, {"approver": "wirawan", "code": "demo-wirawan", "decision": "setuju"})
    _send(any_db, 6, {"approver": "suparta", "code": "demo-suparta", "decision": "setuju"})
    assert run.join(60)["status"] == "completed"

    engine = make_engine(any_db)
    try:
        with session_scope(engine) as session:
            analysis = session.scalars(
                select(StepLog).where(StepLog.step_number == 2, StepLog.status == "completed")
            ).one()
            assert analysis.outputs["ticket"] == "T-1"
            attempts = session.scalars(select(RefusedApproval)).all()
            records = [
                RefusedRecord(a.step_number, a.attempted_username, a.reason, a.refused_at)
                for a in attempts
            ]
    finally:
        engine.dispose()

    # the official table: the office's people row by row, strangers only as a count
    table = refused_table(records, load_office(office), "id")
    assert "<b>Kepala Dinas</b>" not in table.to_string()
    assert "pak bos" not in table.to_string()
    strangers = table[table["username"] == "-"]
    assert strangers[["step", "reason"]].values.tolist() == [[2, "8 percobaan ditolak"]]
    assert table[table["username"] != "-"]["username"].tolist() == ["ayu"] * 3


def test_a_one_time_code_seen_once_is_refused_the_second_time(
    prefect_api, tmp_path: Path, any_db: str, flow_thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example office's managers use TOTP: a code someone saw (in the old UI's plain
    form field, over a shoulder, in Prefect's database) cannot be used again, in any step."""
    import time

    import pyotp
    import yaml

    office = office_with_demo_codes("kominfosanti-buleleng", tmp_path)
    data = yaml.safe_load(office.read_text())
    secret = pyotp.random_base32()
    monkeypatch.setenv("SIGAP_TOTP_WIRAWAN", secret)
    for person in data["people"]:
        if person["username"] == "wirawan":
            person["approval"] = {"totp": "env:SIGAP_TOTP_WIRAWAN"}
    office.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    # the others keep their demo codes (office_with_demo_codes)
    totp = pyotp.TOTP(secret)
    run = flow_thread(hostile_flow, office_file=str(office), database_url=any_db)

    _send(any_db, 2, {"approver": "ayu", "code": "demo-ayu", "ticket": "T-1"})
    seen = totp.now()
    _send(any_db, 3, {"approver": "wirawan", "code": seen, "decision": "setuju"})
    # step 6, the same person, the same code: refused as used, and the run waits again
    _send(any_db, 6, {"approver": "wirawan", "code": seen, "decision": "setuju"})
    refused = _refusals(any_db)
    assert [(step, who) for step, who, _ in refused] == [(6, "wirawan")]
    assert refused[0][2].startswith("code_reused: ") and "sudah dipakai" in refused[0][2]
    assert seen not in refused[0][2]
    flow_run_id = _at_step(any_db, 6)
    assert flow_run_state(flow_run_id) == "PAUSED"
    # the app's next code goes through
    _send(
        any_db,
        6,
        {"approver": "wirawan", "code": totp.at(time.time() + 30), "decision": "setuju"},
    )
    assert run.join(60)["status"] == "completed"
    engine = make_engine(any_db)
    try:
        with session_scope(engine) as session:
            from records.models import UsedTotpStep

            steps = session.scalars(select(UsedTotpStep.step)).all()
            assert len(steps) == 2 and steps[0] < steps[1]
    finally:
        engine.dispose()
