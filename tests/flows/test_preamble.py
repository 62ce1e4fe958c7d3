"""A flow's context opens its SOP run (flows/preamble.py): a real Prefect API and records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from sqlalchemy import select

from flows.engine import Procedure, StepResult
from flows.preamble import load_context
from records.db import make_engine, session_scope
from records.models import SopRun, StepLog
from sop.model import Step


@flow(name="preamble-test")
def _run_d3(office_file: str, database_url: str) -> dict[str, Any]:
    """D3's three steps, automatic, through the context's procedure."""

    def step(proc: Procedure, s: Step) -> StepResult:
        return StepResult(outputs={"number": s.number}, actor="sahrul")

    with load_context(office_file, database_url) as context:
        proc = context.procedure(
            "D3",
            run_key="D3/test/context",
            title="Serah terima (uji)",
            parameters={"tag": "AST-1"},
            handlers={1: step, 2: step, 3: step},
        )
        same = (proc.engine is context.engine, proc.office is context.office)
        result = proc.run()
        return {"same": same, "sop": proc.sop.code, "status": result.status}


def test_the_contexts_procedure_runs_on_its_records_office_and_sop(
    prefect_api: None, office_file: Path, db_url: str
) -> None:
    out = _run_d3(str(office_file), db_url)
    assert out == {"same": (True, True), "sop": "D3", "status": "completed"}
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        run = session.scalars(select(SopRun).where(SopRun.run_key == "D3/test/context")).one()
        assert (run.sop_code, run.title, run.parameters) == (
            "D3",
            "Serah terima (uji)",
            {"tag": "AST-1"},
        )
        steps = session.scalars(select(StepLog).where(StepLog.sop_run_id == run.id)).all()
        assert sorted(s.step_number for s in steps) == [1, 2, 3]
        assert {s.actor for s in steps} == {"sahrul"}
    engine.dispose()


def test_a_context_has_no_procedure_of_an_unknown_sop_or_with_a_step_missing(
    prefect_api: None, office_file: Path, db_url: str
) -> None:
    @flow(name="preamble-test-refused")
    def refused(code: str, handlers: int) -> str:
        with load_context(str(office_file), db_url) as context:
            try:
                context.procedure(
                    code,
                    run_key="x",
                    title="x",
                    parameters={},
                    handlers={n: lambda p, s: StepResult() for n in range(1, handlers + 1)},
                )
            except (KeyError, ValueError) as exc:
                return f"{type(exc).__name__}: {exc}"
        return "built"

    assert refused("Z9", 3) == "KeyError: 'Z9'"
    assert refused("D3", 2) == "ValueError: SOP D3: no handler for steps [3]"
    assert refused("D3", 3) == "built"
