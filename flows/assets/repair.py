"""Flow ``asset-repair``: SOP D4, perbaikan dan pemeliharaan aset (repair and maintenance).

1. the asset manager's analysis of the need (automatic; a linked incident is named);
2. the Kasi's Nota Dinas on the repair (form);
3. the Kabid approves it (decision);
4. the Kasi's Surat Penugasan to the asset manager: the asset is ``under_repair``;
5. the asset manager repairs or maintains it (form);
6. reported: the repair report; the asset is ``in_service`` again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from prefect import flow
from pydantic import Field

from flows.approvals import Note, SignedInput
from flows.assets.common import (
    FLOW_NAMES,
    AssetJob,
    AssetProcedureError,
    AssetRun,
    AssetRunSummary,
    open_asset_procedure,
)
from flows.engine import Procedure, StepResult
from records.incidents import incident_number
from reports.asset_documents import activity_report, asset_fields, decisions_table, nota_dinas
from reports.document import signature_for
from sop.assets import format_rupiah, status_after, status_during
from sop.form_text import MAX_RUPIAH, LongText, NameText
from sop.model import Step
from tasks import clock

CODE = "D4"


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
    note: Note = ""


@dataclass
class RepairJob(AssetJob):
    """D4 on one asset: the need, the Nota Dinas and its approval, the repair and report.

    Attributes:
        problem: What is wrong with the asset.
        analysis: The asset manager's analysis of what needs repair.
        incident: The SOP C incident the repair comes from, if any.
        manager: The asset manager who states the need (step 1).
    """

    problem: str
    analysis: str
    incident: str | None
    manager: str

    def analyse(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the asset manager's analysis of what needs repair."""
        return StepResult(
            outputs={
                "tag": self.tag,
                "problem": self.problem,
                "analysis": self.analysis,
                "incident": self.incident,
            },
            actor=self.manager,
        )

    def write_nota_dinas(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the Kasi writes the Nota Dinas (form); the letter, signed by the Kasi."""
        run = self.run
        ticket = f" (tiket {self.incident})" if self.incident else ""
        answer = proc.ask(
            step,
            NotaDinasForm,
            summary=f"Analisa pengelola aset atas **{self.tag}**: {self.problem}. "
            f"{self.analysis}{ticket}\n\n" + run.facts_md(),
            initial={"subject": f"Perbaikan/pemeliharaan aset {self.tag}"},
            performed_by=proc.actors(1),
        )
        outputs = {**answer.data, "number": run.number(proc, "ND")}
        return StepResult(outputs=outputs, documents=self.publish_nota_dinas(proc, outputs))

    def publish_nota_dinas(self, proc: Procedure, letter: dict[str, Any]) -> list[str]:
        """Write the Nota Dinas of step 2's ``letter`` with the decisions recorded so far."""
        run = self.run
        written = proc.completed(2)[-1]
        assert written.actor is not None and written.finished_at is not None
        doc = nota_dinas(
            run.office,
            run.asset(),
            number=str(letter.get("number") or run.number(proc, "ND")),
            at=written.finished_at,
            kasi=written.actor,
            subject=letter["subject"],
            analysis=f"{self.problem}. {self.analysis}",
            plan=letter["plan"],
            estimated_cost=letter.get("estimated_cost"),
            incident=self.incident,
            decisions=proc.signed(2),
        )
        return run.publish(doc, "nota-dinas")

    def approve_kabid(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: the Kabid decides on the Nota Dinas (not the Kasi who wrote it).

        The Nota Dinas is written again with the Kabid's decision in their block (and
        signed by them, after the Kasi).
        """
        nd = proc.outputs(2)
        result = proc.decide(
            step,
            summary=f"Nota Dinas: {nd.get('subject')}. Rencana: {nd.get('plan')}; perkiraan "
            f"biaya {format_rupiah(nd.get('estimated_cost'))}.\n\n" + self.run.facts_md(),
            performed_by=proc.actors(2),
        )
        return replace(result, documents=[*result.documents, *self.publish_nota_dinas(proc, nd)])

    def assign(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: the asset goes ``under_repair``; the Kasi's Surat Penugasan."""
        a = self.run.asset()
        kasi = self.run.performer(proc, step.role, step.number)
        self.run.change(proc, kasi, "status", status=status_during(CODE, a.status))
        return self.run.assignment(
            proc,
            step,
            a,
            prefix="ST-PB",
            task=f"Melaksanakan perbaikan/pemeliharaan aset {self.tag}: "
            f"{proc.outputs(2).get('plan')}",
            basis="Nota Dinas perbaikan/pemeliharaan aset yang disetujui Kepala Bidang",
        )

    def repair(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the asset manager reports what the repair did (form)."""
        answer = proc.ask(
            step,
            RepairReportForm,
            summary=f"Perbaikan/pemeliharaan aset **{self.tag}**: isi laporan kegiatan setelah "
            "selesai.\n\n" + self.run.facts_md(),
        )
        return StepResult(outputs=answer.data)

    def report(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: the asset is back in service; the repair report."""
        run = self.run
        report = proc.outputs(5)
        executor = proc.actors(5)[0]
        run.change(proc, executor, "status", status=status_after(CODE, "under_repair"))
        a = run.asset()
        fields: list[tuple[str, Any]] = [
            *asset_fields(a),
            ("Kebutuhan", self.problem),
            ("Tindakan", report.get("actions", "-")),
            ("Suku cadang diganti", report.get("parts_replaced") or "-"),
            ("Hasil", report.get("result", "-")),
            ("Catatan", report.get("note") or "-"),
        ]
        if self.incident:
            fields.append(("Tiket gangguan", self.incident))
        doc = activity_report(
            run.office,
            title="LAPORAN KEGIATAN PERBAIKAN DAN PEMELIHARAAN ASET",
            number=run.number(proc, "LAP-PB"),
            at=clock.now(),
            paragraphs=[
                "Berdasarkan Surat Penugasan, perbaikan/pemeliharaan aset berikut telah "
                "dilaksanakan."
            ],
            fields=fields,
            tables=[decisions_table(run.decisions(proc), run.office)],
            signatures=[
                signature_for(run.office, "asset_manager", executor, label="Pelaksana,"),
                signature_for(run.office, "kasi", proc.actors(2)[0], label="Mengetahui,"),
            ],
        )
        return StepResult(
            outputs={"status": a.status},
            actor=executor,
            documents=run.publish(doc, "laporan-perbaikan"),
        )

    STEPS = (analyse, write_nota_dinas, approve_kabid, assign, repair, report)


def linked_incident(run: AssetRun, ref: str | None) -> str | None:
    """The number of the incident the repair is linked to, if any.

    Raises:
        AssetProcedureError: No such incident.
    """
    if not ref:
        return None
    try:
        return incident_number(run.engine, ref)
    except LookupError as exc:
        raise AssetProcedureError(f"incident: {exc}") from exc


@flow(name=FLOW_NAMES[CODE], log_prints=False)
def asset_repair(
    tag: str,
    problem: str,
    analysis: str,
    incident: str | None = None,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
    """SOP D4, perbaikan dan pemeliharaan aset (repair and maintenance).

    The asset is ``under_repair`` from step 4 and ``in_service`` again at the end.

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
        Run key, status, outputs and documents (Nota Dinas, Surat Penugasan, repair report).
    """
    manager = actor, "asset_manager", "actor"
    with open_asset_procedure(CODE, tag, reference, office_file, database_url, manager) as run:
        incident_no = linked_incident(run, incident)
        job = RepairJob(
            run,
            problem=problem,
            analysis=analysis,
            incident=incident_no,
            manager=actor or run.office.holders("asset_manager")[0].username,
        )
        return job.perform(
            title=f"D4 Perbaikan/pemeliharaan aset {tag}",
            parameters={
                "tag": tag,
                "problem": problem,
                "analysis": analysis,
                "incident": incident_no,
                "actor": actor,
            },
        )
