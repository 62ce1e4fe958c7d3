"""Small helpers of the SOP B tests: the request, the waiting step, the visit as stored."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, MetaData, String, Text, select

from config.office_file import load_office
from records.db import make_engine, session_scope
from records.models import RefusedApproval, SopRun, StepLog
from records.visit_models import Visit
from records.visits import VisitStore
from tasks import clock
from tests.flows.conftest import wait_for
from tests.pauses import resume_paused

ID_NUMBER = "8271034506900001"
MASKED = "************0001"
VISITOR = "Andi Wijaya"


def request(**changes: Any) -> dict[str, Any]:
    """The access form of a typical visit: a vendor engineer replacing a disk."""
    now = clock.now()
    params: dict[str, Any] = {
        "visitor_name": VISITOR,
        "organisation": "PT Data Prima",
        "id_type": "KTP",
        "id_number": ID_NUMBER,
        "purpose": "Penggantian hard disk server aplikasi",
        "planned_start": now - timedelta(minutes=5),
        "planned_end": now + timedelta(hours=2),
        "escort": "nurul",
        "registered_by": "sahrul",
        "devices": [
            {"name": "Laptop", "serial": "LT-001"},
            {"name": "Hard disk", "serial": "HD-778"},
        ],
    }
    params.update(changes)
    return params


def register(office_file: str | Path, db_url: str, **changes: Any) -> str:
    """Register the typical request (as ``sigap visit open --no-start`` does); its number."""
    engine = make_engine(db_url)
    try:
        office = load_office(Path(office_file))
        visit = VisitStore(engine).register(request(**changes), office=office)
        return visit.number
    finally:
        engine.dispose()


def flow_args(office_file: str | Path, db_url: str, number: str) -> dict[str, Any]:
    """The parameters of ``akses-ruang-server`` for a registered visit."""
    return {"visit": number, "office_file": str(office_file), "database_url": db_url}


def stored_text(db_url: str) -> str:
    """Every text and JSON value of every row of every table in the records, as one text."""
    engine = make_engine(db_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        values: list[str] = []
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
                if not columns:
                    continue
                for row in connection.execute(select(*columns)):
                    values += [
                        v if isinstance(v, str) else json.dumps(v, default=str, ensure_ascii=False)
                        for v in row
                        if v is not None
                    ]
        return "\n".join(values)
    finally:
        engine.dispose()


def waiting(db_url: str) -> tuple[str, int] | None:
    """(flow run id, step) of the step waiting for a person, if any."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            row = session.execute(
                select(SopRun.flow_run_id, StepLog.step_number)
                .join(StepLog, StepLog.sop_run_id == SopRun.id)
                .where(StepLog.status == "waiting")
            ).first()
            return (str(row[0]), int(row[1])) if row else None
    finally:
        engine.dispose()


def answer(db_url: str, step: int, **values: Any) -> str:
    """Answer the waiting ``step`` through the real Prefect pause; wait until it is read."""
    flow_run_id, at = wait_for(lambda: waiting(db_url), 60, f"step {step} to wait")
    assert at == step
    before = len(refusals(db_url))
    resume_paused(flow_run_id, values)
    wait_for(
        lambda: waiting(db_url) != (flow_run_id, step) or len(refusals(db_url)) > before,
        60,
        f"step {step} to be answered",
    )
    return flow_run_id


def refusals(db_url: str) -> list[tuple[int, str, str]]:
    """(step, who, reason) of every refused answer."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return [
                (r.step_number, r.attempted_username, r.reason)
                for r in session.scalars(select(RefusedApproval).order_by(RefusedApproval.id))
            ]
    finally:
        engine.dispose()


def visit(db_url: str) -> dict[str, Any]:
    """The only visit, as plain data."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            row = session.scalars(select(Visit)).one()
            return {c.name: getattr(row, c.name) for c in Visit.__table__.columns}
    finally:
        engine.dispose()


def steps(db_url: str) -> list[tuple[int, str, str | None, dict[str, Any]]]:
    """(step, status, actor, outputs) of every step log."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return [
                (s.step_number, s.status, s.actor, dict(s.outputs))
                for s in session.scalars(select(StepLog).order_by(StepLog.id))
            ]
    finally:
        engine.dispose()
