"""Flow ``penanganan-kendala-jaringan``: SOP C, network incident handling, end to end.

1. intake: the incident is opened (or loaded by its number) and recorded;
2. diagnostics of the affected device through the collection engine (TCP
   reachability, SSH login, interface status and errors, health checklist,
   config) compared with its last good snapshot: the "damage data";
3. verification (form): the team handles it itself (*ya* -> 5) or the provider
   does (*tidak* -> 4);
4. provider coordination (form): provider, their ticket, when contacted and when
   they answered; the time waiting on the provider is kept apart from the SLA;
5. fix (form): action taken, parts replaced with serial numbers. SIGAP runs the
   diagnostics again and refuses the answer while the fault is still there (the
   refusal is recorded, the step is asked again);
6. the team lead receives the handling report (decision; not accepted -> 5);
7. the report to the Head of Centre: the handling report and the Berita Acara
   Pemeliharaan Jaringan (PDF/HTML/XLSX, Prefect artifacts); the incident is closed.

Every step goes through :class:`flows.engine.Procedure` under the run key
``C:<office>:<incident number>``, so running the flow again for the same
incident continues where it stopped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from prefect import flow, get_run_logger
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from flows.approvals import Note, SignedInput, current_flow_run_id
from flows.collect import office_patterns, run_collection
from flows.engine import Procedure, StepMethods, StepResult
from flows.preamble import FlowContext, load_context
from inventory import load_inventory
from records.incidents import IncidentStore, NewIncident
from records.snapshots import SnapshotSummary, latest_and_last_good
from reports.artifacts import served_reports
from reports.document import publish_document
from reports.incident import incident_documents, write_incident_documents
from sop.form_schema import tidy_part_schema
from sop.form_text import LongText, NameText, ShortText
from sop.incident_diagnosis import Diagnosis, diagnose
from sop.incidents import check_kind, kind_label
from sop.model import Step
from sop.office import Office
from sop.procedure import NO, YES
from sop.runkeys import office_slug
from tasks import clock
from tasks.credentials import resolve_secret
from tasks.probes import tcp_probe

SOP_CODE = "C"
FLOW_NAME = "penanganan-kendala-jaringan"
DEPLOYMENT_NAME = "penanganan-kendala-jaringan"


class VerificationForm(SignedInput):
    """SOP C step 3: can the team handle it itself?"""

    handling: Literal["internal", "provider"] = Field(
        description="Penanganan: internal (tim sendiri, lanjut ke perbaikan) atau provider "
        "(penyedia jasa, lanjut ke koordinasi) (who fixes it)"
    )
    note: LongText = Field(default="", description="Catatan verifikasi (note)")


class ProviderForm(SignedInput):
    """SOP C step 4: coordination with the service provider."""

    provider_name: NameText = Field(description="Nama penyedia jasa (provider name)")
    provider_ticket: ShortText = Field(
        description="Nomor tiket dari penyedia (their ticket number)"
    )
    contacted_at: AwareDatetime = Field(
        description="Waktu penyedia dihubungi, dengan zona waktu (when contacted)"
    )
    answered_at: AwareDatetime = Field(
        description="Waktu penyedia menanggapi, dengan zona waktu (when they answered)"
    )
    note: LongText = Field(default="", description="Catatan koordinasi (note)")


class ReplacedPart(BaseModel):
    """One replaced part."""

    model_config = ConfigDict(title="Suku cadang", json_schema_extra=tidy_part_schema)

    part: NameText = Field(description="Perangkat/suku cadang yang diganti (part)")
    serial_old: ShortText = Field(default="", description="Nomor seri lama (old serial)")
    serial_new: ShortText = Field(default="", description="Nomor seri baru (new serial)")


class FixForm(SignedInput):
    """SOP C step 5: the fix."""

    action: LongText = Field(description="Tindakan perbaikan yang dilakukan (action taken)")
    parts: list[ReplacedPart] = Field(
        default_factory=list,
        description="Perangkat yang diganti beserta nomor seri (parts replaced, with serials)",
    )
    note: Note = ""


def incident_run_key(office: Office, number: str) -> str:
    r"""The run key of SOP C for one incident (pure).

    Examples:
        >>> from sop.office import parse_office
        >>> o = parse_office("office: {name: Pusat X, timezone: Asia/Jakarta}\nsops: [C]\n", "o")
        >>> incident_run_key(o, "INC-2026-0001")
        'C:pusat-x:INC-2026-0001'
    """
    return f"{SOP_CODE}:{office_slug(office.short_name)}:{number}"


def _diagnosis_markdown(diagnosis: dict[str, Any]) -> str:
    """The damage data as a markdown table (pure)."""
    lines = [f"**{diagnosis.get('summary', '')}**", "", "| Pemeriksaan | Hasil | Keterangan |"]
    lines.append("|---|---|---|")
    for c in diagnosis.get("checks") or []:
        lines.append(f"| {c['label']} | {c['status']} | {c['text']} |")
    return "\n".join(lines)


class IncidentJob(StepMethods):
    """One SOP C run for one incident: the step handlers and their shared state."""

    def __init__(
        self,
        context: FlowContext,
        *,
        incident_id: int,
        inventory_dir: Path,
        office_file: str | None,
    ) -> None:
        """Keep what the handlers need (see :func:`network_incident` for the arguments)."""
        self.engine = context.engine
        self.office = context.office
        self.settings = context.settings
        self.sop = context.sop(SOP_CODE)
        self.database_url = context.database_url
        self.incident_id = incident_id
        self.inventory_dir = inventory_dir
        self.office_file = office_file
        self.records = IncidentStore(self.engine)
        self.logger = get_run_logger()
        self._after: Diagnosis | None = None

    # -- helpers ------------------------------------------------------------------------------

    def incident(self) -> dict[str, Any]:
        """The incident's fields as plain data."""
        return self.records.facts(self.incident_id)

    def _link(self, proc: Procedure) -> None:
        self.records.link_run(
            self.incident_id, sop_run_id=proc.sop_run_id, flow_run_id=current_flow_run_id()
        )

    def _status(self, status: str, resolution: str | None = None) -> None:
        self.records.set_status(self.incident_id, status, at=clock.now(), resolution=resolution)

    def diagnose(self) -> Diagnosis:
        """Diagnose the incident's device now (one collection of that device only)."""
        inc = self.incident()
        name = str(inc["device"])
        host = load_inventory(self.inventory_dir).hosts[name]
        tcp_ok, tcp_error = tcp_probe(
            host.hostname, host.port, timeout=min(10.0, self.settings.device_time_limit)
        )
        report = run_collection(
            self.inventory_dir,
            {"name": name},
            self.settings,
            trigger=f"sop:C:{inc['number']}",
            actor=None,
            database_url=self.database_url,
            sanitize=office_patterns(self.office_file, self.settings),
        )
        line = report.devices[0]
        now_snap, good = latest_and_last_good(self.engine, name, before=inc["occurred_at"])
        now = _snapshot_facts(now_snap) or {}
        result = diagnose(
            name,
            tcp_ok=tcp_ok,
            tcp_error=tcp_error,
            outcome=line.outcome,
            error=line.error,
            health=now.get("health") or None,
            checklist=line.checklist if line.outcome == "ok" else None,
            config_hash=now.get("config_hash"),
            last_good=_snapshot_facts(good),
            collection_run_id=report.run_id,
        )
        self.logger.info("diagnosis %s", result.summary())
        return result

    # -- the steps ------------------------------------------------------------------------------

    def intake(self, proc: Procedure, step: Step) -> StepResult:
        """Step 1: the report is received; the work plan names the device and the checks."""
        self._link(proc)
        inc = self.incident()
        reporter = str(inc["reporter"])
        person = self.office.person(reporter)
        actor = reporter if person is not None and step.role in person.roles else None
        plan = (
            f"Periksa {inc['device']} ({kind_label(inc['kind'])}): jangkauan TCP, login SSH, "
            "status dan error antarmuka, kesehatan, perubahan konfigurasi dibanding "
            "kondisi baik terakhir."
        )
        return StepResult(
            outputs={
                "incident": inc["number"],
                "device": inc["device"],
                "kind": inc["kind"],
                "description": inc["description"],
                "reporter": reporter,
                "source": inc["source"],
                "occurred_at": inc["occurred_at"].isoformat(),
                "work_plan": plan,
            },
            actor=actor,
            note=plan,
        )

    def diagnostics(self, proc: Procedure, step: Step) -> StepResult:
        """Step 2: the damage data, gathered by SIGAP."""
        self._link(proc)
        if self.incident()["status"] == "open":
            self._status("in_progress")
        result = self.diagnose()
        return StepResult(outputs={"diagnosis": result.as_dict()}, note=result.summary())

    def verification(self, proc: Procedure, step: Step) -> StepResult:
        """Step 3: in-house or provider (form)."""
        self._link(proc)
        diagnosis = proc.outputs(2).get("diagnosis") or {}
        inc = self.incident()
        answer = proc.ask(
            step,
            VerificationForm,
            summary=f"Insiden **{inc['number']}** pada **{inc['device']}**: "
            f"{inc['description']}\n\n{_diagnosis_markdown(diagnosis)}",
        )
        handling = str(answer.data["handling"])
        self.records.record_handling(self.incident_id, handling=handling)
        return StepResult(
            outputs={"handling": handling}, branch=YES if handling == "internal" else NO
        )

    def provider(self, proc: Procedure, step: Step) -> StepResult:
        """Step 4: coordination with the provider (form); their waiting time is kept apart."""
        self._link(proc)
        inc = self.incident()
        answer = proc.ask(
            step,
            ProviderForm,
            summary=f"Insiden **{inc['number']}** pada **{inc['device']}** ditangani penyedia "
            "jasa. Catat penyedia, nomor tiket, dan kapan mereka dihubungi dan menanggapi: "
            "waktu menunggu penyedia tidak dihitung dalam standar waktu.",
            check=_check_provider_times,
        )
        contacted = datetime.fromisoformat(str(answer.data["contacted_at"]))
        answered = datetime.fromisoformat(str(answer.data["answered_at"]))
        self.records.record_handling(
            self.incident_id,
            provider_name=str(answer.data["provider_name"]),
            provider_ticket=str(answer.data["provider_ticket"]),
            provider_contacted_at=contacted,
            provider_answered_at=answered,
        )
        return StepResult(waits=[(contacted, answered)])

    def fix(self, proc: Procedure, step: Step) -> StepResult:
        """Step 5: the fix (form), accepted only when the diagnostics find no fault."""
        self._link(proc)
        inc = self.incident()
        before = proc.outputs(2).get("diagnosis") or {}
        returned = proc.outputs(6).get("decision")
        summary = (
            f"Insiden **{inc['number']}** pada **{inc['device']}**. Isi tindakan perbaikan dan "
            "perangkat yang diganti (dengan nomor seri). SIGAP memeriksa ulang perangkat saat "
            "jawaban diterima dan menolaknya selama gangguan masih ada.\n\n"
            f"Data kerusakan awal:\n\n{_diagnosis_markdown(before)}"
        )
        if returned and returned != "setuju":
            summary = f"> Laporan dikembalikan oleh Ketua Tim.\n\n{summary}"
        self._after = None
        answer = proc.ask(step, FixForm, summary=summary, check=self._fault_gone)
        after = self._after or self.diagnose()
        return StepResult(outputs={**answer.data, "diagnosis_after": after.as_dict()})

    def _fault_gone(self, answer: SignedInput) -> str | None:
        """The check of the fix form: diagnose again; what is still wrong, or None."""
        result = self.diagnose()
        self._after = result
        if result.fault:
            self.logger.warning("perbaikan ditolak: %s", result.summary())
            return result.summary()
        return None

    def lead_review(self, proc: Procedure, step: Step) -> StepResult:
        """Step 6: the team lead receives the handling report (decision)."""
        self._link(proc)
        inc = self.incident()
        fix = proc.outputs(5)
        after = fix.get("diagnosis_after") or {}
        parts = fix.get("parts") or []
        parts_text = (
            "\n".join(
                f"- {p['part']} (lama {p['serial_old']}, baru {p['serial_new']})" for p in parts
            )
            or "- tidak ada"
        )
        result = proc.decide(
            step,
            summary=f"Laporan penanganan insiden **{inc['number']}** pada **{inc['device']}**."
            f"\n\nTindakan: {fix.get('action', '-')}\n\nPenggantian:\n{parts_text}\n\n"
            f"Pemeriksaan ulang:\n\n{_diagnosis_markdown(after)}\n\n"
            "setuju: diteruskan ke Kepala Pusat; kembalikan/tolak: kembali ke perbaikan.",
            performed_by=proc.actors(5),
        )
        if result.branch == YES:
            self._status("resolved", resolution=str(fix.get("action") or ""))
        return result

    def report(self, proc: Procedure, step: Step) -> StepResult:
        """Step 7: the documents for the Head of Centre; the incident is closed."""
        self._link(proc)
        now = clock.now()
        inc = self.incident()
        lead = proc.actors(6)
        member = proc.actors(5)
        history = self.records.history(self.incident_id)
        history["steps"].append(
            {
                "step": 7,
                "role": step.role,
                "actor": lead[-1] if lead else None,
                "started_at": now,
                "finished_at": now,
                "status": "completed",
                "sla_status": "met",
                "waiting_seconds": None,
                "outputs": {},
                "documents": [],
            }
        )
        docs = incident_documents(
            office=self.office,
            sop=self.sop,
            incident=inc,
            history=history,
            team_lead=lead[-1] if lead else None,
            member=member[-1] if member else None,
            date=now,
            decisions=proc.decisions(),
        )
        out_dir = self.settings.reports_dir / "incidents"
        paths = write_incident_documents(docs, out_dir, str(inc["number"]), resolve_secret)
        for name, doc in docs.items():
            publish_document(
                doc,
                paths[name],
                key=f"{name}-{inc['number']}",
                served=served_reports(self.settings),
            )
        self._status("closed", resolution=inc.get("resolution"))
        files = {name: {fmt: str(p) for fmt, p in by_fmt.items()} for name, by_fmt in paths.items()}
        return StepResult(
            outputs={"documents": files},
            actor=lead[-1] if lead else None,
            documents=[str(p) for by_fmt in paths.values() for p in by_fmt.values()],
        )

    STEPS = (intake, diagnostics, verification, provider, fix, lead_review, report)


