"""Flow ``asset-evaluation``: SOP D6, the evaluation of asset management for a period.

1. the Kasi's recap (automatic): the period's D1-D5 runs, SLA compliance per step,
   the register by status, category and age, warranties ending soon and the
   follow-up actions they suggest (:mod:`reports.asset_evaluation`), written as
   XLSX/HTML/PDF and Prefect artifacts;
2. the Kasi writes the evaluation (form);
3. the Kadis approves it (``tolak``/``kembalikan`` end the run);
4. the Kabid sets the follow-up plan with the Kasi (form);
5. the Kasi writes the action plan, one action per line (form, checked);
6. reported: the final evaluation report with the action plan and signatures.

Scheduled yearly (2 January, for the year before) and runnable ad hoc for any period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pandas as pd
from prefect import flow
from pydantic import Field

from flows.approvals import SignedInput
from flows.assets.common import AssetJob, AssetRunSummary, open_asset_run
from flows.engine import Procedure, StepResult
from flows.preamble import load_context
from records.asset_runs import evaluation_rows
from reports.asset_evaluation import (
    ASSET_COLUMNS,
    PROCEDURE_CODES,
    RUN_COLUMNS,
    STEP_COLUMNS,
    Evaluation,
    evaluate_assets,
    evaluation_document,
    parse_action_plan,
)
from reports.document import signature_for
from sop.asset_procedures import parse_period
from sop.form_text import LongText
from sop.model import SopDefinition, Step
from tasks import clock

CODE = "D6"
FLOW_NAME = "asset-evaluation"
DEPLOYMENT_NAME = "evaluasi-aset-tahunan"
DEFAULT_WARRANTY_MONTHS = 3


class EvaluationForm(SignedInput):
    """D6 step 2: the Kasi's evaluation of the recap."""

    findings: LongText = Field(description="Hasil evaluasi (findings of the evaluation)")


class FollowUpForm(SignedInput):
    """D6 step 4: the Kabid's follow-up plan, coordinated with the Kasi."""

    plan: LongText = Field(description="Rencana tindak lanjut (follow-up plan)")


class ActionPlanForm(SignedInput):
    """D6 step 5: the action plan, one action per line."""

    actions: LongText = Field(
        description="Rencana aksi, satu per baris: tindakan | penanggung jawab | target"
    )


def previous_year(now: datetime, office_tz: Any) -> str:
    """The year before ``now`` at the office, as a period (pure).

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> from datetime import UTC
        >>> previous_year(datetime(2027, 1, 1, 20, 0, tzinfo=UTC), ZoneInfo("Asia/Makassar"))
        '2026'
    """
    return str(now.astimezone(office_tz).year - 1)


def check_action_plan(form: SignedInput) -> str | None:
    """What is wrong with an action plan's lines (:func:`parse_action_plan`), or ``None``."""
    assert isinstance(form, ActionPlanForm)
    try:
        parse_action_plan(form.actions)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass
