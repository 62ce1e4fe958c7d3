"""SOP E's monthly "Laporan Jenis Kerusakan Rutin": figures written by the CLI, read back.

Real parts: SQLite records written through the records functions, the
``sigap report kerusakan`` command, openpyxl/WeasyPrint output read with pandas.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from records.db import make_engine, session_scope
from records.incidents import open_incident, set_incident_status, update_incident
from records.sop_runs import get_or_create_sop_run
from records.steps import finish_step, start_step
from sigap.cli import app
from tests.flows.monitoring_fixtures import _fast_flow_settings  # noqa: F401

runner = CliRunner()
T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _incident(session, device: str, kind: str, opened: datetime, hours: float | None, run=None):
    incident, _ = open_incident(
        session,
        office="Diskominfosanti Buleleng",
        device=device,
        kind=kind,
        description="uji",
        reporter="sigap-monitor",
        source="monitoring",
        occurred_at=opened,
        opened_at=opened,
        sop_code="E",
        fault_key=f"{device}:{kind}:{opened.isoformat()}",
    )
    if run is not None:
        update_incident(session, incident, sop_run_id=run.id)
    if hours is not None:
        set_incident_status(session, incident, "in_progress", at=opened)
        set_incident_status(session, incident, "resolved", at=opened + timedelta(hours=hours))
    return incident


def test_monthly_report_figures_read_back_from_the_xlsx(
    e_db: str, e_office: Path, tmp_path: Path
) -> None:
    engine = make_engine(e_db)
    with session_scope(engine) as session:
        run = get_or_create_sop_run(
            session,
            "E:uji:1",
            sop_code="E",
            title="uji",
            office="Diskominfosanti Buleleng",
            parameters={},
        )
        for number, status in ((2, "met"), (3, "met"), (4, "breached"), (6, "met")):
            log = start_step(session, run, number, "staff", actor="made", started_at=T0)
            finish_step(session, log, finished_at=T0 + timedelta(minutes=5), sla_status=status)
        _incident(session, "linux01", "layanan_berhenti", T0, 2.0, run)
        _incident(session, "linux01", "layanan_berhenti", T0 + timedelta(days=1), 4.0)
        _incident(session, "linux02", "keamanan", T0 + timedelta(days=2), None)
        # another month: not in the report
        _incident(session, "linux02", "kinerja", T0 - timedelta(days=10), 1.0)
    engine.dispose()

    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "report",
            "kerusakan",
            "--month",
            "2026-12",
            "--office",
            str(e_office),
            "--database-url",
            e_db,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    xlsx = out / "laporan-kerusakan-2026-12.xlsx"
    assert (out / "laporan-kerusakan-2026-12.pdf").read_bytes().startswith(b"%PDF")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    by_kind = sheets["Kerusakan per jenis"]
    assert by_kind.values.tolist() == [
        ["Layanan berhenti", 2, 2, 3.0],
        ["Gangguan keamanan", 1, 0, None],
    ] or by_kind.fillna(-1).values.tolist() == [
        ["Layanan berhenti", 2, 2, 3.0],
        ["Gangguan keamanan", 1, 0, -1],
    ]
    by_device = sheets["Kerusakan per perangkat"].set_index("Perangkat")
    assert by_device.loc["linux01", "Jumlah"] == 2
    assert by_device.loc["linux02", "Jumlah"] == 1
    sla = sheets["Kepatuhan SLA per langkah"].set_index("Langkah")
    assert sla.loc[4, ["Tepat waktu", "Terlambat"]].tolist() == [0, 1]
    assert sla.loc[2, "Kepatuhan (%)"] == 100.0
    assert len(sheets["Daftar insiden"]) == 3

    empty = runner.invoke(
        app,
        [
            "report",
            "kerusakan",
            "--month",
            "2026-10",
            "--office",
            str(e_office),
            "--database-url",
            e_db,
            "--out",
            str(out),
        ],
    )
    assert empty.exit_code == 1
    assert "no SOP E incident" in empty.output
