"""publish_maintenance_artifacts inside a real flow run, read back from a real Prefect API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.context import get_run_context
from sqlalchemy import Engine

from config.settings import load_settings
from reports.artifacts import artifact_key, served_reports
from reports.maintenance import (
    ReportFiles,
    make_maintenance_report,
    publish_maintenance_artifacts,
    write_maintenance_report,
)
from sop.office import Office
from tests.reports.builders import MONTH, NOW


@pytest.fixture
def files(seeded_sqlite: tuple[str, Engine], office: Office, tmp_path: Path) -> ReportFiles:
    return write_maintenance_report(
        seeded_sqlite[1], office, MONTH, tmp_path, formats=("xlsx", "html"), now=NOW
    )


def _artifacts_of(flow_run_id: str) -> dict[str, object]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found}


def test_artifacts_in_a_flow_run(
    prefect_api: None, files: ReportFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SIGAP_REPORTS_URL: the summary names the files' paths, no file:// link."""
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path))
    monkeypatch.delenv("SIGAP_REPORTS_URL", raising=False)

    @flow(name="report-artifacts-test")
    def publish() -> str:
        publish_maintenance_artifacts(
            files, key="Laporan SOP A/Kanwil Malut/2026-11", served=served_reports(load_settings())
        )
        return str(get_run_context().flow_run.id)

    flow_run_id = publish()
    artifacts = _artifacts_of(flow_run_id)
    key = "laporan-sop-a-kanwil-malut-2026-11"
    assert set(artifacts) == {key, f"{key}-devices"}  # no link the UI cannot open
    markdown = artifacts[key]
    assert markdown.type == "markdown"
    assert "Laporan Pemeliharaan Kinerja Sistem November 2026" in markdown.data
    assert str(files.paths["xlsx"].resolve()) in markdown.data  # the path, as text
    assert "November 2026" in str(markdown.description)
    assert all("file://" not in str(a.data) for a in artifacts.values())
    table = artifacts[f"{key}-devices"]
    assert table.type == "table"
    rows = table.data if isinstance(table.data, list) else json.loads(table.data)
    assert [row["Perangkat"] for row in rows] == ["r1", "srv1", "sw1", "sw2"]
    assert rows[0]["CPU %"] is None  # NaN became null


def test_artifacts_link_over_http_when_served(
    prefect_api: None, files: ReportFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SIGAP_REPORTS_URL (``sigap report serve``): http:// links the UI opens."""
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path))
    monkeypatch.setenv("SIGAP_REPORTS_URL", "http://127.0.0.1:4201")

    @flow(name="report-artifacts-served")
    def publish() -> str:
        publish_maintenance_artifacts(
            files, key="laporan-served", served=served_reports(load_settings())
        )
        return str(get_run_context().flow_run.id)

    artifacts = _artifacts_of(publish())
    key = "laporan-served"
    assert set(artifacts) == {key, f"{key}-devices", f"{key}-xlsx", f"{key}-html"}
    html = files.paths["html"]
    url = f"http://127.0.0.1:4201/{html.name}"
    link = artifacts[f"{key}-html"]  # Prefect stores a link artifact as markdown
    assert f"[{html.name}]({url})" in link.data
    assert f"[HTML]({url})" in artifacts[key].data
    assert all("file://" not in str(a.data) for a in artifacts.values())


def test_default_key_and_report_table(
    prefect_api: None,
    files: ReportFiles,
    seeded_sqlite: tuple[str, Engine],
    office: Office,
) -> None:
    report = make_maintenance_report(seeded_sqlite[1], office, MONTH, "en", NOW)

    @flow(name="report-artifacts-default-key")
    def publish() -> str:
        publish_maintenance_artifacts(files, report, served=served_reports(load_settings()))
        return str(get_run_context().flow_run.id)

    artifacts = _artifacts_of(publish())
    key = "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11"
    assert key in artifacts
    table = artifacts[f"{key}-devices"]
    rows = table.data if isinstance(table.data, list) else json.loads(table.data)
    assert "Outcome" in rows[0]  # the report given was in English


def test_artifact_keys() -> None:
    assert artifact_key("A/Kanwil  Malut/2026-11") == "a-kanwil-malut-2026-11"
    with pytest.raises(ValueError, match=r"^key:"):
        publish_maintenance_artifacts(
            ReportFiles(paths={}, summary={}, markdown=""),
            key="///",
            served=served_reports(load_settings()),
        )
