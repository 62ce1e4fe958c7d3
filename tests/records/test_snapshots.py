"""Devices, collection runs, snapshots and checklist results round-trip on both databases."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from records.collection_runs import finish_collection_run, start_collection_run
from records.devices import get_device, pin_host_key, upsert_device
from records.snapshots import (
    ChecklistEntry,
    add_checklist_results,
    add_snapshot,
    latest_snapshot,
    latest_snapshots,
)

WITA = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def _device(session: Session, name: str = "sw-core-1", **extra: object):
    fields = {"address": "10.0.0.1", "platform": "cisco_ios", "seen_at": T0} | extra
    return upsert_device(session, name, **fields)


def test_upsert_device_creates_then_updates(engine: Engine, session: Session) -> None:
    first = _device(session, site="kanwil-malut", role="core", asset_tag="KMU-001")
    session.commit()
    later = T0 + timedelta(days=30)
    again = upsert_device(
        session, "sw-core-1", address="10.0.0.2", platform="cisco_ios", port=2222, seen_at=later
    )
    session.commit()
    assert again.id == first.id
    with Session(engine) as fresh:
        device = get_device(fresh, "sw-core-1")
        assert device is not None
        assert (device.address, device.port, device.site) == ("10.0.0.2", 2222, None)
        assert (device.first_seen, device.last_seen) == (T0, later)
        assert get_device(fresh, "nope") is None


def test_pin_host_key_survives_upsert(engine: Engine, session: Session) -> None:
    device = _device(session)
    pin_host_key(session, device, key_type="ssh-ed25519", fingerprint="SHA256:abc", pinned_at=T0)
    _device(session, address="10.0.0.9")
    session.commit()
    with Session(engine) as fresh:
        device = get_device(fresh, "sw-core-1")
        assert device is not None
        assert device.ssh_host_key_type == "ssh-ed25519"
        assert device.ssh_host_key_fingerprint == "SHA256:abc"
        assert device.ssh_host_key_pinned_at == T0


def test_collection_run_with_snapshots_and_counts(engine: Engine, session: Session) -> None:
    sw1, sw2 = _device(session, "sw1"), _device(session, "sw2")
    run = start_collection_run(
        session, trigger="schedule", actor="budi", selection={"site": "kanwil-malut"}
    )
    config = "hostname sw1\ninterface Gi0/1\n"
    ok = add_snapshot(
        session,
        run,
        sw1,
        outcome="ok",
        collected_at=T0,
        facts={"os_version": "15.2", "serial": "FOC123"},
        health={"cpu_percent": 12.5, "temperatures": [41, 43]},
        config_running=config,
        config_startup=config,
        duration_seconds=1.25,
    )
    add_snapshot(session, run, sw2, outcome="timeout", collected_at=T0, error="no prompt in 30s")
    finish_collection_run(session, run, finished_at=T0 + timedelta(minutes=2))
    session.commit()

    with Session(engine) as fresh:
        stored = latest_snapshot(fresh, "sw1")
        assert stored is not None and stored.id == ok.id
        assert stored.facts == {"os_version": "15.2", "serial": "FOC123"}
        assert stored.health == {"cpu_percent": 12.5, "temperatures": [41, 43]}
        assert stored.config_running == config
        assert stored.config_hash == hashlib.sha256(config.encode()).hexdigest()
        assert stored.duration_seconds == 1.25
        failed = latest_snapshot(fresh, "sw2")
        assert failed is not None
        assert (failed.outcome, failed.error, failed.config_hash) == (
            "timeout",
            "no prompt in 30s",
            None,
        )
        assert stored.run.selection == {"site": "kanwil-malut"}
        assert (stored.run.devices_total, stored.run.devices_ok, stored.run.devices_failed) == (
            2,
            1,
            1,
        )
        assert stored.run.status == "completed"
        assert stored.run.actor == "budi"


def test_latest_snapshot_before_and_outcome(session: Session) -> None:
    device = _device(session)
    times = [T0 + timedelta(days=d) for d in range(3)]
    outcomes = ["ok", "ok", "unreachable"]
    snaps = []
    for at, outcome in zip(times, outcomes, strict=True):
        run = start_collection_run(session, trigger="schedule", started_at=at)
        snaps.append(add_snapshot(session, run, device, outcome=outcome, collected_at=at))
    session.commit()
    assert latest_snapshot(session, device).id == snaps[2].id
    assert latest_snapshot(session, device, outcome="ok").id == snaps[1].id
    # "before" is strict: the snapshot collected exactly then is not included
    assert latest_snapshot(session, device, before=times[1]).id == snaps[0].id
    assert latest_snapshot(session, device, before=times[0]) is None
    assert latest_snapshot(session, "unknown-device") is None


def test_latest_snapshots_of_many_devices_match_one_by_one(session: Session) -> None:
    devices = [_device(session, f"sw-{i}", address=f"10.0.0.{i}") for i in range(4)]
    # sw-0: ok, ok, failed; sw-1: failed only; sw-2: two ok at the same time; sw-3: none
    plan = {0: ["ok", "ok", "unreachable"], 1: ["auth_failed"], 2: ["ok", "ok"]}
    for i, outcomes in plan.items():
        for day, outcome in enumerate(outcomes):
            at = T0 if i == 2 else T0 + timedelta(days=day)
            run = start_collection_run(session, trigger="schedule", started_at=at)
            add_snapshot(session, run, devices[i], outcome=outcome, collected_at=at)
    session.commit()
    for outcome in (None, "ok"):
        many = latest_snapshots(session, devices, outcome=outcome)
        one_by_one = {d.id: latest_snapshot(session, d, outcome=outcome) for d in devices}
        assert {k: s.id for k, s in many.items()} == {
            k: s.id for k, s in one_by_one.items() if s is not None
        }
    assert set(latest_snapshots(session, devices, outcome="ok")) == {devices[0].id, devices[2].id}
    with pytest.raises(ValueError, match="outcome"):
        latest_snapshots(session, devices, outcome="fine")


def test_checklist_results_round_trip(engine: Engine, session: Session) -> None:
    run = start_collection_run(session, trigger="manual")
    snapshot = add_snapshot(session, run, _device(session), outcome="ok")
    add_checklist_results(
        session,
        snapshot,
        [
            ChecklistEntry("cpu_load", "Beban CPU", "pass", {"cpu_percent": 12}),
            ChecklistEntry("temperature", "Suhu perangkat", "warn", "suhu 68°C"),
            ChecklistEntry("uptime", "Waktu aktif", "fail", {"uptime_s": 30}),
        ],
    )
    session.commit()
    with Session(engine) as fresh:
        stored = latest_snapshot(fresh, "sw-core-1")
        assert stored is not None
        got = [(r.item_key, r.label, r.status, r.evidence) for r in stored.checklist_results]
    assert got == [
        ("cpu_load", "Beban CPU", "pass", {"cpu_percent": 12}),
        ("temperature", "Suhu perangkat", "warn", "suhu 68°C"),
        ("uptime", "Waktu aktif", "fail", {"uptime_s": 30}),
    ]


def test_bad_values_are_refused_before_writing(session: Session) -> None:
    run = start_collection_run(session, trigger="manual")
    device = _device(session)
    with pytest.raises(ValueError, match="outcome: 'down' is not one of ok, unreachable"):
        add_snapshot(session, run, device, outcome="down")
    snapshot = add_snapshot(session, run, device, outcome="ok")
    items = [ChecklistEntry("a", "A", "pass"), ChecklistEntry("b", "B", "ok")]
    with pytest.raises(ValueError, match=r"b\.status: 'ok' is not one of pass, warn, fail"):
        add_checklist_results(session, snapshot, items)
    assert snapshot.checklist_results == []
    with pytest.raises(ValueError, match="naive datetime"):
        add_snapshot(session, run, device, outcome="ok", collected_at=datetime(2026, 11, 1))
    with pytest.raises(ValueError, match="status: 'done'"):
        finish_collection_run(session, run, status="done")


def test_aware_datetimes_come_back_as_utc(db_kind: str, db_url: str) -> None:
    from records.db import make_engine

    # PostgreSQL hands timestamptz back in the session's zone: make that zone WIT (+09)
    # to prove the value is converted, not just passed through.
    extra = {"connect_args": {"options": "-c timezone=Asia/Jayapura"}}
    engine = make_engine(db_url, **(extra if db_kind == "postgresql" else {}))
    local = datetime(2026, 11, 3, 9, 30, tzinfo=WITA)
    try:
        with Session(engine) as session:
            _device(session, seen_at=local)
            session.commit()
        with Session(engine) as session:
            device = get_device(session, "sw-core-1")
            assert device is not None
            assert device.last_seen.tzinfo is UTC
            assert device.last_seen == local
            assert device.last_seen.hour == 1
    finally:
        engine.dispose()
