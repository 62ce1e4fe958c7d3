"""The collection recorder keeps every device stored before an interruption."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from inventory.model import Host, HostData
from records.db import init_database, make_engine, session_scope
from records.models import ChecklistResult, CollectionRun, DeviceSnapshot
from sop.thresholds import Thresholds
from tasks.collect import DeviceResult
from tasks.store import CollectionRecorder, device_listing


def _host(name: str) -> Host:
    return Host(
        name, "127.0.0.1", 22, "u", "env:P", "linux", None, "linux", (), (), HostData(site="lab")
    )


def test_an_interrupted_run_keeps_its_devices_and_is_marked_failed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    init_database(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    hosts = [_host(f"dev{i}") for i in range(3)]
    thresholds = {h.name: Thresholds() for h in hosts}
    with (
        pytest.raises(KeyboardInterrupt),
        CollectionRecorder(
            engine, thresholds, trigger="manual", actor=None, selection={}
        ) as recorder,
    ):
        for host in hosts[:2]:
            recorder.add(host, DeviceResult(host.name, "unreachable", "refused", now, 0.1, 1))
        raise KeyboardInterrupt
    with session_scope(engine) as session:
        run = session.scalars(select(CollectionRun)).one()
        assert run.status == "failed"
        names = {s.device.name for s in session.scalars(select(DeviceSnapshot))}
        assert names == {"dev0", "dev1"}
    engine.dispose()


def test_a_device_the_database_refuses_is_named_and_its_batch_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    init_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:  # the database itself refuses one device's snapshot
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON device_snapshots WHEN NEW.error = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    monkeypatch.setattr("tasks.store.COMMIT_INTERVAL", 3600.0)  # one batch, never committed
    now = datetime.now(UTC)
    hosts = [_host(f"dev{i}") for i in range(4)]
    thresholds = {h.name: Thresholds() for h in hosts}
    errors = {"dev2": "poison"}
    with (
        pytest.raises(RuntimeError, match=r"could not store the collection of dev2\b"),
        CollectionRecorder(
            engine, thresholds, trigger="manual", actor=None, selection={}
        ) as recorder,
    ):
        for host in hosts:
            error = errors.get(host.name, "refused")
            recorder.add(host, DeviceResult(host.name, "unreachable", error, now, 0.1, 1))
    with session_scope(engine) as session:
        run = session.scalars(select(CollectionRun)).one()
        assert run.status == "failed"
        snapshots = session.scalars(select(DeviceSnapshot)).all()
        # dev0 and dev1 were in the uncommitted batch; the error stops the run at dev2
        assert sorted(s.device.name for s in snapshots) == ["dev0", "dev1"]
        assert all(s.checklist_results for s in snapshots)
        assert session.scalar(select(func.count()).select_from(ChecklistResult)) == sum(
            len(s.checklist_results) for s in snapshots
        )
    engine.dispose()


def test_devices_arriving_together_are_stored_in_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    init_database(url)
    engine = make_engine(url)
    commits: list[int] = []
    inserts: list[str] = []  # snapshot inserts and savepoints, in order
    event.listen(engine, "commit", lambda conn: commits.append(1))

    @event.listens_for(engine, "before_cursor_execute")
    def count(*args: object) -> None:
        statement = str(args[2])
        if statement.startswith(("INSERT INTO device_snapshots", "SAVEPOINT")):
            inserts.append(statement.split(" (")[0])

    monkeypatch.setattr("tasks.store.COMMIT_INTERVAL", 3600.0)
    now = datetime.now(UTC)
    hosts = [_host(f"dev{i}") for i in range(5)]
    thresholds = {h.name: Thresholds() for h in hosts}
    with CollectionRecorder(engine, thresholds, trigger="manual", actor=None, selection={}) as rec:
        for host in hosts:
            rec.add(host, DeviceResult(host.name, "unreachable", "refused", now, 0.1, 1))
    assert rec.report is not None and len(rec.report.devices) == 5
    assert len(commits) == 3  # the run opened; the five devices; the run's end
    # written in one flush, not device by device in savepoints
    assert inserts == ["INSERT INTO device_snapshots"] * 5
    with session_scope(engine) as session:
        assert len(session.scalars(select(DeviceSnapshot)).all()) == 5
        assert session.scalars(select(CollectionRun)).one().status == "completed"
    engine.dispose()


def test_a_devices_listing_is_its_inventory_entry() -> None:
    data = HostData(site="DC", role="core", asset_tag="AST-9", criticality="high", location="R9")
    host = replace(_host("sw09"), hostname="10.9.0.1", port=2222, platform="cisco_ios", data=data)
    listing = device_listing(host)
    assert (listing.name, listing.address, listing.port, listing.platform) == (
        "sw09",
        "10.9.0.1",
        2222,
        "cisco_ios",
    )
    kept = (listing.site, listing.role, listing.asset_tag, listing.criticality, listing.location)
    assert kept == ("DC", "core", "AST-9", "high", "R9")