def _snapshot_facts(snap: SnapshotSummary | None) -> dict[str, Any] | None:
    """What a diagnosis compares of a snapshot: when, its health, its config's hash (pure)."""
    if snap is None:
        return None
    return {
        "collected_at": snap.collected_at.isoformat(),
        "health": snap.health,
        "config_hash": snap.config_hash,
    }


def _check_provider_times(answer: SignedInput) -> str | None:
    """The provider's answer time may not be before they were contacted (pure)."""
    contacted = getattr(answer, "contacted_at", None)
    answered = getattr(answer, "answered_at", None)
    if contacted is not None and answered is not None and answered < contacted:
        return "answered_at: waktu penyedia menanggapi lebih awal dari waktu dihubungi"
    if answered is not None and answered > clock.now():
        return "answered_at: waktu penyedia menanggapi ada di masa depan"
    return None


def start_incident(
    engine: Engine,
    office: Office,
    inventory_dir: Path,
    *,
    incident: str | None,
    device: str | None,
    kind: str | None,
    description: str | None,
    reporter: str | None,
    occurred_at: datetime | None,
    source: str = "manual",
) -> tuple[int, str, bool]:
    """Load the incident by number, or open one (once per fault) from the report.

    Returns:
        ``(id, number, created)``.

    Raises:
        ValueError: Missing report fields, an unknown kind, or a device not in the
            inventory (nothing is written).
        LookupError: No incident with that number.
    """
    records = IncidentStore(engine)
    if incident:
        found = records.facts(incident)
        return found["id"], found["number"], False
    missing = [
        n for n, v in (("device", device), ("kind", kind), ("description", description)) if not v
    ]
    if missing:
        raise ValueError(
            f"give an existing incident number, or {', '.join(missing)} of a new report"
        )
    assert device and kind and description
    check_kind(kind)
    hosts = load_inventory(inventory_dir).hosts
    if device not in hosts:
        raise ValueError(f"device: {device!r} is not in the inventory {inventory_dir}")
    now = clock.now()
    opened = records.open(
        NewIncident(
            office=office.short_name,
            device=device,
            kind=kind,
            description=description,
            reporter=reporter or "-",
            source=source,
            occurred_at=occurred_at or now,
            opened_at=now,
            sop_code=SOP_CODE,
        )
    )
    return opened.id, opened.number, opened.created


