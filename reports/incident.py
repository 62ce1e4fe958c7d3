"""SOP C documents: the incident handling report and the Berita Acara Pemeliharaan Jaringan.

The frames are pure pandas assembly from the plain data of
:func:`records.incidents.incident_history`; :func:`incident_documents` builds
the two :class:`reports.document.OfficialDocument` and :func:`write_incident_documents`
writes them (PDF, HTML, XLSX) with the generic renderer. The step table is the
shared SLA table of :mod:`reports.sla_table`, as ``sigap incident show`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from reports import labels
from reports.document import (
    Decided,
    DocTable,
    OfficialDocument,
    decided_signature,
    latest_decision,
    step_confirmation,
    write_document,
)
from reports.signing import Passphrases
from reports.sla_table import person_name, step_sla_frame, step_sla_headers
from sop.approval import OUTSIDER_LABEL, split_refusals
from sop.incidents import kind_label
from sop.model import SopDefinition
from sop.office import Office

FIX_STEP = 5
"""The step whose answer (the member's fix report, given with their code) the member signs."""

LEAD_STEP = 6
"""The team lead's decision on the handling report."""


def steps_with_activity(frame: pd.DataFrame, sop: SopDefinition, lang: str) -> pd.DataFrame:
    """The shared SLA table with each step's activity after its number (pure).

    Args:
        frame: :func:`reports.sla_table.step_sla_frame`.
        sop: The SOP (activities).
        lang: ``id`` or ``en``.

    Returns:
        A copy with an ``activity`` column.
    """
    out = frame.copy()
    out.insert(1, "activity", [sop.step(int(n)).activity(lang) for n in out["step"]])
    return out


def diagnosis_frame(diagnosis: Mapping[str, Any] | None) -> pd.DataFrame:
    """The damage data lines of one diagnosis (pure).

    Examples:
        >>> diagnosis_frame({"checks": [{"key": "tcp", "label": "TCP", "status": "fail",
        ...                              "text": "refused"}]}).values.tolist()
        [['TCP', 'fail', 'refused']]
    """
    checks = (diagnosis or {}).get("checks") or []
    return pd.DataFrame(
        [{"check": c["label"], "status": c["status"], "text": c["text"]} for c in checks],
        columns=["check", "status", "text"],
    )


DIAGNOSIS_HEADERS = {"check": "Pemeriksaan", "status": "Hasil", "text": "Keterangan"}


def parts_frame(parts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Replaced parts with their serial numbers (pure).

    Examples:
        >>> parts_frame([{"part": "SFP", "serial_old": "A1", "serial_new": "B2"}]).shape
        (1, 3)
    """
    return pd.DataFrame(
        [
            {
                "part": p.get("part"),
                "serial_old": p.get("serial_old"),
                "serial_new": p.get("serial_new"),
            }
            for p in parts
        ],
        columns=["part", "serial_old", "serial_new"],
    )


PARTS_HEADERS = {
    "part": "Perangkat/suku cadang",
    "serial_old": "No. seri lama",
    "serial_new": "No. seri baru",
}


def refused_frame(refused: Sequence[Mapping[str, Any]], office: Office) -> pd.DataFrame:
    """Refused answers: step, who, why, when (pure).

    Answers by the office's people one by one; answers by names not in the office
    configuration as one row per step with their count, never the typed names.
    """
    mine, others = split_refusals(
        refused, office, lambda r: str(r["username"]), lambda r: int(r["step"]), lambda r: r["at"]
    )
    rows = [
        {"step": r["step"], "username": r["username"], "reason": r["reason"], "at": r["at"]}
        for r in mine
    ]
    rows += [
        {
            "step": o.step_number,
            "username": OUTSIDER_LABEL,
            "reason": f"{o.count} jawaban ditolak",
            "at": o.last_at,
        }
        for o in others
    ]
    return pd.DataFrame(rows, columns=["step", "username", "reason", "at"])


REFUSED_HEADERS = {"step": "Langkah", "username": "Pengguna", "reason": "Alasan", "at": "Waktu"}


def breach_frame(breaches: Sequence[Mapping[str, Any]], sop: SopDefinition) -> pd.DataFrame:
    """SLA breaches recorded while steps waited (pure)."""
    return pd.DataFrame(
        [
            {
                "step": b["step"],
                "activity": sop.step(int(b["step"])).activity("id"),
                "due_at": b["due_at"],
                "detected_at": b["detected_at"],
                "escalated_role": b.get("escalated_role") or "-",
            }
            for b in breaches
        ],
        columns=["step", "activity", "due_at", "detected_at", "escalated_role"],
    )


BREACH_HEADERS = {
    "step": "Langkah",
    "activity": "Kegiatan",
    "due_at": "Batas waktu",
    "detected_at": "Terdeteksi",
    "escalated_role": "Dieskalasi ke",
}


def _last_outputs(steps: Sequence[Mapping[str, Any]], number: int) -> dict[str, Any]:
    done = [s for s in steps if int(s["step"]) == number and s.get("status") == "completed"]
    return dict(done[-1]["outputs"]) if done else {}


def incident_documents(
    *,
    office: Office,
    sop: SopDefinition,
    incident: Mapping[str, Any],
    history: Mapping[str, Any],
    team_lead: str | None,
    member: str | None,
    date: datetime,
    decisions: Sequence[Decided] = (),
    lang: str = "id",
) -> dict[str, OfficialDocument]:
    """The handling report and the Berita Acara of one incident.

    Args:
        office: Letterhead, people, roles.
        sop: SOP C.
        incident: The incident's fields (number, device, kind, description,
            reporter, occurred_at, opened_at, handling, provider_*).
        history: :func:`records.incidents.incident_history`.
        team_lead: Username of the team lead who accepted the report (step 6).
        member: Username of the team member who did the fix (step 5).
        date: The documents' date (aware).
        decisions: The run's recorded decisions (the team lead's on step 6).
        lang: ``id`` or ``en``.

    Returns:
        ``{"laporan": ..., "berita_acara": ...}``. Their signature blocks carry the
        member's fix report (step 5, answered with their code) and the team lead's
        decision (step 6); the Head of Centre's block has none (unsigned).
    """
    steps = list(history.get("steps") or [])
    before = _last_outputs(steps, 2).get("diagnosis")
    fix = _last_outputs(steps, FIX_STEP)
    after = fix.get("diagnosis_after")
    number = str(incident["number"])
    device = str(incident["device"])
    fields: list[tuple[str, Any]] = [
        ("Nomor insiden", number),
        ("Perangkat", device),
        ("Jenis kerusakan/gangguan", kind_label(str(incident["kind"]), lang)),
        ("Uraian", incident["description"]),
        ("Pelapor", person_name(office, str(incident["reporter"]))),
        ("Waktu kejadian", incident["occurred_at"]),
        ("Waktu laporan diterima", incident["opened_at"]),
        (
            "Penanganan",
            "Penyedia jasa" if incident.get("handling") == "provider" else "Tim internal",
        ),
    ]
    if incident.get("handling") == "provider":
        fields += [
            ("Penyedia jasa", incident.get("provider_name")),
            ("Nomor tiket penyedia", incident.get("provider_ticket")),
            ("Penyedia dihubungi", incident.get("provider_contacted_at")),
            ("Penyedia menjawab", incident.get("provider_answered_at")),
        ]
    fields += [
        ("Tindakan perbaikan", fix.get("action")),
        ("Hasil pemeriksaan ulang", (after or {}).get("summary")),
    ]
    tables = [
        DocTable(
            "steps",
            "Langkah SOP dan waktu penyelesaian",
            steps_with_activity(step_sla_frame(steps, sop, office, lang, now=date), sop, lang),
            {**step_sla_headers(lang), "activity": "Kegiatan" if lang == "id" else "Activity"},
        ),
        DocTable(
            "before", "Data kerusakan (langkah 2)", diagnosis_frame(before), DIAGNOSIS_HEADERS
        ),
        DocTable(
            "after",
            "Pemeriksaan ulang setelah perbaikan",
            diagnosis_frame(after),
            DIAGNOSIS_HEADERS,
        ),
    ]
    parts = fix.get("parts") or []
    if parts:
        tables.append(DocTable("parts", "Penggantian perangkat", parts_frame(parts), PARTS_HEADERS))
    refused = list(history.get("refused") or [])
    if refused:
        tables.append(
            DocTable(
                "refused",
                "Jawaban yang ditolak",
                refused_frame(refused, office),
                REFUSED_HEADERS,
            )
        )
    breaches = list(history.get("breaches") or [])
    late = [s for s in steps if s.get("sla_status") == "breached"]
    if breaches:
        tables.append(
            DocTable(
                "breaches",
                "Peringatan SLA yang dikirim selama menunggu",
                breach_frame(breaches, sop),
                BREACH_HEADERS,
            )
        )
    sla_line = (
        f"{len(late)} langkah melewati standar waktu."
        if late
        else "Semua langkah selesai dalam standar waktu."
    )
    fixed, accepted = step_confirmation(steps, FIX_STEP), latest_decision(decisions, [LEAD_STEP])
    member_sig = decided_signature(office, "team_member", fixed, "Pelaksana,", username=member)
    lead_sig = decided_signature(office, "team_lead", accepted, "Mengetahui,", username=team_lead)
    head_sig = decided_signature(office, "head_of_centre", None, "Diterima oleh,")
    report = OfficialDocument(
        office=office,
        title="LAPORAN PENANGANAN KENDALA JARINGAN",
        number=f"LAP/{number}",
        date=date,
        lang=lang,
        paragraphs=[
            f"Laporan penanganan kendala jaringan {number} pada perangkat {device} "
            f"menurut {sop.title('id')}. {sla_line}",
        ],
        fields=fields,
        tables=tables,
        closing=["Demikian laporan ini dibuat untuk dipergunakan sebagaimana mestinya."],
        signatures=[member_sig, lead_sig, head_sig],
    )
    local = date.astimezone(office.timezone)
    ba = OfficialDocument(
        office=office,
        title="BERITA ACARA PEMELIHARAAN JARINGAN",
        number=f"BA/{number}",
        date=date,
        lang=lang,
        paragraphs=[
            f"Pada hari ini, {labels.format_date(local.date(), lang)}, telah dilakukan "
            f"pemeliharaan jaringan berupa perbaikan kendala pada perangkat {device} "
            f"(insiden {number}). Setelah perbaikan, SIGAP memeriksa ulang perangkat "
            "dan perangkat telah berfungsi kembali.",
        ],
        fields=[
            ("Perangkat", device),
            ("Jenis kerusakan/gangguan", kind_label(str(incident["kind"]), lang)),
            ("Tindakan perbaikan", fix.get("action")),
            ("Hasil pemeriksaan ulang", (after or {}).get("summary")),
        ],
        tables=[DocTable("parts", "Penggantian perangkat", parts_frame(parts), PARTS_HEADERS)]
        if parts
        else [],
        closing=["Demikian berita acara ini dibuat dengan sebenarnya."],
        signatures=[member_sig, lead_sig],
    )
    return {"laporan": report, "berita_acara": ba}


def write_incident_documents(
    documents: Mapping[str, OfficialDocument],
    out_dir: Path,
    number: str,
    passphrases: Passphrases | None = None,
) -> dict[str, dict[str, Path]]:
    """Write both documents as PDF, HTML and XLSX (the PDFs signed by their approvers).

    Args:
        documents: From :func:`incident_documents`.
        out_dir: Directory.
        number: The incident number (file names).
        passphrases: Reads the certificates' passphrase references (the flow's).

    Returns:
        Document name -> format -> file.
    """
    slug = number.lower()
    return {
        name: write_document(
            doc, out_dir, f"{name.replace('_', '-')}-{slug}", passphrases=passphrases
        )
        for name, doc in documents.items()
    }
