"""``sigap serve`` stopped with SIGTERM or Ctrl-C (SIGINT) leaves no process behind.

Real parts: ``sigap serve`` as a process of its own, which starts its own Prefect
server (nothing answers at the ``PREFECT_API_URL`` it is given); SOP A started
through the deployment with ``sigap run maintenance``, against the session lab
plus ``hang01``, a device that never answers (so its collection still runs).
Every process of the test carries a marker in its environment; after the stop no
marked process, none of serve's session or group and none of its descendants
seen before the stop may be left, and the Prefect server no longer answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import func, select

from records.db import init_database, make_engine, session_scope
from records.models import DeviceSnapshot, StepLog
from sigap.prefect_server import is_healthy
from tests.flows.conftest import office_with_demo_codes, wait_for
from tests.processes import (
    HangingPort,
    free_port,
    inventory_with_hanging_host,
    new_mark,
    processes_of,
)

ROOT = Path(__file__).resolve().parents[3]
SIGAP = Path(sys.executable).with_name("sigap")
DEPLOYMENT = "network-maintenance/pemeliharaan-jaringan-bulanan"


@pytest.fixture
def hanging() -> Iterator[HangingPort]:
    port = HangingPort()
    yield port
    port.close()


class Served:
    """A ``sigap serve`` process, its environment and log."""

    def __init__(self, lab: Any, tmp_path: Path, hanging: HangingPort) -> None:
        self.mark = new_mark()
        self.url = f"http://127.0.0.1:{free_port()}/api"
        self.db_url = f"sqlite:///{tmp_path / 'records.db'}"
        init_database(self.db_url)
        office = office_with_demo_codes("kanwil-kemenkumham-malut", tmp_path)
        self.env = {
            **os.environ,
            **self.mark,
            "PREFECT_API_URL": self.url,
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            "SIGAP_DATA_DIR": str(tmp_path / "data"),
            "SIGAP_REPORT_DIR": str(tmp_path / "reports"),
            "SIGAP_DATABASE_URL": self.db_url,
            "SIGAP_INVENTORY": str(
                inventory_with_hanging_host(lab, tmp_path / "inventory", hanging.port)
            ),
            "SIGAP_OFFICE": str(office),
            "SIGAP_MAX_SESSIONS": "2",  # fewer slots than devices: session workers start
            "SIGAP_SESSION_PROCESSES": "2",
            "SIGAP_DEVICE_TIME_LIMIT": "60",
            "SIGAP_APPROVAL_POLL": "1",
        }
        self.log = tmp_path / "serve.log"
        self.process = subprocess.Popen(
            [str(SIGAP), "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal's job: its own group and session
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")[-8000:]

    def alive_or_fail(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"sigap serve ended ({self.process.returncode}):\n{self.text()}")

    def deployed(self) -> bool:
        self.alive_or_fail()
        if not is_healthy(self.url, timeout=1):
            return False
        with temporary_settings({PREFECT_API_URL: self.url}), get_client(sync_client=True) as c:
            try:
                c.read_deployment_by_name(DEPLOYMENT)
            except Exception:
                return False
        return True

    def run_month(self, month: str) -> None:
        started = subprocess.run(
            [str(SIGAP), "run", "maintenance", "--month", month],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stdout + started.stderr
        assert "started flow run" in started.stdout
        assert "/v2/runs/flow-run/" in started.stdout  # the current Prefect UI

    def count(self, query: Any) -> int:
        engine = make_engine(self.db_url)
        try:
            with session_scope(engine) as session:
                return int(session.scalar(query) or 0)
        finally:
            engine.dispose()

    def processes(self, known: Iterable[int] = ()) -> dict[int, str]:
        return processes_of(self.process.pid, mark=self.mark, known=known)

    def kill(self) -> None:
        """Clean up after a failed test: everything of this test, SIGKILL."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)


@pytest.fixture
def served(lab, tmp_path: Path, hanging: HangingPort) -> Iterator[Served]:
    serving = Served(lab, tmp_path, hanging)
    try:
        wait_for(serving.deployed, 180, "sigap serve to start its server and deployments")
        yield serving
    finally:
        serving.kill()


def _stopped_cleanly(served: Served, before: dict[int, str]) -> None:
    """serve ends; no process it had (or that carries the test's marker) is left."""
    try:
        served.process.wait(90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sigap serve did not stop within 90 s:\n{served.text()}")

    def left() -> dict[int, str]:
        return served.processes(before)

    with contextlib.suppress(AssertionError):
        wait_for(lambda: not left(), 20, "every process of sigap serve to end")
    assert left() == {}, served.text()
    assert not is_healthy(served.url, timeout=1), "the Prefect server serve started still answers"


def _server_in(processes: dict[int, str]) -> bool:
    """Whether one of the processes is a Prefect server."""
    return any(
        "prefect" in command and ("server start" in command or "prefect.server" in command)
        for command in processes.values()
    )


def test_sigterm_mid_collection_leaves_no_process(served: Served) -> None:
    served.run_month("2026-06")
    snapshots = select(func.count()).select_from(DeviceSnapshot)
    wait_for(
        lambda: served.alive_or_fail() or served.count(snapshots) >= 2,
        180,
        "the collection to be under way",
    )
    before = served.processes()
    commands = " | ".join(before.values())
    assert "tasks.session_workers" in commands, before  # helpers of the flow run
    assert _server_in(before), before  # the Prefect server serve started
    os.kill(served.process.pid, signal.SIGTERM)  # `kill PID`, as systemd does first
    _stopped_cleanly(served, before)


def test_ctrl_c_while_a_run_waits_for_review_leaves_no_process(
    served: Served, hanging: HangingPort
) -> None:
    hanging.close()  # hang01 unreachable at once: the run soon waits for the review
    served.run_month("2026-05")
    waiting = select(func.count()).select_from(StepLog).where(StepLog.status == "waiting")
    wait_for(
        lambda: served.alive_or_fail() or served.count(waiting) >= 1,
        240,
        "the run to wait at step 5",
    )
    before = served.processes()
    assert _server_in(before), before
    assert len(before) >= 3, before  # serve, its server, the paused flow run's process
    os.killpg(served.process.pid, signal.SIGINT)  # Ctrl-C: the terminal's whole job
    _stopped_cleanly(served, before)