@flow(name=FLOW_NAME, log_prints=False)
def network_incident(
    incident: str | None = None,
    device: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    reporter: str | None = None,
    occurred_at: datetime | None = None,
    inventory_dir: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP C, Penanganan Kendala Jaringan, for one incident.

    An existing ``incident`` continues its run; without one, the report fields open a new one.

    Args:
        incident: Nomor insiden yang sudah ada, mis. INC-2026-0001 (an existing
            incident: continue it); kosong = laporan baru dari kolom berikut.
        device: Nama perangkat di inventaris (the affected device).
        kind: Jenis kerusakan/gangguan (kind): perangkat_mati, gangguan_koneksi,
            kerusakan_perangkat, layanan_berhenti, keamanan, kinerja, konfigurasi, lainnya.
        description: Uraian gangguan (what is wrong).
        reporter: Pelapor, username atau nama (who reported it).
        occurred_at: Waktu kejadian (when it happened); kosong = sekarang.
        inventory_dir: Direktori inventaris (default: ``SIGAP_INVENTORY``).
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        The incident number, the run key, the run's status and the documents.
    """
    with load_context(office_file, database_url) as context:
        office = context.office
        inventory = Path(inventory_dir) if inventory_dir else context.settings.inventory_dir
        incident_id, number, created = start_incident(
            context.engine,
            office,
            inventory,
            incident=incident,
            device=device,
            kind=kind,
            description=description,
            reporter=reporter,
            occurred_at=occurred_at,
        )
        logger = get_run_logger()
        logger.info("insiden %s %s", number, "dibuka" if created else "dilanjutkan")
        job = IncidentJob(
            context, incident_id=incident_id, inventory_dir=inventory, office_file=office_file
        )
        result = context.procedure(
            SOP_CODE,
            run_key=incident_run_key(office, number),
            title=f"Penanganan kendala jaringan {number}",
            parameters={"incident": number},
            handlers=job.handlers(),
        ).run()
        return {
            "incident": number,
            "created": created,
            "run_key": result.run_key,
            "status": result.status,
            "documents": result.outputs.get(7, {}).get("documents", {}),
        }
