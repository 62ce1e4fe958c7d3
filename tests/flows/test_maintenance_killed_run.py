"""SOP A after ``kill -9`` of its flow process in the middle of the collection.

Real parts: the session lab (sshd, simulated switches, FRR), a real Prefect API
(``prefect_test_harness``), SQLite and PostgreSQL records, and ``sigap run
maintenance --here`` as a real process. One more inventory host, ``hang01``, is
a TCP port that accepts and never answers, so the collection is surely still
running when the process is killed; it is closed before the month is started
again, so the continued run finds it unreachable.

The killed process is only the flow's own (SIGKILL to its pid, not to its group):
whatever it started (session worker processes, the parse pool and its resource
tracker) must end by itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.settings import PREFECT_API_URL
from sqlalchemy import func, select

from config.office_file import load_office
from records.db import make_engine, session_scope
from records.models import CollectionRun, DeviceSnapshot, SopRun
from records.testing import migrated_database
from reports.sources import load_maintenance_data
from tests.databases import DB_KINDS, database_or_fail
from tests.flows.conftest import wait_for
from tests.flows.test_maintenance import LAB_DEVICES
from tests.pauses import resume_paused
from tests.processes import HangingPort, inventory_with_hanging_host, new_mark, processes_of

ROOT = Path(__file__).resolve().parents[2]
SIGAP = Path(sys.executable).with_name("sigap")
MONTH = "2026-07"
DEVICES = LAB_DEVICES | {"hang01"}


@pytest.fixture
def hanging() -> Iterator[HangingPort]:
    port = HangingPort()
    yield port
    port.close()


WORKERS = {"SIGAP_SESSION_PROCESSES": "2", "SIGAP_PARSE_WORKERS": "0"}
"""The sessions in session worker processes (the flow starts two)."""
PARSE_POOL = {"SIGAP_SESSION_PROCESSES": "0", "SIGAP_PARSE_WORKERS": "2"}
"""The sessions in the flow's process, their answers read in the parse pool."""


@pytest.fixture(
    params=[
        pytest.param(("sqlite", WORKERS), id="sqlite-session-workers"),
        pytest.param(
            ("postgresql", PARSE_POOL), id="postgresql-parse-pool", marks=DB_KINDS[1].marks
        ),
    ]
)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(URL of a migrated records database, the processes' settings).

    SQLite with session worker processes, PostgreSQL (never skipped) with the parse pool.
    """
    kind, processes = request.param
    for url in database_or_fail(kind, tmp_path, migrated_database):
        yield url, processes


def _start(env: dict[str, str], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SIGAP), "run", "maintenance", "--here", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own session: every process it starts is findable
    )


def _count(url: str, model: type, **where: Any) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            query = select(func.count()).select_from(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            return int(session.scalar(query) or 0)
    finally:
        engine.dispose()


def _flow_run_state(flow_run_id: str) -> str | None:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.type.value if state else None


def _sop_flow_run_id(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            run = session.scalars(select(SopRun)).one_or_none()
            return run.flow_run_id if run else None
    finally:
        engine.dispose()


def _children_states(flow_run_id: str) -> list[str]:
    """States of the subflow runs (``collect-devices``) of a flow run."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[UUID(flow_run_id)])
            )
        )
    return [run.state.type.value for run in runs if run.state]


