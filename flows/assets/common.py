"""What the flows of SOP D1-D6 share: the run (:class:`AssetRun`), opening and checking it.

A D1-D5 flow opens its context and run in one ``with`` block,
:func:`open_asset_procedure` (the people named and the asset's state are checked before
anything is recorded), builds its job class and runs the procedure with
:meth:`AssetJob.perform`; D6 loads its context (:func:`flows.preamble.load_context`) and
opens its run with :func:`open_asset_run`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy.engine import Engine

from config.settings import Settings
from flows.engine import Procedure, StepMethods, StepResult
from flows.preamble import FlowContext, load_context
from records.asset_runs import run_decisions, run_documents, run_started
from records.assets import load_asset, update_asset
from reports.artifacts import artifact_key, served_reports
from reports.asset_documents import AssetFacts, asset_fields, surat_penugasan
from reports.document import OfficialDocument, publish_document
from reports.document import write_document as write_official
from sop.asset_procedures import letter_number, run_key
from sop.assets import check_transition, status_after
from sop.model import SopDefinition, Step
from sop.office import Office
from sop.procedure import last_step_of
from tasks import clock
from tasks.credentials import resolve_secret

FLOW_NAMES = {
    "D1": "asset-planning",
    "D2": "asset-relocation",
    "D3": "asset-handover",
    "D4": "asset-repair",
    "D5": "asset-disposal",
}
"""Prefect flow name of each procedure (D6: :data:`flows.assets.evaluation.FLOW_NAME`)."""

DEPLOYMENT_NAMES = {
    "D1": "perencanaan-aset",
    "D2": "pemindahtempatan-aset",
    "D3": "serah-terima-aset",
    "D4": "perbaikan-aset",
    "D5": "penghapusan-aset",
}
"""Deployment name of each procedure (ad hoc runs; D6: its own, scheduled)."""


class AssetProcedureError(ValueError):
    """An asset procedure may not start as asked (nothing was recorded)."""


class AssetRunSummary(TypedDict):
    """What a D1-D6 flow returns: where its run ended (:meth:`AssetJob.perform`)."""

    run_key: str
    sop_run_id: int
    status: str
    outputs: dict[str, dict[str, Any]]
    """Each step's latest outputs, by step number as text."""
    documents: list[str]
    """The PDF files the run wrote."""


