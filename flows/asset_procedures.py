"""Flows of SOP D's asset procedures D1-D5, on the step engine (:mod:`flows.engine`).

One flow per procedure; each step is the SOP's step (role, time standard), people
answer their forms and decisions through :meth:`flows.engine.Procedure.ask`
(role, personal code, separation of duties, SLA watch), and the register changes
only when the SOP says the work is done:

- ``asset-planning`` (D1): needs plan -> Kabid -> Kadis -> Kabid passes it to the
  Kasi, or returns it to the proposing Kasi when either refused (the SOP's *Tidak*
  branch: the Kasi revises the plan and it goes round again) -> budgeted ->
  procurement: the procured units enter the register as ``procured``.
- ``asset-relocation`` (D2): plan -> Kabid -> Kadis -> Surat Penugasan -> relocation
  with its Berita Acara -> reported: the location changes at the end.
- ``asset-handover`` (D3): BAST -> the user's installation report -> filed: the
  custodian is set when the user has signed for the asset.
- ``asset-repair`` (D4): analysis -> Nota Dinas -> Kabid -> Surat Penugasan
  (``under_repair`` from here) -> repair report -> reported (``in_service``).
- ``asset-disposal`` (D5): need -> Kasi's analysis -> Kabid (*Tidak*: back to the
  analysis) -> Surat Penugasan -> disposal with its Berita Acara -> ``disposed``.

A procedure that may not run on the asset as it stands (:func:`sop.assets.check_transition`)
is refused before anything is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow
from pydantic import Field
from sqlalchemy.engine import Engine

from config.office_file import load_office
from config.settings import Settings, load_settings
from config.sop_files import load_sops
from flows.approvals import ApprovalInput, SignedInput
from flows.engine import Procedure, StepHandler, StepResult
from records.approvals import list_approvals
from records.assets import add_asset, change_asset, existing_tags, get_asset
from records.db import make_engine, session_scope
from records.sop_runs import get_sop_run, load_sop_run
from reports.artifacts import artifact_key
from reports.asset_documents import (
    AssetFacts,
    activity_report,
    asset_fields,
    bast,
    berita_acara_disposal,
    berita_acara_relocation,
    decisions_table,
    nota_dinas,
    person_line,
    surat_penugasan,
)
from reports.document import DocTable, OfficialDocument, publish_document, signature_for
from reports.document import write_document as write_official
from sop.asset_procedures import (
    PlanItem,
    check_plan_items,
    letter_number,
    match_procured,
    plan_units,
    run_key,
    split_list,
)
from sop.assets import STATUS_LABELS, check_transition, format_rupiah, status_after, status_during
from sop.form_text import MAX_RUPIAH, LongText, NameText, ShortText
from sop.model import SopDefinition, Step
from sop.office import Office
from sop.procedure import NO, STOP, YES
from tasks import clock

FLOW_NAMES = {
    "D1": "asset-planning",
    "D2": "asset-relocation",
    "D3": "asset-handover",
    "D4": "asset-repair",
    "D5": "asset-disposal",
}
"""Prefect flow name of each procedure."""

DEPLOYMENT_NAMES = {
    "D1": "perencanaan-aset",
    "D2": "pemindahtempatan-aset",
    "D3": "serah-terima-aset",
    "D4": "perbaikan-aset",
    "D5": "penghapusan-aset",
}
"""Deployment name of each procedure (ad hoc runs)."""


class AssetProcedureError(ValueError):
    """An asset procedure may not start as asked (nothing was recorded)."""


# -- forms ----------------------------------------------------------------------------------


class PlanForm(SignedInput):
    """D1 step 1 after a return: the Kasi revises the needs plan."""

    items: list[PlanItem] = Field(description="Barang yang direncanakan (planned items)")
    reason: LongText = Field(description="Alasan kebutuhan (reason for the need)")


class BudgetForm(SignedInput):
    """D1 step 5: the plan is accommodated in the budget."""

    budget_reference: NameText = Field(
        description="Nomor/dokumen anggaran, mis. DPA (budget document reference)"
    )
    budget_amount: int = Field(
        ge=0, le=MAX_RUPIAH, description="Pagu anggaran, Rupiah (budgeted amount)"
    )
    note: LongText = Field(default="", description="Catatan (note)")


class ProcurementForm(SignedInput):
    """D1 step 6: the procured units, one new asset tag each, in plan order."""

    tags: LongText = Field(description="Kode aset baru, satu per unit, urut rencana, dipisah koma")
    serials: LongText = Field(default="", description="Nomor seri, urutan sama (boleh kosong)")
    vendor: ShortText = Field(default="", description="Penyedia/merek (vendor)")
    location: NameText = Field(default="", description="Lokasi penyimpanan (location)")
    warranty_end: date | None = Field(default=None, description="Akhir garansi (warranty end)")
    note: LongText = Field(default="", description="Catatan (note)")


class RelocationDoneForm(SignedInput):
    """D2 step 5: the relocation is done."""

    condition: ShortText = Field(default="Baik", description="Kondisi aset setelah dipindahkan")
    note: LongText = Field(default="", description="Catatan pelaksanaan (note)")


class InstallationForm(SignedInput):
    """D3 step 2: the user received, installed and configured the asset."""

    received: bool = Field(
        description="Aset diterima sesuai BAST (received as in the BAST); tidak = ditolak"
    )
    location: NameText = Field(default="", description="Lokasi pemasangan (where it is installed)")
    configuration: LongText = Field(default="", description="Instalasi/konfigurasi yang dilakukan")
    note: LongText = Field(default="", description="Catatan (note)")


class NotaDinasForm(SignedInput):
    """D4 step 2: the Kasi's Nota Dinas on the repair."""

    subject: NameText = Field(description="Perihal (subject)")
    plan: LongText = Field(description="Rencana kegiatan perbaikan/pemeliharaan (plan)")
    estimated_cost: int = Field(
        default=0, ge=0, le=MAX_RUPIAH, description="Perkiraan biaya, Rupiah"
    )


