"""Close what a killed flow run left open on the Prefect server.

A flow process killed with ``kill -9`` (or by a machine that went down) never
tells the server: its flow run, its subflow runs (``collect-devices``) and their
task runs say ``Running`` (or ``Paused``) for ever. SIGAP keeps one run alive per
run key (SOP A: office + month); when a new run of the same key starts, the one
recorded before it can no longer go on, and :func:`crash_leftover_flow_run`
marks it and everything under it ``Crashed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterParentFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.states import Crashed

PAGE = 200
"""Most runs the Prefect server returns for one filter request."""

MAX_DEPTH = 5
"""How deep subflow runs are followed (SIGAP's flows nest one level)."""


def _open(client: SyncPrefectClient, ids: Iterable[UUID], *, parents: bool) -> list[UUID]:
    """The flow runs among ``ids`` (or their subflow runs) whose state is not final."""
    wanted = list(ids)
    if not wanted:
        return []
    if parents:
        where = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=wanted))
    else:
        where = FlowRunFilter(id=FlowRunFilterId(any_=wanted))
    return [
        run.id
        for run in client.read_flow_runs(flow_run_filter=where, limit=PAGE)
        if run.state is None or not run.state.is_final()
    ]


def crash_leftover_flow_run(flow_run_id: str, message: str) -> list[str]:
    """Mark a flow run that can no longer go on ``Crashed``, with its subflow and task runs.

    Only runs whose state is not final (``Running``, ``Pending``, ``Paused`` ...) are
    changed, with ``force=True`` (the server's rules would refuse e.g. Paused ->
    Crashed); finished ones are left as they are.

    Args:
        flow_run_id: The flow run recorded before (e.g. ``SopRun.flow_run_id``).
        message: The state's message, shown in the Prefect UI.

    Returns:
        The ids of the flow runs set to ``Crashed`` (empty: nothing was left open).

    Raises:
        ValueError: ``flow_run_id`` is not a UUID.
    """
    root = UUID(flow_run_id)
    crashed: list[UUID] = []
    with get_client(sync_client=True) as client:
        level = _open(client, [root], parents=False)
        seen = {root}
        depth = 0
        children = [root]
        while children and depth < MAX_DEPTH:
            children = [c for c in _open(client, children, parents=True) if c not in seen]
            seen.update(children)
            level.extend(children)
            depth += 1
        for run_id in level:
            client.set_flow_run_state(run_id, Crashed(message=message), force=True)
            crashed.append(run_id)
        if crashed:
            _crash_task_runs(client, crashed, message)
    return [str(run_id) for run_id in crashed]


def _crash_task_runs(client: SyncPrefectClient, flow_runs: list[UUID], message: str) -> None:
    """Task runs of ``flow_runs`` that are not final: ``Crashed`` too."""
    where = TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=flow_runs))
    offset = 0
    while True:  # the server answers at most PAGE task runs at a time
        page = client.read_task_runs(task_run_filter=where, limit=PAGE, offset=offset)
        for task_run in page:
            if task_run.state is None or not task_run.state.is_final():
                client.set_task_run_state(task_run.id, Crashed(message=message), force=True)
        if len(page) < PAGE:
            return
        offset += PAGE
