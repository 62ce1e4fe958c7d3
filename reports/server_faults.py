"""SOP E's monthly "Laporan Jenis Kerusakan Rutin": faults, time to repair, SLA per step.

Server faults by kind and by device, time to repair, SLA compliance per step.

Three layers, as the monthly maintenance report:

* :func:`read_fault_records` reads the month's SOP E incidents and their step
  logs from the records (the only database code);
* :func:`assemble_fault_report` is pure pandas: records in, the report's tables out;
* :func:`fault_document` / :func:`write_fault_report` render them with
  :mod:`reports.document` (letterhead, tables, signature blocks) as XLSX, HTML, PDF.

Time to repair is from the incident's opening to its resolution (SIGAP's re-check
found the fault gone), in hours. SLA compliance counts the finished step logs of
the month's SOP E runs whose time standard was met (provider waiting not counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from config.sop_files import load_sops
from records.db import session_scope
from records.incident_models import Incident
from records.models import StepLog
from reports import labels
from reports.document import DocTable, OfficialDocument, signature_for, write_document
from sop.incidents import INCIDENT_KINDS
from sop.office import Office
from sop.runkeys import month_bounds

INCIDENT_COLUMNS = ["number", "device", "kind", "status", "opened_at", "resolved_at", "sop_run_id"]
STEP_COLUMNS = ["sop_run_id", "step_number", "sla_status", "waiting_seconds"]


class NoFaultData(LookupError):
    """The month has no SOP E incident in the records."""


def read_fault_records(
    engine: Engine, office: Office, month: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's SOP E incidents of the office and the step logs of their runs.

    Args:
        engine: Records database.
        office: The office (its short name and time zone bound the month).
        month: ``YYYY-MM``.

    Returns:
        ``(incidents, steps)`` frames with :data:`INCIDENT_COLUMNS` and :data:`STEP_COLUMNS`.
    """
    start, end = month_bounds(month, office.timezone)
    with session_scope(engine) as session:
        incidents = session.scalars(
            select(Incident).where(
                Incident.office == office.short_name,
                Incident.sop_code == "E",
                Incident.opened_at >= start,
                Incident.opened_at < end,
            )
        ).all()
        rows = [
            {c: getattr(i, c) for c in INCIDENT_COLUMNS}
            for i in sorted(incidents, key=lambda i: i.id)
        ]
        run_ids = [i.sop_run_id for i in incidents if i.sop_run_id is not None]
        logs = (
            session.scalars(
                select(StepLog).where(
                    StepLog.sop_run_id.in_(run_ids), StepLog.status == "completed"
                )
            ).all()
            if run_ids
            else []
        )
        steps = [{c: getattr(s, c) for c in STEP_COLUMNS} for s in logs]
    return pd.DataFrame(rows, columns=INCIDENT_COLUMNS), pd.DataFrame(steps, columns=STEP_COLUMNS)


def _hours(opened: Any, resolved: Any) -> float | None:
    if resolved is None or pd.isna(resolved):
        return None
    return round((resolved - opened).total_seconds() / 3600, 2)


