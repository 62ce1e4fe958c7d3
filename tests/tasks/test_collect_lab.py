"""The collection engine over the real lab, with injected faults.

Real parts only: sshd Linux hosts, simulated IOS switches over SSH, the FRR
router, a real Prefect API (``prefect_test_harness``) and a SQLite records
database. Fault devices: a port nobody listens on, a switch whose password
differs from the inventory's, a switch that hangs after login, a switch whose
running config is cut off.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
import yaml
from prefect.client.orchestration import get_client
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import load_settings
from flows.collect import build_requests, collect_flow
from inventory import load_inventory
from lab.ios_device import IosDevice
from lab.ios_output import secrets_of
from lab.plan import PASSWORD_ENV
from lab.switch_server import start_switches, stop_switches
from lab.switch_spec import SwitchSpec
from records.db import init_database, make_engine, session_scope
from records.devices import get_device, pin_host_key
from records.findings import open_findings
from records.models import DeviceSnapshot, SecurityFinding
from sigap.cli import app
from tasks.session_workers import SessionWorkers

FAULT_NET = "127.0.41"
TIME_LIMIT = 8.0
FAULT_PASSWORD_ENV = "SIGAP_TEST_FAULT_SWITCH_PASSWORD"


@pytest.fixture(scope="module")
def fault_switches(tmp_path_factory: pytest.TempPathFactory, lab) -> Iterator[None]:
    """Switches with faults: wrong password, hang after login, truncated config."""
    spec_dir = tmp_path_factory.mktemp("fault-switches")
    spec = {
        "devices": [
            {
                "hostname": "sw-badpw",
                "address": f"{FAULT_NET}.1",
                "port": 2200,
                "username": "sigaplab",
                "password_env": FAULT_PASSWORD_ENV,
            },
            {
                "hostname": "sw-hang",
                "address": f"{FAULT_NET}.2",
                "port": 2200,
                "username": "sigaplab",
                "password_env": PASSWORD_ENV,
                "hang_after_login": True,
            },
            {
                "hostname": "sw-trunc",
                "address": f"{FAULT_NET}.3",
                "port": 2200,
                "username": "sigaplab",
                "password_env": PASSWORD_ENV,
                "truncate_config": True,
            },
        ]
    }
    path = spec_dir / "spec.json"
    path.write_text(json.dumps(spec))
    proc = start_switches(
        path,
        {FAULT_PASSWORD_ENV: "not-the-inventory-password", PASSWORD_ENV: os.environ[PASSWORD_ENV]},
        log_path=spec_dir / "switches.log",
    )
    try:
        yield
    finally:
        stop_switches(proc)


@pytest.fixture
def fleet(tmp_path: Path, lab, fault_switches) -> Path:
    """The lab's inventory plus the four fault devices."""
    inventory = tmp_path / "inventory"
    shutil.copytree(lab.inventory_dir, inventory)
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    common = {"port": 2200, "groups": ["site-lab"], "data": {"site": "lab"}}
    hosts["dead01"] = {"hostname": f"{FAULT_NET}.200", "platform": "linux", **common}
    for name, last in (("sw-badpw", 1), ("sw-hang", 2), ("sw-trunc", 3)):
        hosts[name] = {"hostname": f"{FAULT_NET}.{last}", "platform": "cisco_ios", **common}
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    return inventory


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    init_database(url)
    return url


