"""Approvals shared by every SOP flow: pause for a manager, check the answer, record it.

Every step that waits for a person is one call to :func:`await_answer` inside a
flow: a review step with the :class:`ApprovalInput` form (a decision), a step where
a person fills in data (a verification, a provider's ticket, an exit check) with
the step's own form, a subclass of :class:`SignedInput`. Both go the same way:

1. the step is logged as ``waiting`` with its deadline from the SOP's time standard;
2. the flow run pauses (``pause_flow_run``) with an :class:`ApprovalInput` form whose
   description says what is being approved; the manager answers in the Prefect UI
   or with ``sigap approve``;
3. the answer is checked by :func:`sop.approval.judge_approval` (role, separation of
   duties, personal code or TOTP, lockout after wrong codes); the code is deleted
   from the Prefect server as soon as it is read;
4. a refused answer is recorded (who, why) and the run pauses again; an accepted one
   ends the step: a decision (:class:`ApprovalInput`) is recorded as an approval, and
   the form's fields, without the code, become the step's outputs.

While the run waits, a watcher thread checks the step against its deadline and,
once it is breached, records the breach and notifies the role holders and the
escalation role (:mod:`tasks.sla_watch`). Nothing ever approves by itself.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.input.run_input import keyset_from_base_key
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo
from sqlalchemy.engine import Engine

from config.smtp import SmtpSettings, smtp_settings_from_env
from flows.run_labels import flow_run_link, publish_answer, tag_waiting
from records.journal import DecisionEntry, RunJournal
from sop.approval import CODE_REUSED_MESSAGE, Refusal, Verdict, judge_approval
from sop.escalation import format_time
from sop.form_schema import tidy_form_schema
from sop.form_text import (
    CODE_MAX,
    LongText,
    Username,
    clean_username,
    describe_errors,
    text_problem,
    walk_problem,
)
from sop.model import Step
from sop.office import Office
from sop.run_names import answer_key, answer_markdown, refusal_line
from sop.sla import due_time, evaluate
from tasks import clock
from tasks.credentials import resolve_secret
from tasks.sla_watch import handle_breach

log = logging.getLogger(__name__)


def _code_fits(code: SecretStr) -> SecretStr:
    problem = text_problem(code.get_secret_value(), CODE_MAX, multiline=False)
    if problem is not None:
        raise ValueError(problem)
    return code


def _ui_schema(schema: dict[str, Any], form: type) -> None:
    """The form's JSON schema as the Prefect UI should draw it (:mod:`sop.form_schema`)."""
    fields: dict[str, FieldInfo] = getattr(form, "model_fields", {})
    tidy_form_schema(
        schema,
        {name: info.title for name, info in fields.items()},
        order=getattr(form, "FIRST_FIELDS", ()),
    )


