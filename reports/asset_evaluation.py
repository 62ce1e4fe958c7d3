"""SOP D6, evaluation of asset management for a period: pandas assembly, pure.

Records in (the period's D1-D5 runs and step logs, the register), tables out:
counts per procedure, SLA compliance per step, assets by status and category,
aging, warranties ending soon and a suggested follow-up action plan. The flow
(:mod:`flows.assets.evaluation`) reads the records, renders the tables as one
official document (XLSX/HTML/PDF, Prefect artifacts) and adds the action plan
the Kasi writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from reports.document import DocTable, OfficialDocument, Signature
from sop.asset_procedures import period_label
from sop.assets import CATEGORIES, CATEGORY_LABELS, PROCEDURES, STATUS_LABELS, STATUSES
from sop.model import SopDefinition
from sop.office import Office
from sop.sla import add_months

PROCEDURE_CODES = ("D1", "D2", "D3", "D4", "D5")
"""The procedures a D6 evaluation recaps."""

AGE_BUCKETS = ("< 1 tahun", "1-3 tahun", "3-5 tahun", "> 5 tahun", "Tidak diketahui")
"""Age groups of the aging table."""

OLD_AGE_YEARS = 5
"""Assets older than this are proposed for renewal or disposal."""

RUN_COLUMNS = ("sop_code", "run_key", "status", "started_at", "finished_at")
STEP_COLUMNS = ("sop_code", "run_key", "step_number", "status", "sla_status")
ASSET_COLUMNS = (
    "tag",
    "name",
    "category",
    "status",
    "location",
    "custodian",
    "acquired_on",
    "value",
    "warranty_end",
)


@dataclass(frozen=True)
class Evaluation:
    """The D6 recap of one period.

    Attributes:
        period: Human label of the period.
        procedures: Runs per procedure and their outcome.
        sla: SLA compliance per procedure step.
        assets: Assets by status (rows) and category (columns).
        aging: Assets in service by age group and category.
        warranty: Warranties ending within the horizon.
        actions: Suggested follow-up actions.
    """

    period: str
    procedures: pd.DataFrame
    sla: pd.DataFrame
    assets: pd.DataFrame
    aging: pd.DataFrame
    warranty: pd.DataFrame
    actions: pd.DataFrame

    def tables(self) -> list[DocTable]:
        """The recap as document tables, in reading order."""
        return [
            DocTable(key="prosedur", title="Rekap prosedur", frame=self.procedures),
            DocTable(key="sla", title="Kepatuhan waktu per langkah", frame=self.sla),
            DocTable(key="aset", title="Aset per status dan kategori", frame=self.assets),
            DocTable(key="umur", title="Umur aset", frame=self.aging),
            DocTable(key="garansi", title="Garansi segera berakhir", frame=self.warranty),
            DocTable(key="tindak-lanjut", title="Rencana tindak lanjut", frame=self.actions),
        ]


def _frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def procedure_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs per procedure: total, completed, cancelled (refused), still open.

    Examples:
        >>> runs = pd.DataFrame({"sop_code": ["D2", "D2", "D5"],
        ...                      "status": ["completed", "cancelled", "paused"]})
        >>> procedure_counts(runs).iloc[[1, 4]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'Kode': 'D2', 'Prosedur': 'Pemindahan', 'Jumlah': 2, 'Selesai': 1,
          'Ditolak/dibatalkan': 1, 'Berjalan': 0},
         {'Kode': 'D5', 'Prosedur': 'Penghapusan', 'Jumlah': 1, 'Selesai': 0,
          'Ditolak/dibatalkan': 0, 'Berjalan': 1}]
    """
    rows = []
    for code in PROCEDURE_CODES:
        mine = runs[runs["sop_code"] == code] if len(runs) else runs
        status = mine["status"] if len(mine) else pd.Series([], dtype=object)
        completed = int((status == "completed").sum())
        cancelled = int((status == "cancelled").sum())
        rows.append(
            {
                "Kode": code,
                "Prosedur": PROCEDURES[code],
                "Jumlah": len(mine),
                "Selesai": completed,
                "Ditolak/dibatalkan": cancelled,
                "Berjalan": len(mine) - completed - cancelled,
            }
        )
    return pd.DataFrame(rows)


