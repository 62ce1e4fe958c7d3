"""Flow ``perbaikan-server`` (SOP E steps 1-7): one server fault, from analysis to evidence.

One run per incident (run key ``E:<office>:<incident number>``), over the shared
step engine (:class:`flows.engine.Procedure`):

1. the monitoring's finding (or the person's report) that opened the incident;
2. staff analyse the kind of fault (form: kind, analysis, parts to replace);
3. Kasi approves the repair / replacement (*tidak*: back to step 2, recorded);
4. staff repair, or contact the provider (form; the provider's time is shown
   apart, not counted against the step's standard);
5. SIGAP re-checks the server with the monitoring's checks: while the fault is
   still there the step goes back to 4 (recorded, with what was found); once it
   is gone staff write the report and the incident is resolved;
6. Kasi or Kabid receive and check the report (*tidak*: back to step 4);
7. Kasi stores the evidence of replaced parts (files attached with
   ``sigap incident attach``); the incident is closed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from prefect import flow
from pydantic import AwareDatetime, Field
from sqlalchemy.engine import Engine

from config.settings import Settings
from flows.approvals import SignedInput, current_flow_run_id
from flows.engine import Procedure, StepMethods, StepResult
from flows.monitoring import ACTOR, check_hosts
from flows.preamble import load_context
from inventory import load_inventory
from records.evidence import EvidenceEntry, incident_evidence
from records.incidents import IncidentStore
from records.monitoring import HostBefore, MonitoringStore
from sop.form_text import LongText, NameText, ShortText
from sop.incidents import INCIDENT_KINDS
from sop.model import Step
from sop.office import Office
from sop.runkeys import current_month, office_slug
from tasks import clock

FLOW_NAME = "perbaikan-server"
DEPLOYMENT_NAME = "perbaikan-server"

Kind = Literal[tuple(INCIDENT_KINDS)]  # type: ignore[valid-type]


class AnalysisForm(SignedInput):
    """SOP E step 2: what kind of fault, and what must be replaced."""

    kind: Kind = Field(description="Jenis kerusakan/gangguan (kind of fault)")  # type: ignore[valid-type]
    analysis: LongText = Field(description="Hasil analisa (what is wrong and why)")
    parts: LongText = Field(
        default="",
        description="Sparepart yang harus diganti, pisahkan dengan koma (parts to replace)",
    )


class RepairForm(SignedInput):
    """SOP E step 4: what was done, by the team or the provider."""

    action: LongText = Field(description="Tindakan perbaikan (what was done)")
    handled_by: Literal["internal", "provider"] = Field(
        default="internal", description="Dikerjakan oleh tim sendiri atau penyedia"
    )
    parts_replaced: LongText = Field(
        default="", description="Sparepart yang diganti dengan nomor seri (parts replaced)"
    )
    provider_name: NameText = Field(default="", description="Nama penyedia (provider)")
    provider_ticket: ShortText = Field(default="", description="Nomor tiket penyedia")
    provider_contacted_at: AwareDatetime | None = Field(
        default=None, description="Waktu penyedia dihubungi (ISO, mis. 2026-12-01T10:00+08:00)"
    )
    provider_answered_at: AwareDatetime | None = Field(
        default=None, description="Waktu penyedia selesai/menjawab (ISO)"
    )


class ReportForm(SignedInput):
    """SOP E step 5: the repair report, once SIGAP has seen the fault gone."""

    report: LongText = Field(description="Laporan: server berfungsi kembali (repair report)")


class EvidenceForm(SignedInput):
    """SOP E step 7: the Kasi confirms the evidence is stored."""

    note: LongText = Field(default="", description="Catatan penyimpanan barang bukti")


def run_key(office: Office, number: str) -> str:
    """The run key of SOP E for one incident.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> run_key(NS(short_name="Diskominfosanti Buleleng"), "INC-2026-0001")
        'E:diskominfosanti-buleleng:INC-2026-0001'
    """
    return f"E:{office_slug(office.short_name)}:{number}"


def _finding_of(device: str, fault_key: str | None) -> str | None:
    """The finding key inside a monitoring fault key (``None`` for a manual incident).

    Examples:
        >>> _finding_of("linux01", "linux01:disk:/srv/data"), _finding_of("x", None)
        ('disk:/srv/data', None)
    """
    if not fault_key or not fault_key.startswith(device + ":"):
        return None
    return fault_key[len(device) + 1 :]


class ServerRepair(StepMethods):
    """The step handlers of one incident's SOP E run."""

    def __init__(
        self,
        *,
        office: Office,
        settings: Settings,
        inventory_dir: Path,
        incident: dict[str, Any],
    ) -> None:
        self.office = office
        self.settings = settings
        self.inventory_dir = inventory_dir
        self.incident = incident

    def _set_status(self, procedure: Procedure, status: str, resolution: str | None = None) -> None:
        IncidentStore(procedure.engine).set_status(
            self.incident["number"],
            status,
            at=clock.now(),
            resolution=resolution,
            unless_already=True,
        )

    def monitoring(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 1: the finding (or report) that opened the incident."""
        IncidentStore(procedure.engine).link_run(
            self.incident["number"],
            sop_run_id=procedure.sop_run_id,
            flow_run_id=current_flow_run_id(),
            in_progress_at=clock.now(),
        )
        reporter = self.incident["reporter"]
        return StepResult(
            outputs={
                "incident": self.incident["number"],
                "device": self.incident["device"],
                "fault_key": self.incident["fault_key"],
                "description": self.incident["description"],
                "source": self.incident["source"],
            },
            actor=reporter if self.incident["source"] == "monitoring" else None,
            documents=[f"Laporan pemantauan {self.incident['number']}"],
        )

    def analysis(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 2: staff analyse the fault."""
        answer = procedure.ask(
            step,
            AnalysisForm,
            summary=(
                f"**{self.incident['number']}** — server `{self.incident['device']}`\n\n"
                f"{self.incident['description']}\n\nAnalisa jenis kerusakan/gangguan dan "
                "sebutkan sparepart yang harus diganti."
            ),
            initial={"kind": self.incident["kind"]},
        )
        parts = [p.strip() for p in str(answer.data.get("parts") or "").split(",") if p.strip()]
        return StepResult(outputs={"parts_list": parts})

    def approve(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 3: Kasi approves the repair / replacement."""
        analysis = procedure.outputs(2)
        parts = ", ".join(analysis.get("parts_list") or []) or "-"
        return procedure.decide(
            step,
            summary=(
                f"**{self.incident['number']}** `{self.incident['device']}`: "
                f"{analysis.get('kind')}\n\nAnalisa: {analysis.get('analysis')}\n\n"
                f"Sparepart yang diganti: {parts}\n\nSetujui perbaikan/penggantian?"
            ),
            performed_by=procedure.actors(2),
        )

    def repair(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 4: repair, or the provider; provider time is waiting, shown apart."""
        recheck = procedure.outputs(5)
        still = ""
        if recheck.get("fault_present"):
            still = f"\n\n**Pemeriksaan ulang SIGAP: gangguan masih ada** — {recheck.get('found')}"
        answer = procedure.ask(
            step,
            RepairForm,
            summary=(
                f"**{self.incident['number']}** `{self.incident['device']}`: lakukan perbaikan "
                f"atau hubungi penyedia, lalu isi tindakan yang dilakukan.{still}"
            ),
        )
        data = answer.data
        waits = []
        contacted, answered = data.get("provider_contacted_at"), data.get("provider_answered_at")
        if data.get("handled_by") == "provider" and contacted and answered:
            start, end = datetime.fromisoformat(contacted), datetime.fromisoformat(answered)
            if end > start:
                waits.append((start, end))
        fields: dict[str, Any] = {"handling": data.get("handled_by") or "internal"}
        if data.get("handled_by") == "provider":
            fields.update(
                provider_name=data.get("provider_name") or None,
                provider_ticket=data.get("provider_ticket") or None,
                provider_contacted_at=datetime.fromisoformat(contacted) if contacted else None,
                provider_answered_at=datetime.fromisoformat(answered) if answered else None,
            )
        IncidentStore(procedure.engine).record_handling(self.incident["number"], **fields)
        return StepResult(waits=waits)

    def recheck(self, engine: Engine) -> tuple[bool, str, dict[str, Any]]:
        """Check the incident's device again, the way the monitoring does.

        Returns:
            ``(fault_present, what was found, the findings as data)``.
        """
        device = self.incident["device"]
        inventory = load_inventory(self.inventory_dir)
        hosts = [h for h in inventory.filter() if h.name == device]
        if not hosts:
            return True, f"{device} tidak ada di inventaris", {}
        before = MonitoringStore(engine).latest_state(self.incident["office"])
        check = check_hosts(
            hosts, inventory, self.settings, engine, {device: before.get(device, HostBefore())}
        )[0]
        finding = _finding_of(device, self.incident["fault_key"])
        results = {r.key: {"status": r.status, "text": r.text} for r in check.results}
        if finding is not None:
            status = check.status(finding)
            text = results.get(finding, {}).get("text") or "tidak ditemukan lagi"
            if finding == "failed_logins":  # gone when no new failed logins since the last check
                present = status == "fail"
            else:
                present = status == "fail" or (status is None and check.outcome != "ok")
            return present, f"{finding}: {text}", results
        failing = [f"{k}: {v['text']}" for k, v in results.items() if v["status"] == "fail"]
        return bool(failing), "; ".join(failing) or "tidak ada temuan gagal", results

    def check_result(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 5: SIGAP re-checks; the fault still there sends the run back to step 4."""
        present, found, results = self.recheck(procedure.engine)
        if present:
            procedure.logger.warning(
                "%s: gangguan masih ada (%s); kembali ke perbaikan", self.incident["number"], found
            )
            return StepResult(
                outputs={"fault_present": True, "found": found, "recheck": results},
                branch="tidak",
                actor="sigap",
                note=f"Pemeriksaan ulang SIGAP: gangguan masih ada: {found}",
            )
        answer = procedure.ask(
            step,
            ReportForm,
            summary=(
                f"**{self.incident['number']}**: pemeriksaan ulang SIGAP tidak menemukan "
                f"gangguan lagi ({found}). Tulis laporan hasil perbaikan."
            ),
        )
        self._set_status(procedure, "resolved", resolution=str(answer.data.get("report")))
        return StepResult(
            outputs={"fault_present": False, "found": found, "recheck": results}, branch="ya"
        )

    def receive(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 6: Kasi / Kabid receive and check the repair report."""
        report = procedure.outputs(5).get("report", "")
        repair = procedure.outputs(4)
        result = procedure.decide(
            step,
            summary=(
                f"**{self.incident['number']}** `{self.incident['device']}`\n\n"
                f"Tindakan: {repair.get('action')}\n\nSparepart diganti: "
                f"{repair.get('parts_replaced') or '-'}\n\nLaporan: {report}\n\n"
                "Terima laporan hasil perbaikan?"
            ),
            performed_by=procedure.actors(4, 5),
        )
        if result.branch == "tidak":
            self._set_status(procedure, "in_progress")
        return result

    def evidence(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 7: Kasi stores the evidence; the incident is closed."""
        files = self._evidence(procedure)
        listed = "\n".join(f"- {name} ({kind}, sha256 {sha[:12]}…)" for name, kind, sha in files)
        procedure.ask(
            step,
            EvidenceForm,
            summary=(
                f"**{self.incident['number']}**: simpan barang bukti sparepart yang diganti. "
                f"Lampirkan foto/PDF dengan `sigap incident attach {self.incident['number']} "
                f"FILE...` sebelum menjawab.\n\nTerlampir:\n{listed or '- (belum ada)'}"
            ),
        )
        files = self._evidence(procedure)
        self._set_status(procedure, "closed")
        report = self._monthly_report(procedure)
        return StepResult(
            outputs={"evidence": [{"file": n, "type": k, "sha256": s} for n, k, s in files]},
            documents=[name for name, _, _ in files] + report,
        )

    def _monthly_report(self, procedure: Procedure) -> list[str]:
        """Step 7's output: this month's "Laporan Jenis Kerusakan Rutin", files and artifacts."""
        from reports.artifacts import served_reports
        from reports.document import publish_document
        from reports.server_faults import write_fault_report

        now = clock.now()
        month = current_month(now, self.office.timezone)
        out_dir = self.settings.reports_dir
        try:
            doc, paths = write_fault_report(procedure.engine, self.office, month, out_dir, date=now)
            publish_document(
                doc, paths, key=f"laporan-kerusakan-{month}", served=served_reports(self.settings)
            )
        except Exception as exc:  # the report must not undo a closed repair
            procedure.logger.warning("laporan kerusakan %s tidak dibuat: %s", month, exc)
            return []
        return [str(path) for path in paths.values()]

    def _evidence(self, procedure: Procedure) -> list[EvidenceEntry]:
        return incident_evidence(procedure.engine, self.incident["number"])

    STEPS = (monitoring, analysis, approve, repair, check_result, receive, evidence)


def _incident_facts(engine: Engine, ref: str) -> dict[str, Any]:
    incident = IncidentStore(engine).facts(ref)
    return {
        "number": incident["number"],
        "device": incident["device"],
        "kind": incident["kind"],
        "description": incident["description"],
        "fault_key": incident["fault_key"],
        "source": incident["source"],
        "reporter": incident["reporter"] if incident["source"] != "monitoring" else ACTOR,
        "office": incident["office"],
    }


@flow(name=FLOW_NAME, log_prints=False)
def perbaikan_server(
    incident: str,
    office_file: str | None = None,
    database_url: str | None = None,
    inventory_dir: str | None = None,
) -> dict[str, Any]:
    """SOP E Pemeliharaan dan Pengamanan Server for one incident (continued by run key).

    Args:
        incident: Nomor insiden, mis. INC-2026-0001 (incident number or id).
        office_file: Office configuration (default ``SIGAP_OFFICE``).
        database_url: Records database (default from the settings).
        inventory_dir: Inventory for the re-check (default ``SIGAP_INVENTORY``).

    Returns:
        The run's status and each step's outputs.
    """
    with load_context(office_file, database_url) as context:
        settings, office = context.settings, context.office
        facts = _incident_facts(context.engine, incident)
        repair = ServerRepair(
            office=office,
            settings=settings,
            inventory_dir=Path(inventory_dir) if inventory_dir else settings.inventory_dir,
            incident=facts,
        )
        result = context.procedure(
            "E",
            run_key=run_key(office, facts["number"]),
            title=f"Perbaikan server {facts['device']} ({facts['number']})",
            parameters={"incident": facts["number"], "device": facts["device"]},
            handlers=repair.handlers(),
        ).run()
    return {
        "incident": facts["number"],
        "status": result.status,
        "sop_run_id": result.sop_run_id,
        "outputs": {str(k): v for k, v in result.outputs.items()},
    }
