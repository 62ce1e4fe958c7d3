"""Flow ``asset-relocation``: SOP D2, pemindahtempatan aset (relocation of an asset).

1. the Kasi's relocation plan (automatic: from where, to where, why);
2. the Kabid approves it (decision);
3. the Kadis approves it (decision);
4. the Kabid's Surat Penugasan to the Kasi;
5. the Kasi relocates the asset (form) with its Berita Acara;
6. reported: the asset's location changes in the register.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow
from pydantic import Field

from flows.approvals import SignedInput, WorkNote
from flows.assets.common import (
    FLOW_NAMES,
    AssetJob,
    AssetProcedureError,
    AssetRunSummary,
    open_asset_procedure,
)
from flows.engine import Procedure, StepResult
from reports.asset_documents import berita_acara_relocation
from sop.form_text import ShortText
from sop.model import Step

CODE = "D2"


class RelocationDoneForm(SignedInput):
    """D2 step 5: the relocation is done."""

    condition: ShortText = Field(default="Baik", description="Kondisi aset setelah dipindahkan")
    note: WorkNote = ""


@dataclass
class RelocationJob(AssetJob):
    """D2 on one asset: the Kasi's plan to move it, approved twice, carried out.

    Attributes:
        to_location: Where the asset goes.
        reason: Why it is moved.
        actor: The Kasi who plans it, or ``None`` for the first holder.
    """

    to_location: str
    reason: str
    actor: str | None

    def what(self, proc: Procedure) -> str:
        """The plan in one sentence (markdown)."""
        plan = proc.outputs(1)
        return (
            f"Rencana pemindahtempatan aset **{self.tag}** dari **{plan['from']}** ke "
            f"**{plan['to']}**. Alasan: {plan['reason']}"
        )

    def plan(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the plan: from the asset's location now to the destination."""
        a = self.run.asset()
        return StepResult(
            outputs={
                "tag": self.tag,
                "from": a.location or "-",
                "to": self.to_location.strip(),
                "reason": self.reason,
            },
            actor=self.actor,
        )

    def approve_kabid(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the Kabid decides on the plan (not its author)."""
        return self._decide(proc, step, 1)

    def approve_kadis(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: the Kadis decides on the plan (not its author)."""
        return self._decide(proc, step, 1)

    def _decide(self, proc: Procedure, step: Step, *prior: int) -> StepResult:
        return proc.decide(
            step,
            summary=self.what(proc) + "\n\n" + self.run.facts_md(),
            performed_by=proc.actors(*prior),
        )

    def assign(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: the Kabid's Surat Penugasan to the Kasi who planned it."""
        plan = proc.outputs(1)
        return self.run.assignment(
            proc,
            step,
            self.run.asset(),
            prefix="ST-PT",
            task=f"Melaksanakan pemindahtempatan aset {self.tag} dari {plan['from']} ke "
            f"{plan['to']}",
            basis="Rencana pemindahtempatan aset yang disetujui Kepala Bidang dan disahkan "
            "Kepala Dinas",
        )

    def relocate(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the relocation is done (form); its Berita Acara."""
        plan = proc.outputs(1)
        answer = proc.ask(
            step,
            RelocationDoneForm,
            summary=self.what(proc) + "\n\nIsi setelah aset selesai dipindahkan.",
        )
        run = self.run
        doc = berita_acara_relocation(
            run.office,
            run.asset(),
            number=run.number(proc, "BA-PT"),
            at=answer.decided_at,
            origin=plan["from"],
            destination=plan["to"],
            reason=plan["reason"],
            executor=answer.approver,
            condition=answer.data.get("condition") or "Baik",
            note=answer.data.get("note") or "",
            decisions=proc.signed(5),
        )
        return StepResult(outputs=answer.data, documents=run.publish(doc, "berita-acara"))

    def report(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: reported to the Kabid; the asset's location changes."""
        to = proc.outputs(1)["to"]
        kabid = proc.actors(2)[0]
        self.run.complete(proc, kabid, "relocated", location=to)
        return StepResult(outputs={"location": to}, actor=kabid)

    STEPS = (plan, approve_kabid, approve_kadis, assign, relocate, report)


@flow(name=FLOW_NAMES[CODE], log_prints=False)
def asset_relocation(
    tag: str,
    to_location: str,
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
    """SOP D2, pemindahtempatan aset (relocation of an asset).

    The asset's location changes in the register at the end (step 6).

    Args:
        tag: Kode aset (asset tag).
        to_location: Lokasi tujuan (destination).
        reason: Alasan pemindahan (reason).
        actor: Username Kasi yang mengajukan (the Kasi proposing it).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents (the Surat Penugasan, the Berita Acara).
    """
    if not to_location.strip():
        raise AssetProcedureError("to_location: empty")
    kasi = actor, "kasi", "actor"
    with open_asset_procedure(CODE, tag, reference, office_file, database_url, kasi) as run:
        job = RelocationJob(run, to_location=to_location, reason=reason, actor=actor)
        return job.perform(
            title=f"D2 Pemindahtempatan aset {tag} ke {to_location}",
            parameters={"tag": tag, "to_location": to_location, "reason": reason, "actor": actor},
        )