def sla_compliance(steps: pd.DataFrame, sops: Mapping[str, SopDefinition]) -> pd.DataFrame:
    """SLA verdicts per procedure step: met, breached and the share met (%).

    Only finished steps with a time standard count; steps never performed in the
    period are left out.

    Examples:
        >>> from config.sop_files import load_sops
        >>> steps = pd.DataFrame({"sop_code": ["D2"] * 3, "step_number": [2, 2, 5],
        ...     "status": ["completed"] * 3, "sla_status": ["met", "breached", "met"]})
        >>> sla_compliance(steps, load_sops())[["Langkah", "Tepat waktu", "Terlambat",
        ...     "Kepatuhan (%)"]].to_dict("records")
        [{'Langkah': 2, 'Tepat waktu': 1, 'Terlambat': 1, 'Kepatuhan (%)': 50.0}, {'Langkah': 5, 'Tepat waktu': 1, 'Terlambat': 0, 'Kepatuhan (%)': 100.0}]
    """  # noqa: E501
    columns = ["Kode", "Langkah", "Kegiatan", "Standar", "Tepat waktu", "Terlambat"]
    columns += ["Kepatuhan (%)"]
    if not len(steps):
        return _frame([], columns)
    judged = steps[steps["sla_status"].isin(["met", "breached"])]
    rows = []
    for (code, number), group in judged.groupby(["sop_code", "step_number"], sort=True):
        met = int((group["sla_status"] == "met").sum())
        breached = int((group["sla_status"] == "breached").sum())
        step = sops[str(code)].step(int(number))
        rows.append(
            {
                "Kode": str(code),
                "Langkah": int(number),
                "Kegiatan": step.activity("id"),
                "Standar": step.time or "-",
                "Tepat waktu": met,
                "Terlambat": breached,
                "Kepatuhan (%)": round(100.0 * met / (met + breached), 1),
            }
        )
    return _frame(rows, columns)


def assets_by_status(assets: pd.DataFrame) -> pd.DataFrame:
    """Assets counted by status (rows, lifecycle order) and category (columns), with totals.

    Examples:
        >>> a = pd.DataFrame({"status": ["in_service", "in_service", "disposed"],
        ...                   "category": ["hardware", "software", "hardware"]})
        >>> assets_by_status(a).set_index("Status").loc["Digunakan"].to_dict()
        {'Perangkat keras': 1, 'Perangkat lunak': 1, 'Data': 0, 'Jumlah': 2}
    """
    rows = []
    for status in STATUSES:
        mine = assets[assets["status"] == status] if len(assets) else assets
        row: dict[str, Any] = {"Status": STATUS_LABELS[status]}
        for category in CATEGORIES:
            row[CATEGORY_LABELS[category]] = (
                int((mine["category"] == category).sum()) if len(mine) else 0
            )
        row["Jumlah"] = len(mine)
        rows.append(row)
    total: dict[str, Any] = {"Status": "Jumlah"}
    for column in [CATEGORY_LABELS[c] for c in CATEGORIES] + ["Jumlah"]:
        total[column] = sum(int(r[column]) for r in rows)
    return pd.DataFrame([*rows, total])


def age_bucket(acquired: date | None, as_of: date) -> str:
    """The age group of an asset acquired on ``acquired``.

    Examples:
        >>> age_bucket(date(2020, 1, 1), date(2026, 12, 1)), age_bucket(None, date(2026, 1, 1))
        ('> 5 tahun', 'Tidak diketahui')
        >>> age_bucket(date(2026, 6, 1), date(2026, 12, 1))
        '< 1 tahun'
    """
    if acquired is None or pd.isna(acquired):
        return AGE_BUCKETS[4]
    years = (as_of - acquired).days / 365.25
    if years < 1:
        return AGE_BUCKETS[0]
    if years < 3:
        return AGE_BUCKETS[1]
    if years <= OLD_AGE_YEARS:
        return AGE_BUCKETS[2]
    return AGE_BUCKETS[3]


def _active(assets: pd.DataFrame) -> pd.DataFrame:
    if not len(assets):
        return assets
    return assets[~assets["status"].isin(["disposed", "planned"])]


