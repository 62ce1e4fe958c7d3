"""The records API the SOP C and E flows call: each call one transaction, plain data back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from records.db import make_engine, session_scope
from records.evidence import EvidenceEntry, add_evidence, incident_evidence
from records.incidents import IncidentStore, NewIncident
from records.monitoring import FindingRecord, HostRecord, MonitoringStore
from records.sop_runs import get_or_create_sop_run
from sop.evidence import Evidence
from tests.databases import DB_KINDS, database_or_fail

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OFFICE = "Diskominfosanti Buleleng"


@pytest.fixture(params=DB_KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    for url in database_or_fail(request.param, tmp_path):
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _report(**over: object) -> NewIncident:
    args: dict[str, object] = {
        "office": OFFICE,
        "device": "linux01",
        "kind": "kinerja",
        "description": "disk /srv/data 97%",
        "reporter": "sigap-monitor",
        "source": "monitoring",
        "occurred_at": T0,
        "sop_code": "E",
        "fault_key": "linux01:disk:/srv/data",
    }
    args.update(over)
    return NewIncident(**args)  # type: ignore[arg-type]


def test_open_once_per_fault_and_facts(engine: Engine) -> None:
    store = IncidentStore(engine)
    first = store.open(_report())
    again = store.open(_report(description="masih penuh"))
    assert (first.number, first.created) == ("INC-2026-0001", True)
    assert (again.id, again.created) == (first.id, False)
    facts = store.facts(first.number)
    assert facts["id"] == first.id and facts["status"] == "open"
    assert facts["description"] == "disk /srv/data 97%"
    assert store.facts(first.id)["number"] == first.number
    with pytest.raises(LookupError):
        store.facts("INC-2026-0099")


def test_link_run_moves_an_open_incident_to_in_progress(engine: Engine) -> None:
    store = IncidentStore(engine)
    number = store.open(_report()).number
    with session_scope(engine) as session:
        run_id = get_or_create_sop_run(
            session, f"E:x:{number}", sop_code="E", title="Perbaikan", office=OFFICE
        ).id
    store.link_run(number, sop_run_id=run_id, flow_run_id="abc")
    assert store.facts(number)["status"] == "open"
    store.link_run(number, sop_run_id=run_id, flow_run_id="def", in_progress_at=T0)
    facts = store.facts(number)
    assert (facts["status"], facts["sop_run_id"], facts["flow_run_id"]) == (
        "in_progress",
        run_id,
        "def",
    )
    assert store.history(number)["run_key"] == f"E:x:{number}"


def test_set_status_and_handling(engine: Engine) -> None:
    store = IncidentStore(engine)
    number = store.open(_report()).number
    store.set_status(number, "resolved", at=T0, resolution="disk dibersihkan")
    store.set_status(number, "resolved", at=T0 + timedelta(hours=1), unless_already=True)
    facts = store.facts(number)
    assert facts["resolved_at"].replace(tzinfo=UTC) == T0
    assert facts["resolution"] == "disk dibersihkan"
    with pytest.raises(ValueError, match="cannot become"):
        store.set_status(number, "open", at=T0)
    store.record_handling(number, handling="provider", provider_ticket="T-1")
    assert store.facts(number)["provider_ticket"] == "T-1"
    with pytest.raises(ValueError, match="cannot set"):
        store.record_handling(number, status="closed")
    assert store.history(number)["steps"] == []


def test_evidence_of_an_incident(engine: Engine) -> None:
    opened = IncidentStore(engine).open(_report())
    content = b"%PDF-1.4 bukti"
    evidence = Evidence("nota.pdf", "ab" * 32, "application/pdf", len(content))
    with session_scope(engine) as session:
        add_evidence(session, opened.id, evidence, attached_by="kasi", attached_at=T0)
    assert incident_evidence(engine, opened.number) == [
        EvidenceEntry("nota.pdf", "application/pdf", "ab" * 32)
    ]


def test_monitoring_run_recorded_in_order(engine: Engine) -> None:
    store = MonitoringStore(engine)
    run_id, before = store.start(office=OFFICE, trigger="manual", started_at=T0, flow_run_id=None)
    assert before == {}
    fail = FindingRecord("disk:/srv/data", "Disk", "fail", "new", "97%", {}, opens=_report())
    quiet = FindingRecord("disk:/srv/data", "Disk", "fail", "new", "99%", {})
    warn = FindingRecord("cpu", "CPU", "warn", "new", "80%", {"load": 0.8})
    hosts = [
        HostRecord("linux01", "linux", "ok", None, False, None, 3, {}, (fail, warn)),
        HostRecord("linux02", "linux", "ok", None, True, "servis", None, {}, (quiet,)),
    ]
    opened = store.record(run_id, hosts, faults=2, finished=lambda: T0 + timedelta(minutes=1))
    assert opened == [("INC-2026-0001", "E", "linux01:disk:/srv/data")]
    state = store.latest_state(OFFICE)
    assert state["linux01"].findings == {"disk:/srv/data": "fail", "cpu": "warn"}
    assert state["linux01"].failed_logins == 3
    _, after = store.start(office=OFFICE, trigger="manual", started_at=T0, flow_run_id=None)
    assert after["linux02"].findings == {"disk:/srv/data": "fail"}
