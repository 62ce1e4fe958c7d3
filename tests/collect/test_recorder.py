"""The collection recorder keeps every device stored before an interruption."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from inventory.model import Host, HostData
from records.db import init_database, make_engine, session_scope
from records.models import CollectionRun, DeviceSnapshot
from sop.thresholds import Thresholds
from tasks.collect import DeviceResult
from tasks.store import CollectionRecorder


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