def aging(assets: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Assets not disposed, counted by age group (rows) and category (columns)."""
    active = _active(assets)
    buckets = [age_bucket(d, as_of) for d in active["acquired_on"]] if len(active) else []
    rows = []
    for bucket in AGE_BUCKETS:
        row: dict[str, Any] = {"Umur": bucket}
        for category in CATEGORIES:
            row[CATEGORY_LABELS[category]] = sum(
                1
                for b, c in zip(buckets, active["category"] if len(active) else [], strict=True)
                if b == bucket and c == category
            )
        row["Jumlah"] = sum(1 for b in buckets if b == bucket)
        rows.append(row)
    return pd.DataFrame(rows)


def warranty_ending(assets: pd.DataFrame, as_of: date, months: int) -> pd.DataFrame:
    """Assets not disposed whose warranty ends between ``as_of`` and ``months`` later.

    Examples:
        >>> a = pd.DataFrame({"tag": ["A", "B"], "name": ["x", "y"], "status": ["in_service"] * 2,
        ...     "category": ["hardware"] * 2, "location": [None, None],
        ...     "warranty_end": [date(2027, 1, 15), date(2028, 1, 1)]})
        >>> warranty_ending(a, date(2026, 12, 1), 3)[["Kode aset", "Sisa hari"]].to_dict("records")
        [{'Kode aset': 'A', 'Sisa hari': 45}]
    """
    columns = ["Kode aset", "Nama", "Kategori", "Lokasi", "Akhir garansi", "Sisa hari"]
    active = _active(assets)
    horizon = add_months(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC), months).date()
    rows = []
    for record in active.to_dict("records") if len(active) else []:
        end = record.get("warranty_end")
        if end is None or pd.isna(end) or not (as_of <= end <= horizon):
            continue
        rows.append(
            {
                "Kode aset": record["tag"],
                "Nama": record["name"],
                "Kategori": CATEGORY_LABELS.get(record["category"], record["category"]),
                "Lokasi": record.get("location") or "-",
                "Akhir garansi": end,
                "Sisa hari": (end - as_of).days,
            }
        )
    rows.sort(key=lambda r: (r["Akhir garansi"], r["Kode aset"]))
    return _frame(rows, columns)


ACTION_COLUMNS = ("No", "Tindak lanjut", "Dasar", "Penanggung jawab", "Target")


def suggested_actions(
    *,
    procedures: pd.DataFrame,
    sla: pd.DataFrame,
    assets: pd.DataFrame,
    warranty: pd.DataFrame,
    as_of: date,
    office: Office,
) -> pd.DataFrame:
    """Follow-up actions the recap suggests (the Kasi's action plan starts from these).

    One action per warranty ending, per asset older than :data:`OLD_AGE_YEARS`
    still in use, per asset under repair, per step with late performances, per
    procedure with runs still open.
    """
    kasi = office.role_titles.get("kasi", "Kepala Seksi")
    manager = office.role_titles.get("asset_manager", "Pengelola Aset")
    rows: list[dict[str, Any]] = []
    for w in warranty.to_dict("records"):
        rows.append(
            {
                "Tindak lanjut": f"Perpanjang garansi/kontrak dukungan {w['Kode aset']} "
                f"({w['Nama']})",
                "Dasar": f"garansi berakhir {w['Akhir garansi']}",
                "Penanggung jawab": manager,
                "Target": str(w["Akhir garansi"]),
            }
        )
    active = _active(assets)
    for record in active.to_dict("records") if len(active) else []:
        if age_bucket(record.get("acquired_on"), as_of) == AGE_BUCKETS[3]:
            rows.append(
                {
                    "Tindak lanjut": f"Usulkan peremajaan (D1) atau penghapusan (D5) "
                    f"{record['tag']} ({record['name']})",
                    "Dasar": f"umur lebih dari {OLD_AGE_YEARS} tahun",
                    "Penanggung jawab": kasi,
                    "Target": "",
                }
            )
        if record["status"] == "under_repair":
            rows.append(
                {
                    "Tindak lanjut": f"Selesaikan perbaikan {record['tag']} ({record['name']})",
                    "Dasar": "status dalam perbaikan",
                    "Penanggung jawab": manager,
                    "Target": "",
                }
            )
    for s in sla.to_dict("records"):
        if s["Terlambat"]:
            rows.append(
                {
                    "Tindak lanjut": f"Tinjau pelaksanaan {s['Kode']} langkah {s['Langkah']}: "
                    f"{s['Kegiatan']}",
                    "Dasar": f"{s['Terlambat']} kali melewati standar {s['Standar']}",
                    "Penanggung jawab": kasi,
                    "Target": "",
                }
            )
    for p in procedures.to_dict("records"):
        if p["Berjalan"]:
            rows.append(
                {
                    "Tindak lanjut": f"Tuntaskan {p['Berjalan']} prosedur {p['Kode']} "
                    f"{p['Prosedur']} yang masih berjalan",
                    "Dasar": "prosedur belum selesai pada akhir periode",
                    "Penanggung jawab": kasi,
                    "Target": "",
                }
            )
    for i, row in enumerate(rows, start=1):
        row["No"] = i
    return _frame(rows, ACTION_COLUMNS)


def evaluate_assets(
    *,
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    assets: pd.DataFrame,
    sops: Mapping[str, SopDefinition],
    office: Office,
    period: tuple[date, date],
    as_of: date,
    warranty_months: int,
) -> Evaluation:
    """Assemble the whole D6 recap.

    Args:
        runs: The period's D1-D5 runs (:data:`RUN_COLUMNS`).
        steps: Their step logs (:data:`STEP_COLUMNS`).
        assets: The register (:data:`ASSET_COLUMNS`).
        sops: SOP definitions (step activities and standards).
        office: Role titles for the action plan.
        period: ``(start, end)``, end exclusive.
        as_of: The evaluation date (aging and warranty are counted from it).
        warranty_months: Horizon for warranties ending soon.

    Returns:
        The recap.
    """
    procedures = procedure_counts(runs)
    sla = sla_compliance(steps, sops)
    warranty = warranty_ending(assets, as_of, warranty_months)
    return Evaluation(
        period=period_label(*period),
        procedures=procedures,
        sla=sla,
        assets=assets_by_status(assets),
        aging=aging(assets, as_of),
        warranty=warranty,
        actions=suggested_actions(
            procedures=procedures,
            sla=sla,
            assets=assets,
            warranty=warranty,
            as_of=as_of,
            office=office,
        ),
    )


def parse_action_plan(text: str) -> pd.DataFrame:
    """The Kasi's action plan, one action per line: ``action | responsible | target``.

    Args:
        text: The form's text.

    Returns:
        The plan (:data:`ACTION_COLUMNS`).

    Raises:
        ValueError: No action, or a line with more than three parts (line named).

    Examples:
        >>> parse_action_plan("Perpanjang garansi SW-01 | Pengelola Aset | 2027-01-15")[
        ...     ["No", "Tindak lanjut", "Target"]].to_dict("records")
        [{'No': 1, 'Tindak lanjut': 'Perpanjang garansi SW-01', 'Target': '2027-01-15'}]
        >>> parse_action_plan("a | b | c | d")
        Traceback (most recent call last):
        ...
        ValueError: actions line 1: at most 3 parts (action | responsible | target), got 4
    """
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3:
            raise ValueError(
                f"actions line {number}: at most 3 parts (action | responsible | target), "
                f"got {len(parts)}"
            )
        if not parts[0]:
            raise ValueError(f"actions line {number}: the action is empty")
        parts += [""] * (3 - len(parts))
        rows.append(
            {
                "No": len(rows) + 1,
                "Tindak lanjut": parts[0],
                "Dasar": "rencana aksi Kasi",
                "Penanggung jawab": parts[1],
                "Target": parts[2],
            }
        )
    if not rows:
        raise ValueError("actions: the action plan has no action")
    return _frame(rows, ACTION_COLUMNS)


def evaluation_document(
    evaluation: Evaluation,
    *,
    office: Office,
    number: str,
    at: datetime,
    findings: str = "",
    follow_up: str = "",
    action_plan: pd.DataFrame | None = None,
    signatures: Sequence[Signature] = (),
) -> OfficialDocument:
    """The D6 evaluation report as an official document.

    Args:
        evaluation: The recap.
        office: The office.
        number: Report number.
        at: Date of the report.
        findings: The Kasi's evaluation (step 2), once written.
        follow_up: The Kabid's follow-up plan (step 4), once written.
        action_plan: The Kasi's action plan (step 5), once written; it replaces
            the suggested actions.
        signatures: Signature blocks.

    Returns:
        The document.
    """
    tables = evaluation.tables()
    if action_plan is not None:
        tables[-1] = DocTable(
            key="tindak-lanjut", title="Rencana aksi tindak lanjut", frame=action_plan
        )
    totals = evaluation.procedures["Jumlah"].sum()
    fields: list[tuple[str, Any]] = [
        ("Periode", evaluation.period),
        ("Jumlah prosedur dijalankan", int(totals)),
        ("Jumlah aset", int(evaluation.assets.iloc[-1]["Jumlah"])),
        ("Garansi segera berakhir", len(evaluation.warranty)),
    ]
    if findings:
        fields.append(("Hasil evaluasi", findings))
    if follow_up:
        fields.append(("Rencana tindak lanjut", follow_up))
    return OfficialDocument(
        office=office,
        title="LAPORAN EVALUASI PENGELOLAAN ASET SISTEM ELEKTRONIK",
        number=number,
        date=at,
        paragraphs=[
            f"Rekapitulasi dan evaluasi kegiatan pengelolaan aset sistem elektronik "
            f"{evaluation.period}: pengusulan, pemindahtempatan, pemanfaatan, perbaikan dan "
            "penghapusan aset, kepatuhan waktu terhadap standar SOP, serta kondisi aset."
        ],
        fields=fields,
        tables=tables,
        signatures=list(signatures),
    )
