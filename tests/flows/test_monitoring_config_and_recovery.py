"""Flow ``pemantauan-server``: SIGAP's own configuration mistakes and faults that recover.

Over the real SOP E lab (sshd Linux hosts, a simulated switch), a real Prefect API
and SQLite records: a server whose password variable is unset is a configuration
error of SIGAP (reported, never an incident), and an incident the monitoring
opened is resolved by the next run that finds the fault gone.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
import yaml
from prefect.client.orchestration import get_client
from sqlalchemy import select

from flows.monitoring import pemantauan_server
from records.db import make_engine, session_scope
from records.incident_models import Incident
from records.monitoring_models import MonitoringHost, MonitoringRun
from tests.flows.monitoring_fixtures import Service, _fast_flow_settings, write_inventory  # noqa: F401

MISSING_ENV = "SIGAP_TEST_NOT_SET_PASSWORD"


def _servers_only(inventory: Path) -> Path:
    """The inventory without the switch: an earlier test of the session's lab stops it."""
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts_file.write_text(yaml.safe_dump({n: h for n, h in hosts.items() if n != "sw01"}))
    return inventory


def _incidents(db_url: str) -> dict[str, Incident]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(select(Incident)).all()
            for row in rows:
                session.expunge(row)
            return {r.fault_key or "": r for r in rows}
    finally:
        engine.dispose()


def test_a_missing_password_variable_is_a_configuration_error_not_an_incident(
    prefect_api: None,
    e_lab,
    e_office: Path,
    e_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv(MISSING_ENV, raising=False)
    inventory = _servers_only(write_inventory(e_lab, tmp_path / "inventory", {}))
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts["linux02"]["password"] = f"env:{MISSING_ENV}"
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    args = {"inventory_dir": str(inventory), "office_file": str(e_office), "database_url": e_db}

    with caplog.at_level("ERROR"):
        first = pemantauan_server(**args)
    assert first["incidents_opened"] == []
    assert _incidents(e_db) == {}
    [error] = first["config_errors"]
    assert error["host"] == "linux02" and error["new"] is True
    assert MISSING_ENV in error["error"]
    reported = [r.getMessage() for r in caplog.records if "konfigurasi SIGAP" in r.getMessage()]
    assert len(reported) == 1 and "linux02" in reported[0]

    caplog.clear()
    with caplog.at_level("ERROR"):
        second = pemantauan_server(**args)
    # the same mistake is listed in the result, but not reported again
    assert [e["new"] for e in second["config_errors"]] == [False]
    assert not [r for r in caplog.records if "konfigurasi SIGAP" in r.getMessage()]
    assert second["incidents_opened"] == []
    assert _incidents(e_db) == {}

    engine = make_engine(e_db)
    try:
        with session_scope(engine) as session:
            rows = {
                r.host: r.outcome
                for r in session.scalars(
                    select(MonitoringHost).where(MonitoringHost.run_id == second["run_id"])
                )
            }
    finally:
        engine.dispose()
    # the other server is still collected and judged
    assert rows == {"linux01": "ok", "linux02": "config_error"}
    # the round is named for what it is in the Prefect UI
    assert _flow_run_name(e_db, second["run_id"]).startswith("SOP E pemantauan ")


def _flow_run_name(db_url: str, run_id: int) -> str:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            flow_run_id = session.get(MonitoringRun, run_id).flow_run_id  # type: ignore[union-attr]
    finally:
        engine.dispose()
    with get_client(sync_client=True) as client:
        return str(client.read_flow_run(UUID(str(flow_run_id))).name)


def test_an_incident_is_resolved_by_the_next_run_that_finds_the_fault_gone(
    prefect_api: None, e_lab, e_office: Path, e_db: str, tmp_path: Path
) -> None:
    inventory = _servers_only(
        write_inventory(
            e_lab,
            tmp_path / "inventory",
            {"linux01": {"services": [{"name": "web", "port": 8080}]}},
        )
    )
    args = {"inventory_dir": str(inventory), "office_file": str(e_office), "database_url": e_db}
    web = Service("127.0.53.1")
    web.stop()
    try:
        down = pemantauan_server(**args)
        assert [i["fault_key"] for i in down["incidents_opened"]] == ["linux01:service:web"]
        still = pemantauan_server(**args)
        assert still["incidents_resolved"] == []
        assert _incidents(e_db)["linux01:service:web"].status == "open"

        web = Service("127.0.53.1")
        up = pemantauan_server(**args)
        number = down["incidents_opened"][0]["number"]
        assert up["incidents_resolved"] == [{"number": number, "fault_key": "linux01:service:web"}]
        incident = _incidents(e_db)["linux01:service:web"]
        assert incident.status == "resolved"
        assert incident.resolved_at is not None
        assert f"pemantauan #{up['run_id']}" in (incident.resolution or "")
        assert "tidak menemukan gangguan lagi" in (incident.resolution or "")

        # the same fault again later opens a new incident
        web.stop()
        again = pemantauan_server(**args)
        assert [i["fault_key"] for i in again["incidents_opened"]] == ["linux01:service:web"]
        assert again["incidents_opened"][0]["number"] != number
    finally:
        web.stop()
