"""Flow ``akses-ruang-server``: SOP B, one visit to the server room, from request to archive.

The flow's parameters are the access form (the Prefect UI shows them as the run
form): visitor, organisation, ID type and number, purpose, planned times, escort,
devices brought in. The request is validated before anything is written
(:class:`sop.visits.VisitRequest`). Then, over the shared engine
(:class:`flows.engine.Procedure`):

1. the IT officer registers the request (visit ``requested``, ID deposited);
2. the form is forwarded to the Kasub;
3. the Kasub decides (approval machinery: role, separation of duties: the officer
   who registered may not decide, personal code). ``setuju``: a server-room
   badge is issued against the deposited ID; ``tolak``: the visit ends, not allowed in;
4. the visit is in progress with its escort;
5. the exit form (IT officer): exit time, devices leaving. A serial that leaves
   without having come in, or came in and does not leave, is flagged and the form
   is refused until each flagged serial is explained; the badge is returned
   against the ID. While this step waits, a visitor still inside after the
   planned end is notified once by e-mail (:mod:`tasks.visit_watch`) and recorded;
6. the form is archived.

ID numbers are masked in the run's records, logs and outputs.
"""

# No ``from __future__ import annotations``: Prefect builds the run form from the flow's
# annotations when a deployment loads it, and string annotations (``datetime``) fail there.

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger
from pydantic import AwareDatetime, Field
from sqlalchemy.engine import Engine

from config.settings import Settings
from config.smtp import smtp_settings_from_env
from flows.approvals import (
    ApprovalInput,
    Note,
    SignedInput,
    SlaWatcher,
    current_flow_run_id,
    flow_run_link,
)
from flows.engine import Procedure, StepResult
from flows.preamble import load_context
from records.visits import VisitStore
from reports.document import publish_document, write_document
from reports.visits import visit_form_document, visit_line
from sop.escalation import format_time
from sop.form_text import LongText, ShortText
from sop.model import Step
from sop.office import Office
from sop.procedure import decision_branch
from sop.runkeys import office_slug
from sop.visits import (
    ID_TYPES,
    DeviceItem,
    VisitRequest,
    devices_from,
    mask_id_number,
    mismatch_message,
    reconcile,
    unexplained,
)
from tasks import clock
from tasks.visit_watch import check_overstay

SOP_CODE = "B"
DEPLOYMENT_NAME = "akses-ruang-server"
FLOW_NAME = "akses-ruang-server"


class ExitForm(SignedInput):
    """SOP B step 5: the IT officer completes the form when the visitor leaves."""

    devices: list[DeviceItem] = Field(
        default_factory=list,
        description="Perangkat yang dibawa keluar, dengan nomor seri (devices leaving)",
    )
    explanations: dict[ShortText, LongText] = Field(
        default_factory=dict,
        description="Penjelasan per nomor seri yang tidak cocok: perangkat keluar yang tidak "
        "tercatat masuk, atau masuk tetapi tidak keluar (serial -> explanation)",
    )
    exited_at: AwareDatetime | None = Field(
        default=None, description="Jam keluar (exit time); kosong = sekarang"
    )
    badge_returned: bool = Field(
        default=True,
        description="Tanda pengenal khusus dikembalikan, tanda pengenal diri dikembalikan "
        "(badge returned against the deposited ID)",
    )
    note: Note = ""


def exit_problem(
    answer: ExitForm, devices_in: list[dict[str, Any]], entered: datetime
) -> str | None:
    """Why an exit form is refused, or ``None`` (pure).

    Args:
        answer: The exit form.
        devices_in: The devices recorded at the request.
        entered: When the visitor went in.

    Returns:
        ``field: problem`` in Indonesian, or ``None``.
    """
    if not answer.badge_returned:
        return (
            "badge_returned: tanda pengenal khusus harus dikembalikan sebelum tanda pengenal "
            "diri diserahkan kembali"
        )
    if answer.exited_at is not None:
        if answer.exited_at.tzinfo is None:
            return "exited_at: beri zona waktu (give a time zone)"
        if answer.exited_at < entered:
            return "exited_at: jam keluar sebelum jam masuk"
    result = reconcile(
        devices_from(devices_in), devices_from(d.model_dump() for d in answer.devices)
    )
    missing = unexplained(result, answer.explanations)
    return mismatch_message(result, missing) if missing else None


