"""``sigap approvals list``, ``sigap approve`` and ``sigap run`` against a real Prefect API.

The flow runs in a thread over the session lab; the CLI answers it the way a manager
would in a terminal (the code is typed at a hidden prompt).
"""

from __future__ import annotations

import json
import time
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
from sigap.cli import app
from sigap.commands.approvals_cmd import resume_when_paused
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
    assert flow_run_id in table.output  # in full: it is what `sigap approve` takes

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
