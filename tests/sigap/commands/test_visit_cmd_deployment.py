"""``sigap visit open`` through the served deployment ``akses-ruang-server``, as in production.

A separate process serves the deployment (``flow.serve``, as ``sigap serve`` does)
against the test's real Prefect API; ``sigap visit open`` registers the visit and
starts the run through it with the visit number only; the Kasub approves and the
officer closes the visit with the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from sigap.cli import app
from tests.flows.conftest import _fast_flow_settings, db_url, office_file, wait_for  # noqa: F401
from tests.flows.visits_helpers import ID_NUMBER, visit, waiting

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture
def served(prefect_api, office_file: Path, db_url: str, tmp_path: Path) -> Iterator[Path]:
    """The deployment served by a process of its own, like ``sigap serve``."""
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "SIGAP_OFFICE": str(office_file),
        "SIGAP_DATABASE_URL": db_url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-c",
         "from flows.visits import DEPLOYMENT_NAME, akses_ruang_server\n"
         "akses_ruang_server.serve(name=DEPLOYMENT_NAME, limit=2)"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip

    def deployed() -> bool:
        assert process.poll() is None, log.read_text()
        with get_client(sync_client=True) as client:
            try:
                client.read_deployment_by_name("akses-ruang-server/akses-ruang-server")
            except Exception:
                return False
        return True

    try:
        wait_for(deployed, 120, "the deployment to be served")
        yield log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def test_visit_open_starts_the_deployment_and_the_visit_runs_to_its_archive(
    served: Path, office_file: Path, db_url: str
) -> None:
    opened = runner.invoke(
        app,
        ["visit", "open", "--name", "Budi Santoso", "--org", "Telkom", "--id-type", "SIM",
         "--id-number", ID_NUMBER, "--purpose", "Pemeriksaan rak", "--planned-start",
         "2026-12-01 09:00", "--planned-end", "2035-12-01 11:00", "--escort", "nurul",
         "--device", "Laptop:LT-9", "--as", "sahrul", "--office", str(office_file),
         "--database-url", db_url, "--wait", "120"],
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert "kunjungan KRS-" in opened.output, (
        served.read_text() and "menunggu persetujuan Kasub" in opened.output
    )
    assert ID_NUMBER not in opened.output
    flow_run_id, step = wait_for(lambda: waiting(db_url), 120, "the Kasub's decision")
    assert step == 3
    number = visit(db_url)["number"]
    assert f"started flow run {flow_run_id}" in opened.output
    # the run's Parameters tab in the Prefect UI shows the number, no personal data
    with get_client(sync_client=True) as client:
        parameters = client.read_flow_run(UUID(flow_run_id)).parameters
    assert parameters["visit"] == number
    assert set(parameters) <= {"visit", "office_file", "database_url"}
    shown = json.dumps(parameters)
    for personal in (ID_NUMBER, ID_NUMBER[:-4], "Budi", "Telkom", "LT-9"):
        assert personal not in shown, personal
    approved = runner.invoke(
        app,
        ["approve", flow_run_id[:8], "--decision", "setuju", "--as", "rahmat",
         "--database-url", db_url, "--wait", "60"],
        input="demo-rahmat\n",
    )  # fmt: skip
    assert approved.exit_code == 0, approved.output
    wait_for(lambda: waiting(db_url) and waiting(db_url)[1] == 5, 120, "the exit step")
    closed = runner.invoke(
        app,
        ["visit", "exit", number, "--device", "Laptop:LT-9", "--as", "nurul",
         "--office", str(office_file), "--database-url", db_url, "--wait", "60"],
        input="demo-nurul\n",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    wait_for(lambda: visit(db_url)["status"] == "archived", 120, "the archive")
    stored = visit(db_url)
    assert stored["id_type"] == "SIM" and stored["badge_returned"] is True
    assert stored["id_number"] == "************0001"

    # a visit runs once: the archived visit cannot be started again
    again = runner.invoke(
        app, ["visit", "start", number, "--office", str(office_file), "--database-url", db_url]
    )
    assert again.exit_code == 2
    assert f"kunjungan {number} sudah berstatus diarsip" in again.output
    assert visit(db_url) == stored