class SignedInput(RunInput):
    """The part of every SOP form that says who answers: username and personal code.

    A step's own form subclasses it with the step's fields (pydantic fields with
    Indonesian descriptions: the Prefect UI shows them as the form, labelled in
    Indonesian, the step's fields first and the signature last, the code masked:
    :func:`sop.form_schema.tidy_form_schema`). Text fields use the types of
    :mod:`sop.form_text`, whose limits are the database columns'; any text anywhere
    in an answer is checked against :func:`sop.form_text.walk_problem` before the
    fields are.
    """

    model_config = ConfigDict(json_schema_extra=_ui_schema)

    FIRST_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Fields the Prefect UI shows first (a decision)."""

    approver: Username = Field(
        title="Username Anda",
        description="Username Anda sesuai konfigurasi kantor (your username)",
    )
    code: Annotated[SecretStr, AfterValidator(_code_fits)] = Field(
        title="Kode persetujuan / TOTP",
        description="Kode persetujuan pribadi atau kode TOTP (your approval code)",
    )

    @classmethod
    def with_initial_data(cls, description: str | None = None, **kwargs: Any) -> type[SignedInput]:  # type: ignore[override]
        """This form with ``kwargs`` as the starting values of its fields.

        Unlike Prefect's own, a field keeps its type, limits, label and description
        (Prefect's rebuilds it from the bare annotation).

        Args:
            description: Markdown shown above the form.
            **kwargs: Starting values by field name.

        Returns:
            A subclass of this form.

        Raises:
            ValueError: A name that is not a field of the form.
        """
        fields: dict[str, Any] = {}
        for key, value in kwargs.items():
            original = cls.model_fields.get(key)
            if original is None:
                raise ValueError(f"form {cls.__name__}: no field {key!r}")
            info = copy.copy(original)
            info.default = value
            info.default_factory = None
            fields[key] = (original.annotation, info)
        model = create_model(cls.__name__, __base__=cls, **fields)
        if description is not None:
            model._description = description
        return model

    @model_validator(mode="before")
    @classmethod
    def _no_hostile_text(cls, data: Any) -> Any:
        problem = walk_problem(data)
        if problem is not None:
            raise ValueError(problem)
        return data


Note = Annotated[LongText, Field(description="Catatan (note)")]
"""A form's free note, optional: ``note: Note = ""``."""

WorkNote = Annotated[LongText, Field(description="Catatan pelaksanaan (note)")]
"""The note of a form reporting work done (a relocation, a disposal): ``note: WorkNote = ""``."""


class ApprovalInput(SignedInput):
    """The form a manager fills in to answer a paused SOP run."""

    FIRST_FIELDS: ClassVar[tuple[str, ...]] = ("decision",)

    decision: Literal["setuju", "tolak", "kembalikan"] = Field(
        title="Keputusan",
        description="Keputusan: setuju (approve), tolak (reject) atau kembalikan "
        "(return for revision)",
    )
    note: LongText = Field(
        default="",
        title="Catatan",
        description="Catatan; untuk 'kembalikan' sebutkan perangkat yang harus diulang "
        "(note; for a return, name the devices to redo)",
    )


@dataclass(frozen=True)
class ApprovalRequest:
    """One review step waiting for a decision.

    Attributes:
        sop_run_id: The SOP run in the records.
        sop_code: SOP code, e.g. ``A``.
        sop_title: SOP title (for notifications).
        step: The SOP step under review (its role and time standard).
        performed_by: Usernames who did the work under review (they may not approve).
        summary: Markdown shown in the form: what is being approved.
        form: The form to fill in: :class:`ApprovalInput` for a decision, or a
            subclass of :class:`SignedInput` with the step's own fields.
        initial: Values the form starts with (they become optional in the schema).
        check: A check of the answer's content the schema cannot express (e.g. a
            count that must match the run's data): returns what is wrong, or
            ``None``. An answer it finds wrong is refused and recorded like any
            refused answer (reason ``invalid: ...``) and the run waits again.
    """

    sop_run_id: int
    sop_code: str
    sop_title: str
    step: Step
    performed_by: tuple[str, ...]
    summary: str
    form: type[SignedInput] = ApprovalInput
    initial: dict[str, Any] | None = None
    check: Callable[[SignedInput], str | None] | None = None


@dataclass(frozen=True)
class Answer:
    """An accepted answer to a paused step.

    Attributes:
        approver: Username of the person who answered.
        decided_at: When it was accepted.
        data: The form's fields without the code (for a decision: ``decision``, ``note``).
        step_log_id: The step log the answer finished.
    """

    approver: str
    decided_at: datetime
    data: dict[str, Any]
    step_log_id: int

    @property
    def decision(self) -> str | None:
        """``setuju``, ``tolak`` or ``kembalikan`` for a decision, else ``None``."""
        value = self.data.get("decision")
        return str(value) if value is not None else None

    @property
    def note(self) -> str:
        """The answer's note, if the form has one."""
        return str(self.data.get("note") or "")


def current_flow_run_id() -> str | None:
    """The id of the flow run this code runs in, if any."""
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def form_description(
    office: Office, request: ApprovalRequest, refused: str | None, due: datetime | None
) -> str:
    """The markdown above the resume form (pure).

    Args:
        office: For role titles and the timezone.
        request: The step and its summary.
        refused: Why the previous answer was refused, if it was: the form's first
            line then says so (``DITOLAK: ...``).
        due: The step's deadline.

    Returns:
        Markdown.
    """
    step = request.step
    title = office.role_titles.get(step.role, step.role)
    lines = [refusal_line(refused), ""] if refused else []
    lines += [
        f"## SOP {request.sop_code} langkah {step.number}: "
        f"{'keputusan' if request.form is ApprovalInput else 'isian'} {title}",
        "",
        step.activity("id"),
        "",
    ]
    if due is not None:
        lines += [f"Batas waktu: {format_time(due, office)}", ""]
    lines += [request.summary, ""]
    lines.append(
        "Isi keputusan (setuju / tolak / kembalikan), username Anda dan kode persetujuan "
        "pribadi Anda. Kode tidak disimpan."
        if request.form is ApprovalInput
        else "Isi formulir, username Anda dan kode persetujuan pribadi Anda. Kode tidak disimpan."
    )
    return "\n".join(lines)


class SlaWatcher:
    """Checks a waiting step against its deadline in a background thread."""

    def __init__(self, check: Callable[[], bool], interval: float) -> None:
        self._check = check
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sigap-sla-watch", daemon=True)

    def __enter__(self) -> SlaWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if self._check():
                    return  # the breach is recorded and notified once
            except Exception:  # a watcher fault must not end the waiting run
                log.exception("SLA check failed")


def _delete_answer(flow_run_id: str, pause_key: str) -> None:
    """Remove the stored answer (it holds the approval code) from the Prefect server."""
    with get_client(sync_client=True) as client:
        try:
            client.delete_flow_run_input(
                flow_run_id, keyset_from_base_key(f"paused-{pause_key}")["response"]
            )
        except Exception as exc:  # best effort; said in the log
            log.warning("could not delete the answer of pause %s: %s", pause_key, type(exc))


def _held_role(office: Office, username: str, step: Step) -> str:
    """The step's role an accepted approver answered in (the first one they hold)."""
    person = office.person(username)
    held = set(person.roles) if person else set()
    return next((role for role in step.roles if role in held), step.role)


def form_data(answer: SignedInput) -> dict[str, Any]:
    """An answer's fields as JSON data, without who answered and without any secret (pure).

    Args:
        answer: The accepted answer.

    Returns:
        The fields to record as the step's outputs.
    """
    secret = {
        name
        for name, value in answer.__dict__.items()
        if isinstance(value, SecretStr) or name in ("approver", "code")
    }
    return answer.model_dump(mode="json", exclude=secret)


def _read_answer(flow_run_id: str, pause_key: str) -> Any:
    """The answer of a pause as stored, before any checks (``None`` if there is none)."""
    import json

    with get_client(sync_client=True) as client:
        try:
            text = client.read_flow_run_input(
                flow_run_id, keyset_from_base_key(f"paused-{pause_key}")["response"]
            )
        except Exception:  # no answer stored: a resume without input
            return None
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _malformed(error: Exception, raw: Any) -> str:
    """Why an answer that could not be read as the form was refused (pure; no values)."""
    if raw is None:
        return "tidak ada jawaban formulir"
    if not isinstance(raw, dict):
        return "jawaban bukan isian formulir"
    if isinstance(error, ValidationError):
        return describe_errors(error.errors(include_input=False, include_url=False))
    return "jawaban tidak dapat dibaca sebagai formulir"


def _check_form(answer: SignedInput) -> str | None:
    """What is wrong with an answer the schema let through (pure)."""
    if not answer.approver.strip():
        return "username pemberi persetujuan kosong"
    if not answer.code.get_secret_value().strip():
        return "kode persetujuan kosong"
    return None


def await_answer(
    engine: Engine,
    office: Office,
    request: ApprovalRequest,
    *,
    poll_interval: int,
    timeout: int,
    sla_watch: float,
    smtp: SmtpSettings | None = None,
    resolve_ref: Callable[[str], str] = resolve_secret,
) -> Answer:
    """Pause the flow run until an accepted answer arrives for one step.

    Must run inside a flow run. Continues an unfinished waiting log of the same
    step (a run started again for the same run key) instead of opening a new one.

    Args:
        engine: Records database.
        office: People, roles, lockout and SLA settings.
        request: The step under review.
        poll_interval: Seconds between checks for an answer.
        timeout: Seconds to wait for one answer before the pause times out.
        sla_watch: Seconds between SLA checks while waiting.
        smtp: SMTP settings for breach notifications (``None``: from the environment;
            notifications are off when ``SIGAP_SMTP_HOST`` is unset).
        resolve_ref: Resolves TOTP secret references.

    Returns:
        The accepted answer; a decision is recorded as an approval, and the form's
        fields (without the code) are the finished step log's outputs.

    Raises:
        prefect.exceptions.FlowPauseTimeout: Nobody answered acceptably in time.
    """
    logger = get_run_logger()
    flow_run_id = current_flow_run_id() or "?"
    smtp = smtp if smtp is not None else smtp_settings_from_env()
    step = request.step
    journal = RunJournal(engine, request.sop_run_id)
    started = clock.now()
    waiting = journal.wait(
        step.number,
        step.role,
        started_at=started,
        due_at=due_time(started, step.duration, office.sla.breach_factor)
        if step.duration
        else None,
        inputs={
            "performed_by": list(request.performed_by),
            "form": [n for n in request.form.model_fields if n not in ("code",)],
        },
    )
    step_log_id, due, attempt = waiting.id, waiting.due_at, waiting.answers

    def check_sla() -> bool:
        return (
            handle_breach(
                engine,
                office,
                sop_run_id=request.sop_run_id,
                step_log_id=step_log_id,
                standard=step.duration,
                sop_code=request.sop_code,
                sop_title=request.sop_title,
                now=clock.now(),
                run_ref=flow_run_link(flow_run_id),
                smtp=smtp,
            )
            is not None
        )

    refused: str | None = None
    with SlaWatcher(check_sla, sla_watch):
        while True:
            attempt += 1
            key = f"sop{request.sop_run_id}-step{step.number}-log{step_log_id}-{attempt}"
            form = request.form.with_initial_data(
                description=form_description(office, request, refused, due),
                **(request.initial or {}),
            )
            logger.info(
                "SOP %s langkah %s menunggu %s %s",
                request.sop_code,
                step.number,
                "keputusan" if request.form is ApprovalInput else "isian",
                office.role_titles.get(step.role, step.role),
            )
            tag_waiting(flow_run_id, step.roles, refused=refused is not None)
            try:
                answer: SignedInput | None = pause_flow_run(
                    wait_for_input=form, timeout=timeout, poll_interval=poll_interval, key=key
                )
            except (ValidationError, TypeError, ValueError) as error:
                # input the schema did not stop (written straight to the run's input
                # endpoint, a resume without input, a check only SIGAP makes): refused
                answer = None
                raw = _read_answer(flow_run_id, key)
                attempted = clean_username(raw.get("approver") if isinstance(raw, dict) else None)
                problem: str | None = _malformed(error, raw)
            else:
                attempted = clean_username(answer.approver)
                problem = _check_form(answer)
            _delete_answer(flow_run_id, key)
            now = clock.now()
            if problem is not None or answer is None:
                verdict_reason: str | None = f"malformed: {problem}"
            else:
                who = answer.approver.strip()
                verdict = judge_approval(
                    office,
                    approver=who,
                    code=answer.code.get_secret_value(),
                    step_role=step.roles,
                    performed_by=request.performed_by,
                    wrong_codes_at=journal.wrong_code_times(who),
                    now=now,
                    resolve_ref=resolve_ref,
                    last_totp_step=journal.last_totp_step(who),
                )
                if verdict.totp_step is not None and not journal.claim_totp_step(
                    who, verdict.totp_step, now
                ):
                    # another answer used this one-time code in the meantime
                    verdict = Verdict(False, Refusal.CODE_REUSED, CODE_REUSED_MESSAGE)
                # a wrong code is stored as "wrong_code: ..." (WRONG_CODE_PREFIX),
                # which the lockout counts
                verdict_reason = (
                    None if verdict.accepted else f"{verdict.refusal}: {verdict.message}"
                )
                if verdict_reason is None and request.check is not None:
                    # outside any transaction: a check may do I/O and write records
                    # itself (SOP C re-runs the diagnostics of a device)
                    invalid = request.check(answer)
                    verdict_reason = f"invalid: {invalid}" if invalid else None
                    now = clock.now()
            if verdict_reason is not None:
                journal.refuse(
                    step.number, attempted_username=attempted, reason=verdict_reason, refused_at=now
                )
                refused = verdict_reason.split(": ", 1)[-1]
                logger.warning(
                    "jawaban untuk langkah %s ditolak: %s; menunggu lagi", step.number, refused
                )
                continue
            assert answer is not None  # a missing answer is always refused above
            approver = answer.approver.strip()
            data = form_data(answer)
            decision: DecisionEntry | None = None
            if isinstance(answer, ApprovalInput):
                decision = DecisionEntry(
                    step_number=step.number,
                    decision=answer.decision,
                    approver=approver,
                    role_key=_held_role(office, approver, step),
                    note=answer.note or None,
                    decided_at=now,
                )
                outputs: dict[str, Any] = {"decision": answer.decision}
            else:
                outputs = data
            sla = evaluate(waiting.started_at, now, step.duration, factor=office.sla.breach_factor)
            # a breach recorded while waiting stays a breach (kept by the journal)
            journal.accept(
                step_log_id,
                actor=approver,
                finished_at=now,
                outputs=outputs,
                note=str(data.get("note") or "") or None,
                sla_status=str(sla.status),
                decision=decision,
            )
            logger.info(
                "langkah %s: %s oleh %s", step.number, outputs.get("decision", "dijawab"), approver
            )
            tag_waiting(flow_run_id, (), refused=False)
            _publish_answer(office, request, approver, now, data, refused_before=attempt - 1)
            return Answer(approver, now, data, step_log_id)


def _publish_answer(
    office: Office,
    request: ApprovalRequest,
    approver: str,
    at: datetime,
    data: dict[str, Any],
    refused_before: int,
) -> None:
    """The accepted answer as an artifact on the run: decision, person, role, time."""
    step = request.step
    person = office.person(approver)
    role = _held_role(office, approver, step)
    decision = data.get("decision")
    publish_answer(
        answer_key(request.sop_run_id, step.number),
        answer_markdown(
            sop_code=request.sop_code,
            step_number=step.number,
            activity=step.activity("id"),
            decision=str(decision) if decision is not None else None,
            person=f"{person.name} ({approver})" if person else approver,
            role_title=office.role_titles.get(role, role),
            answered_at=format_time(at, office),
            note=str(data.get("note") or ""),
            refused_before=refused_before,
        ),
        f"SOP {request.sop_code} langkah {step.number}: jawaban {approver}",
    )
