"""The official documents of the asset procedures D1-D5, pure: data in, documents out.

Each builder returns a :class:`reports.document.OfficialDocument` (letterhead,
number, fields, tables, signature blocks); the flows write and publish it with
:func:`reports.document.write_document` / :func:`reports.document.publish_document`.

The Nota Dinas, the BAST and the two Berita Acara take the run's recorded decisions
(``decisions``: the approvals and the confirmations of the form steps answered with a
code, :func:`reports.document.confirmation`): each approver's block carries theirs
(:func:`reports.document.decided_signature`), so it is signed electronically by those
with a certificate; a block nobody decided on says so and stays unsigned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from reports.document import (
    Decided,
    DocTable,
    OfficialDocument,
    Signature,
    decided_signature,
    latest_decision,
    signature_for,
)
from reports.labels import format_date
from sop.assets import CATEGORY_LABELS, STATUS_LABELS, format_rupiah
from sop.office import Office


@dataclass(frozen=True)
class AssetFacts:
    """What a document says about one asset (a copy of its register row)."""

    tag: str
    name: str
    category: str
    status: str
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    location: str | None = None
    custodian: str | None = None


def asset_fields(asset: AssetFacts) -> list[tuple[str, Any]]:
    """The asset's lines in a document's field block.

    Examples:
        >>> asset_fields(AssetFacts("SW-01", "Switch", "hardware", "in_service"))[:3]
        [('Kode aset', 'SW-01'), ('Nama aset', 'Switch'), ('Kategori', 'Perangkat keras')]
    """
    brand = " ".join(x for x in (asset.vendor, asset.model) if x) or "-"
    return [
        ("Kode aset", asset.tag),
        ("Nama aset", asset.name),
        ("Kategori", CATEGORY_LABELS.get(asset.category, asset.category)),
        ("Merek / model", brand),
        ("Nomor seri", asset.serial or "-"),
        ("Lokasi", asset.location or "-"),
        ("Status", STATUS_LABELS.get(asset.status, asset.status)),
    ]


def person_line(office: Office, username: str) -> str:
    """``Name (NIP. ...)``, or the username when the office does not know them."""
    person = office.person(username)
    if person is None:
        return username
    return f"{person.name} (NIP. {person.nip})" if person.nip else person.name


def _day(office: Office, at: datetime) -> str:
    return format_date(at.astimezone(office.timezone).date())


def nota_dinas(
    office: Office,
    asset: AssetFacts,
    *,
    number: str,
    at: datetime,
    kasi: str,
    subject: str,
    analysis: str,
    plan: str,
    estimated_cost: int | None,
    incident: str | None = None,
    decisions: Sequence[Decided] = (),
) -> OfficialDocument:
    """The Kasi's Nota Dinas to the Kabid on a repair or maintenance (D4 step 2).

    Its blocks: the Kasi's (their Nota Dinas form, step 2) and the Kabid's (their
    decision on it, step 3), from ``decisions``.
    """
    fields: list[tuple[str, Any]] = [
        ("Kepada", office.role_titles.get("kabid", "Kepala Bidang")),
        ("Dari", office.role_titles.get("kasi", "Kepala Seksi")),
        ("Perihal", subject),
        *asset_fields(asset),
        ("Perkiraan biaya", format_rupiah(estimated_cost) or "-"),
    ]
    if incident:
        fields.append(("Tiket gangguan", incident))
    return OfficialDocument(
        office=office,
        title="NOTA DINAS",
        number=number,
        date=at,
        paragraphs=[
            "Dengan hormat, bersama ini kami sampaikan rencana kegiatan perbaikan/"
            "pemeliharaan aset sistem elektronik berikut untuk mendapat persetujuan.",
            f"Hasil telaahan: {analysis}",
            f"Rencana kegiatan: {plan}",
        ],
        fields=fields,
        closing=["Demikian disampaikan, atas perhatian dan persetujuannya diucapkan terima kasih."],
        signatures=[
            decided_signature(
                office, "kasi", latest_decision(decisions, [2]), "Kepala Seksi,", username=kasi
            ),
            decided_signature(office, "kabid", latest_decision(decisions, [3]), "Menyetujui,"),
        ],
    )


def surat_penugasan(
    office: Office,
    asset: AssetFacts,
    *,
    number: str,
    at: datetime,
    signer_role: str,
    signer: str | None,
    assignee: str,
    assignee_role: str,
    task: str,
    basis: str,
    deadline: str,
) -> OfficialDocument:
    """An assignment letter (Surat Penugasan) for D2, D4 or D5.

    Args:
        office: The office.
        asset: The asset concerned.
        number: Letter number.
        at: Date of the letter.
        signer_role: Role key of who assigns (``kabid`` or ``kasi``).
        signer: Their username (None: the role's first holder).
        assignee: Username of who is assigned.
        assignee_role: Their role key.
        task: What they are to do.
        basis: The approval the letter rests on.
        deadline: The time standard of the work.

    Returns:
        The letter.
    """
    person = office.person(assignee)
    return OfficialDocument(
        office=office,
        title="SURAT PENUGASAN",
        number=number,
        date=at,
        paragraphs=[
            f"Dasar: {basis}.",
            "Yang bertanda tangan di bawah ini menugaskan kepada:",
        ],
        fields=[
            ("Nama", person.name if person else assignee),
            ("NIP", (person.nip if person else None) or "-"),
            ("Jabatan", office.role_titles.get(assignee_role, assignee_role)),
            ("Untuk", task),
            ("Jangka waktu", deadline),
            *asset_fields(asset),
        ],
        closing=[
            "Demikian surat penugasan ini dibuat untuk dilaksanakan dengan penuh tanggung jawab."
        ],
        signatures=[signature_for(office, signer_role, signer, label="Yang menugaskan,")],
    )


def _goods(asset: AssetFacts, condition: str) -> DocTable:
    frame = pd.DataFrame(
        [
            {
                "No": 1,
                "Kode aset": asset.tag,
                "Nama aset": asset.name,
                "Merek / model": " ".join(x for x in (asset.vendor, asset.model) if x) or "-",
                "Nomor seri": asset.serial or "-",
                "Kondisi": condition,
            }
        ]
    )
    return DocTable(key="barang", title="Daftar barang", frame=frame)


def _berita_acara(
    office: Office,
    asset: AssetFacts,
    *,
    title: str,
    number: str,
    at: datetime,
    activity: str,
    executor: str,
    fields: Sequence[tuple[str, Any]],
    condition: str,
    closing: Sequence[str],
    signatures: Sequence[Signature],
) -> OfficialDocument:
    """A Berita Acara that ``executor`` carried out ``activity`` on the asset (D2, D5)."""
    return OfficialDocument(
        office=office,
        title=title,
        number=number,
        date=at,
        paragraphs=[
            f"Pada tanggal {_day(office, at)} telah dilaksanakan {activity} aset sistem "
            f"elektronik oleh {person_line(office, executor)} dengan rincian berikut.",
        ],
        fields=[*asset_fields(asset), *fields],
        tables=[_goods(asset, condition)],
        closing=list(closing),
        signatures=list(signatures),
    )


def bast(
    office: Office,
    asset: AssetFacts,
    *,
    number: str,
    at: datetime,
    giver: str,
    receiver: str,
    purpose: str,
    decisions: Sequence[Decided] = (),
) -> OfficialDocument:
    """Berita Acara Serah Terima Barang: the Kasi hands an asset to its user (D3 step 1).

    The receiver's block carries their receipt (the D3 step 2 form, from ``decisions``);
    the Kasi hands over in an automatic step (started with no code) and the Kabid only
    knows of it: SIGAP records no decision of theirs, so their blocks stay for a wet
    signature.
    """
    return OfficialDocument(
        office=office,
        title="BERITA ACARA SERAH TERIMA BARANG",
        number=number,
        date=at,
        paragraphs=[
            f"Pada tanggal {_day(office, at)}, yang bertanda tangan di bawah ini:",
            f"PIHAK PERTAMA: {person_line(office, giver)}, "
            f"{office.role_titles.get('kasi', 'Kepala Seksi')}.",
            f"PIHAK KEDUA: {person_line(office, receiver)}, "
            f"{office.role_titles.get('asset_user', 'Pengguna Aset')}.",
            "PIHAK PERTAMA menyerahkan kepada PIHAK KEDUA, dan PIHAK KEDUA menerima, barang "
            "berikut. Sejak diterima, barang menjadi tanggung jawab PIHAK KEDUA.",
        ],
        fields=[*asset_fields(asset), ("Keperluan", purpose)],
        tables=[_goods(asset, "Baik")],
        closing=["Demikian berita acara ini dibuat untuk dipergunakan sebagaimana mestinya."],
        signatures=[
            decided_signature(
                office,
                "asset_user",
                latest_decision(decisions, [2], receiver),
                "PIHAK KEDUA, Yang menerima,",
                username=receiver,
            ),
            signature_for(office, "kasi", giver, label="PIHAK PERTAMA, Yang menyerahkan,"),
            signature_for(office, "kabid", None, label="Mengetahui,"),
        ],
    )


def berita_acara_relocation(
    office: Office,
    asset: AssetFacts,
    *,
    number: str,
    at: datetime,
    origin: str,
    destination: str,
    reason: str,
    executor: str,
    condition: str,
    note: str,
    decisions: Sequence[Decided] = (),
) -> OfficialDocument:
    """Berita Acara Pemindahtempatan Aset (D2 step 5).

    Its blocks: the executor's (their step 5 form) and the Kabid's (their approval of
    the plan, step 2), from ``decisions``.
    """
    return _berita_acara(
        office,
        asset,
        title="BERITA ACARA PEMINDAHTEMPATAN ASET",
        number=number,
        at=at,
        activity="pemindahtempatan",
        executor=executor,
        fields=[
            ("Lokasi asal", origin),
            ("Lokasi tujuan", destination),
            ("Alasan", reason),
            ("Kondisi setelah dipindahkan", condition),
            ("Catatan", note or "-"),
        ],
        condition=condition,
        closing=["Demikian berita acara ini dibuat dengan sebenarnya."],
        signatures=[
            decided_signature(
                office,
                "kasi",
                latest_decision(decisions, [5], executor),
                "Yang melaksanakan,",
                username=executor,
            ),
            decided_signature(office, "kabid", latest_decision(decisions, [2]), "Mengetahui,"),
        ],
    )


def berita_acara_disposal(
    office: Office,
    asset: AssetFacts,
    *,
    number: str,
    at: datetime,
    method: str,
    reason: str,
    analysis: str,
    executor: str,
    witnesses: str,
    note: str,
    decisions: Sequence[Decided] = (),
) -> OfficialDocument:
    """Berita Acara Penghapusan Aset (D5 step 5).

    Its blocks: the executor's (their step 5 form), the Kasi's (their analysis form,
    step 2) and the Kabid's (their approval, step 3), from ``decisions``.
    """
    return _berita_acara(
        office,
        asset,
        title="BERITA ACARA PENGHAPUSAN ASET",
        number=number,
        at=at,
        activity="penghapusan",
        executor=executor,
        fields=[
            ("Alasan penghapusan", reason),
            ("Hasil telaahan", analysis),
            ("Cara penghapusan", method),
            ("Saksi", witnesses or "-"),
            ("Catatan", note or "-"),
        ],
        condition="Dihapuskan",
        closing=[
            "Dengan berita acara ini aset tersebut dihapus dari daftar aset aktif.",
            "Demikian berita acara ini dibuat dengan sebenarnya.",
        ],
        signatures=[
            decided_signature(
                office,
                "asset_manager",
                latest_decision(decisions, [5], executor),
                "Pelaksana,",
                username=executor,
            ),
            decided_signature(office, "kasi", latest_decision(decisions, [2]), "Mengetahui,"),
            decided_signature(office, "kabid", latest_decision(decisions, [3]), "Menyetujui,"),
        ],
    )


def activity_report(
    office: Office,
    *,
    title: str,
    number: str,
    at: datetime,
    paragraphs: Sequence[str],
    fields: Sequence[tuple[str, Any]],
    tables: Sequence[DocTable] = (),
    signatures: Sequence[Signature] = (),
) -> OfficialDocument:
    """A report (laporan) of a finished activity: installation, repair, procurement."""
    return OfficialDocument(
        office=office,
        title=title,
        number=number,
        date=at,
        paragraphs=list(paragraphs),
        fields=list(fields),
        tables=list(tables),
        closing=["Demikian laporan ini dibuat untuk dipergunakan sebagaimana mestinya."],
        signatures=list(signatures),
    )


def decisions_table(decisions: Sequence[Mapping[str, Any]], office: Office) -> DocTable:
    """The approvals of a run as a document table (step, role, who, decision, when).

    Args:
        decisions: Dicts with ``step``, ``role``, ``approver``, ``decision``, ``at``.
        office: For role titles and names.

    Returns:
        The table.
    """
    rows = [
        {
            "Langkah": d["step"],
            "Jabatan": office.role_titles.get(d["role"], d["role"]),
            "Nama": person_line(office, d["approver"]),
            "decision": d["decision"],
            "Waktu": d["at"],
        }
        for d in decisions
    ]
    frame = pd.DataFrame(rows, columns=["Langkah", "Jabatan", "Nama", "decision", "Waktu"])
    return DocTable(
        key="persetujuan", title="Persetujuan", frame=frame, headers={"decision": "Keputusan"}
    )
