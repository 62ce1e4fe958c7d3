"""flows/run_labels.py against a real Prefect API: names, tags, links and answer artifacts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.context import get_run_context
from prefect.settings import (
    PREFECT_SERVER_UI_V2_ENABLED,
    PREFECT_UI_URL,
    temporary_settings,
)

from flows.run_labels import flow_run_link, name_flow_run, publish_answer, tag_waiting


@flow(name="test-run-labels")
def _labelled() -> str:
    flow_run_id = str(get_run_context().flow_run.id)  # type: ignore[union-attr]
    name_flow_run(flow_run_id, "SOP A 2026-11 kanwil-malut")
    tag_waiting(flow_run_id, ("kasubag",), refused=False)
    tag_waiting(flow_run_id, ("kasubag",), refused=True)
    publish_answer("persetujuan-sop1-langkah5", "### SOP A langkah 5: Setuju", "jawaban")
    return flow_run_id


def _run(flow_run_id: str) -> Any:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(flow_run_id))


def test_a_run_is_named_tagged_for_its_role_and_marked_refused() -> None:
    flow_run_id = _labelled()
    run = _run(flow_run_id)
    assert run.name == "SOP A 2026-11 kanwil-malut"
    assert "menunggu:kasubag" in run.tags and "ditolak" in run.tags
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
    assert any(a.key == "persetujuan-sop1-langkah5" for a in artifact)
    tag_waiting(flow_run_id, (), refused=False)
    run = _run(flow_run_id)
    assert not [t for t in run.tags if t.startswith("menunggu:") or t == "ditolak"]


def test_the_link_opens_the_current_ui_unless_the_server_uses_the_old_one() -> None:
    with temporary_settings({PREFECT_UI_URL: "http://127.0.0.1:4200"}):
        assert flow_run_link("abc") == "http://127.0.0.1:4200/v2/runs/flow-run/abc"
        with temporary_settings({PREFECT_SERVER_UI_V2_ENABLED: False}):
            assert flow_run_link("abc") == "http://127.0.0.1:4200/runs/flow-run/abc"


def test_a_prefect_failure_never_stops_the_run() -> None:
    name_flow_run("00000000-0000-0000-0000-000000000000", "x")  # no such run: logged only
    tag_waiting("not-a-uuid", ("kasi",), refused=True)
    name_flow_run(None, "x")
