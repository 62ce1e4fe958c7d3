"""The server-room visitor log (Buku Tamu Ruang Server) for a day or a month, SOP B.

:func:`visitor_log_frame` and :func:`visitor_log_document` are pure (visit lines in,
a DataFrame and an :class:`reports.document.OfficialDocument` out);
:func:`load_visit_lines` reads the records; :func:`write_visitor_log` does both and
writes XLSX and PDF (and HTML) with :mod:`reports.document`. ID numbers only ever
appear masked (:func:`sop.visits.mask_id_number`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from records.db import session_scope
from records.visits import list_visits
from reports import labels
from reports.document import (
    Decided,
    DocTable,
    OfficialDocument,
    decided_signature,
    latest_decision,
    signature_for,
    write_document,
)
from sop.office import Office
from sop.visits import devices_from, mask_id_number, reconcile

STATUS_WORDS: dict[str, dict[str, str]] = {
    "id": {
        "requested": "diajukan",
        "approved": "disetujui",
        "refused": "ditolak",
        "in_progress": "di dalam",
        "closed": "selesai",
        "archived": "diarsip",
    },
    "en": {
        "requested": "requested",
        "approved": "approved",
        "refused": "refused",
        "in_progress": "inside",
        "closed": "closed",
        "archived": "archived",
    },
}

COLUMNS: dict[str, dict[str, str]] = {
    "id": {
        "no": "No",
        "number": "Nomor",
        "visitor": "Nama pengunjung",
        "organisation": "Instansi",
        "id": "Tanda pengenal",
        "purpose": "Keperluan",
        "escort": "Pendamping",
        "badge": "Kartu akses",
        "planned": "Rencana",
        "entered": "Masuk",
        "exited": "Keluar",
        "devices_in": "Perangkat masuk",
        "devices_out": "Perangkat keluar",
        "remarks": "Keterangan",
        "status": "Status",
    },
    "en": {
        "no": "No",
        "number": "Number",
        "visitor": "Visitor",
        "organisation": "Organisation",
        "id": "ID",
        "purpose": "Purpose",
        "escort": "Escort",
        "badge": "Badge",
        "planned": "Planned",
        "entered": "Entry",
        "exited": "Exit",
        "devices_in": "Devices in",
        "devices_out": "Devices out",
        "remarks": "Remarks",
        "status": "Status",
    },
}


DECISION_STEP = 3
"""SOP B: the Kasub decides on the visit."""

EXIT_STEP = 5
"""SOP B: the IT officer's exit form (devices out, badge back)."""


def visit_line(visit: Any) -> dict[str, Any]:
    """A visit row of the records as plain data for the log, the ID number already masked.

    Args:
        visit: A :class:`records.visit_models.Visit` (or anything with its attributes).

    Returns:
        Plain data; ``id_number`` is masked.
    """
    return {
        "number": visit.number,
        "visitor_name": visit.visitor_name,
        "organisation": visit.organisation,
        "id_type": visit.id_type,
        "id_number": mask_id_number(visit.id_number),
        "purpose": visit.purpose,
        "planned_start": visit.planned_start,
        "planned_end": visit.planned_end,
        "escort": visit.escort,
        "badge_number": visit.badge_number,
        "entered_at": visit.entered_at,
        "exited_at": visit.exited_at,
        "devices_in": list(visit.devices_in or []),
        "devices_out": list(visit.devices_out or []),
        "explanations": dict(visit.explanations or {}),
        "overstay_at": visit.overstay_at,
        "decided_by": visit.decided_by,
        "decision_note": visit.decision_note,
        "badge_returned": visit.badge_returned,
        "closed_by": visit.closed_by,
        "status": visit.status,
    }