class RepairReportForm(SignedInput):
    """D4 step 5: what the repair or maintenance did."""

    actions: LongText = Field(description="Tindakan yang dilakukan (what was done)")
    parts_replaced: LongText = Field(default="", description="Suku cadang yang diganti (parts)")
    result: NameText = Field(default="Berfungsi normal", description="Hasil (result)")
    note: LongText = Field(default="", description="Catatan (note)")


class DisposalReviewForm(SignedInput):
    """D5 step 2: the Kasi's analysis of the disposal's requirements."""

    requirements_met: bool = Field(description="Persyaratan penghapusan terpenuhi")
    method: NameText = Field(description="Cara penghapusan: pemusnahan, lelang, hibah, ...")
    analysis: LongText = Field(description="Hasil telaahan (analysis)")


class DisposalDoneForm(SignedInput):
    """D5 step 5: the disposal is done."""

    witnesses: LongText = Field(default="", description="Saksi (witnesses)")
    note: LongText = Field(default="", description="Catatan pelaksanaan (note)")


# -- shared machinery -----------------------------------------------------------------------


@dataclass
class AssetRun:
    """What the steps of one asset procedure run share."""

    code: str
    office: Office
    settings: Settings
    sop: SopDefinition
    engine: Engine
    run_key: str
    reference: str
    tag: str | None

    @property
    def out_dir(self) -> Path:
        """Where the run's documents are written."""
        base = self.settings.report_dir or self.settings.data_dir / "reports"
        return base / "aset" / _safe(self.run_key)

    def asset(self) -> AssetFacts:
        """The asset as the register holds it now."""
        assert self.tag is not None
        with session_scope(self.engine) as session:
            a = get_asset(session, self.tag)
            return AssetFacts(
                tag=a.tag,
                name=a.name,
                category=a.category,
                status=a.status,
                vendor=a.vendor,
                model=a.model,
                serial=a.serial,
                location=a.location,
                custodian=a.custodian,
            )

    def change(self, proc: Procedure, actor: str | None, kind: str, **changes: Any) -> None:
        """Change the asset in the register, recorded against this run."""
        assert self.tag is not None
        with session_scope(self.engine) as session:
            change_asset(
                session,
                get_asset(session, self.tag),
                procedure=self.code,
                sop_run_id=proc.sop_run_id,
                actor=actor,
                at=clock.now(),
                kind=kind,
                **changes,
            )

    def complete(self, proc: Procedure, actor: str | None, kind: str, **changes: Any) -> None:
        """Record the procedure's end: the asset's status after it, with ``changes``."""
        self.change(
            proc, actor, kind, status=status_after(self.code, self.asset().status), **changes
        )

    def number(self, proc: Procedure, prefix: str) -> str:
        """A letter number for this run's document."""
        return letter_number(prefix, proc.sop_run_id, clock.now().astimezone(self.office.timezone))

    def publish(self, doc: OfficialDocument, name: str) -> list[str]:
        """Write a document (PDF, HTML, XLSX), publish it as artifacts; its file paths."""
        paths = write_official(doc, self.out_dir, name)
        publish_document(doc, paths, key=artifact_key(f"{self.reference}-{name}"))
        return [str(p) for p in paths.values()]

    def decisions(self, proc: Procedure) -> list[dict[str, Any]]:
        """The run's recorded decisions, oldest first."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, proc.sop_run_id)
            return [
                {
                    "step": a.step_number,
                    "role": a.role_key,
                    "approver": a.approver,
                    "decision": a.decision,
                    "at": a.decided_at,
                }
                for a in list_approvals(session, run)
            ]


def _safe(text: str) -> str:
    """A file-name-safe form of a text (pure).

    Examples:
        >>> _safe("D2/Diskominfo SP/SW-01 2026-12-01")
        'D2_Diskominfo-SP_SW-01-2026-12-01'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text.replace("/", "_")).strip("-")


