"""Flow ``asset-planning``: SOP D1, perencanaan kebutuhan dan penganggaran aset.

1. the Kasi proposes the needs plan (automatic: the flow's items); after a return
   the proposing Kasi revises it (form) and it goes round again;
2. the Kabid approves it (decision);
3. the Kadis approves it (decision; skipped when the Kabid refused);
4. the Kabid passes it to the Kasi (*Ya* -> 5), or returns it to the proposing
   Kasi when either refused (the SOP's *Tidak* branch -> 1);
5. the Kasi records the budget (form);
6. the asset manager records the procurement (form, one new tag per unit): the
   units enter the register as ``procured``, with the procurement report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from prefect import flow
from pydantic import Field

from flows.approvals import ApprovalInput, Note, SignedInput
from flows.assets.common import (
    FLOW_NAMES,
    AssetJob,
    AssetRunSummary,
    open_asset_procedure,
)
from flows.engine import Procedure, StepResult
from records.asset_runs import completed_count
from records.assets import add_assets, taken_tags
from reports.asset_documents import activity_report, decisions_table
from reports.document import DocTable, signature_for
from sop.asset_procedures import (
    PlanItem,
    check_plan_items,
    match_procured,
    plan_units,
    split_list,
)
from sop.assets import STATUS_LABELS, format_rupiah, status_after
from sop.form_text import MAX_RUPIAH, LongText, NameText, ShortText
from sop.model import Step
from sop.procedure import NO, YES
from tasks import clock

CODE = "D1"


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
    note: Note = ""


class ProcurementForm(SignedInput):
    """D1 step 6: the procured units, one new asset tag each, in plan order."""

    tags: LongText = Field(description="Kode aset baru, satu per unit, urut rencana, dipisah koma")
    serials: LongText = Field(default="", description="Nomor seri, urutan sama (boleh kosong)")
    vendor: ShortText = Field(default="", description="Penyedia/merek (vendor)")
    location: NameText = Field(default="", description="Lokasi penyimpanan (location)")
    warranty_end: date | None = Field(default=None, description="Akhir garansi (warranty end)")
    note: Note = ""


def plan_markdown(items: list[PlanItem], reason: str) -> str:
    """The plan as markdown: the reason, a table of the items, the total (pure).

    Examples:
        >>> item = PlanItem(name="AP", category="hardware", quantity=2, unit_cost=1000)
        >>> print(plan_markdown([item], "Wi-Fi"))
        Alasan: Wi-Fi
        <BLANKLINE>
        | Barang | Kategori | Jumlah | Harga satuan | Jumlah harga |
        |---|---|---|---|---|
        | AP | hardware | 2 | Rp 1.000 | Rp 2.000 |
        <BLANKLINE>
        **Total:** Rp 2.000
    """
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


def procured_frame(pairs: list[tuple[PlanItem, str, str | None]]) -> pd.DataFrame:
    """The procured units as the report's table: tag, name, category, serial, value (pure)."""
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


