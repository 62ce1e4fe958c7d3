"""Flow ``asset-handover``: SOP D3, pemanfaatan aset: serah terima kepada pengguna.

1. the Kasi hands the asset over with a BAST (Berita Acara Serah Terima, automatic);
2. the receiving user confirms, installs and configures it (form, that user only;
   ``received: false`` ends the run) with the installation report; the BAST is written
   again with the user's receipt in their block (signed electronically by them);
3. filed: the user becomes the asset's custodian in the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prefect import flow
from pydantic import Field

from flows.approvals import Note, SignedInput
from flows.assets.common import FLOW_NAMES, AssetJob, AssetRunSummary, open_asset_procedure
from flows.engine import Procedure, StepResult
from reports.asset_documents import activity_report, asset_fields, bast, person_line
from reports.document import signature_for
from sop.form_text import LongText, NameText
from sop.model import Step
from sop.procedure import STOP
from tasks import clock

CODE = "D3"


class InstallationForm(SignedInput):
    """D3 step 2: the user received, installed and configured the asset."""

    received: bool = Field(
        description="Aset diterima sesuai BAST (received as in the BAST); tidak = ditolak"
    )
    location: NameText = Field(default="", description="Lokasi pemasangan (where it is installed)")
    configuration: LongText = Field(default="", description="Instalasi/konfigurasi yang dilakukan")
    note: Note = ""


@dataclass
class HandoverJob(AssetJob):
    """D3 on one asset: handed over with a BAST, received and installed by the user.

    Attributes:
        user: The asset user the asset is handed to.
        purpose: What the asset is for.
        giver: The Kasi who hands it over.
    """

    user: str
    purpose: str
    giver: str

    def hand_over(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the BAST, from the Kasi to the user (the user has not received it yet)."""
        outputs = {
            "tag": self.tag,
            "user": self.user,
            "purpose": self.purpose,
            "number": self.run.number(proc, "BAST"),
            "at": clock.now().isoformat(),
        }
        return StepResult(
            outputs=outputs, actor=self.giver, documents=self.publish_bast(proc, outputs)
        )

    def publish_bast(self, proc: Procedure, handed: dict[str, Any]) -> list[str]:
        """Write the BAST of step 1 with the user's receipt, once recorded (step 2)."""
        run = self.run
        at = handed.get("at")
        doc = bast(
            run.office,
            run.asset(),
            number=str(handed.get("number") or run.number(proc, "BAST")),
            at=datetime.fromisoformat(at) if isinstance(at, str) else clock.now(),
            giver=self.giver,
            receiver=self.user,
            purpose=self.purpose,
            decisions=proc.signed(2),
        )
        return run.publish(doc, "bast")

    def check_receiver(self, form: SignedInput) -> str | None:
        """Refuse an answer from anyone but the user the asset is handed to."""
        who = form.approver.strip()
        return None if who == self.user else f"aset diserahkan kepada {self.user}, bukan {who}"

    def install(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the user receives, installs and configures it; the installation report."""
        run = self.run
        answer = proc.ask(
            step,
            InstallationForm,
            summary=f"Serah terima aset **{self.tag}** kepada **{self.user}** ({self.purpose}). "
            "Isi setelah aset diterima, dipasang dan dikonfigurasi; `received: false` menolak "
            "serah terima.\n\n" + run.facts_md(),
            performed_by=proc.actors(1),
            check=self.check_receiver,
        )
        if not answer.data.get("received"):
            return StepResult(
                outputs=answer.data, branch=STOP, note="Serah terima ditolak pengguna aset"
            )
        a = run.asset()
        doc = activity_report(
            run.office,
            title="LAPORAN INSTALASI DAN KONFIGURASI ASET SISTEM ELEKTRONIK",
            number=run.number(proc, "LAP-INS"),
            at=answer.decided_at,
            paragraphs=[
                f"Aset telah diterima oleh {person_line(run.office, self.user)} sesuai Berita "
                "Acara Serah Terima Barang, dipasang dan dikonfigurasi sebagai berikut."
            ],
            fields=[
                *asset_fields(a),
                ("Lokasi pemasangan", answer.data.get("location") or a.location or "-"),
                ("Instalasi/konfigurasi", answer.data.get("configuration") or "-"),
                ("Catatan", answer.data.get("note") or "-"),
            ],
            signatures=[
                signature_for(run.office, "asset_user", self.user, label="Pengguna aset,"),
                signature_for(run.office, "kasi", self.giver, label="Mengetahui,"),
            ],
        )
        documents = run.publish(doc, "laporan-instalasi")
        # the BAST again, now with the receipt in the user's block (signed by them)
        documents += self.publish_bast(proc, proc.outputs(1))
        return StepResult(outputs=answer.data, documents=documents)

    def file(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: filed; the user is the custodian, the asset where it was installed."""
        installed = proc.outputs(2).get("location") or self.run.asset().location
        self.run.complete(proc, self.giver, "handed_over", custodian=self.user, location=installed)
        return StepResult(outputs={"custodian": self.user}, actor=self.giver)

    STEPS = (hand_over, install, file)


@flow(name=FLOW_NAMES[CODE], log_prints=False)
def asset_handover(
    tag: str,
    user: str,
    purpose: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
    """SOP D3, pemanfaatan aset: serah terima kepada pengguna (handover to a user).

    The receiving user becomes the asset's custodian at the end (step 3).

    Args:
        tag: Kode aset (asset tag).
        user: Username pengguna aset yang menerima (the receiving asset user).
        purpose: Keperluan (what the asset is for).
        actor: Username Kasi yang menyerahkan (the Kasi handing it over).
        reference: Rujukan run; sama = lanjutkan run itu.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and documents (the BAST, the installation report).
    """
    people = (actor, "kasi", "actor"), (user, "asset_user", "user")
    with open_asset_procedure(CODE, tag, reference, office_file, database_url, *people) as run:
        giver = actor or (run.office.holders("kasi")[0].username)
        job = HandoverJob(run, user=user, purpose=purpose, giver=giver)
        return job.perform(
            title=f"D3 Serah terima aset {tag} kepada {user}",
            parameters={"tag": tag, "user": user, "purpose": purpose, "actor": actor},
        )
