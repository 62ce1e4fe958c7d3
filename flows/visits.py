"""Flow ``akses-ruang-server``: SOP B, one visit to the server room, from request to archive.

The access form is registered in the records first
(:func:`records.visits.register_visit_request`, by ``sigap visit open``): the visit
is ``requested``, has its number ``KRS-<year>-<nnnn>`` and the ID number is stored
masked. The flow's only parameter about the visit is that number (``visit``), so the
Prefect UI's run form and Parameters tab show no personal data. The flow loads the
request by number and refuses a number that is unknown, a visit that is no longer
``requested`` (a visit runs once) or one another live flow run is handling
(:func:`startable_visit`). Then, over the shared engine
(:class:`flows.engine.Procedure`):

1. the IT officer registers the request (the run is linked to the visit, ID deposited);
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

ID numbers are masked in the records, the run's logs and outputs.
"""

# No ``from __future__ import annotations``: Prefect builds the run form from the flow's
# annotations when a deployment loads it, and string annotations (``datetime``) fail there.

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
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
from flows.engine import Procedure, StepMethods, StepResult
from flows.preamble import load_context
from records.db import session_scope
from records.sop_runs import get_sop_run
from records.visits import VisitFacts, VisitStore
from reports.artifacts import served_reports
from reports.document import publish_document, write_document
from reports.visits import EXIT_STEP, STATUS_WORDS, visit_form_document, visit_line
from sop.escalation import format_time
from sop.form_schema import tidy_part_schema
from sop.form_text import LongText, ShortText
from sop.model import Step
from sop.office import Office
from sop.procedure import decision_branch
from sop.run_names import first_name
from sop.runkeys import office_slug
from sop.visits import (
    ID_TYPES,
    DeviceItem,
    devices_from,
    mask_id_number,
    masked_id,
    mismatch_message,
    reconcile,
    unexplained,
)
from tasks import clock
from tasks.credentials import resolve_secret
from tasks.visit_watch import check_overstay

SOP_CODE = "B"
DEPLOYMENT_NAME = "akses-ruang-server"
FLOW_NAME = "akses-ruang-server"


class SerialExplanation(BaseModel):
    """Why one serial number does not match (an item of the exit form)."""

    model_config = ConfigDict(title="Penjelasan", json_schema_extra=tidy_part_schema)

    serial: ShortText = Field(description="Nomor seri (serial number)")
    text: LongText = Field(description="Penjelasan (explanation)")


