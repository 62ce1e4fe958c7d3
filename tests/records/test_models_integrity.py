"""Foreign keys and cascades behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.approvals import record_approval, record_refused_approval
from records.collection_runs import start_collection_run
from records.devices import upsert_device
from records.models import (
    Approval,
    ChecklistResult,
    CollectionRun,
    Device,
    DeviceSnapshot,
    RefusedApproval,
    SopRun,
    StepLog,
)
from records.snapshots import ChecklistEntry, add_checklist_results, add_snapshot
from records.sop_runs import get_or_create_sop_run
from records.steps import start_step


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _collection(session: Session) -> tuple[Device, CollectionRun]:
    device = upsert_device(session, "sw1", address="10.0.0.1", platform="cisco_ios")
    run = start_collection_run(session, trigger="manual")
    snapshot = add_snapshot(session, run, device, outcome="ok")
    add_checklist_results(session, snapshot, [ChecklistEntry("cpu_load", "Beban CPU", "pass")])
    session.commit()
    return device, run


def test_deleting_a_collection_run_in_sql_cascades(session: Session) -> None:
    _, run = _collection(session)
    # a plain SQL delete, so the database's ON DELETE CASCADE does the work, not the ORM
    session.execute(delete(CollectionRun).where(CollectionRun.id == run.id))
    session.commit()
    assert (_count(session, DeviceSnapshot), _count(session, ChecklistResult)) == (0, 0)
    assert _count(session, Device) == 1


def test_deleting_a_collection_run_via_orm_cascades(session: Session) -> None:
    _, run = _collection(session)
    session.delete(run)
    session.commit()
    assert (_count(session, DeviceSnapshot), _count(session, ChecklistResult)) == (0, 0)


def test_a_device_with_history_cannot_be_deleted(session: Session) -> None:
    device, _ = _collection(session)
    with pytest.raises(IntegrityError):
        session.execute(delete(Device).where(Device.id == device.id))
        session.flush()
    session.rollback()
    with pytest.raises(IntegrityError):
        session.delete(device)
        session.flush()
    session.rollback()
    assert _count(session, Device) == 1


def test_snapshot_needs_an_existing_run(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO device_snapshots (run_id, device_id, collected_at, outcome, "
                "facts, health) VALUES (999, 999, CURRENT_TIMESTAMP, 'ok', '{}', '{}')"
            )
        )


def test_check_constraint_refuses_unknown_outcome(engine: Engine, session: Session) -> None:
    _, run = _collection(session)
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text("UPDATE device_snapshots SET outcome = 'down' WHERE run_id = :id"), {"id": run.id}
        )


def test_deleting_an_sop_run_removes_its_steps_and_approvals(session: Session) -> None:
    run = get_or_create_sop_run(session, "C:bpsdm:1", sop_code="C", title="t", office="bpsdm")
    other = get_or_create_sop_run(session, "C:bpsdm:2", sop_code="C", title="t", office="bpsdm")
    for sop_run in (run, other):
        start_step(session, sop_run, 1, "team_member")
        record_approval(
            session, sop_run, 5, approver="lead", role_key="team_lead", decision="setuju"
        )
        record_refused_approval(
            session, sop_run, 5, attempted_username="x", reason="not a team lead"
        )
    session.commit()
    session.execute(delete(SopRun).where(SopRun.id == run.id))
    session.commit()
    counts = [_count(session, m) for m in (StepLog, Approval, RefusedApproval)]
    assert counts == [1, 1, 1]
    assert session.scalars(select(StepLog.sop_run_id)).all() == [other.id]
