"""``sigap asset relocate`` through the served deployment, answered with the CLI, as in production.

A separate process serves the ``pemindahtempatan-aset`` deployment (``flow.serve``, as
``sigap serve`` does) against the test's real Prefect API; the command starts the run
through it and returns; the Kabid and Kadis approve with ``sigap approve`` and the Kasi
reports the relocation done with ``sigap answer``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL
from sqlalchemy import select
from typer.testing import CliRunner

from records.db import session_scope
from records.models import SopRun
from sigap.cli import app
from tests.flows.assets.conftest import (  # noqa: F401
    ASSET,
    _fast_flow_settings,
    add,
    asset,
    db_url,
    engine,
    office,
    wait_for,
    waiting_step,
)

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture
def served(prefect_api, office: str, db_url: str, tmp_path: Path) -> Iterator[Path]:
    """The D2 deployment served by a process of its own, like ``sigap serve``."""
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "SIGAP_OFFICE": office,
        "SIGAP_DATABASE_URL": db_url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-c",
         "from flows.assets.common import DEPLOYMENT_NAMES\n"
         "from flows.assets.relocation import asset_relocation\n"
         "asset_relocation.serve(name=DEPLOYMENT_NAMES['D2'], limit=2)"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip

    def deployed() -> bool:
        assert process.poll() is None, log.read_text()
        with get_client(sync_client=True) as client:
            try:
                client.read_deployment_by_name("asset-relocation/pemindahtempatan-aset")
            except Exception:
                return False
        return True

    try:
        wait_for(deployed, 120, "the deployment to be served")
        yield log
    finally:
        process.terminate()
        process.wait(30)


def test_relocate_starts_the_deployment_and_the_cli_answers_every_step(
    served: Path, office: str, db_url: str, engine
) -> None:
    add(engine)
    started = runner.invoke(
        app,
        ["asset", "relocate", ASSET["tag"], "--to", "Command Center", "--reason", "Konsolidasi",
         "--as", "rusmini", "--reference", "pindah-1", "--office", office,
         "--database-url", db_url],
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "started SOP D2 flow run" in started.output and "pindah-1" in started.output

    def step(number: int) -> str:
        found = wait_for(lambda: waiting_step(engine), 120, f"step {number}")
        assert found[1] == number, served.read_text()
        return found[0]

    for number, who in ((2, "syahrani"), (3, "ardiansyah")):
        approved = runner.invoke(
            app,
            ["approve", step(number)[:8], "--decision", "setuju", "--as", who,
             "--database-url", db_url, "--wait", "60"],
            input=f"demo-{who}\n",
        )  # fmt: skip
        assert approved.exit_code == 0, approved.output
    done = runner.invoke(
        app,
        ["answer", step(5)[:8], "--as", "rusmini", "--set", "condition=Baik",
         "--database-url", db_url, "--wait", "60"],
        input="demo-rusmini\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.output

    def finished() -> bool:
        with session_scope(engine) as session:
            return session.scalars(select(SopRun)).one().status == "completed"

    wait_for(finished, 120, "the run to complete")
    assert asset(engine)["location"] == "Command Center"
