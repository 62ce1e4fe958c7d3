"""The run journal the step engine records through, on both databases (records/journal.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from records.collection_runs import SOP_STEP_KEY, start_collection_run
from records.journal import DecisionEntry, RunJournal
from records.models import CollectionRun

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
KEY = "A/kanwil-malut/2026-11"


def _open(engine: Engine, flow_run_id: str = "flow-1") -> tuple[RunJournal, str | None]:
    journal = RunJournal(engine)
    previous = journal.open(
        KEY,
        sop_code="A",
        title="Pemeliharaan jaringan 2026-11",
        office="kanwil-malut",
        parameters={"month": "2026-11"},
        flow_run_id=flow_run_id,
    )
    return journal, previous


def test_a_run_opened_again_is_the_same_run_and_names_the_flow_run_before(engine: Engine) -> None:
    first, before = _open(engine, "flow-1")
    again, previous = _open(engine, "flow-2")
    assert before is None and previous == "flow-1"
    assert again.sop_run_id == first.sop_run_id > 0


def test_steps_round_trip_as_plain_data(engine: Engine) -> None:
    journal, _ = _open(engine)
    log_id = journal.start(
        1, "kadivmin", actor="fatimah", due_at=None, started_at=T0, inputs={"month": "2026-11"}
    )
    journal.finish(
        log_id,
        finished_at=T0 + timedelta(minutes=5),
        outputs={"branch": None},
        documents=["Disposisi"],
        sla_status="met",
    )
    waiting = journal.wait(
        5, "kasubag", started_at=T0, due_at=T0 + timedelta(days=1), inputs={"form": ["decision"]}
    )
    (done,) = journal.completed()
    assert (done.step_number, done.actor, done.inputs, done.outputs) == (
        1,
        "fatimah",
        {"month": "2026-11"},
        {"branch": None},
    )
    assert [e.status for e in journal.steps()] == ["completed", "waiting"]
    # asked again (a run started again): the same waiting log, its deadline kept
    again = journal.wait(5, "kasubag", started_at=T0 + timedelta(hours=3), due_at=None, inputs={})
    assert (again.id, again.due_at) == (waiting.id, waiting.due_at)
    journal.refuse(5, attempted_username="budi", reason="wrong_code: kode salah", refused_at=T0)
    journal.accept(
        waiting.id,
        actor="rahmat",
        finished_at=T0 + timedelta(hours=4),
        outputs={"decision": "kembalikan"},
        note="ulang sw01",
        sla_status="met",
        decision=DecisionEntry(
            5, "kembalikan", "rahmat", "kasubag", "ulang sw01", T0 + timedelta(hours=4)
        ),
    )
    assert journal.wait(6, "kabag", started_at=T0, due_at=None, inputs={}).answers == 2
    (decision,) = journal.decisions()
    assert (decision.step_number, decision.decision, decision.approver) == (
        5,
        "kembalikan",
        "rahmat",
    )
    last = journal.completed()[-1]
    assert (last.step_number, last.note, last.outputs) == (
        5,
        "ulang sw01",
        {"decision": "kembalikan"},
    )
    amended = journal.amend(last.id, outputs={"branch": "tidak"})
    assert amended.outputs == {"decision": "kembalikan", "branch": "tidak"}


def test_a_step_a_killed_run_left_running_is_interrupted_with_its_collection(
    engine: Engine,
) -> None:
    journal, _ = _open(engine)
    log_id = journal.start(4, "it_officer", actor="andi", due_at=None, started_at=T0)
    with Session(engine) as session, session.begin():
        start_collection_run(
            session, trigger="sop:A", selection={SOP_STEP_KEY: log_id}, started_at=T0
        )
        start_collection_run(session, trigger="manual", started_at=T0)  # not this step's
    closed = journal.close_interrupted("terhenti: proses berakhir")
    ((entry, collections, stored),) = closed
    assert (entry.id, entry.status, entry.note) == (
        log_id,
        "interrupted",
        "terhenti: proses berakhir",
    )
    assert len(collections) == 1 and stored == 0
    assert entry.outputs["interrupted_collection_run_ids"] == collections
    assert journal.completed() == []  # an interrupted round never counts
    with Session(engine) as session:
        statuses = {c.id: c.status for c in session.query(CollectionRun)}
    assert statuses[collections[0]] == "interrupted"
    assert sorted(statuses.values()) == ["interrupted", "running"]
    # nothing is left running: a second start closes nothing
    assert journal.close_interrupted("again") == []
