"""No English internal code in the Indonesian output of the commands (``sigap.labels``).

The records hold what a real run leaves: a step waiting at its deadline, refused
answers (a wrong code, a lockout), an incident handled by a provider whose step is
running, visits requested and inside. The commands are run as a user runs them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from records.approvals import record_refused_approval
from records.db import init_database, make_engine, session_scope
from records.incidents import open_incident
from records.models import SOP_RUN_STATUSES, STEP_STATUSES
from records.monitoring_models import FINDING_STATUSES
from records.sop_runs import get_or_create_sop_run
from records.steps import start_step
from records.visits import create_visit, record_decision, record_entry
from sigap.cli import app
from sigap.labels import TABLES, label, reason_text
from sop.approval import Refusal
from sop.device import OUTCOMES
from sop.incidents import HANDLINGS
from sop.monitoring import CHANGES
from sop.visits import VISIT_STATUSES, VisitRequest
from tasks import clock

EXAMPLES = Path(__file__).resolve().parents[2] / "examples/offices"
MALUT = EXAMPLES / "kanwil-kemenkumham-malut.yaml"
BPSDM = EXAMPLES / "bpsdm-kemenkumham.yaml"

CODES = re.compile(
    r"\b(wrong_code|wrong_role|locked_out|malformed|requested|running|waiting|in_progress|"
    r"warn|new|still|cleared|breached|met|no_standard|internal|provider|completed|"
    r"unreachable|auth_failed|host_key_changed|parse_error)\b"
)
"""Stored codes a user must not read in Indonesian output."""


@pytest.fixture
def records(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    init_database(url)
    now = clock.now()
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            a = get_or_create_sop_run(
                session,
                "A/malut/2026-11",
                sop_code="A",
                title="Pemeliharaan jaringan 2026-11",
                office="Kanwil Kemenkumham Malut",
                flow_run_id="5e1f0c2a-3b4d-4c5e-8f60-718293a4b5c6",
            )
            start_step(
                session, a, 5, "kasubag", status="waiting",
                started_at=now - timedelta(hours=3), due_at=now - timedelta(hours=1),
            )  # fmt: skip
            c = get_or_create_sop_run(
                session, "C/bpsdm/INC-1", sop_code="C", title="Insiden INC-1", office="bpsdm"
            )
            start_step(
                session, c, 5, "team_member", status="running",
                started_at=now - timedelta(minutes=30),
            )  # fmt: skip
            for reason in ("wrong_code: kode persetujuan salah", "locked_out: terkunci 15 menit"):
                record_refused_approval(
                    session, c, 5, attempted_username="andika", reason=reason, refused_at=now
                )
            incident, _ = open_incident(
                session,
                office="Pusat Penilaian Kompetensi BPSDM Kemenkumham",
                device="sw01",
                kind="perangkat_mati",
                description="switch lantai 2 mati",
                reporter="andika",
                source="manual",
                occurred_at=now - timedelta(hours=1),
            )
            incident.sop_run_id = c.id
            incident.status = "in_progress"
            incident.handling = "provider"
            for name, inside in (("Andi", False), ("Budi", True)):
                visit = create_visit(
                    session,
                    VisitRequest.parse(
                        dict(
                            visitor_name=name,
                            organisation="PT Data",
                            id_type="KTP",
                            id_number="8271000011112222",
                            purpose="Ganti disk",
                            planned_start=now,
                            planned_end=now + timedelta(hours=2),
                            escort="sahrul",
                            registered_by="sahrul",
                        )
                    ),
                    office="Kanwil Kemenkumham Malut",
                )
                if inside:
                    record_decision(
                        session, visit, approved=True, by="rahmat", at=now, badge_number="RS-01"
                    )
                    record_entry(session, visit, at=now, escort="sahrul")
    finally:
        engine.dispose()
    return url


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_command_outputs_hold_no_english_codes(records: str) -> None:
    db = ("--database-url", records)
    outputs = {
        "approvals": _run("approvals", "list", *db, "--office", str(MALUT)),
        "incidents": _run("incident", "list", *db, "--office", str(BPSDM)),
        "incident": _run("incident", "show", "1", *db, "--office", str(BPSDM)),
        "visits": _run("visit", "list", *db, "--office", str(MALUT)),
        "people": _run("people", "list", "--office", str(MALUT)),
    }
    for name, out in outputs.items():
        assert not CODES.findall(out), (name, CODES.findall(out), out)
    assert "terlambat 1 jam" in outputs["approvals"]
    assert "berjalan" in outputs["incidents"]  # the running step's SLA
    assert "penyedia jasa" in outputs["incident"]
    assert "kode persetujuan salah" in outputs["incident"]  # the reason, not its code
    assert "diajukan" in outputs["visits"] and "di dalam" in outputs["visits"]


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("step", STEP_STATUSES),
        ("run", SOP_RUN_STATUSES),
        ("visit", VISIT_STATUSES),
        ("finding", FINDING_STATUSES),
        ("change", CHANGES),
        ("outcome", OUTCOMES),
        ("handling", HANDLINGS),
        ("refusal", tuple(Refusal)),
    ],
)
def test_every_stored_code_has_an_indonesian_word(kind: str, codes: tuple[str, ...]) -> None:
    """A code added to the records without a word here would reach the user raw."""
    table = TABLES[kind]()
    assert set(codes) <= set(table), set(codes) - set(table)
    for code in codes:
        assert label(kind, code) != code, code


def test_english_keeps_english_words() -> None:
    assert label("visit", "in_progress", "en") == "inside"
    assert label("sla", "breached", "en") == "breached"
    assert reason_text("wrong_code: kode persetujuan salah", "en").startswith("wrong code: ")