def until(
    process: subprocess.Popen[bytes],
    log: Path,
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
) -> Any:
    """Wait for ``predicate`` while ``process`` lives; fail with its log if it ends."""

    def check() -> Any:
        if process.poll() is not None:
            pytest.fail(f"{what}: the run ended ({process.returncode})\n{log.read_text()[-6000:]}")
        return predicate()

    return wait_for(check, timeout, what)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def test_a_killed_run_is_continued_with_one_outcome_per_device(
    prefect_api,
    lab,
    office_file: Path,
    setup: tuple[str, dict[str, str]],
    hanging: HangingPort,
    tmp_path: Path,
) -> None:
    url, processes = setup
    inventory = inventory_with_hanging_host(lab, tmp_path / "inventory", hanging.port)
    mark = new_mark()
    env = {
        **os.environ,
        **mark,
        **processes,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "SIGAP_MAX_SESSIONS": "2",  # fewer slots than devices: session workers start
        "SIGAP_DEVICE_TIME_LIMIT": "40",
    }
    args = ["--month", MONTH, "-i", str(inventory), "--office", str(office_file),
            "--database-url", url]  # fmt: skip
    log = tmp_path / "run.log"
    first = _start(env, args, log)
    try:
        # mid-collection: some devices stored, hang01 still holding its session
        until(first, log, lambda: _count(url, DeviceSnapshot) >= 2, 120, "the first snapshots")
        assert _count(url, CollectionRun, status="running") == 1
        old_flow_run = _sop_flow_run_id(url)
        assert old_flow_run is not None
        started = processes_of(first.pid, mark=mark)
        helpers = {p: c for p, c in started.items() if p != first.pid}
        if processes["SIGAP_SESSION_PROCESSES"] != "0":
            assert any("tasks.session_workers" in c for c in helpers.values()), started
        else:
            assert any("multiprocessing" in c for c in helpers.values()), started
        os.kill(first.pid, signal.SIGKILL)  # the flow's process only
        first.wait(10)
        stored = _count(url, DeviceSnapshot)
        assert 2 <= stored < len(DEVICES)

        # nothing the killed process started outlives it
        def orphans() -> dict[int, str]:
            return processes_of(first.pid, mark=mark, known=started)

        with contextlib.suppress(AssertionError):
            wait_for(lambda: not orphans(), 15, "the killed run's processes to end")
        assert orphans() == {}
        # what the killed run left behind, before SIGAP starts the month again
        assert _flow_run_state(old_flow_run) == "RUNNING"
        assert _count(url, CollectionRun, status="running") == 1
    finally:
        _stop(first)

    hanging.close()  # hang01 is down now: refused, quickly
    second = _start(env, args, log)
    try:
        new_flow_run = until(
            second,
            log,
            lambda: _sop_flow_run_id(url) not in (None, old_flow_run) and _sop_flow_run_id(url),
            120,
            "the new flow run",
        )
        # Prefect's own state, not SIGAP's waiting row: the run is paused at step 5
        until(
            second,
            log,
            lambda: _flow_run_state(new_flow_run) == "PAUSED",
            180,
            "the continued run to pause at the review",
        )
        assert _flow_run_state(old_flow_run) in ("CRASHED", "CANCELLED")
        children = _children_states(old_flow_run)
        assert children and set(children) <= {"CRASHED", "CANCELLED"}, children
        assert _open_task_runs(old_flow_run) == []
        _check_records(url, office_file, stored)
        # the continued run ends as usual, and leaves no process either
        resume_paused(
            new_flow_run, {"decision": "tolak", "approver": "rahmat", "code": "demo-rahmat"}
        )
        assert second.wait(120) == 0, log.read_text()[-6000:]
        with contextlib.suppress(AssertionError):
            wait_for(lambda: not processes_of(second.pid, mark=mark), 15, "its processes to end")
        assert processes_of(second.pid, mark=mark) == {}
    finally:
        _stop(second)


def _open_task_runs(flow_run_id: str) -> list[str]:
    """Task runs of a flow run and its subflow runs whose state is not final."""
    with get_client(sync_client=True) as client:
        subflows = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[UUID(flow_run_id)])
            )
        )
        ids = [UUID(flow_run_id), *(run.id for run in subflows)]
        task_runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=ids))
        )
    return [
        f"{t.name}: {t.state.type.value}" for t in task_runs if t.state and not t.state.is_final()
    ]


def _check_records(url: str, office_file: Path, stored: int) -> None:
    """One outcome per device in step 4 and in the report; the killed parts closed."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            runs = session.scalars(select(CollectionRun).order_by(CollectionRun.id)).all()
            assert [r.status for r in runs] == ["interrupted", "completed"]
            killed, done = runs
            assert killed.finished_at is not None and killed.devices_total == stored
            sop_run = session.scalars(select(SopRun)).one()
            assert sop_run.status == "paused"
            logs = [(s.step_number, s.status) for s in sop_run.step_logs]
            assert logs == [
                (1, "completed"),
                (2, "completed"),
                (3, "completed"),
                (4, "interrupted"),
                (4, "completed"),
                (5, "waiting"),
            ]
            step4 = [s for s in sop_run.step_logs if s.step_number == 4]
            assert step4[0].finished_at is not None
            outputs = step4[1].outputs
            assert outputs["collection_run_id"] == done.id
            assert sorted(outputs["devices"]) == sorted(DEVICES)
            assert set(outputs["lines"]) == DEVICES and outputs["totals"]["devices"] == 6
            assert outputs["lines"]["hang01"]["outcome"] == "unreachable"
            names = session.scalars(
                select(DeviceSnapshot.device_id).where(DeviceSnapshot.run_id == done.id)
            ).all()
            assert len(names) == len(set(names)) == len(DEVICES)
            data = load_maintenance_data(session, load_office(office_file), MONTH)
            reported = [s.device for s in data.devices.snapshots]
            assert sorted(reported) == sorted(DEVICES)
            assert data.devices.collection_run_ids == (done.id,)
    finally:
        engine.dispose()
    # the report file the flow wrote counts each device once
    reports = Path(os.environ["SIGAP_REPORT_DIR"]) / MONTH
    (xlsx,) = reports.glob("*.xlsx")
    summary = pd.read_excel(xlsx, sheet_name="Ringkasan")
    values = dict(zip(summary["Uraian"], summary["Nilai"], strict=True))
    assert values["Jumlah perangkat"] == len(DEVICES)
    devices = pd.read_excel(xlsx, sheet_name="Perangkat")
    assert sorted(devices["Perangkat"]) == sorted(DEVICES)
