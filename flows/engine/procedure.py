"""One engine for every SOP (A, B, C, D1-D6, E): record each step, ask people, branch.

A flow builds a :class:`Procedure` with one handler per SOP step and calls
:meth:`Procedure.run`. The engine

- opens (or continues) the SOP run under its run key, so running the same key
  again continues where the records say it stopped (:func:`sop.procedure.position`).
  The run started last is the only live one: the Prefect flow run recorded before
  it (killed with ``kill -9``, or its machine gone) is marked ``Crashed``, and a
  step it left ``running`` is ``interrupted`` with the collection it had started
  (:meth:`records.journal.RunJournal.close_interrupted`) and performed again;
- calls the handler of the next step. An automatic handler does its work and
  returns a :class:`StepResult`; a step whose start must be on record before its
  work (SOP A's collection) calls :meth:`Procedure.begin` first; a handler that
  needs a person calls :meth:`Procedure.ask` with the step's form
  (:class:`flows.approvals.SignedInput` subclass) or :meth:`Procedure.decide`
  for a decision: the run pauses, the answer is checked and recorded by
  :func:`flows.approvals.await_answer` (role, code, separation of duties, SLA watch);
- records the step log (actor, start, end, documents, outputs, SLA verdict) with
  the branch the step took, and goes where the SOP definition says: its *Ya/Tidak*
  branches, and for a decision what ``setuju``/``tolak``/``kembalikan`` does at
  that step (``answers:``, :func:`sop.procedure.decision_branch`).

Every record goes through :class:`records.journal.RunJournal`; handlers read what
earlier steps produced with :meth:`Procedure.outputs` and :meth:`Procedure.came_from`.
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
from flows.run_labels import name_flow_run
from records.journal import DecisionEntry, RunJournal, StepEntry
from reports.document import Decided, confirmation
from sop.model import DECISION_VALUES, SopDefinition, Step
from sop.office import Office
from sop.procedure import STOP, Branch, Done, ProcedureError, decision_branch, position
from sop.run_names import run_name
from sop.sla import due_time, evaluate
from tasks import clock
from tasks.leftover_runs import crash_leftover_flow_run


@dataclass
class StepResult:
    """What a step handler hands back to the engine.

    Attributes:
        outputs: The step's outputs as JSON data (merged into an answer's outputs).
        branch: ``ya`` / ``tidak`` for a decision step, :data:`sop.procedure.STOP`
            to end the run here, a step number to go back to, ``None`` to go on in order.
        actor: Who performed an automatic step (default: the procedure's actor).
        documents: Documents produced (names or file paths).
        note: A note for the step log.
        waits: Intervals spent waiting on a third party (a provider, a visitor):
            they do not count against the step's time standard and are shown apart.
        inputs: What the step was given, for its log (automatic steps).
        then: Called once the step is on record (e.g. a report made from it).
    """

    outputs: dict[str, Any] = field(default_factory=dict)
    branch: Branch = None
    actor: str | None = None
    documents: list[str] = field(default_factory=list)
    note: str | None = None
    waits: list[tuple[datetime, datetime]] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    then: Callable[[], None] | None = None


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


@dataclass(kw_only=True, eq=False)
class Procedure:
    """One run of an SOP, continued from its records.

    Attributes:
        engine: Records database.
        office: People, roles, SLA settings.
        settings: SIGAP settings (approval poll, timeout, SLA watch).
        sop: The SOP definition.
        run_key: Unique key of this run (e.g. ``C:office:INC-2026-0001``).
        title: Human title of the run.
        parameters: The run's parameters as JSON data (stored with the run).
        handlers: One handler per step number of ``sop``.
        actor: Username performing automatic steps (default: the first holder of
            each step's role).
        subject: Who the run is about, for its name in the Prefect UI (a visitor's
            first name); default: the office (:func:`sop.run_names.run_name`).
        final_status: A status a handler sets to end the run with (else
            ``completed``, or ``cancelled`` after a stop).

    Raises:
        ValueError: A step of the SOP has no handler (when built).
    """

    engine: Engine
    office: Office
    settings: Settings
    sop: SopDefinition
    run_key: str
    title: str
    parameters: dict[str, Any]
    handlers: Mapping[int, StepHandler]
    actor: str | None = None
    subject: str | None = None
    final_status: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        missing = [s.number for s in self.sop.steps if s.number not in self.handlers]
        if missing:
            raise ValueError(f"SOP {self.sop.code}: no handler for steps {missing}")
        self.parameters = dict(self.parameters)
        self.journal = RunJournal(self.engine)
        self.logger = get_run_logger()
        self._answered: Answer | None = None
        self._begun: tuple[int, datetime] | None = None

    @property
    def sop_run_id(self) -> int:
        """The SOP run's id in the records (0 before :meth:`run` opened it)."""
        return self.journal.sop_run_id

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
        last_branch: Branch = None
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
        current = current_flow_run_id()
        previous = self.journal.open(
            self.run_key,
            sop_code=self.sop.code,
            title=self.title,
            office=self.office.short_name,
            parameters=self.parameters,
            flow_run_id=current,
        )
        name_flow_run(current, run_name(self.run_key, self.subject))
        self._close_leftovers(previous, current)

    def _close_leftovers(self, previous: str | None, current: str | None) -> None:
        """Close what a run of this key started before this one left open.

        This run is now the key's only live one: the flow run recorded before (if
        another) is marked ``Crashed`` on the Prefect server, with its subflow and
        task runs; a step still ``running`` in the records, and the collection run
        it had started, are ``interrupted`` (ended at their last stored device).
        Waiting steps are left as they are: asking again continues them.

        Args:
            previous: The flow run id the SOP run held before this run started.
            current: This flow run's id.
        """
        if previous and previous != current:
            message = (
                f"SIGAP: {self.run_key} dilanjutkan oleh flow run {current} "
                "(proses run ini sudah berakhir tanpa melapor)"
            )
            try:
                crashed = crash_leftover_flow_run(previous, message)
            except Exception as exc:  # e.g. another Prefect server: the records still close
                self.logger.warning(
                    "flow run sebelumnya %s tidak dapat ditandai Crashed: %s", previous, exc
                )
            else:
                if crashed:
                    self.logger.warning(
                        "flow run sebelumnya %s tidak berjalan lagi: ditandai Crashed (%s)",
                        previous,
                        ", ".join(crashed),
                    )
        closed = self.journal.close_interrupted(
            f"terhenti: proses flow run {previous or '?'} berakhir sebelum langkah "
            f"ini selesai; dilanjutkan oleh flow run {current or '?'}"
        )
        for entry, collections, stored in closed:
            self.logger.warning(
                "langkah %s sebelumnya terhenti (%s perangkat tersimpan, collection run %s): "
                "dikerjakan lagi",
                entry.step_number,
                stored,
                ", ".join(str(c) for c in collections) or "-",
            )

    def _set_status(self, status: str, finished: bool = False) -> None:
        self.journal.set_status(status, finished_at=clock.now() if finished else None)

    def _completed_logs(self) -> list[StepEntry]:
        return self.journal.completed()

    def _position(self) -> tuple[int | None, Branch]:
        done = [
            Done(log.step_number, self._branch_of(log.step_number, log.outputs))
            for log in self._completed_logs()
        ]
        return position(self.sop, done), (done[-1].branch if done else None)

    def _branch_of(self, number: int, outputs: Mapping[str, Any]) -> Branch:
        """The branch a completed step took (a decision recorded before its branch: mapped)."""
        if "branch" in outputs:
            branch: Branch = outputs["branch"]
            return branch
        decision = outputs.get("decision")
        if decision is None:
            return None
        try:
            return decision_branch(self.sop.step(number), str(decision))
        except ProcedureError:
            return None

    def _perform(self, step: Step) -> None:
        started = clock.now()
        self._answered = None
        self._begun = None
        result = self.handlers[step.number](self, step)
        self._record(step, started, result)
        if result.then is not None:
            result.then()

    def _record(self, step: Step, started: datetime, result: StepResult) -> None:
        finished = clock.now()
        if self._answered is not None:
            # the answer finished the step log already: add the branch and outputs
            log = self.journal.amend(
                self._answered.step_log_id,
                outputs={**result.outputs, "branch": result.branch},
                documents=result.documents or None,
            )
            if result.waits and log.finished_at is not None:
                # third-party waiting reported in the form: off the step's clock
                sla = evaluate(
                    log.started_at,
                    log.finished_at,
                    step.duration,
                    result.waits,
                    factor=self.office.sla.breach_factor,
                )
                self.journal.amend(
                    log.id,
                    outputs={},
                    sla_status=str(sla.status),
                    waiting_seconds=sla.waiting.total_seconds(),
                )
            return
        if self._begun is None:
            log_id = self.journal.start(
                step.number,
                step.role,
                actor=result.actor or self.actor or self.holder(step.role),
                due_at=self._due(step, started),
                started_at=started,
                inputs=result.inputs,
                documents=list(step.inputs),
            )
        else:
            log_id, started = self._begun
        sla = evaluate(
            started, finished, step.duration, result.waits, factor=self.office.sla.breach_factor
        )
        self.journal.finish(
            log_id,
            finished_at=finished,
            outputs={**result.outputs, "branch": result.branch},
            documents=result.documents or ([step.output] if step.output else []),
            note=result.note,
            sla_status=str(sla.status),
            waiting_seconds=sla.waiting.total_seconds() if result.waits else None,
        )

    # -- for handlers ----------------------------------------------------------------------

    def begin(self, step: Step, *, inputs: Mapping[str, Any], actor: str | None = None) -> int:
        """Put a step's start on record before its work (the work may be killed).

        The step log stays ``running`` until the handler returns; a run started
        again after the process died finds it ``running`` and ends it
        ``interrupted`` (:meth:`records.journal.RunJournal.close_interrupted`).

        Args:
            step: The step being performed.
            inputs: What the step is given.
            actor: Who performs it (default: the procedure's actor, or the role's holder).

        Returns:
            The step log id (e.g. for the collection run to name).
        """
        started = clock.now()
        log_id = self.journal.start(
            step.number,
            step.role,
            actor=actor or self.actor or self.holder(step.role),
            due_at=self._due(step, started),
            started_at=started,
            inputs=dict(inputs),
            documents=list(step.inputs),
        )
        self._begun = (log_id, started)
        return log_id

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

        What each decision does at this step is the SOP definition's data (the
        step's ``answers:``): the *Ya* or *Tidak* branch, the end of the run, or a
        step to go back to (:func:`sop.procedure.decision_branch`).

        Args:
            step: The step.
            summary: What is being decided (markdown).
            performed_by: Who did the work under review (may not decide).

        Returns:
            The step's result with its branch.

        Raises:
            sop.procedure.ProcedureError: The SOP definition does not say what the
                decisions do at this step (checked before the run pauses).
        """
        for value in DECISION_VALUES:
            decision_branch(step, value)
        answer = self.ask(step, ApprovalInput, summary=summary, performed_by=performed_by)
        decision = answer.decision or "tolak"
        return StepResult(outputs={"decision": decision}, branch=decision_branch(step, decision))

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

    def completed(self, step_number: int | None = None) -> list[StepEntry]:
        """The completed step logs (of one step, if given), oldest first."""
        return [
            log
            for log in self._completed_logs()
            if step_number is None or log.step_number == step_number
        ]

    def came_from(self) -> StepEntry | None:
        """The completed step that led to the current one (``None`` at the start)."""
        logs = self._completed_logs()
        return logs[-1] if logs else None

    def decisions(self) -> list[DecisionEntry]:
        """The run's accepted decisions, oldest first."""
        return self.journal.decisions()

    def signed(self, *form_steps: int) -> list[Decided]:
        """What a document's signature blocks read: the decisions and the signed answers.

        The run's approvals (:meth:`decisions`) and, for each of ``form_steps`` (steps
        whose form is answered with a code, :meth:`ask`), its latest answer as a
        confirmation (:func:`reports.document.confirmation`). An automatic step is no
        one's decision: its actor is only a name the run was started with.

        Args:
            form_steps: The form steps whose answers the document's blocks stand for.

        Returns:
            The decisions, for :func:`reports.document.latest_decision`.
        """
        out: list[Decided] = list(self.decisions())
        for number in form_steps:
            done = [log for log in self.completed(number) if log.actor and log.finished_at]
            if done:
                last = done[-1]
                assert last.actor is not None and last.finished_at is not None
                role = self.sop.step(number).role
                out.append(confirmation(number, last.actor, role, last.finished_at))
        return out

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