@dataclass
class AssetRun:
    """What the steps of one asset procedure run share.

    Attributes:
        context: The flow's context; the run's office, settings, SOP definition
            (``code``'s) and records engine are taken from it when the run is made.
        code: ``D1`` ... ``D6``.
        run_key: The run's key.
        reference: The run's reference.
        tag: The asset's tag, or ``None`` for a run on no one asset.
    """

    context: FlowContext
    code: str
    run_key: str
    reference: str
    tag: str | None
    office: Office = field(init=False)
    settings: Settings = field(init=False)
    sop: SopDefinition = field(init=False)
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        """Take the office, settings, SOP and records of the run from its context."""
        self.office = self.context.office
        self.settings = self.context.settings
        self.sop = self.context.sop(self.code)
        self.engine = self.context.engine

    @property
    def out_dir(self) -> Path:
        """Where the run's documents are written."""
        base = self.settings.reports_dir
        return base / "aset" / safe_name(self.run_key)

    def asset(self) -> AssetFacts:
        """The asset as the register holds it now."""
        assert self.tag is not None
        a = load_asset(self.engine, self.tag)
        return AssetFacts(**{f.name: getattr(a, f.name) for f in fields(AssetFacts)})

    def facts_md(self) -> str:
        """The asset's register fields as a markdown list (empty for a run on no asset)."""
        if self.tag is None:
            return ""
        return "\n".join(f"- **{k}:** {v}" for k, v in asset_fields(self.asset()))

    def change(self, proc: Procedure, actor: str | None, kind: str, **changes: Any) -> None:
        """Change the asset in the register, recorded against this run."""
        assert self.tag is not None
        update_asset(
            self.engine,
            self.tag,
            procedure=self.code,
            sop_run_id=proc.sop_run_id,
            actor=actor,
            at=clock.now(),
            kind=kind,
            **changes,
        )

    def complete(self, proc: Procedure, actor: str | None, kind: str, **changes: Any) -> None:
        """Record the procedure's end: the asset's status after it, with ``changes``."""
        self.change(
            proc, actor, kind, status=status_after(self.code, self.asset().status), **changes
        )

    def number(self, proc: Procedure, prefix: str) -> str:
        """A letter number for this run's document."""
        return letter_number(prefix, proc.sop_run_id, clock.now().astimezone(self.office.timezone))

    def publish(self, doc: OfficialDocument, name: str) -> list[str]:
        """Write a document (PDF, HTML, XLSX), publish it as artifacts; its file paths."""
        paths = write_official(doc, self.out_dir, name, passphrases=resolve_secret)
        publish_document(
            doc,
            paths,
            key=artifact_key(f"{self.reference}-{name}"),
            served=served_reports(self.settings),
        )
        return [str(p) for p in paths.values()]

    def decisions(self, proc: Procedure) -> list[dict[str, Any]]:
        """The run's recorded decisions, oldest first."""
        return run_decisions(self.engine, proc.sop_run_id)

    def performer(self, proc: Procedure, role: str, before: int) -> str:
        """Who performed the last step before step ``before`` that the SOP gives to ``role``."""
        return proc.actors(last_step_of(self.sop, role, before))[0]

    def assignment(
        self, proc: Procedure, step: Step, asset: AssetFacts, *, prefix: str, task: str, basis: str
    ) -> StepResult:
        """The Surat Penugasan step: the letter for the next step's work, published.

        The roles are the SOP's: the letter is signed by whoever performed the last
        earlier step of ``step``'s role and names whoever performed the last earlier step
        of the next step's role (:func:`sop.procedure.last_step_of`); its deadline is
        the next step's time standard.

        Args:
            proc: The run.
            step: The assignment step (4).
            asset: The asset as the letter shows it (read before any change of this step).
            prefix: The letter number's prefix.
            task: What the assignee is to do.
            basis: What the assignment rests on.

        Returns:
            The step's result: the assignee, the signer as its actor, the letter.
        """
        work = self.sop.step(step.number + 1)
        signer = self.performer(proc, step.role, step.number)
        assignee = self.performer(proc, work.role, step.number)
        letter = surat_penugasan(
            self.office,
            asset,
            number=self.number(proc, prefix),
            at=clock.now(),
            signer_role=step.role,
            signer=signer,
            assignee=assignee,
            assignee_role=work.role,
            task=task,
            basis=basis,
            deadline=work.time or "-",
        )
        return StepResult(
            outputs={"assignee": assignee},
            actor=signer,
            documents=self.publish(letter, "surat-penugasan"),
        )


@dataclass
class AssetJob(StepMethods):
    """Base of the D1-D6 job classes: the run their step methods work on.

    A job class adds the flow's arguments as fields, one method per SOP step (named
    for what the step does) and :attr:`~flows.engine.StepMethods.STEPS`, those methods
    in SOP order.
    """

    run: AssetRun

    @property
    def tag(self) -> str:
        """The tag of the asset the run is on (a run on one asset only)."""
        assert self.run.tag is not None
        return self.run.tag

    def perform(self, *, title: str, parameters: Mapping[str, Any]) -> AssetRunSummary:
        """Run the procedure with the step methods; the run's key, status, outputs and PDFs.

        Args:
            title: The run's human title.
            parameters: The flow's arguments as JSON data (stored with the run).

        Returns:
            ``run_key``, ``sop_run_id``, ``status``, ``outputs`` (by step number, as text)
            and ``documents`` (the PDF files the run wrote).
        """
        run = self.run
        result = run.context.procedure(
            run.code,
            run_key=run.run_key,
            title=title,
            parameters=parameters,
            handlers=self.handlers(),
        ).run()
        documents = [d for d in run_documents(run.engine, result.sop_run_id) if d.endswith(".pdf")]
        return {
            "run_key": result.run_key,
            "sop_run_id": result.sop_run_id,
            "status": result.status,
            "outputs": {str(k): v for k, v in result.outputs.items()},
            "documents": documents,
        }


