"""Incident records on SQLite and PostgreSQL: numbers, once per fault, lookups, statuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.db import make_engine
from records.incident_models import Incident
from records.incidents import (
    get_incident,
    list_incidents,
    open_incident,
    set_incident_status,
    update_incident,
)
from tests.databases import DB_KINDS, database_or_fail

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(params=DB_KINDS)
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    for url in database_or_fail(request.param, tmp_path):
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            yield session
        engine.dispose()


def _open(session: Session, **over: object) -> tuple[Incident, bool]:
    args: dict[str, object] = {
        "office": "Pusat Penilaian Kompetensi BPSDM Kemenkumham",
        "device": "sw01",
        "kind": "perangkat_mati",
        "description": "switch lantai 2 mati",
        "reporter": "andika",
        "source": "manual",
        "occurred_at": T0,
        "opened_at": T0 + timedelta(minutes=5),
    }
    args.update(over)
    return open_incident(session, **args)  # type: ignore[arg-type]


def test_numbers_run_per_year(session: Session) -> None:
    first, _ = _open(session)
    second, _ = _open(session, device="r01")
    next_year, _ = _open(session, device="sw02", opened_at=datetime(2027, 1, 2, tzinfo=UTC))
    session.commit()
    assert (first.number, second.number, next_year.number) == (
        "INC-2026-0001",
        "INC-2026-0002",
        "INC-2027-0001",
    )
    assert get_incident(session, "inc-2026-0002").device == "r01"
    assert get_incident(session, str(first.id)).number == "INC-2026-0001"
    assert get_incident(session, first.id).occurred_at == T0


def test_same_fault_opens_one_incident_until_it_is_finished(session: Session) -> None:
    first, created = _open(session)
    again, created_again = _open(session, description="dilaporkan lagi")
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.description == "switch lantai 2 mati"
    other_kind, created_other = _open(session, kind="kinerja")
    assert created_other and other_kind.id != first.id
    # monitoring: the fault key decides, not device + kind
    port, c1 = _open(
        session, device="linux01", kind="layanan_berhenti", fault_key="linux01:port:8080"
    )
    port2, c2 = _open(
        session,
        device="linux01",
        kind="layanan_berhenti",
        fault_key="linux01:port:8080",
        source="monitoring",
    )
    port3, c3 = _open(
        session, device="linux01", kind="layanan_berhenti", fault_key="linux01:port:22"
    )
    assert (c1, c2, c3) == (True, False, True) and port.id == port2.id != port3.id
    set_incident_status(session, first, "in_progress", at=T0 + timedelta(minutes=10))
    assert _open(session)[1] is False
    set_incident_status(session, first, "resolved", at=T0 + timedelta(hours=1), resolution="ok")
    reopened, created_new = _open(session, description="mati lagi")
    session.commit()
    assert created_new and reopened.id != first.id
    assert session.scalar(select(func.count()).select_from(Incident)) == 5


def test_status_moves_and_times(session: Session) -> None:
    incident, _ = _open(session)
    set_incident_status(session, incident, "in_progress", at=T0 + timedelta(minutes=10))
    update_incident(
        session,
        incident,
        handling="provider",
        provider_name="PT Contoh",
        provider_ticket="TCK-1",
        provider_contacted_at=T0 + timedelta(minutes=20),
    )
    set_incident_status(session, incident, "resolved", at=T0 + timedelta(hours=1))
    set_incident_status(
        session, incident, "closed", at=T0 + timedelta(hours=2), resolution="kabel diganti"
    )
    session.commit()
    session.expire_all()
    stored = get_incident(session, incident.number)
    assert (stored.status, stored.handling, stored.provider_ticket) == (
        "closed",
        "provider",
        "TCK-1",
    )
    assert stored.resolved_at == T0 + timedelta(hours=1)
    assert stored.closed_at == T0 + timedelta(hours=2)
    assert stored.resolution == "kabel diganti" and stored.open_key is None
    with pytest.raises(ValueError, match="'closed' cannot become 'open'"):
        set_incident_status(session, stored, "open", at=T0)
    assert stored.status == "closed"


def test_lists(session: Session) -> None:
    a, _ = _open(session)
    b, _ = _open(session, device="r01", opened_at=T0 + timedelta(hours=1))
    set_incident_status(session, a, "cancelled", at=T0 + timedelta(hours=2))
    session.commit()
    assert [i.number for i in list_incidents(session)] == [b.number, a.number]
    assert [i.number for i in list_incidents(session, open_only=True)] == [b.number]
    assert [i.number for i in list_incidents(session, status="cancelled")] == [a.number]
    with pytest.raises(ValueError, match="status: 'gone' is not one of open"):
        list_incidents(session, status="gone")


def test_bad_input_is_refused_and_nothing_written(session: Session) -> None:
    with pytest.raises(ValueError, match="kind: 'mati' is not one of perangkat_mati"):
        _open(session, kind="mati")
    with pytest.raises(ValueError, match="source: 'email' is not one of manual, monitoring"):
        _open(session, source="email")
    with pytest.raises(ValueError, match="description: must not be empty"):
        _open(session, description="  ")
    with pytest.raises(ValueError, match="naive"):
        _open(session, occurred_at=datetime(2026, 12, 1, 8, 0))
    session.commit()
    assert session.scalar(select(func.count()).select_from(Incident)) == 0
    with pytest.raises(LookupError, match="incident 'INC-2026-0099' not found"):
        get_incident(session, "INC-2026-0099")
    with pytest.raises(LookupError, match="incident '42' not found"):
        get_incident(session, 42)
