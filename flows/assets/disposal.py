"""Flow ``asset-disposal``: SOP D5, penghapusan aset (disposal / write-off).

1. the asset manager states the need (automatic);
2. the Kasi analyses the disposal's requirements (form);
3. the Kabid decides (*Tidak*: back to the Kasi's analysis);
4. the Kasi's Surat Penugasan to the asset manager;
5. the asset manager disposes of the asset (form) with its Berita Acara;
6. reported: the asset is ``disposed`` in the register.

Refused at the start while the asset is held by someone or under repair.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow
from pydantic import Field

from flows.approvals import SignedInput, WorkNote
from flows.assets.common import FLOW_NAMES, AssetJob, AssetRunSummary, open_asset_procedure
from flows.engine import Procedure, StepResult
from reports.asset_documents import berita_acara_disposal
from sop.form_text import LongText, NameText
from sop.model import Step

CODE = "D5"


class DisposalReviewForm(SignedInput):
    """D5 step 2: the Kasi's analysis of the disposal's requirements."""

    requirements_met: bool = Field(description="Persyaratan penghapusan terpenuhi")
    method: NameText = Field(description="Cara penghapusan: pemusnahan, lelang, hibah, ...")
    analysis: LongText = Field(description="Hasil telaahan (analysis)")


class DisposalDoneForm(SignedInput):
    """D5 step 5: the disposal is done."""

    witnesses: LongText = Field(default="", description="Saksi (witnesses)")
    note: WorkNote = ""


@dataclass
class DisposalJob(AssetJob):
    """D5 on one asset: the need, the Kasi's analysis, the Kabid's decision, the disposal.

    Attributes:
        reason: Why the asset is to be disposed of.
        manager: The asset manager who states the need and disposes of the asset.
    """

    reason: str
    manager: str

    def state_need(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the asset manager's need for the disposal."""
        return StepResult(outputs={"tag": self.tag, "reason": self.reason}, actor=self.manager)

    def analyse(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the Kasi analyses the requirements and the method (form)."""
        answer = proc.ask(
            step,
            DisposalReviewForm,
            summary=f"Kebutuhan penghapusan aset **{self.tag}**: {self.reason}\n\n"
            + self.run.facts_md(),
            performed_by=proc.actors(1),
        )
        return StepResult(outputs=answer.data)

    def approve_kabid(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: the Kabid decides; a refusal or return goes back to the analysis."""
        review = proc.outputs(2)
        met = "terpenuhi" if review.get("requirements_met") else "TIDAK terpenuhi"
        return proc.decide(
            step,
            summary=f"Penghapusan aset **{self.tag}** ({self.reason}). Telaahan Kasi: "
            f"{review.get('analysis')}; persyaratan {met}; cara: {review.get('method')}."
            "\n\n`tolak`/`kembalikan` mengembalikan telaahan kepada Kasi.\n\n"
            + self.run.facts_md(),
            performed_by=proc.actors(1, 2),
        )

    def assign(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: the Kasi's Surat Penugasan to the asset manager."""
        return self.run.assignment(
            proc,
            step,
            self.run.asset(),
            prefix="ST-PH",
            task=f"Melaksanakan penghapusan aset {self.tag} dengan cara "
            f"{proc.outputs(2)['method']}",
            basis="Persetujuan penghapusan aset oleh Kepala Bidang",
        )

    def dispose(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the disposal is done (form); its Berita Acara."""
        run = self.run
        review = proc.outputs(2)
        answer = proc.ask(
            step,
            DisposalDoneForm,
            summary=f"Penghapusan aset **{self.tag}** dengan cara {review.get('method')}: isi "
            "setelah dilaksanakan.\n\n" + run.facts_md(),
        )
        doc = berita_acara_disposal(
            run.office,
            run.asset(),
            number=run.number(proc, "BA-PH"),
            at=answer.decided_at,
            method=review.get("method", "-"),
            reason=self.reason,
            analysis=review.get("analysis", "-"),
            executor=answer.approver,
            witnesses=answer.data.get("witnesses") or "",
            note=answer.data.get("note") or "",
            decisions=proc.signed(2, 5),
        )
        return StepResult(outputs=answer.data, documents=run.publish(doc, "berita-acara"))

    def report(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: reported; the asset is ``disposed``."""
        executor = proc.actors(5)[0]
        self.run.complete(proc, executor, "disposed")
        return StepResult(outputs={"status": "disposed"}, actor=executor)

    STEPS = (state_need, analyse, approve_kabid, assign, dispose, report)


@flow(name=FLOW_NAMES[CODE], log_prints=False)
def asset_disposal(
    tag: str,
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
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
        Run key, status, outputs and documents (the Surat Penugasan, the Berita Acara).
    """
    manager = actor, "asset_manager", "actor"
    with open_asset_procedure(CODE, tag, reference, office_file, database_url, manager) as run:
        job = DisposalJob(
            run, reason=reason, manager=actor or run.office.holders("asset_manager")[0].username
        )
        return job.perform(
            title=f"D5 Penghapusan aset {tag}",
            parameters={"tag": tag, "reason": reason, "actor": actor},
        )