class EvaluationJob(AssetJob):
    """D6 over a period: the register's recap, the Kasi's evaluation and its follow-up.

    Attributes:
        sops: The office's SOP definitions (for the recap of the evaluated runs).
        period: The evaluated period: its first day and its end (exclusive).
        warranty_months: How soon an ending warranty is flagged, in months.
        actor: The Kasi who makes the recap, or ``None`` for the first holder.
    """

    sops: Mapping[str, SopDefinition]
    period: tuple[date, date]
    warranty_months: int
    actor: str | None

    def evaluation(self, as_of: date) -> Evaluation:
        """The period's evaluation as the records stand, as of a day."""
        tz = self.run.office.timezone
        since = datetime.combine(self.period[0], time(), tz)
        until = datetime.combine(self.period[1], time(), tz)
        runs, steps, assets = evaluation_rows(self.run.engine, PROCEDURE_CODES, since, until)
        return evaluate_assets(
            runs=pd.DataFrame(runs, columns=list(RUN_COLUMNS)),
            steps=pd.DataFrame(steps, columns=list(STEP_COLUMNS)),
            assets=pd.DataFrame(assets, columns=list(ASSET_COLUMNS)),
            sops=self.sops,
            office=self.run.office,
            period=self.period,
            as_of=as_of,
            warranty_months=self.warranty_months,
        )

    def recapped(self, proc: Procedure) -> Evaluation:
        """The evaluation as of the recap's day (step 1)."""
        return self.evaluation(date.fromisoformat(proc.outputs(1)["as_of"]))

    def document(
        self, proc: Procedure, name: str, ev: Evaluation, findings: str = "", final: bool = False
    ) -> list[str]:
        """Write and publish the evaluation document; the final one has the plan and signatures."""
        run = self.run
        plan = proc.outputs(5).get("actions") if final else None
        signatures = [signature_for(run.office, "kasi", self.actor, "Disusun,")]
        if final:
            signatures += [
                signature_for(run.office, "kabid", proc.actors(4)[0], "Mengetahui,"),
                signature_for(run.office, "kadis", proc.actors(3)[0], "Mengesahkan,"),
            ]
        doc = evaluation_document(
            ev,
            office=run.office,
            number=run.number(proc, "EVAL"),
            at=clock.now(),
            findings=findings or str(proc.outputs(2).get("findings") or ""),
            follow_up=str(proc.outputs(4).get("plan") or ""),
            action_plan=parse_action_plan(plan) if plan else None,
            signatures=signatures,
        )
        return run.publish(doc, name)

    def recap(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the Kasi's recap of the period, as of today at the office."""
        today = clock.now().astimezone(self.run.office.timezone).date()
        ev = self.evaluation(today)
        outputs = {
            "period": ev.period,
            "as_of": today.isoformat(),
            "runs": int(ev.procedures["Jumlah"].sum()),
            "assets": int(ev.assets.iloc[-1]["Jumlah"]),
            "warranty_ending": len(ev.warranty),
            "suggested_actions": len(ev.actions),
        }
        return StepResult(
            outputs=outputs, actor=self.actor, documents=self.document(proc, "rekap", ev)
        )

    def evaluate(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the Kasi writes the evaluation (form); the evaluation document."""
        out = proc.outputs(1)
        answer = proc.ask(
            step,
            EvaluationForm,
            summary=f"Rekap pengelolaan aset {out['period']}: {out['runs']} prosedur, "
            f"{out['assets']} aset, {out['warranty_ending']} garansi segera berakhir. "
            "Lihat artefak rekap; tulis hasil evaluasi.",
        )
        findings = str(answer.data["findings"])
        return StepResult(
            outputs=answer.data,
            documents=self.document(proc, "hasil-evaluasi", self.recapped(proc), findings),
        )

    def approve_kadis(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: the Kadis approves the evaluation (not its authors)."""
        return proc.decide(
            step,
            summary=f"Hasil evaluasi pengelolaan aset {proc.outputs(1)['period']}: "
            f"{proc.outputs(2).get('findings')}",
            performed_by=proc.actors(1, 2),
        )

    def plan_follow_up(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: the Kabid's follow-up plan, with the Kasi (form)."""
        answer = proc.ask(
            step,
            FollowUpForm,
            summary=f"Hasil evaluasi disetujui Kadis. Koordinasikan tindak lanjut dengan Kasi. "
            f"Evaluasi: {proc.outputs(2).get('findings')}",
        )
        return StepResult(outputs=answer.data)

    def plan_actions(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the Kasi's action plan (form, checked), started from the recap's suggestions."""
        suggested = self.recapped(proc).actions
        initial = "\n".join(
            f"{r['Tindak lanjut']} | {r['Penanggung jawab']} | {r['Target']}".rstrip(" |")
            for r in suggested.to_dict("records")
        )
        answer = proc.ask(
            step,
            ActionPlanForm,
            summary=f"Rencana tindak lanjut Kabid: {proc.outputs(4).get('plan')}\n\n"
            "Susun rencana aksi, satu per baris: `tindakan | penanggung jawab | target` "
            "(diisi dari saran rekap).",
            initial={"actions": initial} if initial else None,
            check=check_action_plan,
        )
        return StepResult(outputs=answer.data)

    def report(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: the final evaluation report with the action plan and signatures."""
        return StepResult(
            outputs={"actions": len(parse_action_plan(proc.outputs(5)["actions"]))},
            actor=proc.actors(5)[0],
            documents=self.document(proc, "laporan-evaluasi", self.recapped(proc), final=True),
        )

    STEPS = (recap, evaluate, approve_kadis, plan_follow_up, plan_actions, report)


@flow(name=FLOW_NAME, log_prints=False)
def asset_evaluation(
    period: str | None = None,
    warranty_months: int = DEFAULT_WARRANTY_MONTHS,
    actor: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> AssetRunSummary:
    """SOP D6, evaluasi pengelolaan aset (evaluation of asset management).

    Args:
        period: Periode: ``YYYY`` atau ``YYYY-MM-DD..YYYY-MM-DD`` (akhir tidak termasuk);
            kosong = tahun lalu di zona waktu kantor (empty = last year).
        warranty_months: Garansi yang berakhir dalam N bulan ditampilkan (warranty horizon).
        actor: Username Kasi yang menyusun rekap (the Kasi); kosong = Kasi pertama.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        Run key, status, outputs and the documents written.
    """
    if warranty_months < 1 or warranty_months > 60:
        raise ValueError(f"warranty_months: {warranty_months} is not between 1 and 60")
    with load_context(office_file, database_url) as context:
        office = context.office
        text = (period or "").strip() or previous_year(clock.now(), office.timezone)
        bounds = parse_period(text)
        if actor is not None and not office.has_role(actor, "kasi"):
            raise ValueError(f"actor: {actor!r} does not hold the role kasi in {office.file}")
        run = open_asset_run(context, CODE, reference=text, tag=None)
        job = EvaluationJob(
            run,
            sops=context.sops,
            period=bounds,
            warranty_months=warranty_months,
            actor=actor,
        )
        return job.perform(
            title=f"D6 Evaluasi pengelolaan aset {text}",
            parameters={"period": text, "warranty_months": warranty_months, "actor": actor},
        )
