"""One engine for the step-by-step SOPs (B, C, D1-D6, E): record each step, ask people, branch.

A flow builds a :class:`Procedure` with one handler per SOP step and calls
:meth:`Procedure.run`. The engine

- opens (or continues) the SOP run under its run key, so running the same key
  again continues where the records say it stopped (:func:`sop.procedure.position`);
- calls the handler of the next step. An automatic handler does its work and
  returns a :class:`StepResult`; a handler that needs a person calls
  :meth:`Procedure.ask` with the step's form (:class:`flows.approvals.SignedInput`
  subclass, or :class:`flows.approvals.ApprovalInput` for a decision): the run
  pauses, the answer is checked and recorded by :func:`flows.approvals.await_answer`
  (role, code, separation of duties, SLA watch), exactly as SOP A's reviews;
- records the step log (actor, start, end, documents, outputs, SLA verdict) with
  the branch the step took, and goes where the SOP's *Ya/Tidak* branches say.

Handlers read what earlier steps produced with :meth:`Procedure.outputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prefect import get_run_logger
from prefect.exceptions import FlowPauseTimeout
from sqlalchemy.engine import Engine

from config.settings import Settings
from flows.approvals import (
    Answer,
    ApprovalInput,
    ApprovalRequest,
    SignedInput,
    await_answer,
    current_flow_run_id,
)
from records.db import session_scope
from records.models import StepLog
from records.sop_runs import get_or_create_sop_run, load_sop_run, set_sop_run_status
from records.steps import finish_step, start_step
from sop.model import SopDefinition, Step
from sop.office import Office
from sop.procedure import DECISION_BRANCH, STOP, Done, position
from sop.sla import due_time, evaluate
from tasks import clock


@dataclass
class StepResult:
    """What a step handler hands back to the engine.

    Attributes:
        outputs: The step's outputs as JSON data (merged into an answer's outputs).
        branch: ``ya`` / ``tidak`` for a decision step, :data:`sop.procedure.STOP`
            to end the run here, ``None`` to go on in order.
        actor: Who performed an automatic step (default: the procedure's actor).
        documents: Documents produced (names or file paths).
        note: A note for the step log.
        waits: Intervals spent waiting on a third party (a provider, a visitor):
            they do not count against the step's time standard and are shown apart.
    """

    outputs: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    actor: str | None = None
    documents: list[str] = field(default_factory=list)
    note: str | None = None
    waits: list[tuple[datetime, datetime]] = field(default_factory=list)


StepHandler = Callable[["Procedure", Step], StepResult]
"""Performs one SOP step: ``handler(procedure, step) -> StepResult``."""


@dataclass(frozen=True)
class ProcedureResult:
    """Where a run ended.

    Attributes:
        sop_run_id: The SOP run in the records.
        run_key: Its run key.
        status: ``completed`` or ``cancelled`` (ended by a stop or refusal).
        outputs: Each step's latest outputs, by step number.
    """

    sop_run_id: int
    run_key: str
    status: str
    outputs: dict[int, dict[str, Any]]


class Procedure:
    """One run of a step-by-step SOP, continued from its records."""

    def __init__(
        self,
        *,
        engine: Engine,
        office: Office,
        settings: Settings,
        sop: SopDefinition,
        run_key: str,
        title: str,
        parameters: Mapping[str, Any],
        handlers: Mapping[int, StepHandler],
        actor: str | None = None,
    ) -> None:
        """Keep what every step needs.

        Args:
            engine: Records database.
            office: People, roles, SLA settings.
            settings: SIGAP settings (approval poll, timeout, SLA watch).
            sop: The SOP definition.
            run_key: Unique key of this run (e.g. ``C:office:INC-2026-0001``).
            title: Human title of the run.
            parameters: The run's parameters as JSON data (stored with the run).
            handlers: One handler per step number of ``sop``.
            actor: Username performing automatic steps (default: the first holder
                of each step's role).

        Raises:
            ValueError: A step of the SOP has no handler.
        """
        missing = [s.number for s in sop.steps if s.number not in handlers]
        if missing:
            raise ValueError(f"SOP {sop.code}: no handler for steps {missing}")
        self.engine = engine
        self.office = office
        self.settings = settings
        self.sop = sop
        self.run_key = run_key
        self.title = title
        self.parameters = dict(parameters)
        self.handlers = dict(handlers)
        self.actor = actor
        self.sop_run_id = 0
        self.final_status: str | None = None
        self.logger = get_run_logger()
        self._answered: Answer | None = None

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> ProcedureResult:
        """Perform the steps from where the records stand to the end.

        Returns:
            The run's end.

        Raises:
            prefect.exceptions.FlowPauseTimeout: Nobody answered a paused step in time
                (the run is marked failed; running the same key again continues it).
        """
        self._open()
        last_branch: str | None = None
        try:
            while True:
                number, last_branch = self._position()
                if number is None:
                    break
                self._perform(self.sop.step(number))
        except FlowPauseTimeout:
            self._set_status("failed")
            self.logger.error("tidak ada jawaban tepat waktu; jalankan lagi %s", self.run_key)
            raise
        status = self.final_status or ("cancelled" if last_branch == STOP else "completed")
        self._set_status(status, finished=True)
        self.logger.info("SOP %s %s: %s", self.sop.code, self.run_key, status)
        return ProcedureResult(self.sop_run_id, self.run_key, status, self.all_outputs())

    def _open(self) -> None:
        with session_scope(self.engine) as session:
            run = get_or_create_sop_run(
                session,
                self.run_key,
                sop_code=self.sop.code,
                title=self.title,
                office=self.office.short_name,
                parameters=self.parameters,
            )
            set_sop_run_status(session, run, "running", flow_run_id=current_flow_run_id())
            self.sop_run_id = run.id

    def _set_status(self, status: str, finished: bool = False) -> None:
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            set_sop_run_status(session, run, status, finished_at=clock.now() if finished else None)

    def _completed_logs(self) -> list[StepLog]:
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            logs = [log for log in run.step_logs if log.status == "completed"]
            session.expunge_all()
            return logs

    def _position(self) -> tuple[int | None, str | None]:
        done = [Done(log.step_number, _branch_of(log.outputs)) for log in self._completed_logs()]
        return position(self.sop, done), (done[-1].branch if done else None)

    def _perform(self, step: Step) -> None:
        started = clock.now()
        self._answered = None
        result = self.handlers[step.number](self, step)
        finished = clock.now()
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            if self._answered is not None:
                # the answer finished the step log already: add the branch and outputs
                log = session.get(StepLog, self._answered.step_log_id)
                assert log is not None
                log.outputs = {**log.outputs, **result.outputs, "branch": result.branch}
                if result.documents:
                    log.documents = list(result.documents)
                if result.waits:
                    # third-party waiting reported in the form: off the step's clock
                    assert log.finished_at is not None
                    sla = evaluate(
                        log.started_at,
                        log.finished_at,
                        step.duration,
                        result.waits,
                        factor=self.office.sla.breach_factor,
                    )
                    log.waiting_seconds = sla.waiting.total_seconds()
                    log.sla_status = str(sla.status)
                session.flush()
                return
            actor = result.actor or self.actor or self.holder(step.role)
            log = start_step(
                session,
                run,
                step.number,
                step.role,
                actor=actor,
                due_at=self._due(step, started),
                started_at=started,
                documents=list(step.inputs),
            )
            sla = evaluate(
                started,
                finished,
                step.duration,
                result.waits,
                factor=self.office.sla.breach_factor,
            )
            finish_step(
                session,
                log,
                finished_at=finished,
                outputs={**result.outputs, "branch": result.branch},
                documents=result.documents or ([step.output] if step.output else []),
                note=result.note,
                sla_status=str(sla.status),
                waiting_seconds=sla.waiting.total_seconds() if result.waits else None,
            )

    # -- for handlers ----------------------------------------------------------------------

    def ask(
        self,
        step: Step,
        form: type[SignedInput] = ApprovalInput,
        *,
        summary: str,
        initial: Mapping[str, Any] | None = None,
        performed_by: tuple[str, ...] = (),
        check: Callable[[SignedInput], str | None] | None = None,
    ) -> Answer:
        """Pause the run until a holder of the step's role answers ``form``.

        Args:
            step: The step (its role, time standard).
            form: :class:`ApprovalInput` for a decision, or the step's own form.
            summary: Markdown above the form: what the person answers.
            initial: Values the form starts with.
            performed_by: Usernames who may not answer (separation of duties).
            check: Checks the answer's content: returns what is wrong (the answer
                is refused and recorded, the run waits again) or ``None``.

        Returns:
            The accepted answer (already recorded; the step log is finished).
        """
        self._set_status("paused")
        answer = await_answer(
            self.engine,
            self.office,
            ApprovalRequest(
                sop_run_id=self.sop_run_id,
                sop_code=self.sop.code,
                sop_title=self.sop.title("id"),
                step=step,
                performed_by=performed_by,
                summary=summary,
                form=form,
                initial=dict(initial or {}),
                check=check,
            ),
            poll_interval=self.settings.approval_poll,
            timeout=self.settings.approval_timeout,
            sla_watch=self.settings.sla_watch,
        )
        self._set_status("running")
        self._answered = answer
        return answer

    def decide(self, step: Step, *, summary: str, performed_by: tuple[str, ...] = ()) -> StepResult:
        """A decision step: ask for ``setuju``/``tolak``/``kembalikan`` and branch on it.

        ``setuju`` takes the *Ya* branch, ``tolak`` and ``kembalikan`` the *Tidak*
        branch (:data:`sop.procedure.DECISION_BRANCH`); a step that is not a
        decision in the SOP goes on in order after ``setuju`` and stops the run
        after ``tolak``.

        Args:
            step: The step.
            summary: What is being decided (markdown).
            performed_by: Who did the work under review (may not decide).

        Returns:
            The step's result with its branch.
        """
        answer = self.ask(step, ApprovalInput, summary=summary, performed_by=performed_by)
        decision = answer.decision or "tolak"
        if step.is_decision:
            branch: str | None = DECISION_BRANCH[decision]
        else:
            branch = None if decision == "setuju" else STOP
        return StepResult(outputs={"decision": decision}, branch=branch)

    def holder(self, role: str) -> str | None:
        """The first person holding ``role`` in the office, if any."""
        holders = self.office.holders(role)
        return holders[0].username if holders else None

    def outputs(self, step_number: int) -> dict[str, Any]:
        """The latest outputs of a completed step (empty if it has not run)."""
        return self.all_outputs().get(step_number, {})

    def all_outputs(self) -> dict[int, dict[str, Any]]:
        """Each completed step's latest outputs, by step number."""
        return {log.step_number: dict(log.outputs) for log in self._completed_logs()}

    def actors(self, *step_numbers: int) -> tuple[str, ...]:
        """Who performed the given completed steps (for separation of duties)."""
        wanted = set(step_numbers)
        return tuple(
            sorted(
                {
                    log.actor
                    for log in self._completed_logs()
                    if log.step_number in wanted and log.actor
                }
            )
        )

    def _due(self, step: Step, start: datetime) -> datetime | None:
        if step.duration is None:
            return None
        return due_time(start, step.duration, self.office.sla.breach_factor)


def _branch_of(outputs: Mapping[str, Any]) -> str | None:
    """The branch a completed step log took (a decision recorded before its branch: mapped)."""
    if "branch" in outputs:
        return outputs["branch"]
    decision = outputs.get("decision")
    return DECISION_BRANCH.get(str(decision)) if decision is not None else None