def _devices(items: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(f"{d['name']} ({d['serial']})" for d in items) or "-"


def _remarks(line: Mapping[str, Any], lang: str, office: Office) -> str:
    parts: list[str] = []
    if line["status"] == "refused":
        who = line.get("decided_by") or "-"
        note = f": {line['decision_note']}" if line.get("decision_note") else ""
        parts.append(f"ditolak oleh {who}{note}" if lang == "id" else f"refused by {who}{note}")
    if line["exited_at"] is not None:
        result = reconcile(devices_from(line["devices_in"]), devices_from(line["devices_out"]))
        for serial in result.flagged:
            text = next(
                (v for k, v in line["explanations"].items() if k.upper() == serial.upper()), "-"
            )
            parts.append(f"{serial}: {text}")
    if line.get("overstay_at") is not None:
        end = line["planned_end"].astimezone(office.timezone)
        parts.append(
            f"melewati rencana selesai {end:%H:%M}"
            if lang == "id"
            else f"stayed past the planned end {end:%H:%M}"
        )
    return "; ".join(parts) or "-"


def visitor_log_frame(
    lines: Sequence[Mapping[str, Any]], office: Office, lang: str = "id"
) -> pd.DataFrame:
    r"""The visitor log table: one row per visit, masked IDs, mismatches and overstays noted.

    Args:
        lines: Visits as :func:`visit_line` gives them, in order.
        office: The office (timezone for the planned times).
        lang: ``id`` or ``en``.

    Returns:
        The table, columns headed in ``lang``.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from sop.office import parse_office
        >>> office = parse_office("office: {name: K, timezone: Asia/Jayapura}\nsops: [B]", "o")
        >>> t = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
        >>> line = dict(number="KRS-2026-0001", visitor_name="Andi", organisation="PT D",
        ...     id_type="KTP", id_number="************0001", purpose="disk", planned_start=t,
        ...     planned_end=t, escort="nurul", badge_number="RS-01", entered_at=t,
        ...     exited_at=t, devices_in=[{"name": "Disk", "serial": "SN2"}], devices_out=[],
        ...     explanations={"SN2": "dipasang"}, overstay_at=None, status="archived")
        >>> row = visitor_log_frame([line], office).iloc[0]
        >>> row["Tanda pengenal"], row["Keterangan"], row["Status"]
        ('KTP ************0001', 'SN2: dipasang', 'diarsip')
    """
    names = COLUMNS[lang]
    rows = []
    for i, line in enumerate(lines, start=1):
        start = line["planned_start"].astimezone(office.timezone)
        end = line["planned_end"].astimezone(office.timezone)
        planned = (
            f"{start:%d-%m-%Y %H:%M}-{end:%H:%M}"
            if start.date() == end.date()
            else f"{start:%d-%m-%Y %H:%M} - {end:%d-%m-%Y %H:%M}"
        )
        rows.append(
            {
                names["no"]: i,
                names["number"]: line["number"],
                names["visitor"]: line["visitor_name"],
                names["organisation"]: line["organisation"],
                names["id"]: f"{line['id_type']} {line['id_number']}",
                names["purpose"]: line["purpose"],
                names["escort"]: line["escort"],
                names["badge"]: line["badge_number"] or "-",
                names["planned"]: planned,
                names["entered"]: line["entered_at"],
                names["exited"]: line["exited_at"],
                names["devices_in"]: _devices(line["devices_in"]),
                names["devices_out"]: _devices(line["devices_out"]),
                names["remarks"]: _remarks(line, lang, office),
                names["status"]: STATUS_WORDS[lang].get(line["status"], line["status"]),
            }
        )
    return pd.DataFrame(rows, columns=list(names.values()))


def visitor_log_document(
    office: Office,
    lines: Sequence[Mapping[str, Any]],
    period: str,
    printed_at: datetime,
    lang: str = "id",
) -> OfficialDocument:
    """The visitor log as an official document: counts, the table, the Kasub's signature.

    Args:
        office: Letterhead, timezone, the Kasub who signs.
        lines: Visits (:func:`visit_line`), masked.
        period: ``YYYY-MM-DD`` or ``YYYY-MM``.
        printed_at: When the log is printed (aware).
        lang: ``id`` or ``en``.

    Returns:
        The document.
    """
    count = len(lines)
    statuses = [str(line["status"]) for line in lines]
    mismatched = sum(
        1
        for line in lines
        if line["exited_at"] is not None
        and not reconcile(
            devices_from(line["devices_in"]), devices_from(line["devices_out"])
        ).matches
    )
    overstays = sum(1 for line in lines if line.get("overstay_at") is not None)
    inside = statuses.count("in_progress") + statuses.count("approved")
    shown = labels.period_label(period, lang)
    if lang == "id":
        title = "BUKU TAMU RUANG SERVER"
        paragraphs = [f"Log kunjungan ruang server periode {shown}."]
        fields: list[tuple[str, Any]] = [
            ("Periode", shown),
            ("Jumlah kunjungan", count),
            ("Ditolak", statuses.count("refused")),
            ("Masih di dalam / belum keluar", inside),
            ("Perangkat tidak cocok (dengan penjelasan)", mismatched),
            ("Melewati waktu rencana", overstays),
        ]
        table_title, label = "Daftar kunjungan", "Mengetahui,"
        closing = ["Nomor tanda pengenal ditampilkan tersamar (hanya empat angka terakhir)."]
    else:
        title = "SERVER ROOM VISITOR LOG"
        paragraphs = [f"Server room visits, period {shown}."]
        fields = [
            ("Period", shown),
            ("Visits", count),
            ("Refused", statuses.count("refused")),
            ("Still inside", inside),
            ("Device mismatches (explained)", mismatched),
            ("Stayed past the planned end", overstays),
        ]
        table_title, label = "Visits", "Acknowledged,"
        closing = ["ID numbers are masked (last four characters only)."]
    signatures = []
    if "kasubag" in office.role_titles:
        signatures.append(signature_for(office, "kasubag", label=label))
    return OfficialDocument(
        office=office,
        title=title,
        date=printed_at,
        lang=lang,
        paragraphs=paragraphs,
        fields=fields,
        tables=[
            DocTable(key="visits", title=table_title, frame=visitor_log_frame(lines, office, lang))
        ],
        closing=closing,
        signatures=signatures,
        landscape=True,  # fifteen columns: the log is printed on landscape A4
    )


def load_visit_lines(
    engine: Engine, office: Office, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The office's visits planned to start in ``[start, end)``, as masked lines."""
    with session_scope(engine) as session:
        return [
            visit_line(v)
            for v in list_visits(session, office=office.short_name, start=start, end=end)
        ]


def write_visitor_log(
    engine: Engine,
    office: Office,
    *,
    start: datetime,
    end: datetime,
    period: str,
    out_dir: Path,
    printed_at: datetime,
    lang: str = "id",
    formats: Sequence[str] = ("xlsx", "pdf"),
) -> dict[str, Path]:
    """Read the period's visits and write the visitor log.

    Returns:
        Format -> file (``buku-tamu-ruang-server-<period>.<fmt>``).
    """
    lines = load_visit_lines(engine, office, start, end)
    doc = visitor_log_document(office, lines, period, printed_at, lang)
    return write_document(doc, out_dir, f"buku-tamu-ruang-server-{period}", formats)


def visit_form_document(
    office: Office,
    line: Mapping[str, Any],
    printed_at: datetime,
    lang: str = "id",
    decisions: Sequence[Decided] = (),
) -> OfficialDocument:
    """The archived access form of one visit (SOP B step 6): fields, devices, signatures.

    The IT officer's block carries their exit form (step 5) and the Kasub's their
    decision on the visit (step 3), from ``decisions``; a block without one says so.

    Args:
        office: Letterhead, timezone, the people who sign.
        line: The visit (:func:`visit_line`, ID masked) with ``closed_by``.
        printed_at: When it is archived (aware).
        lang: ``id`` or ``en``.
        decisions: The run's recorded decisions (``Procedure.signed(5)``).

    Returns:
        The document, numbered with the visit number.
    """
    result = reconcile(devices_from(line["devices_in"]), devices_from(line["devices_out"]))
    flagged = set(result.flagged)
    en = lang == "en"

    def device_frame(items: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "Perangkat" if not en else "Device": d["name"],
                    "Nomor seri" if not en else "Serial": d["serial"],
                    "Cocok" if not en else "Matches": d["serial"] not in flagged,
                }
                for d in items
            ],
            columns=["Perangkat", "Nomor seri", "Cocok"]
            if not en
            else ["Device", "Serial", "Matches"],
        )

    fields: list[tuple[str, Any]] = [
        ("Pengunjung" if not en else "Visitor", line["visitor_name"]),
        ("Instansi" if not en else "Organisation", line["organisation"]),
        ("Tanda pengenal" if not en else "ID", f"{line['id_type']} {line['id_number']}"),
        ("Keperluan" if not en else "Purpose", line["purpose"]),
        ("Rencana mulai" if not en else "Planned start", line["planned_start"]),
        ("Rencana selesai" if not en else "Planned end", line["planned_end"]),
        ("Disetujui oleh" if not en else "Approved by", line.get("decided_by") or "-"),
        ("Kartu akses" if not en else "Badge", line["badge_number"] or "-"),
        ("Pendamping" if not en else "Escort", line["escort"]),
        ("Masuk" if not en else "Entry", line["entered_at"]),
        ("Keluar" if not en else "Exit", line["exited_at"]),
        ("Kartu dikembalikan" if not en else "Badge returned", bool(line.get("badge_returned"))),
        ("Keterangan" if not en else "Remarks", _remarks(line, lang, office)),
    ]
    signatures = []
    closed_by = line.get("closed_by")
    decided_by = line.get("decided_by")
    blocks = (
        ("it_officer", EXIT_STEP, "Petugas," if not en else "Officer,", closed_by),
        ("kasubag", DECISION_STEP, "Mengetahui," if not en else "Approved,", decided_by),
    )
    for role, step, label, named in blocks:
        if role in office.role_titles:
            who = named if named and office.person(named) else None
            decided = latest_decision(decisions, [step])
            signatures.append(
                decided_signature(office, role, decided, label, username=who, lang=lang)
            )
    return OfficialDocument(
        office=office,
        title="FORMULIR KUNJUNGAN RUANG SERVER" if not en else "SERVER ROOM VISIT FORM",
        number=str(line["number"]),
        date=printed_at,
        lang=lang,
        fields=fields,
        tables=[
            DocTable(
                key="devices-in",
                title="Perangkat dibawa masuk" if not en else "Devices brought in",
                frame=device_frame(line["devices_in"]),
            ),
            DocTable(
                key="devices-out",
                title="Perangkat dibawa keluar" if not en else "Devices taken out",
                frame=device_frame(line["devices_out"]),
            ),
        ],
        closing=[
            "Nomor tanda pengenal ditampilkan tersamar."
            if not en
            else "The ID number is shown masked."
        ],
        signatures=signatures,
    )
