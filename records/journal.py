"""The journal of one SOP run: the run and its step logs, as the step engine records them.

Every SOP (A-E) runs on one engine (:class:`flows.engine.Procedure`); this is the
one module it records through. Each call opens its own short transaction and
hands back plain, frozen data (:class:`StepEntry`, :class:`DecisionEntry`), so
the engine and the flows never hold a database session across a pause.

What a killed run left behind is closed here too (:meth:`RunJournal.close_interrupted`):
a step log still ``running`` from a process that is gone becomes ``interrupted``,
with the collection runs it had started.

A step that waits for a person (:func:`flows.approvals.await_answer`) is recorded
here as well: the step waiting (:meth:`RunJournal.wait`), each refused answer
(:meth:`RunJournal.refuse`) and the accepted one (:meth:`RunJournal.accept`), with
the wrong codes a lockout counts (:meth:`RunJournal.wrong_code_times`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from records.approvals import (
    claim_totp_step,
    last_totp_step,
    record_approval,
    record_refused_approval,
    wrong_code_times,
)
from records.collection_runs import (
    SOP_STEP_KEY,
    interrupt_collection_run,
    running_collection_runs,
)
from records.db import session_scope
from records.models import StepLog
from records.sop_runs import get_or_create_sop_run, load_sop_run, set_sop_run_status
from records.steps import finish_step, open_step, start_step


@dataclass(frozen=True)
class StepEntry:
    """One step log as plain data.

    Attributes:
        id: Step log id.
        step_number: SOP step number.
        status: ``running``, ``waiting``, ``completed``, ``interrupted`` ...
        actor: Who performed or answered it.
        started_at: When it began.
        finished_at: When it ended, if it has.
        inputs: Its inputs as JSON data.
        outputs: Its outputs as JSON data.
        note: Its note, if any.
    """

    id: int
    step_number: int
    status: str
    actor: str | None
    started_at: datetime
    finished_at: datetime | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    note: str | None


@dataclass(frozen=True)
class DecisionEntry:
    """One accepted decision of a run (an approval record).

    Attributes:
        step_number: The decided step.
        decision: ``setuju``, ``tolak`` or ``kembalikan``.
        approver: Who decided.
        role_key: The role they decided in.
        note: Their note, if any.
        decided_at: When.
    """

    step_number: int
    decision: str
    approver: str
    role_key: str
    note: str | None
    decided_at: datetime


@dataclass(frozen=True)
class WaitingStep:
    """A step log waiting for a person's answer.

    Attributes:
        id: Step log id.
        started_at: When the step began waiting (its first wait, if continued).
        due_at: Its deadline, if it has a time standard.
        answers: How many answers the run has recorded so far, accepted or refused
            (in any step): the pause keys count on from it.
    """

    id: int
    started_at: datetime
    due_at: datetime | None
    answers: int


def _entry(log: StepLog) -> StepEntry:
    return StepEntry(
        id=log.id,
        step_number=log.step_number,
        status=log.status,
        actor=log.actor,
        started_at=log.started_at,
        finished_at=log.finished_at,
        inputs=dict(log.inputs or {}),
        outputs=dict(log.outputs or {}),
        note=log.note,
    )


class RunJournal:
    """Records one SOP run: open it, its status, its steps (each call one transaction)."""

    def __init__(self, engine: Engine, sop_run_id: int = 0) -> None:
        """Keep the records database.

        Args:
            engine: Records database.
            sop_run_id: The SOP run, when it is open already (else :meth:`open` sets it).
        """
        self.engine = engine
        self.sop_run_id = sop_run_id

    def open(
        self,
        run_key: str,
        *,
        sop_code: str,
        title: str,
        office: str,
        parameters: dict[str, Any],
        flow_run_id: str | None,
    ) -> str | None:
        """Open (or continue) the run under ``run_key`` and mark it running.

        Args:
            run_key: Unique key of the run.
            sop_code: SOP code.
            title: Human title.
            office: Office key.
            parameters: The run's parameters as JSON data (no personal data).
            flow_run_id: The Prefect flow run now performing it.

        Returns:
            The flow run id the run held before (another process's), or ``None``.
        """
        with session_scope(self.engine) as session:
            run = get_or_create_sop_run(
                session,
                run_key,
                sop_code=sop_code,
                title=title,
                office=office,
                parameters=parameters,
            )
            previous = run.flow_run_id
            set_sop_run_status(session, run, "running", flow_run_id=flow_run_id)
            self.sop_run_id = run.id
        return previous

    def set_status(self, status: str, *, finished_at: datetime | None = None) -> None:
        """Set the run's status (and its end when ``finished_at`` is given)."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            set_sop_run_status(session, run, status, finished_at=finished_at)

    def steps(self) -> list[StepEntry]:
        """Every step log of the run, in the order they began."""
        with session_scope(self.engine) as session:
            return [_entry(log) for log in load_sop_run(session, self.sop_run_id).step_logs]

    def completed(self) -> list[StepEntry]:
        """The completed step logs, in order (what the run's position is replayed from)."""
        return [entry for entry in self.steps() if entry.status == "completed"]

    def decisions(self) -> list[DecisionEntry]:
        """The accepted decisions of the run, oldest first."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            return [
                DecisionEntry(
                    a.step_number, a.decision, a.approver, a.role_key, a.note, a.decided_at
                )
                for a in run.approvals
            ]

    def start(
        self,
        step_number: int,
        role_key: str,
        *,
        actor: str | None,
        due_at: datetime | None,
        started_at: datetime,
        inputs: dict[str, Any] | None = None,
        documents: list[str] | None = None,
    ) -> int:
        """Record that a step began (status ``running``).

        Returns:
            The step log id.
        """
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            log = start_step(
                session,
                run,
                step_number,
                role_key,
                actor=actor,
                due_at=due_at,
                started_at=started_at,
                inputs=inputs,
                documents=documents,
            )
            return log.id

    def finish(
        self,
        log_id: int,
        *,
        finished_at: datetime,
        outputs: dict[str, Any],
        documents: list[str] | None,
        note: str | None = None,
        sla_status: str | None = None,
        waiting_seconds: float | None = None,
    ) -> None:
        """Record that a running step finished (status ``completed``)."""
        with session_scope(self.engine) as session:
            log = session.get(StepLog, log_id)
            if log is None:
                raise LookupError(f"no step log {log_id}")
            finish_step(
                session,
                log,
                finished_at=finished_at,
                outputs=outputs,
                documents=documents,
                note=note,
                sla_status=sla_status,
                waiting_seconds=waiting_seconds,
            )

    def amend(
        self,
        log_id: int,
        *,
        outputs: dict[str, Any],
        documents: list[str] | None = None,
        sla_status: str | None = None,
        waiting_seconds: float | None = None,
    ) -> StepEntry:
        """Add to a step log an answer already finished: outputs, branch, documents, SLA.

        Returns:
            The step log as it is now.
        """
        with session_scope(self.engine) as session:
            log = session.get(StepLog, log_id)
            if log is None:
                raise LookupError(f"no step log {log_id}")
            log.outputs = {**(log.outputs or {}), **outputs}
            if documents:
                log.documents = list(documents)
            if sla_status is not None:
                log.sla_status = sla_status
            if waiting_seconds is not None:
                log.waiting_seconds = waiting_seconds
            session.flush()
            return _entry(log)

    def close_interrupted(self, note: str) -> list[tuple[StepEntry, list[int], int]]:
        """End the steps a killed process left ``running``: ``interrupted``, never counted.

        A collection run such a step had started (linked by its step log id) is
        interrupted too, ending at its last stored device; the step ends at the
        latest of its start and those ends. Waiting steps are left as they are (an
        answer continues them).

        Args:
            note: The note the interrupted steps get.

        Returns:
            Per interrupted step: its entry, the collection run ids it had, and how
            many devices those had stored.
        """
        closed: list[tuple[StepEntry, list[int], int]] = []
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            stale = [log for log in run.step_logs if log.status == "running"]
            if not stale:
                return closed
            collections = running_collection_runs(session, [log.id for log in stale])
            for collection in collections:
                interrupt_collection_run(session, collection)
            for log in stale:
                mine = [c for c in collections if c.selection.get(SOP_STEP_KEY) == log.id]
                ends = [c.finished_at for c in mine if c.finished_at is not None]
                stored = sum(c.devices_total for c in mine)
                finish_step(
                    session,
                    log,
                    status="interrupted",
                    finished_at=max([log.started_at, *ends]),
                    outputs={
                        **(log.outputs or {}),
                        "interrupted_collection_run_ids": [c.id for c in mine],
                        "devices_stored": stored,
                    },
                    note=note,
                )
                closed.append((_entry(log), [c.id for c in mine], stored))
        return closed

    # -- a step waiting for a person -----------------------------------------------------

    def wait(
        self,
        step_number: int,
        role_key: str,
        *,
        started_at: datetime,
        due_at: datetime | None,
        inputs: dict[str, Any],
    ) -> WaitingStep:
        """Mark a step ``waiting`` for an answer: its unfinished log, or a new one.

        A run started again for the same run key continues the step's unfinished
        log (its start and deadline stay); otherwise a log is started.

        Args:
            step_number: The step.
            role_key: The role that answers.
            started_at: The start of a new log (aware).
            due_at: The deadline of a new log.
            inputs: The inputs of a new log (who did the work, the form's fields).

        Returns:
            The waiting step log.
        """
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            log = open_step(session, run, step_number)
            if log is None:
                log = start_step(
                    session,
                    run,
                    step_number,
                    role_key,
                    due_at=due_at,
                    started_at=started_at,
                    status="waiting",
                    inputs=inputs,
                )
            else:
                log.status = "waiting"
                session.flush()
            return WaitingStep(
                log.id, log.started_at, log.due_at, len(run.refused_approvals) + len(run.approvals)
            )

    def wrong_code_times(self, username: str) -> list[datetime]:
        """When ``username`` gave a wrong approval code, in any run (for lockouts), oldest first."""
        with session_scope(self.engine) as session:
            return wrong_code_times(session, username)

    def last_totp_step(self, username: str) -> int | None:
        """The latest TOTP step ``username``'s accepted answers used, in any run."""
        with session_scope(self.engine) as session:
            return last_totp_step(session, username)

    def claim_totp_step(self, username: str, step: int, used_at: datetime) -> bool:
        """Mark a one-time code's step as used; ``False`` if another answer did first."""
        with session_scope(self.engine) as session:
            return claim_totp_step(session, username, step, used_at)

    def refuse(
        self, step_number: int, *, attempted_username: str, reason: str, refused_at: datetime
    ) -> None:
        """Record an answer to a waiting step that was refused (who tried, why; never the code).

        Args:
            step_number: The step answered.
            attempted_username: The username the answer gave.
            reason: ``<kind>: <message>`` (a wrong code starts with
                :data:`records.approvals.WRONG_CODE_PREFIX`).
            refused_at: When (aware).
        """
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            record_refused_approval(
                session,
                run,
                step_number,
                attempted_username=attempted_username,
                reason=reason,
                refused_at=refused_at,
            )

    def accept(
        self,
        log_id: int,
        *,
        actor: str,
        finished_at: datetime,
        outputs: dict[str, Any],
        note: str | None,
        sla_status: str,
        decision: DecisionEntry | None = None,
    ) -> None:
        """Record the accepted answer of a waiting step: the decision, then the finished step.

        A breach recorded while the step waited stays a breach, whatever ``sla_status`` says.

        Args:
            log_id: The waiting step log.
            actor: Who answered.
            finished_at: When the answer was accepted (aware).
            outputs: The step's outputs.
            note: The step's note.
            sla_status: The SLA verdict at ``finished_at``.
            decision: For a decision step, the approval to record.
        """
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            if decision is not None:
                record_approval(
                    session,
                    run,
                    decision.step_number,
                    approver=decision.approver,
                    role_key=decision.role_key,
                    decision=decision.decision,
                    note=decision.note,
                    decided_at=decision.decided_at,
                )
            log = session.get(StepLog, log_id)
            if log is None:
                raise LookupError(f"no step log {log_id}")
            finish_step(
                session,
                log,
                finished_at=finished_at,
                actor=actor,
                outputs=outputs,
                note=note,
                sla_status=log.sla_status if log.sla_status == "breached" else sla_status,
            )