def safe_name(text: str) -> str:
    """A file-name-safe form of a text (pure).

    Examples:
        >>> safe_name("D2/Diskominfo SP/SW-01 2026-12-01")
        'D2_Diskominfo-SP_SW-01-2026-12-01'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text.replace("/", "_")).strip("-")


def default_reference(tag: str | None) -> str:
    """``<tag> <date at the office>`` style reference for a new run (to the minute)."""
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return f"{tag} {stamp}" if tag else stamp


def open_asset_run(context: FlowContext, code: str, *, reference: str, tag: str | None) -> AssetRun:
    """The run of procedure ``code`` in a loaded context (no check, nothing written).

    Args:
        context: The flow's context (:func:`flows.preamble.load_context`).
        code: ``D1`` ... ``D6``.
        reference: The run's reference (with the code and office, its run key).
        tag: The asset's tag, or ``None`` for a run on no one asset.

    Returns:
        The run, on the context's engine.
    """
    return AssetRun(
        context=context,
        code=code,
        run_key=run_key(code, context.office.short_name, reference),
        reference=reference,
        tag=tag,
    )


def check_person(office: Office, username: str | None, role: str, what: str) -> None:
    """Refuse a named person who is not in the office or does not hold ``role``.

    Args:
        office: The office.
        username: The person named, or ``None`` (nothing to check).
        role: The role they must hold.
        what: The parameter that named them (in the message).

    Raises:
        AssetProcedureError: Not a person of the office, or not holding the role.
    """
    if username is None:
        return
    if office.person(username) is None:
        raise AssetProcedureError(f"{what}: {username!r} is not a person in {office.file}")
    if not office.has_role(username, role):
        raise AssetProcedureError(
            f"{what}: {username!r} does not hold the role {role} "
            f"({office.role_titles.get(role, role)}) in {office.file}"
        )


def check_start(engine: Engine, code: str, tag: str, key: str) -> None:
    """Refuse a procedure the asset's state does not allow (a continued run is not re-checked).

    Args:
        engine: Records database.
        code: ``D2`` ... ``D5``.
        tag: The asset's tag.
        key: The run key (a run already recorded under it continues).

    Raises:
        AssetProcedureError: No such asset, or the transition is refused.
    """
    if run_started(engine, key):
        return
    try:
        asset = load_asset(engine, tag)
        check_transition(asset.status, asset.custodian, code)
    except (LookupError, ValueError) as exc:
        raise AssetProcedureError(str(exc)) from exc


@contextmanager
def open_asset_procedure(
    code: str,
    tag: str | None,
    reference: str | None,
    office_file: str | None,
    database_url: str | None,
    *people: tuple[str | None, str, str],
) -> Iterator[AssetRun]:
    """Load the flow's context and open its run; refused before anything is recorded.

    ``reference`` None takes :func:`default_reference`; each ``(username, role, what)`` of
    ``people`` is checked in order (:func:`check_person`), then, for a run on one asset,
    the asset's state (:func:`check_start`). The context's engine is disposed when the
    ``with`` block ends.

    Args:
        code: ``D1`` ... ``D5``.
        tag: The asset's tag, or ``None`` for a run on no one asset (D1).
        reference: The flow's ``reference`` argument.
        office_file: The flow's ``office_file`` argument.
        database_url: The flow's ``database_url`` argument.
        *people: ``(username, role, what)`` of each person the flow's arguments name.

    Yields:
        The run, on the context's engine.

    Raises:
        AssetProcedureError: A person or the asset's state refuses the start.
    """
    with load_context(office_file, database_url) as context:
        run = open_asset_run(context, code, reference=reference or default_reference(tag), tag=tag)
        for username, role, what in people:
            check_person(run.office, username, role, what)
        if tag is not None:
            check_start(run.engine, code, tag, run.run_key)
        yield run