@pytest.fixture(autouse=True)
def _device_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment, as in production."""
    monkeypatch.setenv("SIGAP_DEVICE_TIME_LIMIT", f"{TIME_LIMIT:g}")
    monkeypatch.setenv("SIGAP_MAX_SESSIONS", "20")


def _collect(inventory: Path, db_url: str, **filters: str) -> dict:
    return collect_flow()(
        inventory_dir=str(inventory), filters=filters or None, database_url=db_url
    )


class _WorkerWatch:
    """Notes the session worker processes this test process starts (``/proc``)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.05):
            for entry in Path("/proc").iterdir():
                try:
                    if (
                        entry.name.isdigit()
                        and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == me
                        and b"tasks.session_workers" in (entry / "cmdline").read_bytes()
                    ):
                        self.seen.add(int(entry.name))
                except OSError:
                    continue

    def __enter__(self) -> _WorkerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.parametrize(
    ("sessions", "processes"),
    [(20, 0), (3, 2)],
    ids=["sessions-in-the-flow-process", "sessions-in-2-worker-processes"],
)
def test_every_device_gets_its_outcome_and_faults_do_not_stop_the_others(
    prefect_api,
    fleet: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    sessions: int,
    processes: int,
) -> None:
    """With 3 session slots for 9 devices, most devices are collected in the 2
    worker processes (SIGAP_SESSION_PROCESSES): the outcomes are the same."""
    monkeypatch.setenv("SIGAP_MAX_SESSIONS", str(sessions))
    monkeypatch.setenv("SIGAP_SESSION_PROCESSES", str(processes))
    started = time.monotonic()
    with _WorkerWatch() as watch:
        report = _collect(fleet, db_url)
    elapsed = time.monotonic() - started
    assert len(watch.seen) == processes

    outcomes = {line["name"]: line["outcome"] for line in report["devices"]}
    assert outcomes == {
        "linux01": "ok",
        "linux02": "ok",
        "sw01": "ok",
        "sw02": "ok",
        "r01": "ok",
        "dead01": "unreachable",
        "sw-badpw": "auth_failed",
        "sw-hang": "timeout",
        "sw-trunc": "truncated",
    }
    errors = {line["name"]: line["error"] for line in report["devices"]}
    assert "Connection refused" in errors["dead01"] or "refused" in errors["dead01"].lower()
    assert f"{TIME_LIMIT:g} s limit" in errors["sw-hang"]
    # the devices run side by side: the whole run ends within one device's limit
    # plus a margin for Prefect, the database and (3 slots) the devices queued
    # behind the hanging one, not the sum of the limits
    assert elapsed < TIME_LIMIT + 12, elapsed

    engine = make_engine(db_url)
    password = os.environ[PASSWORD_ENV]
    with session_scope(engine) as session:
        snaps = {s.device.name: s for s in session.scalars(select(DeviceSnapshot))}
        assert set(snaps) == set(outcomes)
        # the truncated config is recorded as such, never stored as a version
        assert snaps["sw-trunc"].outcome == "truncated"
        assert snaps["sw-trunc"].config_running is None
        # good configs are stored sanitised: no secrets, no volatile lines
        running = snaps["sw01"].config_running
        assert running and "hostname sw01" in running
        switch = IosDevice(SwitchSpec("sw01", "127.0.31.1", 2200, "sigaplab", "x"), started=0.0)
        for name, value in secrets_of(switch).items():
            assert value not in running, f"{name} left in the stored config"
        assert "Last configuration change" not in running
        # the first contact pinned every device that answered SSH
        for name in ("linux01", "sw01", "r01", "sw-trunc"):
            device = get_device(session, name)
            assert device is not None and device.ssh_host_key_fingerprint, name
        assert get_device(session, "dead01").ssh_host_key is None
        # the checklist judged every device; unreachable gets one fail
        assert [r.item_key for r in snaps["dead01"].checklist_results] == ["reachable"]
        assert {r.status for r in snaps["sw01"].checklist_results} <= {"pass", "warn"}
        # no secret anywhere in what was stored
        for snap in snaps.values():
            stored = json.dumps(
                [snap.error, snap.facts, snap.health, snap.config_running, snap.config_startup],
                default=str,
            )
            assert password not in stored
            assert "not-the-inventory-password" not in stored
    engine.dispose()


