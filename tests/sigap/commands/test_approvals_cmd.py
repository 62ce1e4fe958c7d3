"""``sigap approvals list``, ``sigap approve`` and ``sigap run`` against a real Prefect API.

The flow runs in a thread over the session lab; the CLI answers it the way a manager
would in a terminal (the code is typed at a hidden prompt).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.exceptions import NotPausedError
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from typer.testing import CliRunner

from config.office_file import load_office
from deployments.definitions import MAINTENANCE_CRON, maintenance_deployment
from flows.maintenance import DEPLOYMENT_NAME
from records.db import make_engine, session_scope
from records.sop_runs import get_or_create_sop_run
from records.steps import finish_step, start_step
from sigap.cli import app
from sigap.commands.approvals_cmd import resume_when_paused
from tasks import clock
from tests.flows.conftest import (  # noqa: F401
    _fast_flow_settings,
    db_url,
    flow_thread,
    is_paused,
    office_file,
    wait_for,
)
from tests.flows.test_maintenance import _start, _waiting

runner = CliRunner()


def test_list_and_approve_from_the_cli(
    prefect_api, lab, office_file: Path, db_url: str, flow_thread
) -> None:
    run = _start(flow_thread, lab, office_file, db_url, "2026-07")
    flow_run_id, _ = wait_for(lambda: _waiting(db_url), 90, "the pause at step 5")

    listed = runner.invoke(app, ["approvals", "list", "--database-url", db_url, "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["run"], row["sop"], row["step"], row["role"]) == (flow_run_id, "A", 5, "kasubag")
    assert row["overdue"] is False and row["due"] > row["waiting_since"]
    table = runner.invoke(
        app,
        ["approvals", "list", "--database-url", db_url, "--office", str(office_file)],
        env={"COLUMNS": "300"},
    )
    assert "kasubag" in table.output and "WIT" in table.output
    assert flow_run_id[:8] in table.output  # its start: `sigap approve` takes it

    base = ["approve", flow_run_id[:8], "--database-url", db_url, "--wait", "30"]
    refused = runner.invoke(
        app, [*base, "--decision", "setuju", "--as", "rahmat"], input="bukan-kodenya\n"
    )
    assert refused.exit_code == 1, refused.output
    assert "ditolak" in refused.output and "kode persetujuan salah" in refused.output
    assert "bukan-kodenya" not in refused.output  # typed at a hidden prompt

    wait_for(lambda: _waiting(db_url), 30, "the run to wait again")
    accepted = runner.invoke(
        app,
        [*base, "--decision", "tolak", "--as", "rahmat", "--note", "data belum lengkap"],
        input="demo-rahmat\n",
    )
    assert accepted.exit_code == 0, accepted.output
    assert "diterima" in accepted.output and "tolak oleh rahmat" in accepted.output
    assert run.join(60)["status"] == "rejected"

    empty = runner.invoke(app, ["approvals", "list", "--database-url", db_url])
    assert "Tidak ada langkah" in empty.output


def _waiting_steps(db_url: str) -> tuple[str, str]:
    """Two runs waiting: one overdue at its first round, one returned and asked again."""
    now = clock.now()
    engine = make_engine(db_url)
    ids = ("3f2b7c1e-0d4a-4e8b-9a61-5c2d8e7f9a10", "3f2b7c1e-77aa-4bcd-8e01-0a1b2c3d4e5f")
    try:
        with session_scope(engine) as session:
            late = get_or_create_sop_run(
                session,
                "A/malut/2026-11",
                sop_code="A",
                title="Pemeliharaan jaringan 2026-11",
                office="malut",
                flow_run_id=ids[0],
            )
            start_step(
                session, late, 5, "kasubag",
                started_at=now - timedelta(hours=6), due_at=now - timedelta(hours=2, minutes=5),
                status="waiting",
                inputs={"form": ["approver", "decision", "note"]},
            )  # fmt: skip
            again = get_or_create_sop_run(
                session,
                "D1/tanah-bumbu/2026",
                sop_code="D1",
                title="Perencanaan kebutuhan barang milik daerah berbasis teknologi 2026",
                office="tanah-bumbu",
                flow_run_id=ids[1],
            )
            first = start_step(
                session, again, 3, "kepala_dinas",
                started_at=now - timedelta(days=2), status="waiting",
            )  # fmt: skip
            finish_step(session, first, finished_at=now - timedelta(days=1))
            start_step(
                session, again, 3, "kepala_dinas",
                started_at=now - timedelta(hours=1), due_at=now + timedelta(hours=3, minutes=10),
                status="waiting",
            )  # fmt: skip
    finally:
        engine.dispose()
    return ids


def test_the_list_is_readable_at_80_columns(db_url: str, office_file: Path) -> None:
    late, again = _waiting_steps(db_url)
    listed = runner.invoke(
        app,
        ["approvals", "list", "--database-url", db_url, "--office", str(office_file)],
        env={"COLUMNS": "80"},
    )
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines) <= 80, listed.output
    out = listed.output
    assert "terlambat 2 jam" in out  # the overdue step says by how much
    assert "sisa 3 jam" in out and "putaran 2" in out  # the returned one: time left, round
    assert out.count("putaran") == 1  # a first round is not labelled
    # the shortest unique start of each id, which `sigap approve` takes
    assert late[:10] in out and again[:10] in out and late not in out
    assert "WIT" in out and "kasubag" in out and "kepala_dinas" in out
    for code in ("waiting", "running", "overdue", "True", "False"):
        assert code not in listed.output
    rows = json.loads(
        runner.invoke(app, ["approvals", "list", "--database-url", db_url, "--json"]).output
    )
    assert [(r["run"], r["round"], r["overdue"]) for r in rows] == [
        (late, 1, True),  # oldest first
        (again, 2, False),
    ]


def test_approve_refuses_an_unknown_run_and_a_bad_decision(db_url: str) -> None:
    unknown = runner.invoke(
        app,
        ["approve", "deadbeef", "--decision", "setuju", "--as", "rahmat", "--database-url", db_url],
    )
    assert unknown.exit_code == 2 and "no run 'deadbeef' is waiting" in unknown.output
    bad = runner.invoke(
        app,
        ["approve", "deadbeef", "--decision", "ok", "--as", "rahmat", "--database-url", db_url],
    )
    assert bad.exit_code == 2 and "expected setuju, tolak or kembalikan" in bad.output


def test_deployment_schedule_and_an_ad_hoc_run_from_the_cli(
    prefect_api, office_file: Path, db_url: str
) -> None:
    office = load_office(office_file)
    deployment_id = maintenance_deployment(office).apply()
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(deployment_id)
    assert deployment.name == DEPLOYMENT_NAME
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == MAINTENANCE_CRON == "0 7 1 * *"
    assert schedule.schedule.timezone == "Asia/Jayapura"
    # the UI's run form describes every parameter (from the flow's docstring)
    properties = deployment.parameter_openapi_schema["properties"]
    assert {"month", "sites", "groups"} <= set(properties)
    assert "YYYY-MM" in properties["month"]["description"]

    bad = runner.invoke(app, ["run", "maintenance", "--month", "2026-13"])
    assert bad.exit_code == 2 and "expected YYYY-MM" in bad.output
    started = runner.invoke(
        app,
        ["run", "maintenance", "--month", "2026-06", "--site", "lab", "--database-url", db_url],
    )
    assert started.exit_code == 0, started.output
    flow_run_id = started.output.split("started flow run ")[1].split()[0]
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(UUID(flow_run_id))
    assert flow_run.deployment_id == deployment_id
    assert flow_run.parameters["month"] == "2026-06"
    assert flow_run.parameters["sites"] == ["lab"]


class _Answer(RunInput):
    approver: str


@flow(name="test-pause-late")
def _pauses_late(delay: float) -> str:
    """Lists nothing, but like an SOP step it pauses a moment after it started."""
    time.sleep(delay)
    answer = pause_flow_run(wait_for_input=_Answer, timeout=60, poll_interval=1)
    return answer.approver


def _flow_run_ids(name: str) -> list[UUID]:
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name])))
    return [r.id for r in runs]


def test_an_answer_sent_just_before_the_pause_still_reaches_the_run(
    prefect_api, flow_thread
) -> None:
    """The step is listed as waiting a moment before its run pauses (and again after a
    refused answer): an answer sent in that moment waits for the pause, not fails."""
    before = set(_flow_run_ids("test-pause-late"))
    run = flow_thread(_pauses_late, delay=2.0)
    [flow_run_id] = wait_for(
        lambda: list(set(_flow_run_ids("test-pause-late")) - before), 30, "the run to start"
    )
    assert not is_paused(str(flow_run_id))
    resume_when_paused(flow_run_id, {"approver": "rahmat"}, patience=15)
    assert run.join(30) == "rahmat"

    started = time.monotonic()
    with pytest.raises(NotPausedError):  # a finished run fails at once, no waiting
        resume_when_paused(flow_run_id, {"approver": "rahmat"}, patience=15)
    assert time.monotonic() - started < 5
