"""The asset register: add, change with recorded old/new values, find, events; both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.assets import add_asset, asset_events, change_asset, find_assets, get_asset
from records.sop_runs import get_or_create_sop_run

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _switch(session: Session, tag: str = "BMN-001", **extra: object) -> object:
    fields = {
        "tag": tag,
        "category": "hardware",
        "name": "Switch inti",
        "vendor": "Cisco",
        "model": "C9300-24T",
        "serial": "FOC1234X0AB",
        "location": "Ruang server",
        "status": "in_service",
        "acquired_on": date(2023, 3, 7),
        "value": 125_000_000,
        "warranty_end": date(2026, 3, 7),
        "inventory_host": "sw-core-1",
    }
    fields.update(extra)
    return add_asset(session, procedure="import", actor="andi", at=T0, **fields)


def test_add_get_and_created_event(session: Session) -> None:
    _switch(session)
    session.commit()
    asset = get_asset(session, "BMN-001")
    assert (asset.category, asset.status, asset.value) == ("hardware", "in_service", 125_000_000)
    assert asset.acquired_on == date(2023, 3, 7)
    assert asset.created_at == T0
    [event] = asset_events(session, asset)
    assert (event.kind, event.procedure, event.actor) == ("created", "import", "andi")
    assert event.changes["serial"] == [None, "FOC1234X0AB"]
    assert event.changes["acquired_on"] == [None, "2023-03-07"]


def test_big_rupiah_values_fit(session: Session) -> None:
    _switch(session, value=4_750_000_000)  # a data-centre item over 2^31 rupiah
    session.commit()
    assert get_asset(session, "BMN-001").value == 4_750_000_000


def test_get_unknown_tag_names_it(session: Session) -> None:
    with pytest.raises(LookupError, match="BMN-404"):
        get_asset(session, "BMN-404")


def test_duplicate_tag_refused(session: Session) -> None:
    _switch(session)
    with pytest.raises(ValueError, match="'BMN-001' sudah ada"):
        _switch(session)


def test_bad_fields_refused_and_nothing_added(session: Session) -> None:
    with pytest.raises(ValueError, match="category: 'furniture' is not one of"):
        _switch(session, category="furniture")
    with pytest.raises(ValueError, match="status: 'broken' is not one of"):
        _switch(session, status="broken")
    with pytest.raises(ValueError, match=r"unknown asset field.*colour"):
        _switch(session, colour="red")
    with pytest.raises(ValueError, match="value: -5"):
        _switch(session, value=-5)
    with pytest.raises(ValueError, match=r"missing asset field.*status"):
        add_asset(session, tag="X", category="data", name="Basis data")
    assert find_assets(session) == []


def test_database_refuses_unknown_status(session: Session) -> None:
    asset = _switch(session)
    session.commit()
    asset.status = "lost"
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_change_records_old_and_new_values(session: Session) -> None:
    asset = _switch(session, custodian="budi")
    run = get_or_create_sop_run(
        session, "D2:BMN-001:1", sop_code="D2", title="Pemindahan", office="x"
    )
    later = T0 + timedelta(days=3)
    event = change_asset(
        session,
        asset,
        procedure="D2",
        sop_run_id=run.id,
        actor="sari",
        at=later,
        location="Gedung B lt. 2",
        status="relocated",
        custodian="budi",  # unchanged: not in the event
    )
    session.commit()
    assert event.changes == {
        "location": ["Ruang server", "Gedung B lt. 2"],
        "status": ["in_service", "relocated"],
    }
    assert (event.procedure, event.sop_run_id, event.actor, event.at) == (
        "D2",
        run.id,
        "sari",
        later,
    )
    fresh = get_asset(session, "BMN-001")
    assert (fresh.location, fresh.status, fresh.updated_at) == (
        "Gedung B lt. 2",
        "relocated",
        later,
    )
    kinds = [e.kind for e in asset_events(session, fresh)]
    assert kinds == ["created", "changed"]
    assert [e.kind for e in asset_events(session, since=T0 + timedelta(days=1))] == ["changed"]
    assert [e.kind for e in asset_events(session, until=T0 + timedelta(days=1))] == ["created"]


def test_change_refuses_bad_values_and_naive_time(session: Session) -> None:
    asset = _switch(session)
    _switch(session, tag="BMN-002")
    with pytest.raises(ValueError, match="status: 'gone'"):
        change_asset(
            session, asset, procedure="D5", sop_run_id=None, actor=None, at=T0, status="gone"
        )
    with pytest.raises(ValueError, match="naive"):
        change_asset(
            session,
            asset,
            procedure="D2",
            sop_run_id=None,
            actor=None,
            at=datetime(2026, 1, 1),
            location="x",
        )
    with pytest.raises(ValueError, match="'BMN-002' sudah ada"):
        change_asset(
            session, asset, procedure=None, sop_run_id=None, actor=None, at=T0, tag="BMN-002"
        )
    assert asset.status == "in_service"


def test_find_by_status_and_category(session: Session) -> None:
    _switch(session, tag="B-2")
    _switch(session, tag="B-1", status="under_repair")
    add_asset(session, tag="S-1", category="software", name="Lisensi SIMPEG", status="in_service")
    assert [a.tag for a in find_assets(session)] == ["B-1", "B-2", "S-1"]
    assert [a.tag for a in find_assets(session, status="in_service")] == ["B-2", "S-1"]
    assert [a.tag for a in find_assets(session, category="software")] == ["S-1"]
    assert [a.tag for a in find_assets(session, status="in_service", category="hardware")] == [
        "B-2"
    ]
    with pytest.raises(ValueError, match="category: 'hw'"):
        find_assets(session, category="hw")


def test_sop_run_deleted_keeps_the_event(session: Session) -> None:
    asset = _switch(session)
    run = get_or_create_sop_run(
        session, "D4:BMN-001:1", sop_code="D4", title="Perbaikan", office="x"
    )
    change_asset(
        session, asset, procedure="D4", sop_run_id=run.id, actor="a", at=T0, status="under_repair"
    )
    session.commit()
    session.delete(run)
    session.commit()
    session.expire_all()
    events = asset_events(session, asset)
    assert [(e.kind, e.sop_run_id) for e in events] == [("created", None), ("changed", None)]