@dataclass
class PlanningJob(AssetJob):
    """D1 for a list of items: proposed, approved, budgeted, procured into the register.

    Attributes:
        plan: The planned items as the flow was given them.
        reason: Why they are needed.
        proposer: The Kasi who proposes the plan, or ``None`` for the first holder.
    """

    plan: list[PlanItem]
    reason: str
    proposer: str | None

    @staticmethod
    def plan_now(proc: Procedure) -> tuple[list[PlanItem], str]:
        """The plan's items and reason as step 1 last recorded them."""
        out = proc.outputs(1)
        return check_plan_items(out["items"]), str(out.get("reason", ""))

    def propose(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the flow's plan the first time; after a return, the proposer revises it."""
        if completed_count(proc.engine, proc.sop_run_id, 1) == 0:
            return StepResult(
                outputs={"items": [i.model_dump() for i in self.plan], "reason": self.reason},
                actor=self.proposer,
            )
        previous, why = self.plan_now(proc)
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
            + plan_markdown(previous, why),
            initial={"items": [i.model_dump() for i in previous], "reason": why},
        )
        return StepResult(outputs={"items": answer.data["items"], "reason": answer.data["reason"]})

    def approve_kabid(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the Kabid approves or refuses the plan."""
        return self._approve(proc, step)

    def approve_kadis(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: the Kadis approves or refuses; skipped when the Kabid refused."""
        if proc.outputs(2).get("decision") != "setuju":
            kabid = proc.actors(2)
            return StepResult(
                outputs={"decision": None, "skipped": True},
                actor=kabid[0] if kabid else None,
                note="Tidak diajukan ke Kadis: rencana tidak disetujui Kabid (langkah 2)",
            )
        return self._approve(proc, step)

    def _approve(self, proc: Procedure, step: Step) -> StepResult:
        """A decision on the plan by the step's role (not by its proposer)."""
        items_now, why = self.plan_now(proc)
        answer = proc.ask(
            step,
            ApprovalInput,
            summary="Rencana kebutuhan aset:\n\n" + plan_markdown(items_now, why),
            performed_by=proc.actors(1),
        )
        return StepResult(outputs={"decision": answer.decision or "tolak"})

    def forward(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: passed on to the Kasi when both approved, else back to the proposer."""
        kabid = proc.actors(2)
        approved = (
            proc.outputs(2).get("decision") == "setuju"
            and proc.outputs(3).get("decision") == "setuju"
        )
        who = "Kabid" if proc.outputs(2).get("decision") != "setuju" else "Kadis"
        return StepResult(
            outputs={"approved": approved},
            branch=YES if approved else NO,
            actor=kabid[0] if kabid else None,
            note="Diteruskan kepada Kasi untuk ditindaklanjuti"
            if approved
            else f"Tidak disetujui {who}: dikembalikan kepada Kasi yang mengusulkan",
        )

    def budget(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the Kasi records the budget (the plan's total to start with)."""
        items_now, why = self.plan_now(proc)
        total = sum(i.total for i in items_now)
        answer = proc.ask(
            step,
            BudgetForm,
            summary="Rencana disetujui Kabid dan Kadis; catat penganggarannya.\n\n"
            + plan_markdown(items_now, why),
            initial={"budget_amount": total},
        )
        return StepResult(outputs=answer.data)

    def procure(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: the procured units enter the register; the procurement report."""
        items_now, why = self.plan_now(proc)
        units = plan_units(items_now)

        def check(form: SignedInput) -> str | None:
            assert isinstance(form, ProcurementForm)
            try:
                pairs = match_procured(units, split_list(form.tags), split_list(form.serials))
            except ValueError as exc:
                return str(exc)
            taken = taken_tags(proc.engine, [tag for _, tag, _ in pairs])
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
        self._register(proc, pairs, form, approver=answer.approver, now=now)
        run = self.run
        budget = proc.outputs(5)
        doc = activity_report(
            run.office,
            title="LAPORAN KEGIATAN PENGADAAN ASET SISTEM ELEKTRONIK",
            number=run.number(proc, "LAP-PGD"),
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
                DocTable(key="aset", title="Aset yang diadakan", frame=procured_frame(pairs)),
                decisions_table(run.decisions(proc), run.office),
            ],
            signatures=[
                signature_for(run.office, "asset_manager", answer.approver, label="Pelaksana,"),
                signature_for(run.office, "kasi", None, label="Mengetahui,"),
            ],
        )
        return StepResult(
            outputs={"assets": [tag for _, tag, _ in pairs]},
            documents=run.publish(doc, "laporan-pengadaan"),
        )

    def _register(
        self,
        proc: Procedure,
        pairs: list[tuple[PlanItem, str, str | None]],
        form: dict[str, Any],
        *,
        approver: str,
        now: datetime,
    ) -> None:
        """Add the procured units to the register (``procured``), in one transaction."""
        warranty = date.fromisoformat(form["warranty_end"]) if form.get("warranty_end") else None
        add_assets(
            proc.engine,
            [
                {
                    "tag": tag,
                    "category": unit.category,
                    "name": unit.name,
                    "vendor": form.get("vendor") or None,
                    "serial": serial,
                    "location": form.get("location") or None,
                    "status": status_after(CODE, "planned"),
                    "acquired_on": now.astimezone(self.run.office.timezone).date(),
                    "value": unit.unit_cost,
                    "warranty_end": warranty,
                }
                for unit, tag, serial in pairs
            ],
            procedure=CODE,
            sop_run_id=proc.sop_run_id,
            actor=approver,
            at=now,
        )

    STEPS = (propose, approve_kabid, approve_kadis, forward, budget, procure)


@flow(name=FLOW_NAMES[CODE], log_prints=False)
def asset_planning(
    items: list[dict[str, Any]],
    reason: str,
    actor: str | None = None,
    reference: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
    """SOP D1, perencanaan kebutuhan dan penganggaran aset (planning and budgeting).

    The procured units enter the register as ``procured`` at step 6.

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
    kasi = actor, "kasi", "actor"
    with open_asset_procedure(CODE, None, reference, office_file, database_url, kasi) as run:
        job = PlanningJob(run, plan=plan, reason=reason, proposer=actor)
        return job.perform(
            title=f"D1 Rencana kebutuhan aset: {', '.join(i.name for i in plan)}"[:480],
            parameters={"items": [i.model_dump() for i in plan], "reason": reason, "actor": actor},
        )