def test_second_run_sees_no_config_change_and_history_has_one_version(
    prefect_api, lab, db_url: str
) -> None:
    first = _collect(lab.inventory_dir, db_url, name="sw01")
    second = _collect(lab.inventory_dir, db_url, name="sw01")
    assert [d["outcome"] for d in first["devices"] + second["devices"]] == ["ok", "ok"]
    assert second["devices"][0]["config_changed"] is False
    with get_client(sync_client=True) as client:  # named for what it is in the Prefect UI
        names = [run.name for run in client.read_flow_runs(limit=200)]
    assert names.count("pengumpulan manual name=sw01") >= 2
    result = CliRunner().invoke(app, ["config", "history", "sw01", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "sw01" in result.output


def test_changed_host_key_is_refused_recorded_and_re_pinned_by_a_human(
    prefect_api, lab, db_url: str
) -> None:
    assert _collect(lab.inventory_dir, db_url, name="sw02")["devices"][0]["outcome"] == "ok"
    engine = make_engine(db_url)
    impostor = paramiko.RSAKey.generate(1024)
    with session_scope(engine) as session:
        device = get_device(session, "sw02")
        real_fingerprint = device.ssh_host_key_fingerprint
        # pretend SIGAP had pinned another key: the device's real key is now "changed"
        pin_host_key(
            session,
            device,
            key_type=impostor.get_name(),
            fingerprint="SHA256:impostor",
            public_key=impostor.get_base64(),
        )

    line = _collect(lab.inventory_dir, db_url, name="sw02")["devices"][0]
    assert line["outcome"] == "host_key_changed", line["error"]
    assert "sigap hosts trust sw02" in line["error"]
    assert real_fingerprint in line["error"]
    with session_scope(engine) as session:
        findings = list(session.scalars(select(SecurityFinding)))
        assert [(f.kind, f.detail["offered_fingerprint"]) for f in findings] == [
            ("host_key_changed", real_fingerprint)
        ]

    runner = CliRunner()
    listed = runner.invoke(app, ["hosts", "list", "--database-url", db_url])
    assert "KEY CHANGED" in listed.output
    refused = runner.invoke(app, ["hosts", "trust", "sw02", "--database-url", db_url], input="n\n")
    assert refused.exit_code == 1 and "Nothing changed" in refused.output
    trusted = runner.invoke(
        app, ["hosts", "trust", "sw02", "--yes", "--as", "rahmat", "--database-url", db_url]
    )
    assert trusted.exit_code == 0, trusted.output
    assert "1 finding(s) resolved by rahmat" in trusted.output
    with session_scope(engine) as session:
        device = get_device(session, "sw02")
        assert device.ssh_host_key_fingerprint == real_fingerprint
        assert open_findings(session, device) == []

    assert _collect(lab.inventory_dir, db_url, name="sw02")["devices"][0]["outcome"] == "ok"
    engine.dispose()


def test_cli_collect_json_and_exit_status(prefect_api, fleet: Path, db_url: str) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "collect",
            "-i",
            str(fleet),
            "-f",
            "group=linux-servers",
            "--json",
            "--database-url",
            db_url,
        ],
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["counts"] == {"ok": 2}
    assert sorted(d["name"] for d in data["devices"]) == ["linux01", "linux02"]

    mixed = runner.invoke(
        app, ["collect", "-i", str(fleet), "-f", "name=dead01", "--database-url", db_url]
    )
    assert mixed.exit_code == 3
    assert "tidak dapat dijangkau" in mixed.output and "unreachable" not in mixed.output


def test_bad_thresholds_stop_the_run_before_any_device_is_contacted(
    prefect_api, fleet: Path, db_url: str
) -> None:
    groups_file = fleet / "groups.yaml"
    groups = yaml.safe_load(groups_file.read_text())
    groups["switches"].setdefault("data", {})["thresholds"] = {"cpu_percnt": 50}
    groups_file.write_text(yaml.safe_dump(groups, sort_keys=False))
    result = CliRunner().invoke(app, ["collect", "-i", str(fleet), "--database-url", db_url])
    assert result.exit_code == 1
    assert "cpu_percnt" in result.output and "groups.yaml" in result.output
    assert "nothing was collected" in result.output
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert list(session.scalars(select(DeviceSnapshot))) == []
    engine.dispose()


def test_dask_task_runner_is_configuration_not_code(
    prefect_api, lab, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGAP_TASK_RUNNER=dask runs the same flow on a (local) Dask cluster."""
    monkeypatch.setenv("SIGAP_TASK_RUNNER", "dask")
    from prefect_dask import DaskTaskRunner

    flow = collect_flow()
    assert isinstance(flow.task_runner, DaskTaskRunner)
    report = flow(
        inventory_dir=str(lab.inventory_dir), filters={"group": "switches"}, database_url=db_url
    )
    assert report["counts"] == {"ok": 2}


@pytest.mark.parametrize(
    ("sessions", "processes", "group"),
    [(20, 0, "switches"), (3, 2, None)],
    ids=["sessions-in-the-flow-process", "sessions-in-2-worker-processes"],
)
def test_per_site_session_limit(
    prefect_api,
    lab,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    sessions: int,
    processes: int,
    group: str | None,
) -> None:
    """SIGAP_SITE_SESSIONS=1: the lab site's devices are collected one at a time, also
    when 3 session slots hand the 5 lab devices to 2 worker processes."""
    monkeypatch.setenv("SIGAP_SITE_SESSIONS", "1")
    monkeypatch.setenv("SIGAP_MAX_SESSIONS", str(sessions))
    monkeypatch.setenv("SIGAP_SESSION_PROCESSES", str(processes))
    # answers read in the session's thread, so a device's recorded duration (which
    # includes reading them) is all inside its site slot
    monkeypatch.setenv("SIGAP_PARSE_WORKERS", "0")
    with _WorkerWatch() as watch:
        report = collect_flow()(
            inventory_dir=str(lab.inventory_dir),
            filters={"group": group} if group else None,
            database_url=db_url,
        )
    assert len(watch.seen) == processes
    assert report["counts"] == {"ok": 2 if group else 5}
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        spans = sorted(
            (s.collected_at.timestamp(), s.collected_at.timestamp() + s.duration_seconds)
            for s in session.scalars(select(DeviceSnapshot))
        )
    engine.dispose()
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end - 0.05, spans


def test_a_session_worker_that_dies_gives_its_device_an_outcome(fleet: Path) -> None:
    """A worker process collects a device like the flow's own threads; if it dies in
    the middle of a session, that device gets an outcome at once (not after its time
    limit) and no more devices go to it."""
    inventory = load_inventory(fleet)
    hosts = [h for h in inventory.hosts.values() if h.name in ("sw01", "sw-hang")]
    requests = {r.target.name: r for r in build_requests(hosts, {}, load_settings())}
    workers = SessionWorkers(1, 2)
    workers.start()
    try:
        deadline = time.monotonic() + 30
        while (future := workers.submit(requests["sw01"])) is None:
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.05)
        good = future.result(timeout=30)
        assert good.outcome == "ok" and good.facts is not None
        assert good.facts.hostname == "sw01" and good.backup and good.backup.running

        hanging = workers.submit(requests["sw-hang"])
        assert hanging is not None
        time.sleep(2)  # logged in, waiting for an answer that never comes
        os.kill(workers.pids[0], signal.SIGKILL)
        lost = hanging.result(timeout=5)  # not after the 8 s limit
        assert lost.outcome == "parse_error"
        assert "session worker process ended (exit code -9)" in (lost.error or "")
        assert workers.submit(requests["sw01"]) is None  # the caller collects it itself
    finally:
        workers.close()
