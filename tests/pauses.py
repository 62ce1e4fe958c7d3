"""The one way tests answer a paused run: wait for Prefect's PAUSED state, then resume.

SIGAP writes its ``waiting`` step row just before the run pauses, and a refused answer
leaves the row ``waiting`` while the run asks anew: a test that resumes as soon as the
row exists may reach Prefect before the pause does ("Cannot resume a run that isn't
paused"). Every helper that answers a pause goes through :func:`resume_paused`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Poll until ``predicate`` returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def flow_run_state(flow_run_id: str | UUID) -> str | None:
    """The Prefect state type of a flow run (``PAUSED``, ``RUNNING`` ...), read from the API."""
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(str(flow_run_id))).state
    return state.type.value if state is not None else None


def is_paused(flow_run_id: str | UUID) -> bool:
    """Whether Prefect has the flow run in its PAUSED state."""
    return flow_run_state(flow_run_id) == "PAUSED"


def wait_until_paused(flow_run_id: str | UUID, timeout: float = 90.0) -> None:
    """Wait for Prefect's PAUSED state of the flow run (not SIGAP's own waiting row)."""
    wait_for(lambda: is_paused(flow_run_id), timeout, f"flow run {flow_run_id} to pause")


def resume_paused(
    flow_run_id: str | UUID, run_input: dict[str, Any], timeout: float = 90.0
) -> None:
    """Resume a flow run with ``run_input`` once Prefect has it PAUSED.

    Args:
        flow_run_id: The Prefect flow run.
        run_input: The form's values, as the Prefect UI or ``sigap approve`` sends them.
        timeout: Longest wait for the pause, in seconds.
    """
    wait_until_paused(flow_run_id, timeout)
    resume_flow_run(UUID(str(flow_run_id)), run_input=run_input)
