"""SOP runs, step logs and approvals round-trip on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from records.approvals import (
    list_approvals,
    list_refused_approvals,
    record_approval,
    record_refused_approval,
)
from records.models import SopRun
from records.sop_runs import get_or_create_sop_run, get_sop_run, set_sop_run_status
from records.steps import finish_step, list_step_logs, start_step

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
KEY = "A:kanwil-malut:2026-11"


def _run(session: Session, key: str = KEY, **extra: object) -> SopRun:
    fields = {
        "sop_code": "A",
        "title": "Pemeliharaan jaringan November 2026",
        "office": "kanwil-malut",
    } | extra
    return get_or_create_sop_run(session, key, **fields)


def _count_runs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SopRun))


def test_sop_run_round_trip(engine: Engine, session: Session) -> None:
    run = _run(session, parameters={"month": "2026-11"}, flow_run_id="f-1", started_at=T0)
    set_sop_run_status(session, run, "paused")
    session.commit()
    with Session(engine) as fresh:
        stored = get_sop_run(fresh, KEY)
        assert stored is not None
        assert (stored.sop_code, stored.office, stored.status) == ("A", "kanwil-malut", "paused")
        assert (stored.parameters, stored.flow_run_id, stored.started_at) == (
            {"month": "2026-11"},
            "f-1",
            T0,
        )
        assert stored.finished_at is None
        set_sop_run_status(fresh, stored, "completed", finished_at=T0 + timedelta(days=3))
        fresh.commit()
    with Session(engine) as fresh:
        stored = get_sop_run(fresh, KEY)
        assert stored is not None
        assert (stored.status, stored.finished_at) == ("completed", T0 + timedelta(days=3))
    with pytest.raises(ValueError, match="status: 'done'"):
        set_sop_run_status(session, run, "done")


def test_same_run_key_returns_the_existing_run(engine: Engine, session: Session) -> None:
    first = _run(session)
    session.commit()
    with Session(engine) as other:
        second = _run(other, title="a different title")
        other.commit()
        assert second.id == first.id
        assert second.title == "Pemeliharaan jaringan November 2026"
        assert _count_runs(other) == 1
    with pytest.raises(ValueError, match="already belongs to SOP A, not C"):
        _run(session, sop_code="C")


def test_racing_sessions_get_the_same_run(engine: Engine) -> None:
    # Session A creates the run and holds its transaction open while session B,
    # in another thread, asks for the same key; B must end with A's run, not a duplicate.
    results: dict[str, object] = {}

    def other() -> None:
        try:
            with Session(engine) as session_b:
                results["id"] = _run(session_b).id
                session_b.commit()
        except Exception as error:  # reported below
            results["error"] = error

    with Session(engine) as session_a:
        run_id = _run(session_a).id
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "B should wait for A's transaction"
        session_a.commit()
    thread.join(30)
    assert "error" not in results, results.get("error")
    assert results["id"] == run_id
    with Session(engine) as session:
        assert _count_runs(session) == 1


def test_steps_round_trip(engine: Engine, session: Session) -> None:
    run = _run(session)
    step1 = start_step(
        session,
        run,
        1,
        "kadivmin",
        actor="pak.kadiv",
        started_at=T0,
        due_at=T0 + timedelta(minutes=10),
        inputs={"disposisi": "ND-1/2026"},
        documents=["disposisi-kadivmin.pdf"],
    )
    finish_step(
        session,
        step1,
        finished_at=T0 + timedelta(minutes=7),
        outputs={"disposisi": "ND-2/2026"},
        documents=["disposisi-kadivmin.pdf", "disposisi-kabag.pdf"],
        note="lanjutkan",
        sla_status="met",
        waiting_seconds=120.0,
    )
    step2 = start_step(session, run, 2, "kabag", started_at=T0 + timedelta(minutes=8))
    finish_step(
        session, step2, status="failed", actor="bu.kabag", finished_at=T0 + timedelta(hours=1)
    )
    start_step(session, run, 3, "kasubag", started_at=T0 + timedelta(hours=2), status="waiting")
    session.commit()

    with Session(engine) as fresh:
        stored_run = get_sop_run(fresh, KEY)
        assert stored_run is not None
        logs = list_step_logs(fresh, stored_run)
    assert [(s.step_number, s.role_key, s.status) for s in logs] == [
        (1, "kadivmin", "completed"),
        (2, "kabag", "failed"),
        (3, "kasubag", "waiting"),
    ]
    first = logs[0]
    assert (first.actor, first.started_at, first.finished_at, first.due_at) == (
        "pak.kadiv",
        T0,
        T0 + timedelta(minutes=7),
        T0 + timedelta(minutes=10),
    )
    assert first.documents == ["disposisi-kadivmin.pdf", "disposisi-kabag.pdf"]
    assert (first.inputs, first.outputs) == ({"disposisi": "ND-1/2026"}, {"disposisi": "ND-2/2026"})
    assert (first.note, first.sla_status, first.waiting_seconds) == ("lanjutkan", "met", 120.0)
    assert logs[1].actor == "bu.kabag"
    assert (logs[2].finished_at, logs[2].due_at, logs[2].documents) == (None, None, [])


def test_bad_step_values_are_refused(session: Session) -> None:
    run = _run(session)
    with pytest.raises(ValueError, match="status: 'todo'"):
        start_step(session, run, 1, "kadivmin", status="todo")
    with pytest.raises(ValueError, match="naive datetime"):
        start_step(session, run, 1, "kadivmin", due_at=datetime(2026, 11, 2, 10))
    assert list_step_logs(session, run) == []


def test_approvals_round_trip(engine: Engine, session: Session) -> None:
    run = _run(session)
    record_refused_approval(
        session,
        run,
        7,
        attempted_username="bu.kabag",
        reason="separation of duties: prepared step 6",
        refused_at=T0,
    )
    record_approval(
        session,
        run,
        7,
        approver="pak.kadiv",
        role_key="kadivmin",
        decision="kembalikan",
        note="lengkapi data suhu",
        decided_at=T0 + timedelta(minutes=5),
    )
    record_approval(session, run, 7, approver="pak.kadiv", role_key="kadivmin", decision="setuju")
    session.commit()
    with Session(engine) as fresh:
        stored = get_sop_run(fresh, KEY)
        assert stored is not None
        approvals = list_approvals(fresh, stored)
        refused = list_refused_approvals(fresh, stored)
    assert [(a.step_number, a.approver, a.role_key, a.decision) for a in approvals] == [
        (7, "pak.kadiv", "kadivmin", "kembalikan"),
        (7, "pak.kadiv", "kadivmin", "setuju"),
    ]
    assert (approvals[0].note, approvals[0].decided_at) == (
        "lengkapi data suhu",
        T0 + timedelta(minutes=5),
    )
    assert approvals[1].decided_at.tzinfo is UTC
    assert [(r.step_number, r.attempted_username, r.reason, r.refused_at) for r in refused] == [
        (7, "bu.kabag", "separation of duties: prepared step 6", T0)
    ]
    with pytest.raises(ValueError, match="decision: 'approve' is not one of setuju"):
        record_approval(session, run, 7, approver="x", role_key="kadivmin", decision="approve")


def test_a_totp_step_is_claimed_once_and_only_the_counter_is_stored(engine: Engine) -> None:
    from sqlalchemy import inspect

    from records.approvals import claim_totp_step, last_totp_step

    with Session(engine) as session:
        assert last_totp_step(session, "yusuf") is None
        assert claim_totp_step(session, "yusuf", 59_000_001, T0)
        # the same code again (a second run, a second tab): refused, the session goes on
        assert not claim_totp_step(session, "yusuf", 59_000_001, T0 + timedelta(seconds=5))
        assert claim_totp_step(session, "rahmat", 59_000_001, T0)  # per person
        assert claim_totp_step(session, "yusuf", 59_000_002, T0 + timedelta(seconds=31))
        session.commit()
    with Session(engine) as session:
        assert last_totp_step(session, "yusuf") == 59_000_002
        assert last_totp_step(session, "rahmat") == 59_000_001
    columns = {c["name"] for c in inspect(engine).get_columns("used_totp_steps")}
    assert columns == {"username", "step", "used_at"}