def open_asset_run(
    code: str,
    *,
    reference: str,
    tag: str | None,
    office_file: str | None,
    database_url: str | None,
) -> AssetRun:
    """Load the office, the SOP and the records for one run (no check, nothing written)."""
    settings = load_settings()
    office = load_office(Path(office_file) if office_file else settings.office_file)
    sops = load_sops(office.sop_dir) if office.sop_dir else load_sops()
    engine = make_engine(database_url or settings.database_url)
    return AssetRun(
        code=code,
        office=office,
        settings=settings,
        sop=sops[code],
        engine=engine,
        run_key=run_key(code, office.short_name, reference),
        reference=reference,
        tag=tag,
    )


def check_start(engine: Engine, code: str, tag: str, key: str) -> None:
    """Refuse a procedure the asset's state does not allow (a continued run is not re-checked).

    Args:
        engine: Records database.
        code: ``D2`` ... ``D5``.
        tag: The asset's tag.
        key: The run key (a run already recorded under it continues).

    Raises:
        AssetProcedureError: No such asset, or the transition is refused.
    """
    with session_scope(engine) as session:
        if get_sop_run(session, key) is not None:
            return
        try:
            asset = get_asset(session, tag)
            check_transition(asset.status, asset.custodian, code)
        except (LookupError, ValueError) as exc:
            raise AssetProcedureError(str(exc)) from exc


def default_reference(tag: str | None) -> str:
    """``<tag> <date at the office>`` style reference for a new run (to the minute)."""
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return f"{tag} {stamp}" if tag else stamp


def run_procedure(
    job: AssetRun,
    *,
    title: str,
    parameters: Mapping[str, Any],
    handlers: Mapping[int, StepHandler],
    actor: str | None,
) -> dict[str, Any]:
    """Run the procedure; the run's key, status, outputs and documents."""
    try:
        proc = Procedure(
            engine=job.engine,
            office=job.office,
            settings=job.settings,
            sop=job.sop,
            run_key=job.run_key,
            title=title,
            parameters=dict(parameters),
            handlers=handlers,
            actor=actor,
        )
        result = proc.run()
        with session_scope(job.engine) as session:
            run = load_sop_run(session, result.sop_run_id)
            documents = [
                d for log in run.step_logs for d in log.documents if str(d).endswith(".pdf")
            ]
        return {
            "run_key": result.run_key,
            "sop_run_id": result.sop_run_id,
            "status": result.status,
            "outputs": {str(k): v for k, v in result.outputs.items()},
            "documents": documents,
        }
    finally:
        job.engine.dispose()


def _check_person(office: Office, username: str | None, role: str, what: str) -> None:
    if username is None:
        return
    if office.person(username) is None:
        raise AssetProcedureError(f"{what}: {username!r} is not a person in {office.file}")
    if not office.has_role(username, role):
        raise AssetProcedureError(
            f"{what}: {username!r} does not hold the role {role} "
            f"({office.role_titles.get(role, role)}) in {office.file}"
        )


def _auto(outputs: dict[str, Any], **kwargs: Any) -> StepResult:
    return StepResult(outputs=outputs, **kwargs)


def _facts_md(job: AssetRun) -> str:
    if job.tag is None:
        return ""
    a = job.asset()
    return "\n".join(f"- **{k}:** {v}" for k, v in asset_fields(a))


def _open_asset_procedure(
    code: str,
    tag: str,
    reference: str | None,
    office_file: str | None,
    database_url: str | None,
    *people: tuple[str | None, str, str],
) -> AssetRun:
    """Open a run on one asset; refused before anything is recorded (AssetProcedureError).

    ``reference`` None takes :func:`default_reference`; each ``(username, role, what)`` of
    ``people`` is checked in order, then the asset's state.
    """
    job = open_asset_run(
        code,
        reference=reference or default_reference(tag),
        tag=tag,
        office_file=office_file,
        database_url=database_url,
    )
    for username, role, what in people:
        _check_person(job.office, username, role, what)
    check_start(job.engine, code, tag, job.run_key)
    return job


def _assignment(
    job: AssetRun,
    proc: Procedure,
    asset: AssetFacts,
    *,
    prefix: str,
    signer_role: str,
    signer: str,
    assignee: str,
    assignee_role: str,
    task: str,
    basis: str,
) -> StepResult:
    """The Surat Penugasan step: the letter for step 5's work (its time standard), published."""
    letter = surat_penugasan(
        job.office,
        asset,
        number=job.number(proc, prefix),
        at=clock.now(),
        signer_role=signer_role,
        signer=signer,
        assignee=assignee,
        assignee_role=assignee_role,
        task=task,
        basis=basis,
        deadline=job.sop.step(5).time or "-",
    )
    return _auto(
        {"assignee": assignee}, actor=signer, documents=job.publish(letter, "surat-penugasan")
    )


# -- D1 planning and budgeting --------------------------------------------------------------