@flow(name=FLOW_NAME, log_prints=False)
def akses_ruang_server(
    visitor_name: str,
    organisation: str,
    id_type: str,
    id_number: str,
    purpose: str,
    planned_start: datetime,
    planned_end: datetime,
    escort: str,
    registered_by: str,
    devices: list[DeviceItem] | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP B, Akses Ruang Server: one visit from the access form to the archive.

    Args:
        visitor_name: Nama pengunjung (visitor's name).
        organisation: Instansi / perusahaan (organisation).
        id_type: Jenis tanda pengenal (ID type): KTP, SIM, paspor, kartu_pegawai, KITAS.
        id_number: Nomor tanda pengenal (ID number; shown masked everywhere).
        purpose: Keperluan kunjungan (purpose of the visit).
        planned_start: Rencana mulai (planned start, with time zone).
        planned_end: Rencana selesai (planned end, after the start).
        escort: Pendamping dari TI (the escort: username of an IT officer).
        registered_by: Petugas IT yang mencatat (the IT officer registering it).
        devices: Perangkat yang dibawa masuk, nama dan nomor seri (devices brought in).
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        The visit number, its status, the run key and the SOP run id.

    Raises:
        ValueError: The access form is invalid (each wrong field named); nothing is written.
    """
    request = VisitRequest.parse(
        {
            "visitor_name": visitor_name,
            "organisation": organisation,
            "id_type": id_type,
            "id_number": id_number,
            "purpose": purpose,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "escort": escort,
            "registered_by": registered_by,
            "devices": [d.model_dump() if isinstance(d, DeviceItem) else d for d in devices or []],
        }
    )
    with load_context(office_file, database_url) as context:
        settings, office = context.settings, context.office
        if office.person(request.registered_by) is None or not office.has_role(
            request.registered_by, "it_officer"
        ):
            raise ValueError(
                f"registered_by: {request.registered_by!r} bukan Petugas IT di konfigurasi kantor"
            )
        engine = context.engine
        store = VisitStore(engine)
        visit = store.create(request, office=office.short_name, created_at=clock.now())
        visit_id, number = visit.id, visit.number
        get_run_logger().info(
            "kunjungan %s: %s (%s), %s %s",
            number,
            request.visitor_name,
            request.organisation,
            request.id_type,
            mask_id_number(request.id_number),
        )
        visit_run = VisitRun(engine, store, office, settings, visit_id, request)
        result = Procedure(
            engine=engine,
            office=office,
            settings=settings,
            sop=context.sop(SOP_CODE),
            run_key=f"B:{office_slug(office.short_name)}:{number}",
            title=f"SOP B Akses Ruang Server {number}",
            parameters={"visit": number, **request.masked()},
            handlers=visit_run.handlers(),
            actor=request.registered_by,
        ).run()
        return {
            "visit": number,
            "status": store.facts(visit_id).status,
            "run_key": result.run_key,
            "sop_run_id": result.sop_run_id,
        }


class VisitRun:
    """The handlers of SOP B's six steps for one visit."""

    def __init__(
        self,
        engine: Engine,
        store: VisitStore,
        office: Office,
        settings: Settings,
        visit_id: int,
        request: VisitRequest,
    ) -> None:
        """Keep what the steps need."""
        self.engine = engine
        self.store = store
        self.office = office
        self.settings = settings
        self.visit_id = visit_id
        self.request = request

    def handlers(self) -> dict[int, Any]:
        """Step number -> handler."""
        return {
            1: self.register,
            2: self.forward,
            3: self.decide,
            4: self.enter,
            5: self.exit,
            6: self.archive,
        }

    def register(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 1: the access form is complete and the ID deposited."""
        number = self.store.link_run(self.visit_id, procedure.sop_run_id).number
        r = self.request
        return StepResult(
            outputs={
                "visit": number,
                "visitor": r.visitor_name,
                "organisation": r.organisation,
                "id": f"{r.id_type} {mask_id_number(r.id_number)}",
                "devices_in": [d.model_dump() for d in r.devices],
            },
            actor=r.registered_by,
            documents=[f"Formulir akses ruang server {number}"],
        )

    def forward(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 2: the form goes to the Kasub."""
        kasub = [p.username for p in self.office.holders("kasubag")]
        return StepResult(outputs={"forwarded_to": kasub}, actor=self.request.registered_by)

    def decide(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 3: the Kasub allows the visit (badge issued) or not (the visit ends)."""
        r = self.request
        devices = ", ".join(f"{d.name} ({d.serial})" for d in r.devices) or "tidak ada"
        summary = "\n".join(
            [
                f"**Kunjungan {self.store.facts(self.visit_id).number}**",
                "",
                f"- Pengunjung: {r.visitor_name} ({r.organisation})",
                f"- Tanda pengenal: {r.id_type} {mask_id_number(r.id_number)}",
                f"- Keperluan: {r.purpose}",
                f"- Rencana: {format_time(r.planned_start, self.office)} s.d. "
                f"{format_time(r.planned_end, self.office)}",
                f"- Pendamping: {r.escort}",
                f"- Perangkat dibawa masuk: {devices}",
                f"- Dicatat oleh: {r.registered_by}",
            ]
        )
        answer = procedure.ask(
            step, ApprovalInput, summary=summary, performed_by=(r.registered_by,)
        )
        decision = answer.decision or "tolak"
        approved = decision == "setuju"
        badge = self.store.decide(
            self.visit_id,
            approved=approved,
            by=answer.approver,
            at=answer.decided_at,
            note=answer.note,
        ).badge_number
        outputs: dict[str, Any] = {"decision": decision}
        if approved:
            outputs |= {"badge_number": badge, "id_deposited": True}
        return StepResult(outputs=outputs, branch=decision_branch(step, decision))

    def enter(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 4: the visitor is inside, accompanied by the escort."""
        escort = self.request.escort
        visit = self.store.enter(self.visit_id, at=clock.now(), escort=escort)
        entered, badge = visit.entered_at, visit.badge_number
        actor = escort if self.office.has_role(escort, "it_officer") else None
        return StepResult(
            outputs={
                "escort": escort,
                "badge_number": badge,
                "entered_at": entered.isoformat() if entered else None,
            },
            actor=actor or self.request.registered_by,
            documents=["Laporan aktifitas ruang server"],
        )

    def exit(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 5: exit form; mismatched serials explained; badge back against the ID."""
        visit = self.store.facts(self.visit_id)
        devices_in = visit.devices_in
        entered: datetime = visit.entered_at or clock.now()
        listed = ", ".join(f"{d['name']} ({d['serial']})" for d in devices_in) or "tidak ada"
        summary = "\n".join(
            [
                f"**Kunjungan {visit.number}**: {self.request.visitor_name} "
                f"({self.request.organisation}), kartu akses {visit.badge_number}",
                "",
                f"- Masuk: {format_time(entered, self.office)}",
                f"- Rencana selesai: {format_time(visit.planned_end, self.office)}",
                f"- Perangkat dibawa masuk: {listed}",
                "",
                "Isi perangkat yang dibawa keluar dengan nomor serinya. Nomor seri yang tidak "
                "cocok harus dijelaskan di `explanations`.",
            ]
        )

        def check(answer: SignedInput) -> str | None:
            assert isinstance(answer, ExitForm)
            return exit_problem(answer, devices_in, entered)

        run_ref = flow_run_link(current_flow_run_id() or "?")
        smtp = smtp_settings_from_env()

        def watch() -> bool:
            return check_overstay(
                self.engine,
                self.office,
                visit_id=self.visit_id,
                now=clock.now(),
                smtp=smtp,
                run_ref=run_ref,
            )

        with SlaWatcher(watch, self.settings.sla_watch):
            answer = procedure.ask(step, ExitForm, summary=summary, check=check)
        exited_at = _parse_time(answer.data.get("exited_at")) or answer.decided_at
        out = devices_from(answer.data.get("devices") or [])
        result = reconcile(devices_from(devices_in), out)
        explanations = dict(answer.data.get("explanations") or {})
        closed = self.store.leave(
            self.visit_id,
            exited_at=exited_at,
            devices_out=out,
            explanations=explanations,
            closed_by=answer.approver,
        )
        overstay = closed.overstay_at is not None
        return StepResult(
            outputs={
                "exited_at": exited_at.isoformat(),
                "flagged": list(result.flagged),
                "badge_returned": True,
                "overstay": overstay,
            },
            documents=["Ceklist perangkat ruang server"],
        )

    def archive(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 6: the completed form goes to the archive (PDF/HTML/XLSX and artifacts)."""
        now = clock.now()
        visit = self.store.archive(self.visit_id, at=now)
        number, line = visit.number, visit_line(visit)
        directory = (self.settings.report_dir or self.settings.data_dir / "reports") / "kunjungan"
        note = None
        try:
            doc = visit_form_document(self.office, line, now)
            paths = write_document(doc, directory, f"formulir-kunjungan-{number}")
            publish_document(doc, paths, key=f"kunjungan-{number}")
            documents = [str(p) for p in paths.values()]
        except Exception as exc:  # the visit is archived in the records all the same
            get_run_logger().error("formulir %s tidak dapat ditulis: %s", number, exc)
            documents, note = [], f"formulir tidak dapat ditulis: {type(exc).__name__}"
        return StepResult(
            outputs={"archived": number},
            actor=self.request.registered_by,
            documents=documents,
            note=note,
        )


def _parse_time(value: Any) -> datetime | None:
    """A time from a form's JSON data (ISO text), or ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


__all__ = ["DEPLOYMENT_NAME", "ID_TYPES", "ExitForm", "akses_ruang_server"]
