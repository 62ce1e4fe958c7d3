"""Flow ``pemantauan-server`` over a real lab with injected faults (no mocks).

Real parts: sshd Linux hosts each in its own mount namespace, a simulated IOS
switch, a real Prefect API (``prefect_api``), SQLite records. Faults are made
the way they happen: a service process stops, a small filesystem fills up,
someone guesses passwords, an admin sets ``PermitRootLogin yes``, a switch dies.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from flows.monitoring import pemantauan_server
from records.db import make_engine, session_scope
from records.incident_models import Incident
from records.monitoring_models import MonitoringFinding, MonitoringHost
from tasks import clock
from tests.flows.monitoring_fixtures import Faults, Service, _fast_flow_settings, write_inventory  # noqa: F401


def _incidents(db_url: str) -> dict[str, tuple[str, str, str]]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(select(Incident)).all()
            return {r.fault_key or "": (r.number, r.kind, r.sop_code) for r in rows}
    finally:
        engine.dispose()


def _findings(db_url: str, run_id: int) -> dict[tuple[str, str], tuple[str, str, bool]]:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(
                select(MonitoringFinding).where(MonitoringFinding.run_id == run_id)
            ).all()
            return {(r.host, r.key): (r.status, r.change, r.silenced) for r in rows}
    finally:
        engine.dispose()


def test_each_fault_is_detected_and_opens_one_incident(
    prefect_api: None, e_lab, faults: Faults, e_office: Path, e_db: str, tmp_path: Path
) -> None:
    now = clock.now()
    window = {
        "start": (now - timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=2)).isoformat(),
        "note": "ganti kipas",
    }
    inventory = write_inventory(
        e_lab,
        tmp_path / "inventory",
        {
            "linux01": {
                "services": [{"name": "web", "port": 8080}],
                "thresholds": {"failed_logins_limit": 3},
            },
            "linux02": {"maintenance_windows": [window]},
        },
    )
    web = Service("127.0.53.1")
    args = {
        "inventory_dir": str(inventory),
        "office_file": str(e_office),
        "database_url": e_db,
    }
    mount = None
    try:
        first = pemantauan_server(**args)
        assert first["incidents_opened"] == []
        assert _incidents(e_db) == {}

        web.stop()
        mount = faults.small_filesystem("linux01")
        faults.fill("linux01", mount)
        faults.failed_logins("linux01", 5)
        faults.sshd_option("linux01", "PermitRootLogin", "yes")
        faults.sshd_option("linux02", "PermitRootLogin", "yes")
        faults.switch_down()

        second = pemantauan_server(**args)
        opened = {i["fault_key"] for i in second["incidents_opened"]}
        expected = {
            "linux01:service:web",
            "linux01:disk:/srv/data",
            "linux01:failed_logins",
            "linux01:sshd_root_login",
            "sw01:reachable",
        }
        assert opened == expected
        incidents = _incidents(e_db)
        assert set(incidents) == expected
        assert incidents["linux01:service:web"][1:] == ("layanan_berhenti", "E")
        assert incidents["linux01:sshd_root_login"][1] == "keamanan"
        # the office runs only SOP E: the switch's fault goes to SOP E too
        assert incidents["sw01:reachable"][1:] == ("perangkat_mati", "E")
        found = _findings(e_db, second["run_id"])
        assert found[("linux01", "service:web")] == ("fail", "new", False)
        # linux02 is in its maintenance window: found, stored, silenced, no incident
        assert found[("linux02", "sshd_root_login")] == ("fail", "new", True)

        third = pemantauan_server(**args)
        assert third["incidents_opened"] == []
        assert set(_incidents(e_db)) == expected
        found = _findings(e_db, third["run_id"])
        assert found[("linux01", "service:web")] == ("fail", "still", False)
        assert found[("sw01", "reachable")][:2] == ("fail", "still")
        # no new failed logins since the second run: that finding cleared
        assert found[("linux01", "failed_logins")] == ("pass", "cleared", False)

        engine = make_engine(e_db)
        try:
            with session_scope(engine) as session:
                row = session.scalars(
                    select(MonitoringHost).where(
                        MonitoringHost.run_id == third["run_id"], MonitoringHost.host == "linux02"
                    )
                ).one()
                assert (row.silenced, row.window_note) == (True, "ganti kipas")
        finally:
            engine.dispose()
    finally:
        faults.sshd_option("linux01", "PermitRootLogin", "no")
        faults.sshd_option("linux02", "PermitRootLogin", "no")
        if mount:
            faults.in_host("linux01", "umount", mount)


def test_sigap_run_monitoring_here_prints_the_findings(
    prefect_api: None, e_lab, e_office: Path, e_db: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from sigap.cli import app

    inventory = write_inventory(e_lab, tmp_path / "inventory", {})
    result = CliRunner().invoke(
        app,
        [
            "run",
            "monitoring",
            "--here",
            "--inventory",
            str(inventory),
            "--office",
            str(e_office),
            "--database-url",
            e_db,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "pemantauan #1: 3 host" in result.output
    # the lab's sshd allows password logins: a warning, not a fault
    assert "linux01 sshd_password_auth: peringatan (baru) - PasswordAuthentication yes" in (
        result.output
    )
    assert " warn " not in result.output and " new " not in result.output