def _round_start(proc: Procedure) -> int:
    """How many times step 1 (the plan) has been completed in this run."""
    with session_scope(proc.engine) as session:
        run = load_sop_run(session, proc.sop_run_id)
        return sum(1 for log in run.step_logs if log.step_number == 1 and log.status == "completed")


def _plan_md(items: list[PlanItem], reason: str) -> str:
    lines = [
        "| Barang | Kategori | Jumlah | Harga satuan | Jumlah harga |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {i.name} | {i.category} | {i.quantity} | {format_rupiah(i.unit_cost)} "
        f"| {format_rupiah(i.total)} |"
        for i in items
    ]
    total = sum(i.total for i in items)
    return f"Alasan: {reason}\n\n" + "\n".join(lines) + f"\n\n**Total:** {format_rupiah(total)}"


def _plan_of(proc: Procedure) -> tuple[list[PlanItem], str]:
    out = proc.outputs(1)
    return check_plan_items(out["items"]), str(out.get("reason", ""))


@flow(name="asset-planning", log_prints=False)
def asset_planning(
    items: list[dict[str, Any]],
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP D1, perencanaan kebutuhan dan penganggaran aset (planning and budgeting).

    Args:
        items: Barang yang direncanakan: ``name``, ``category``, ``quantity``,
            ``unit_cost`` (Rupiah) per item (planned items).
        reason: Alasan kebutuhan (reason for the need).
        actor: Username Kasi pengusul (the proposing Kasi); kosong = Kasi pertama.
        reference: Rujukan run (run reference); sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, each step's outputs and the documents written.
    """
    plan = check_plan_items(items)
    job = open_asset_run(
        "D1",
        reference=reference or default_reference(None),
        tag=None,
        office_file=office_file,
        database_url=database_url,
    )
    _check_person(job.office, actor, "kasi", "actor")
    proposer = actor

    def step1(proc: Procedure, step: Step) -> StepResult:
        if _round_start(proc) == 0:
            return _auto(
                {"items": [i.model_dump() for i in plan], "reason": reason},
                actor=proposer,
            )
        previous, why = _plan_of(proc)
        proposers = proc.actors(1)

        def check(form: SignedInput) -> str | None:
            who = form.approver.strip()
            if who in proposers:
                return None
            return f"rencana dikembalikan kepada pengusulnya ({', '.join(proposers)}), bukan {who}"

        answer = proc.ask(
            step,
            PlanForm,
            check=check,
            summary="Rencana kebutuhan dikembalikan; perbaiki dan ajukan lagi.\n\n"
            + _plan_md(previous, why),
            initial={"items": [i.model_dump() for i in previous], "reason": why},
        )
        return StepResult(outputs={"items": answer.data["items"], "reason": answer.data["reason"]})

    def approval(step_no: int) -> StepHandler:
        def handle(proc: Procedure, step: Step) -> StepResult:
            if step_no == 3 and proc.outputs(2).get("decision") != "setuju":
                kabid = proc.actors(2)
                return _auto(
                    {"decision": None, "skipped": True},
                    actor=kabid[0] if kabid else None,
                    note="Tidak diajukan ke Kadis: rencana tidak disetujui Kabid (langkah 2)",
                )
            items_now, why = _plan_of(proc)
            answer = proc.ask(
                step,
                ApprovalInput,
                summary="Rencana kebutuhan aset:\n\n" + _plan_md(items_now, why),
                performed_by=proc.actors(1),
            )
            return StepResult(outputs={"decision": answer.decision or "tolak"})

        return handle

    def step4(proc: Procedure, step: Step) -> StepResult:
        kabid = proc.actors(2)
        approved = (
            proc.outputs(2).get("decision") == "setuju"
            and proc.outputs(3).get("decision") == "setuju"
        )
        who = "Kabid" if proc.outputs(2).get("decision") != "setuju" else "Kadis"
        return _auto(
            {"approved": approved},
            branch=YES if approved else NO,
            actor=kabid[0] if kabid else None,
            note="Diteruskan kepada Kasi untuk ditindaklanjuti"
            if approved
            else f"Tidak disetujui {who}: dikembalikan kepada Kasi yang mengusulkan",
        )

    def step5(proc: Procedure, step: Step) -> StepResult:
        items_now, why = _plan_of(proc)
        total = sum(i.total for i in items_now)
        answer = proc.ask(
            step,
            BudgetForm,
            summary="Rencana disetujui Kabid dan Kadis; catat penganggarannya.\n\n"
            + _plan_md(items_now, why),
            initial={"budget_amount": total},
        )
        return StepResult(outputs=answer.data)

    def step6(proc: Procedure, step: Step) -> StepResult:
        items_now, why = _plan_of(proc)
        units = plan_units(items_now)

        def check(form: SignedInput) -> str | None:
            assert isinstance(form, ProcurementForm)
            try:
                pairs = match_procured(units, split_list(form.tags), split_list(form.serials))
            except ValueError as exc:
                return str(exc)
            with session_scope(job.engine) as session:
                taken = existing_tags(session, [tag for _, tag, _ in pairs])
            return f"tags: sudah ada di register: {', '.join(sorted(taken))}" if taken else None

        answer = proc.ask(
            step,
            ProcurementForm,
            summary="Pengadaan: beri kode aset baru untuk setiap unit, urut rencana "
            f"({len(units)} unit: " + ", ".join(u.name for u in units) + ").",
            check=check,
        )
        form = answer.data
        pairs = match_procured(units, split_list(form["tags"]), split_list(form["serials"]))
        now = clock.now()
        warranty = date.fromisoformat(form["warranty_end"]) if form.get("warranty_end") else None
        with session_scope(job.engine) as session:
            for unit, tag, serial in pairs:
                add_asset(
                    session,
                    procedure="D1",
                    sop_run_id=proc.sop_run_id,
                    actor=answer.approver,
                    at=now,
                    tag=tag,
                    category=unit.category,
                    name=unit.name,
                    vendor=form.get("vendor") or None,
                    serial=serial,
                    location=form.get("location") or None,
                    status=status_after("D1", "planned"),
                    acquired_on=now.astimezone(job.office.timezone).date(),
                    value=unit.unit_cost,
                    warranty_end=warranty,
                )
        frame = _procured_frame(pairs)
        budget = proc.outputs(5)
        doc = activity_report(
            job.office,
            title="LAPORAN KEGIATAN PENGADAAN ASET SISTEM ELEKTRONIK",
            number=job.number(proc, "LAP-PGD"),
            at=now,
            paragraphs=[
                "Rencana kebutuhan aset telah disetujui Kepala Bidang dan Kepala Dinas, "
                "dianggarkan, dan pengadaannya telah dilaksanakan dengan rincian berikut.",
                f"Alasan kebutuhan: {why}",
            ],
            fields=[
                ("Dokumen anggaran", budget.get("budget_reference", "-")),
                ("Pagu anggaran", format_rupiah(budget.get("budget_amount"))),
                ("Nilai pengadaan", format_rupiah(sum(u.unit_cost for u in units))),
                ("Jumlah unit", len(units)),
                ("Penyedia", form.get("vendor") or "-"),
            ],
            tables=[
                DocTable(key="aset", title="Aset yang diadakan", frame=frame),
                decisions_table(job.decisions(proc), job.office),
            ],
            signatures=[
                signature_for(job.office, "asset_manager", answer.approver, label="Pelaksana,"),
                signature_for(job.office, "kasi", None, label="Mengetahui,"),
            ],
        )
        return StepResult(
            outputs={"assets": [tag for _, tag, _ in pairs]},
            documents=job.publish(doc, "laporan-pengadaan"),
        )

    handlers: dict[int, StepHandler] = {
        1: step1,
        2: approval(2),
        3: approval(3),
        4: step4,
        5: step5,
        6: step6,
    }
    return run_procedure(
        job,
        title=f"D1 Rencana kebutuhan aset: {', '.join(i.name for i in plan)}"[:480],
        parameters={"items": [i.model_dump() for i in plan], "reason": reason, "actor": actor},
        handlers=handlers,
        actor=None,
    )


def _procured_frame(pairs: list[tuple[PlanItem, str, str | None]]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "Kode aset": tag,
                "Nama": unit.name,
                "Kategori": unit.category,
                "Nomor seri": serial or "-",
                "Nilai": unit.unit_cost,
                "status": STATUS_LABELS["procured"],
            }
            for unit, tag, serial in pairs
        ]
    )


# -- D2 relocation --------------------------------------------------------------------------


@flow(name="asset-relocation", log_prints=False)
def asset_relocation(
    tag: str,
    to_location: str,
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP D2, pemindahtempatan aset (relocation of an asset).

    Args:
        tag: Kode aset (asset tag).
        to_location: Lokasi tujuan (destination).
        reason: Alasan pemindahan (reason).
        actor: Username Kasi yang mengajukan (the Kasi proposing it).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents.
    """
    if not to_location.strip():
        raise AssetProcedureError("to_location: empty")
    job = _open_asset_procedure(
        "D2", tag, reference, office_file, database_url, (actor, "kasi", "actor")
    )

    def step1(proc: Procedure, step: Step) -> StepResult:
        a = job.asset()
        return _auto(
            {"tag": tag, "from": a.location or "-", "to": to_location.strip(), "reason": reason},
            actor=actor,
        )

    def what(proc: Procedure) -> str:
        plan = proc.outputs(1)
        return (
            f"Rencana pemindahtempatan aset **{tag}** dari **{plan['from']}** ke "
            f"**{plan['to']}**. Alasan: {plan['reason']}"
        )

    def approve(prior: tuple[int, ...]) -> StepHandler:
        def handle(proc: Procedure, step: Step) -> StepResult:
            return proc.decide(
                step, summary=what(proc) + "\n\n" + _facts_md(job), performed_by=proc.actors(*prior)
            )

        return handle

    def step4(proc: Procedure, step: Step) -> StepResult:
        plan = proc.outputs(1)
        executor = proc.actors(1)[0]
        kabid = proc.actors(2)[0]
        return _assignment(
            job,
            proc,
            job.asset(),
            prefix="ST-PT",
            signer_role="kabid",
            signer=kabid,
            assignee=executor,
            assignee_role="kasi",
            task=f"Melaksanakan pemindahtempatan aset {tag} dari {plan['from']} ke {plan['to']}",
            basis="Rencana pemindahtempatan aset yang disetujui Kepala Bidang dan disahkan "
            "Kepala Dinas",
        )

    def step5(proc: Procedure, step: Step) -> StepResult:
        plan = proc.outputs(1)
        answer = proc.ask(
            step,
            RelocationDoneForm,
            summary=what(proc) + "\n\nIsi setelah aset selesai dipindahkan.",
        )
        doc = berita_acara_relocation(
            job.office,
            job.asset(),
            number=job.number(proc, "BA-PT"),
            at=answer.decided_at,
            origin=plan["from"],
            destination=plan["to"],
            reason=plan["reason"],
            executor=answer.approver,
            condition=answer.data.get("condition") or "Baik",
            note=answer.data.get("note") or "",
        )
        return StepResult(outputs=answer.data, documents=job.publish(doc, "berita-acara"))

    def step6(proc: Procedure, step: Step) -> StepResult:
        plan = proc.outputs(1)
        kabid = proc.actors(2)[0]
        job.complete(proc, kabid, "relocated", location=plan["to"])
        return _auto({"location": plan["to"]}, actor=kabid)

    handlers = {
        1: step1,
        2: approve((1,)),
        3: approve((1,)),
        4: step4,
        5: step5,
        6: step6,
    }
    return run_procedure(
        job,
        title=f"D2 Pemindahtempatan aset {tag} ke {to_location}",
        parameters={"tag": tag, "to_location": to_location, "reason": reason, "actor": actor},
        handlers=handlers,
        actor=None,
    )


# -- D3 handover ----------------------------------------------------------------------------


@flow(name="asset-handover", log_prints=False)
def asset_handover(
    tag: str,
    user: str,
    purpose: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP D3, pemanfaatan aset: serah terima kepada pengguna (handover to a user).

    Args:
        tag: Kode aset (asset tag).
        user: Username pengguna aset yang menerima (the receiving asset user).
        purpose: Keperluan (what the asset is for).
        actor: Username Kasi yang menyerahkan (the Kasi handing it over).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents.
    """
    job = _open_asset_procedure(
        "D3",
        tag,
        reference,
        office_file,
        database_url,
        (actor, "kasi", "actor"),
        (user, "asset_user", "user"),
    )
    giver = actor or (job.office.holders("kasi")[0].username)

    def step1(proc: Procedure, step: Step) -> StepResult:
        doc = bast(
            job.office,
            job.asset(),
            number=job.number(proc, "BAST"),
            at=clock.now(),
            giver=giver,
            receiver=user,
            purpose=purpose,
        )
        return _auto(
            {"tag": tag, "user": user, "purpose": purpose},
            actor=giver,
            documents=job.publish(doc, "bast"),
        )

    def step2(proc: Procedure, step: Step) -> StepResult:
        def check(form: SignedInput) -> str | None:
            who = form.approver.strip()
            return None if who == user else f"aset diserahkan kepada {user}, bukan {who}"

        answer = proc.ask(
            step,
            InstallationForm,
            summary=f"Serah terima aset **{tag}** kepada **{user}** ({purpose}). Isi setelah "
            "aset diterima, dipasang dan dikonfigurasi; `received: false` menolak serah terima."
            "\n\n" + _facts_md(job),
            performed_by=proc.actors(1),
            check=check,
        )
        if not answer.data.get("received"):
            return StepResult(
                outputs=answer.data, branch=STOP, note="Serah terima ditolak pengguna aset"
            )
        a = job.asset()
        doc = activity_report(
            job.office,
            title="LAPORAN INSTALASI DAN KONFIGURASI ASET SISTEM ELEKTRONIK",
            number=job.number(proc, "LAP-INS"),
            at=answer.decided_at,
            paragraphs=[
                f"Aset telah diterima oleh {person_line(job.office, user)} sesuai Berita Acara "
                "Serah Terima Barang, dipasang dan dikonfigurasi sebagai berikut."
            ],
            fields=[
                *asset_fields(a),
                ("Lokasi pemasangan", answer.data.get("location") or a.location or "-"),
                ("Instalasi/konfigurasi", answer.data.get("configuration") or "-"),
                ("Catatan", answer.data.get("note") or "-"),
            ],
            signatures=[
                signature_for(job.office, "asset_user", user, label="Pengguna aset,"),
                signature_for(job.office, "kasi", giver, label="Mengetahui,"),
            ],
        )
        return StepResult(outputs=answer.data, documents=job.publish(doc, "laporan-instalasi"))

    def step3(proc: Procedure, step: Step) -> StepResult:
        installed = proc.outputs(2).get("location") or job.asset().location
        job.complete(proc, giver, "handed_over", custodian=user, location=installed)
        return _auto({"custodian": user}, actor=giver)

    return run_procedure(
        job,
        title=f"D3 Serah terima aset {tag} kepada {user}",
        parameters={"tag": tag, "user": user, "purpose": purpose, "actor": actor},
        handlers={1: step1, 2: step2, 3: step3},
        actor=None,
    )


# -- D4 repair and maintenance --------------------------------------------------------------


def _incident_number(engine: Engine, ref: str) -> str:
    from records.incidents import get_incident

    with session_scope(engine) as session:
        try:
            return get_incident(session, ref).number
        except LookupError as exc:
            raise AssetProcedureError(f"incident: {exc}") from exc


@flow(name="asset-repair", log_prints=False)
def asset_repair(
    tag: str,
    problem: str,
    analysis: str,
    incident: str | None = None,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP D4, perbaikan dan pemeliharaan aset (repair and maintenance).

    Args:
        tag: Kode aset (asset tag).
        problem: Kebutuhan perbaikan/pemeliharaan (what needs repair).
        analysis: Hasil analisa pengelola aset (the asset manager's analysis).
        incident: Nomor tiket gangguan terkait, mis. ``INC-2026-0001`` (linked incident).
        actor: Username pengelola aset (the asset manager).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents.
    """
    job = _open_asset_procedure(
        "D4", tag, reference, office_file, database_url, (actor, "asset_manager", "actor")
    )
    incident_no = _incident_number(job.engine, incident) if incident else None
    manager = actor or job.office.holders("asset_manager")[0].username

    def step1(proc: Procedure, step: Step) -> StepResult:
        return _auto(
            {"tag": tag, "problem": problem, "analysis": analysis, "incident": incident_no},
            actor=manager,
        )

    def step2(proc: Procedure, step: Step) -> StepResult:
        answer = proc.ask(
            step,
            NotaDinasForm,
            summary=f"Analisa pengelola aset atas **{tag}**: {problem}. {analysis}"
            + (f" (tiket {incident_no})" if incident_no else "")
            + "\n\n"
            + _facts_md(job),
            initial={"subject": f"Perbaikan/pemeliharaan aset {tag}"},
            performed_by=proc.actors(1),
        )
        doc = nota_dinas(
            job.office,
            job.asset(),
            number=job.number(proc, "ND"),
            at=answer.decided_at,
            kasi=answer.approver,
            subject=answer.data["subject"],
            analysis=f"{problem}. {analysis}",
            plan=answer.data["plan"],
            estimated_cost=answer.data.get("estimated_cost"),
            incident=incident_no,
        )
        return StepResult(outputs=answer.data, documents=job.publish(doc, "nota-dinas"))

    def step3(proc: Procedure, step: Step) -> StepResult:
        nd = proc.outputs(2)
        return proc.decide(
            step,
            summary=f"Nota Dinas: {nd.get('subject')}. Rencana: {nd.get('plan')}; perkiraan "
            f"biaya {format_rupiah(nd.get('estimated_cost'))}.\n\n" + _facts_md(job),
            performed_by=proc.actors(2),
        )

    def step4(proc: Procedure, step: Step) -> StepResult:
        kasi = proc.actors(2)[0]
        a = job.asset()
        job.change(proc, kasi, "status", status=status_during("D4", a.status))
        return _assignment(
            job,
            proc,
            a,
            prefix="ST-PB",
            signer_role="kasi",
            signer=kasi,
            assignee=manager,
            assignee_role="asset_manager",
            task=f"Melaksanakan perbaikan/pemeliharaan aset {tag}: {proc.outputs(2).get('plan')}",
            basis="Nota Dinas perbaikan/pemeliharaan aset yang disetujui Kepala Bidang",
        )

    def step5(proc: Procedure, step: Step) -> StepResult:
        answer = proc.ask(
            step,
            RepairReportForm,
            summary=f"Perbaikan/pemeliharaan aset **{tag}**: isi laporan kegiatan setelah "
            "selesai.\n\n" + _facts_md(job),
        )
        return StepResult(outputs=answer.data)

    def step6(proc: Procedure, step: Step) -> StepResult:
        report = proc.outputs(5)
        executor = proc.actors(5)[0]
        job.change(proc, executor, "status", status=status_after("D4", "under_repair"))
        a = job.asset()
        fields: list[tuple[str, Any]] = [
            *asset_fields(a),
            ("Kebutuhan", problem),
            ("Tindakan", report.get("actions", "-")),
            ("Suku cadang diganti", report.get("parts_replaced") or "-"),
            ("Hasil", report.get("result", "-")),
            ("Catatan", report.get("note") or "-"),
        ]
        if incident_no:
            fields.append(("Tiket gangguan", incident_no))
        doc = activity_report(
            job.office,
            title="LAPORAN KEGIATAN PERBAIKAN DAN PEMELIHARAAN ASET",
            number=job.number(proc, "LAP-PB"),
            at=clock.now(),
            paragraphs=[
                "Berdasarkan Surat Penugasan, perbaikan/pemeliharaan aset berikut telah "
                "dilaksanakan."
            ],
            fields=fields,
            tables=[decisions_table(job.decisions(proc), job.office)],
            signatures=[
                signature_for(job.office, "asset_manager", executor, label="Pelaksana,"),
                signature_for(job.office, "kasi", proc.actors(2)[0], label="Mengetahui,"),
            ],
        )
        return _auto(
            {"status": a.status}, actor=executor, documents=job.publish(doc, "laporan-perbaikan")
        )

    return run_procedure(
        job,
        title=f"D4 Perbaikan/pemeliharaan aset {tag}",
        parameters={
            "tag": tag,
            "problem": problem,
            "analysis": analysis,
            "incident": incident_no,
            "actor": actor,
        },
        handlers={1: step1, 2: step2, 3: step3, 4: step4, 5: step5, 6: step6},
        actor=None,
    )


# -- D5 disposal ----------------------------------------------------------------------------


@flow(name="asset-disposal", log_prints=False)
def asset_disposal(
    tag: str,
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP D5, penghapusan aset (disposal / write-off).

    Refused at the start while the asset is held by someone or under repair.

    Args:
        tag: Kode aset (asset tag).
        reason: Kebutuhan penghapusan (why it is to be disposed of).
        actor: Username pengelola aset (the asset manager).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents.
    """
    job = _open_asset_procedure(
        "D5", tag, reference, office_file, database_url, (actor, "asset_manager", "actor")
    )
    manager = actor or job.office.holders("asset_manager")[0].username

    def step1(proc: Procedure, step: Step) -> StepResult:
        return _auto({"tag": tag, "reason": reason}, actor=manager)

    def step2(proc: Procedure, step: Step) -> StepResult:
        answer = proc.ask(
            step,
            DisposalReviewForm,
            summary=f"Kebutuhan penghapusan aset **{tag}**: {reason}\n\n" + _facts_md(job),
            performed_by=proc.actors(1),
        )
        return StepResult(outputs=answer.data)

    def step3(proc: Procedure, step: Step) -> StepResult:
        review = proc.outputs(2)
        met = "terpenuhi" if review.get("requirements_met") else "TIDAK terpenuhi"
        return proc.decide(
            step,
            summary=f"Penghapusan aset **{tag}** ({reason}). Telaahan Kasi: "
            f"{review.get('analysis')}; persyaratan {met}; cara: {review.get('method')}."
            "\n\n`tolak`/`kembalikan` mengembalikan telaahan kepada Kasi.\n\n" + _facts_md(job),
            performed_by=proc.actors(1, 2),
        )

    def step4(proc: Procedure, step: Step) -> StepResult:
        kasi = proc.actors(2)[0]
        return _assignment(
            job,
            proc,
            job.asset(),
            prefix="ST-PH",
            signer_role="kasi",
            signer=kasi,
            assignee=manager,
            assignee_role="asset_manager",
            task=f"Melaksanakan penghapusan aset {tag} dengan cara {proc.outputs(2)['method']}",
            basis="Persetujuan penghapusan aset oleh Kepala Bidang",
        )

    def step5(proc: Procedure, step: Step) -> StepResult:
        review = proc.outputs(2)
        answer = proc.ask(
            step,
            DisposalDoneForm,
            summary=f"Penghapusan aset **{tag}** dengan cara {review.get('method')}: isi "
            "setelah dilaksanakan.\n\n" + _facts_md(job),
        )
        doc = berita_acara_disposal(
            job.office,
            job.asset(),
            number=job.number(proc, "BA-PH"),
            at=answer.decided_at,
            method=review.get("method", "-"),
            reason=reason,
            analysis=review.get("analysis", "-"),
            executor=answer.approver,
            witnesses=answer.data.get("witnesses") or "",
            note=answer.data.get("note") or "",
        )
        return StepResult(outputs=answer.data, documents=job.publish(doc, "berita-acara"))

    def step6(proc: Procedure, step: Step) -> StepResult:
        executor = proc.actors(5)[0]
        job.complete(proc, executor, "disposed")
        return _auto({"status": "disposed"}, actor=executor)

    return run_procedure(
        job,
        title=f"D5 Penghapusan aset {tag}",
        parameters={"tag": tag, "reason": reason, "actor": actor},
        handlers={1: step1, 2: step2, 3: step3, 4: step4, 5: step5, 6: step6},
        actor=None,
    )


FLOWS: dict[str, Callable[..., dict[str, Any]]] = {
    "D1": asset_planning,
    "D2": asset_relocation,
    "D3": asset_handover,
    "D4": asset_repair,
    "D5": asset_disposal,
}
"""The flow of each procedure."""