def assemble_fault_report(
    incidents: pd.DataFrame, steps: pd.DataFrame, lang: str = "id"
) -> dict[str, pd.DataFrame]:
    """Build the report's tables from the records (pure).

    Args:
        incidents: One row per incident (:data:`INCIDENT_COLUMNS`).
        steps: Finished step logs of their runs (:data:`STEP_COLUMNS`).
        lang: ``id`` or ``en`` for the kind labels and step activities.

    Returns:
        ``by_kind``, ``by_device``, ``incidents`` and ``sla`` frames.

    Examples:
        >>> from datetime import datetime, UTC
        >>> t = datetime(2026, 12, 1, 8, tzinfo=UTC)
        >>> inc = pd.DataFrame([["INC-1", "linux01", "kinerja", "closed", t,
        ...     t.replace(hour=11), 1]], columns=INCIDENT_COLUMNS)
        >>> st = pd.DataFrame([[1, 2, "met", None], [1, 4, "breached", None]],
        ...     columns=STEP_COLUMNS)
        >>> tables = assemble_fault_report(inc, st)
        >>> tables["by_kind"].astype(object).iloc[0].tolist()
        ['Penurunan kinerja', 1, 1, 3.0]
        >>> tables["sla"][["Langkah", "Tepat waktu", "Terlambat"]].values.tolist()[1:4]
        [[2, 1, 0], [3, 0, 0], [4, 0, 1]]
    """
    en = lang == "en"
    frame = incidents.copy()
    frame["hours"] = [
        _hours(o, r) for o, r in zip(frame["opened_at"], frame["resolved_at"], strict=True)
    ]
    frame["kind_label"] = [
        INCIDENT_KINDS[k].text(lang) if k in INCIDENT_KINDS else k for k in frame["kind"]
    ]
    frame["done"] = frame["resolved_at"].notna()
    kind_col, count_col, done_col, ttr_col = (
        ("Kind of fault", "Faults", "Repaired", "Mean time to repair (hours)")
        if en
        else ("Jenis kerusakan", "Jumlah", "Selesai diperbaiki", "Rata-rata waktu perbaikan (jam)")
    )
    by_kind = (
        frame.groupby("kind_label", sort=True)
        .agg(count=("number", "count"), done=("done", "sum"), hours=("hours", "mean"))
        .reset_index()
    )
    by_kind["hours"] = by_kind["hours"].round(2)
    by_kind["done"] = by_kind["done"].astype(int)
    by_kind.columns = [kind_col, count_col, done_col, ttr_col]
    by_kind = by_kind.sort_values([count_col, kind_col], ascending=[False, True], ignore_index=True)
    device_col, kinds_col = ("Device", "Kinds") if en else ("Perangkat", "Jenis")
    by_device = (
        frame.groupby("device", sort=True)
        .agg(
            count=("number", "count"),
            kinds=("kind_label", lambda s: ", ".join(sorted(set(s)))),
            hours=("hours", "mean"),
        )
        .reset_index()
    )
    by_device["hours"] = by_device["hours"].round(2)
    by_device.columns = [device_col, count_col, kinds_col, ttr_col]
    by_device = by_device.sort_values(
        [count_col, device_col], ascending=[False, True], ignore_index=True
    )
    listing = pd.DataFrame(
        {
            ("Number" if en else "Nomor"): frame["number"],
            device_col: frame["device"],
            kind_col: frame["kind_label"],
            "status": frame["status"],
            ("Opened" if en else "Dibuka"): frame["opened_at"],
            ("Resolved" if en else "Selesai"): frame["resolved_at"],
            ("Time to repair (hours)" if en else "Waktu perbaikan (jam)"): frame["hours"],
        }
    )
    sop = load_sops()["E"]
    sla_rows = []
    for step in sop.steps:
        own = steps[steps["step_number"] == step.number]
        met = int((own["sla_status"] == "met").sum())
        breached = int((own["sla_status"] == "breached").sum())
        judged = met + breached
        sla_rows.append(
            [
                step.number,
                sop_activity(step, lang),
                str(step.duration) if step.duration is not None else "-",
                len(own),
                met,
                breached,
                round(100.0 * met / judged, 1) if judged else None,
            ]
        )
    sla = pd.DataFrame(
        sla_rows,
        columns=(
            ["Step", "Activity", "Standard", "Done", "On time", "Late", "Compliance (%)"]
            if en
            else [
                "Langkah",
                "Kegiatan",
                "Standar",
                "Dikerjakan",
                "Tepat waktu",
                "Terlambat",
                "Kepatuhan (%)",
            ]
        ),
    )
    return {"by_kind": by_kind, "by_device": by_device, "incidents": listing, "sla": sla}


def sop_activity(step: Any, lang: str) -> str:
    """A step's activity in ``lang`` (the SOP definitions keep ``id`` and ``en``)."""
    return str(step.activity(lang))


def fault_document(
    office: Office,
    month: str,
    tables: dict[str, pd.DataFrame],
    *,
    date: datetime,
    lang: str = "id",
) -> OfficialDocument:
    """The report as an official document (letterhead, tables, Kasi and Kabid signatures)."""
    en = lang == "en"
    count = len(tables["incidents"])
    period = labels.period_label(month, lang)
    titles = (
        ("Faults by kind", "Faults by device", "Incidents", "SLA compliance per step")
        if en
        else (
            "Kerusakan per jenis",
            "Kerusakan per perangkat",
            "Daftar insiden",
            "Kepatuhan SLA per langkah",
        )
    )
    return OfficialDocument(
        office=office,
        title="ROUTINE FAULT REPORT" if en else "LAPORAN JENIS KERUSAKAN RUTIN",
        subtitle=(
            f"Server maintenance and security, {period}"
            if en
            else f"Pemeliharaan dan pengamanan server, {period}"
        ),
        date=date,
        lang=lang,
        paragraphs=[
            (
                f"Server faults handled under SOP E in {period}: {count} incidents."
                if en
                else f"Kerusakan/gangguan server yang ditangani menurut SOP E pada {period}: "
                f"{count} insiden."
            )
        ],
        tables=[
            DocTable(key="by_kind", title=titles[0], frame=tables["by_kind"]),
            DocTable(key="by_device", title=titles[1], frame=tables["by_device"]),
            DocTable(key="incidents", title=titles[2], frame=tables["incidents"]),
            DocTable(key="sla", title=titles[3], frame=tables["sla"]),
        ],
        signatures=[
            signature_for(office, "kasi", label="Prepared by" if en else "Dibuat oleh"),
            signature_for(office, "kabid", label="Acknowledged by" if en else "Mengetahui"),
        ],
        landscape=True,
    )


def write_fault_report(
    engine: Engine,
    office: Office,
    month: str,
    out_dir: Path,
    formats: Sequence[str] = ("xlsx", "html", "pdf"),
    lang: str = "id",
    *,
    date: datetime,
) -> tuple[OfficialDocument, dict[str, Path]]:
    """Read, assemble and write the month's report.

    Raises:
        NoFaultData: No SOP E incident in the month (nothing written).
    """
    incidents, steps = read_fault_records(engine, office, month)
    if incidents.empty:
        raise NoFaultData(f"no SOP E incident of {office.short_name} in {month}")
    doc = fault_document(
        office, month, assemble_fault_report(incidents, steps, lang), date=date, lang=lang
    )
    paths = write_document(doc, out_dir, f"laporan-kerusakan-{month}", formats)
    return doc, paths