class ExitForm(SignedInput):
    """SOP B step 5: the IT officer completes the form when the visitor leaves."""

    devices: list[DeviceItem] = Field(
        default_factory=list,
        description="Perangkat yang dibawa keluar, dengan nomor seri (devices leaving)",
    )
    explanations: list[SerialExplanation] = Field(
        default_factory=list,
        description="Penjelasan per nomor seri yang tidak cocok: perangkat keluar yang tidak "
        "tercatat masuk, atau masuk tetapi tidak keluar (serial and explanation)",
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

    @field_validator("explanations", mode="before")
    @classmethod
    def _serial_to_text(cls, value: Any) -> Any:
        """``{serial: text}`` (``sigap visit exit --explain``, ``sigap answer``) is a list too."""
        if isinstance(value, dict):
            return [{"serial": k, "text": v} for k, v in value.items()]
        return value

    def explained(self) -> dict[str, str]:
        """The explanations by serial number."""
        return explanation_map(e.model_dump() for e in self.explanations)


def explanation_map(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Explanations as stored: serial -> text (pure).

    Examples:
        >>> explanation_map([{"serial": "HD-9", "text": "RMA"}])
        {'HD-9': 'RMA'}
    """
    return {str(i["serial"]): str(i["text"]) for i in items}


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
    missing = unexplained(result, answer.explained())
    return mismatch_message(result, missing) if missing else None


class VisitNotStartable(ValueError):
    """The visit number cannot start a run: unknown, no longer ``requested``, or running."""


def visit_run_key(office: Office, number: str) -> str:
    """The run key of a visit's SOP B run (``B:<office>:<number>``).

    Examples:
        >>> from types import SimpleNamespace
        >>> visit_run_key(SimpleNamespace(short_name="Kanwil Malut"), "KRS-2026-0003")
        'B:kanwil-malut:KRS-2026-0003'
    """
    return f"B:{office_slug(office.short_name)}:{number}"


def _flow_run_is_live(flow_run_id: str) -> bool:
    """Whether the Prefect server has ``flow_run_id`` in a state that is not final."""
    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(flow_run_id)).state
    except Exception:  # unknown to this server (or not a UUID): nothing live to protect
        return False
    return state is not None and not state.is_final()


def startable_visit(
    engine: Engine, office: Office, number: str, *, flow_run_id: str | None = None
) -> VisitFacts:
    """The registered visit ``number``, if a run may take it now.

    A visit runs once: it must be ``requested`` (not decided, inside, closed or
    archived), and no other flow run still live on the Prefect server may be
    handling it. A run that ended without finishing the visit (a paused step not
    answered in time, a run cancelled in the UI) may be started again: it
    continues where the records stand.

    Args:
        engine: Records database.
        office: The office (the visit must be one of its visits).
        number: The visit number as typed, e.g. ``KRS-2026-0003``.
        flow_run_id: The flow run asking (it may continue its own visit).

    Returns:
        The visit.

    Raises:
        VisitNotStartable: In Indonesian, naming the number; nothing is changed.
    """
    facts = VisitStore(engine).by_number(number)
    if facts is None or facts.office != office.short_name:
        raise VisitNotStartable(
            f"kunjungan {number.strip()!r} tidak ada di catatan {office.short_name}; "
            "daftarkan dulu dengan `sigap visit open` (lihat `sigap visit list`)"
        )
    if facts.status != "requested":
        word = STATUS_WORDS["id"].get(facts.status, facts.status)
        raise VisitNotStartable(
            f"kunjungan {facts.number} sudah berstatus {word}: satu kunjungan hanya "
            "dijalankan sekali (hanya kunjungan yang diajukan dapat dimulai)"
        )
    with session_scope(engine) as session:
        run = get_sop_run(session, visit_run_key(office, facts.number))
        previous = run.flow_run_id if run is not None else None
    if previous and previous != flow_run_id and _flow_run_is_live(previous):
        raise VisitNotStartable(
            f"kunjungan {facts.number} sedang dijalankan oleh flow run {previous}: satu "
            "kunjungan hanya dijalankan sekali (bila proses run itu sudah mati, batalkan "
            "run itu di Prefect UI lalu mulai lagi)"
        )
    return facts


def run_parameters(visit: VisitFacts) -> dict[str, Any]:
    """The SOP run's parameters in the records: the request, its ID number masked (pure).

    Args:
        visit: The visit.

    Returns:
        JSON data: the number and the access form.
    """
    return {
        "visit": visit.number,
        "visitor_name": visit.visitor_name,
        "organisation": visit.organisation,
        "id_type": visit.id_type,
        "id_number": mask_id_number(visit.id_number),
        "purpose": visit.purpose,
        "planned_start": visit.planned_start.isoformat(),
        "planned_end": visit.planned_end.isoformat(),
        "escort": visit.escort,
        "registered_by": visit.registered_by,
        "devices": list(visit.devices_in),
    }


@flow(name=FLOW_NAME, log_prints=False)
def akses_ruang_server(
    visit: str,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP B, Akses Ruang Server: one registered visit from the access form to the archive.

    Args:
        visit: Nomor kunjungan yang sudah didaftarkan (visit number registered with
            ``sigap visit open``), mis. ``KRS-2026-0003``.
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        The visit number, its status, the run key and the SOP run id.

    Raises:
        VisitNotStartable: The number is unknown, the visit is not ``requested`` any
            more, or another live run handles it; nothing is changed.
    """
    with load_context(office_file, database_url) as context:
        settings, office, engine = context.settings, context.office, context.engine
        facts = startable_visit(engine, office, visit, flow_run_id=current_flow_run_id())
        store = VisitStore(engine)
        number = facts.number
        get_run_logger().info(
            "kunjungan %s: %s, %s",
            number,
            facts.organisation,
            masked_id(facts.id_type, facts.id_number),
        )
        visit_run = VisitRun(engine, store, office, settings, facts)
        result = context.procedure(
            SOP_CODE,
            run_key=visit_run_key(office, number),
            title=f"SOP B Akses Ruang Server {number}",
            parameters=run_parameters(facts),
            handlers=visit_run.handlers(),
            actor=facts.registered_by,
            subject=first_name(facts.visitor_name),
        ).run()
        return {
            "visit": number,
            "status": store.facts(facts.id).status,
            "run_key": result.run_key,
            "sop_run_id": result.sop_run_id,
        }


class VisitRun(StepMethods):
    """The handlers of SOP B's six steps for one visit."""

    def __init__(
        self,
        engine: Engine,
        store: VisitStore,
        office: Office,
        settings: Settings,
        request: VisitFacts,
    ) -> None:
        """Keep what the steps need (``request``: the visit as registered)."""
        self.engine = engine
        self.store = store
        self.office = office
        self.settings = settings
        self.visit_id = request.id
        self.request = request

    def register(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 1: the access form is complete and the ID deposited."""
        number = self.store.link_run(self.visit_id, procedure.sop_run_id).number
        r = self.request
        return StepResult(
            outputs={
                "visit": number,
                "visitor": r.visitor_name,
                "organisation": r.organisation,
                "id": masked_id(r.id_type, r.id_number),
                "devices_in": list(r.devices_in),
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
        devices = ", ".join(f"{d['name']} ({d['serial']})" for d in r.devices_in) or "tidak ada"
        summary = "\n".join(
            [
                f"**Kunjungan {self.store.facts(self.visit_id).number}**",
                "",
                f"- Pengunjung: {r.visitor_name} ({r.organisation})",
                f"- Tanda pengenal: {masked_id(r.id_type, r.id_number)}",
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
        explanations = explanation_map(answer.data.get("explanations") or [])
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
        directory = self.settings.reports_dir / "kunjungan"
        note = None
        try:
            doc = visit_form_document(self.office, line, now, decisions=procedure.signed(EXIT_STEP))
            paths = write_document(
                doc, directory, f"formulir-kunjungan-{number}", passphrases=resolve_secret
            )
            publish_document(
                doc, paths, key=f"kunjungan-{number}", served=served_reports(self.settings)
            )
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

    STEPS = (register, forward, decide, enter, exit, archive)


def _parse_time(value: Any) -> datetime | None:
    """A time from a form's JSON data (ISO text), or ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


__all__ = [
    "DEPLOYMENT_NAME",
    "ID_TYPES",
    "ExitForm",
    "VisitNotStartable",
    "akses_ruang_server",
    "startable_visit",
    "visit_run_key",
]
