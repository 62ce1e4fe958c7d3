"""Fixtures for the SOP D flows: the Tanah Bumbu office with demo codes, a register, answers.

Real parts: ``prefect_test_harness`` (a real Prefect server, session fixture
``prefect_api``), SQLite records with the real schema, WeasyPrint PDFs read back
with ``pdftotext``. The flow runs in a thread as a worker would run it; the test
answers its pauses with ``resume_flow_run``, the call the Prefect UI and
``sigap approve``/``sigap answer`` make.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from records.assets import add_asset, get_asset
from records.db import make_engine, session_scope
from records.models import RefusedApproval, SopRun, StepLog
from records.steps import list_waiting_steps
from sop.codes import hash_code
from tests.flows.conftest import (  # noqa: F401  (fixtures re-exported)
    _fast_flow_settings,
    db_url,
    flow_thread,
    is_paused,
    wait_for,
)
from tests.pauses import resume_paused

EXAMPLE_OFFICE = Path(__file__).resolve().parents[3] / "examples/offices/kominfo-tanah-bumbu.yaml"

ASSET = {
    "tag": "KOM-SW-001",
    "category": "hardware",
    "name": "Switch Distribusi 24 port",
    "vendor": "Cisco",
    "model": "C9200-24T",
    "serial": "FOC2301X0AB",
    "location": "Ruang Server Lt. 2",
    "status": "in_service",
    "acquired_on": date(2023, 3, 7),
    "value": 28500000,
}
"""The asset the tests work on."""


@pytest.fixture
def office(tmp_path: Path) -> str:
    """The Tanah Bumbu example office; everyone's code is ``demo-<username>``."""
    data = yaml.safe_load(EXAMPLE_OFFICE.read_text())
    for person in data["people"]:
        person["approval"] = {"code_hash": hash_code(f"demo-{person['username']}")}
    path = tmp_path / "kominfo-tanah-bumbu.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return str(path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def add(engine: Engine, **fields: Any) -> None:
    """Put an asset in the register."""
    with session_scope(engine) as session:
        add_asset(session, procedure="import", actor="test", **{**ASSET, **fields})


def asset(engine: Engine, tag: str = ASSET["tag"]) -> dict[str, Any]:
    """An asset's register row as a dict."""
    with session_scope(engine) as session:
        a = get_asset(session, tag)
        return {c: getattr(a, c) for c in ("status", "location", "custodian", "name", "serial")}


def waiting_step(engine: Engine) -> tuple[str, int] | None:
    with session_scope(engine) as session:
        rows = list_waiting_steps(session)
        if not rows:
            return None
        step, run = rows[-1]
        flow_run_id, number = run.flow_run_id, step.step_number
    return (flow_run_id, number) if flow_run_id and is_paused(flow_run_id) else None


def _progress(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        done = session.scalar(
            select(func.count()).select_from(StepLog).where(StepLog.status == "completed")
        )
        refused = session.scalar(select(func.count()).select_from(RefusedApproval))
        return int(done or 0), int(refused or 0)


def answer(engine: Engine, step: int, who: str, **values: Any) -> None:
    """Answer the paused run at ``step`` as ``who`` (demo code) and wait for SIGAP's verdict."""
    flow_run_id, waiting = wait_for(lambda: waiting_step(engine), 90, f"a pause at step {step}")
    assert waiting == step, f"waiting at step {waiting}, expected {step}"
    before = _progress(engine)
    code = values.pop("code", f"demo-{who}")
    resume_paused(flow_run_id, {"approver": who, "code": code, **values})
    wait_for(lambda: _progress(engine) != before, 30, "the verdict")


def decide(engine: Engine, step: int, who: str, decision: str = "setuju", note: str = "") -> None:
    """Answer a decision step."""
    answer(engine, step, who, decision=decision, note=note)


def run_row(engine: Engine) -> dict[str, Any]:
    """The only SOP run: status and its step logs (number, actor, status, documents)."""
    with session_scope(engine) as session:
        run = session.scalars(select(SopRun)).one()
        return {
            "status": run.status,
            "steps": [(s.step_number, s.actor) for s in run.step_logs],
            "documents": {s.step_number: list(s.documents) for s in run.step_logs},
            "refused": [(r.step_number, r.reason.split(":")[0]) for r in run.refused_approvals],
            "decisions": [(a.step_number, a.approver, a.decision) for a in run.approvals],
            "id": run.id,
        }


def pdf_text(path: str | Path) -> str:
    """The text of a PDF (poppler's pdftotext), whitespace collapsed."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())
