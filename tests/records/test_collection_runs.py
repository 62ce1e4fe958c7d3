"""The collection runs of Prefect flow runs (per-site collection): found, and closed when cancelled.

Runs on SQLite and PostgreSQL (``tests/records/conftest.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from records.collection_runs import (
    FLOW_RUN_KEY,
    finish_collection_run,
    flow_runs_collections,
    interrupt_flow_runs_collections,
    last_collection_run_id,
    start_collection_run,
)
from records.devices import upsert_device
from records.snapshots import add_snapshot

T0 = datetime(2026, 9, 1, 0, 30, tzinfo=UTC)


def _run(session: Session, flow_run: str, devices: list[str], *, finish: bool) -> int:
    run = start_collection_run(
        session, trigger="sop:A", selection={FLOW_RUN_KEY: flow_run}, started_at=T0
    )
    for name in devices:
        device = upsert_device(session, name, address="10.0.0.1", platform="linux", seen_at=T0)
        add_snapshot(session, run, device, outcome="ok", collected_at=T0 + timedelta(seconds=5))
    if finish:
        finish_collection_run(session, run, finished_at=T0 + timedelta(minutes=1))
    session.flush()
    return run.id


def test_finished_collections_of_flow_runs_with_their_devices(session: Session) -> None:
    assert last_collection_run_id(session) == 0
    old = _run(session, "site-a", ["old1"], finish=True)
    before = last_collection_run_id(session)
    assert before == old
    a = _run(session, "site-a", ["a1", "a2"], finish=True)
    _run(session, "site-b", ["b1"], finish=False)  # still collecting: not there
    _run(session, "other", ["o1"], finish=True)  # not asked for

    found = flow_runs_collections(session, ["site-a", "site-b", "site-c"], before)

    assert found == {"site-a": (a, {"a1", "a2"})}


def test_cancelled_flow_runs_collections_are_interrupted_not_left_running(
    session: Session,
) -> None:
    b = _run(session, "site-b", ["b1"], finish=False)
    other = _run(session, "other", ["o1"], finish=False)

    closed = interrupt_flow_runs_collections(session, ["site-b"])

    assert [(run.id, run.status) for run in closed] == [(b, "interrupted")]
    assert closed[0].finished_at == T0 + timedelta(seconds=5)  # its last snapshot
    assert interrupt_flow_runs_collections(session, []) == []
    assert flow_runs_collections(session, ["other"], 0) == {}  # still running
    assert other not in {run.id for run in closed}
