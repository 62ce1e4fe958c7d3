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

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow
from pydantic import Field

from config.office_file import load_office
from config.settings import load_settings
from config.sop_files import load_sops
from flows.approvals import SignedInput
from flows.asset_procedures import AssetRun, open_asset_run, run_procedure
from flows.engine import Procedure, StepResult
from records.asset_runs import procedure_runs, register_rows
from records.db import session_scope
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
from sop.model import Step
from tasks import clock

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


def _evaluation(job: AssetRun, period: tuple[date, date], as_of: date, months: int) -> Evaluation:
    tz = job.office.timezone
    since = datetime.combine(period[0], time(), tz)
    until = datetime.combine(period[1], time(), tz)
    with session_scope(job.engine) as session:
        runs, steps = procedure_runs(session, PROCEDURE_CODES, since, until)
        assets = register_rows(session)
    sops = load_sops(job.office.sop_dir) if job.office.sop_dir else load_sops()
    return evaluate_assets(
        runs=pd.DataFrame(runs, columns=list(RUN_COLUMNS)),
        steps=pd.DataFrame(steps, columns=list(STEP_COLUMNS)),
        assets=pd.DataFrame(assets, columns=list(ASSET_COLUMNS)),
        sops=sops,
        office=job.office,
        period=period,
        as_of=as_of,
        warranty_months=months,
    )


@flow(name=FLOW_NAME, log_prints=False)
def asset_evaluation(
    period: str | None = None,
    warranty_months: int = DEFAULT_WARRANTY_MONTHS,
    actor: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
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
    settings = load_settings()
    office = load_office(Path(office_file) if office_file else settings.office_file)
    text = (period or "").strip() or previous_year(clock.now(), office.timezone)
    bounds = parse_period(text)
    if actor is not None and not office.has_role(actor, "kasi"):
        raise ValueError(f"actor: {actor!r} does not hold the role kasi in {office.file}")
    job = open_asset_run(
        "D6", reference=text, tag=None, office_file=office_file, database_url=database_url
    )

    def as_of(proc: Procedure) -> date:
        return date.fromisoformat(proc.outputs(1)["as_of"])

    def evaluation(proc: Procedure) -> Evaluation:
        return _evaluation(job, bounds, as_of(proc), warranty_months)

    def document(
        proc: Procedure, name: str, ev: Evaluation, findings: str = "", final: bool = False
    ) -> list[str]:
        plan = proc.outputs(5).get("actions") if final else None
        signatures = [signature_for(job.office, "kasi", actor, "Disusun,")]
        if final:
            signatures += [
                signature_for(job.office, "kabid", proc.actors(4)[0], "Mengetahui,"),
                signature_for(job.office, "kadis", proc.actors(3)[0], "Mengesahkan,"),
            ]
        doc = evaluation_document(
            ev,
            office=job.office,
            number=job.number(proc, "EVAL"),
            at=clock.now(),
            findings=findings or str(proc.outputs(2).get("findings") or ""),
            follow_up=str(proc.outputs(4).get("plan") or ""),
            action_plan=parse_action_plan(plan) if plan else None,
            signatures=signatures,
        )
        return job.publish(doc, name)

    def step1(proc: Procedure, step: Step) -> StepResult:
        today = clock.now().astimezone(job.office.timezone).date()
        ev = _evaluation(job, bounds, today, warranty_months)
        outputs = {
            "period": ev.period,
            "as_of": today.isoformat(),
            "runs": int(ev.procedures["Jumlah"].sum()),
            "assets": int(ev.assets.iloc[-1]["Jumlah"]),
            "warranty_ending": len(ev.warranty),
            "suggested_actions": len(ev.actions),
        }
        return StepResult(outputs=outputs, actor=actor, documents=document(proc, "rekap", ev))

    def step2(proc: Procedure, step: Step) -> StepResult:
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
            documents=document(proc, "hasil-evaluasi", evaluation(proc), findings),
        )

    def step3(proc: Procedure, step: Step) -> StepResult:
        return proc.decide(
            step,
            summary=f"Hasil evaluasi pengelolaan aset {proc.outputs(1)['period']}: "
            f"{proc.outputs(2).get('findings')}",
            performed_by=proc.actors(1, 2),
        )

    def step4(proc: Procedure, step: Step) -> StepResult:
        answer = proc.ask(
            step,
            FollowUpForm,
            summary=f"Hasil evaluasi disetujui Kadis. Koordinasikan tindak lanjut dengan Kasi. "
            f"Evaluasi: {proc.outputs(2).get('findings')}",
        )
        return StepResult(outputs=answer.data)

    def step5(proc: Procedure, step: Step) -> StepResult:
        suggested = evaluation(proc).actions
        initial = "\n".join(
            f"{r['Tindak lanjut']} | {r['Penanggung jawab']} | {r['Target']}".rstrip(" |")
            for r in suggested.to_dict("records")
        )

        def check(form: SignedInput) -> str | None:
            assert isinstance(form, ActionPlanForm)
            try:
                parse_action_plan(form.actions)
            except ValueError as exc:
                return str(exc)
            return None

        answer = proc.ask(
            step,
            ActionPlanForm,
            summary=f"Rencana tindak lanjut Kabid: {proc.outputs(4).get('plan')}\n\n"
            "Susun rencana aksi, satu per baris: `tindakan | penanggung jawab | target` "
            "(diisi dari saran rekap).",
            initial={"actions": initial} if initial else None,
            check=check,
        )
        return StepResult(outputs=answer.data)

    def step6(proc: Procedure, step: Step) -> StepResult:
        return StepResult(
            outputs={"actions": len(parse_action_plan(proc.outputs(5)["actions"]))},
            actor=proc.actors(5)[0],
            documents=document(proc, "laporan-evaluasi", evaluation(proc), final=True),
        )

    return run_procedure(
        job,
        title=f"D6 Evaluasi pengelolaan aset {text}",
        parameters={"period": text, "warranty_months": warranty_months, "actor": actor},
        handlers={1: step1, 2: step2, 3: step3, 4: step4, 5: step5, 6: step6},
        actor=None,
    )
