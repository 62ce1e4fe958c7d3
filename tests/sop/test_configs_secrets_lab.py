"""End to end: a lab switch and the lab router carry secrets of many kinds; none of them
reaches the records database, ``sigap config diff``, the collection's report, the
monthly report files, the Prefect API's logs and artifacts, or the captured logs.

The switch is a simulated IOS switch of its own (127.0.43.1), configured over SSH in
config mode as an engineer would; the router is the session lab's FRR ``r01``, whose
OSPF link is authenticated with an MD5 key (``lab.frrconf``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from netmiko import ConnectHandler
from sqlalchemy import select
from typer.testing import CliRunner

from config.office_file import load_office
from flows.collect import collect_flow
from lab.frrconf import R01, router_secrets
from lab.ios_device import IosDevice
from lab.ios_output import secrets_of
from lab.plan import PASSWORD_ENV
from lab.switch_server import start_switches, stop_switches
from lab.switch_spec import SwitchSpec
from records.db import init_database, make_engine, session_scope
from records.models import DeviceSnapshot
from sigap.cli import app

ADDRESS = "127.0.43.1"
PORT = 2200
NAME = "sw-secrets"
OFFICE = Path(__file__).parents[2] / "examples/offices/kanwil-kemenkumham-malut.yaml"

# typed in config mode before the first collection: (mode line or None, config line)
FIRST = [
    (None, "tacacs-server host 10.9.9.9 key 7 S3cr3tLab-TACK-01"),
    (None, "radius-server host 10.9.9.10 auth-port 1812 acct-port 1813 key S3cr3tLab-RADK-02"),
    (None, "snmp-server user mon NMS v3 auth sha S3cr3tLab-SNAU-03 priv aes 128 S3cr3tLab-SNPR-04"),
    (None, "snmp-server host 10.9.9.11 version 2c S3cr3tLab-SNHO-05"),
    (None, "ntp authentication-key 1 md5 S3cr3tLab-NTPK-06 7"),
    (None, "crypto isakmp key S3cr3tLab-ISAK-07 address 203.0.113.20"),
    (None, "username ppp-peer password 0 S3cr3tLab-USPW-08"),
    (None, "key config-key password-encryption S3cr3tLab-CFGK-09"),
    (None, "event manager environment _email_password S3cr3tLab-EEMP-10"),  # fail closed
    ("interface Gi0/2", "ppp chap password 7 S3cr3tLab-CHAP-11"),
    ("interface Gi0/2", "glbp 2 authentication text S3cr3tLab-GLBP-12"),
    ("interface Gi0/2", "isis password S3cr3tLab-ISIS-13 level-2"),
]
# typed between the two collections, so the diff of the versions holds secret lines too
SECOND = [
    (None, "tacacs-server key 7 S3cr3tLab-TACG-14"),
    (None, "snmp-server community S3cr3tLab-SNCO-15 RO 10"),
    ("interface Gi0/3", "glbp 3 authentication md5 key-string 7 S3cr3tLab-GLBP-16"),
]
TYPED = sorted({w for _, line in FIRST + SECOND for w in line.split() if "S3cr3tLab" in w})


@pytest.fixture(scope="module")
def secret_switch(tmp_path_factory: pytest.TempPathFactory, lab) -> Iterator[None]:
    spec_dir = tmp_path_factory.mktemp("secret-switch")
    spec = {
        "devices": [
            {
                "hostname": NAME,
                "address": ADDRESS,
                "port": PORT,
                "username": "sigaplab",
                "password_env": PASSWORD_ENV,
            }
        ]
    }
    path = spec_dir / "spec.json"
    path.write_text(json.dumps(spec))
    proc = start_switches(path, {PASSWORD_ENV: os.environ[PASSWORD_ENV]})
    try:
        yield
    finally:
        stop_switches(proc)


def _configure(lines: list[tuple[str | None, str]]) -> None:
    password = os.environ[PASSWORD_ENV]
    conn = ConnectHandler(
        device_type="cisco_ios", host=ADDRESS, port=PORT, username="sigaplab",
        password=password, secret=password,
    )  # fmt: skip
    try:
        conn.enable()
        commands: list[str] = []
        for mode, line in lines:
            commands += [mode, line] if mode else [line]
        conn.send_config_set(commands)
        running = conn.send_command("show running-config")
    finally:
        conn.disconnect()
    for _mode, line in lines:  # the device really carries them
        if not line.startswith("no "):
            assert line in running, line


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@contextlib.contextmanager
def _capture_logs() -> Iterator[_Records]:
    handler = _Records()
    loggers = [logging.getLogger(), logging.getLogger("prefect"), logging.getLogger("sigap")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def _api_texts() -> str:
    """Every log message and artifact the (test session's) Prefect API holds."""
    from prefect.client.orchestration import get_client

    async def read() -> str:
        async with get_client() as client:
            logs, offset = [], 0
            while batch := await client.read_logs(limit=200, offset=offset):
                logs += [log.message for log in batch]
                offset += len(batch)
            artifacts = await client.read_artifacts()
        return json.dumps(logs + [a.model_dump(mode="json") for a in artifacts])

    return asyncio.run(read())


def _files_text(directory: Path) -> str:
    texts = []
    for path in sorted(directory.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.suffix in (".html", ".csv", ".md", ".json"):
            texts.append(path.read_text())
    return "\n".join(texts)


def test_no_lab_secret_reaches_records_diffs_reports_or_logs(
    prefect_api, lab, secret_switch, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(lab.inventory_dir, inventory)
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts = {
        "r01": hosts["r01"],
        NAME: {"hostname": ADDRESS, "port": PORT, "platform": "cisco_ios",
               "groups": ["site-lab"], "data": {"site": "lab"}},
    }  # fmt: skip
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    db_url = f"sqlite:///{tmp_path / 'records.db'}"
    init_database(db_url)

    switch = IosDevice(SwitchSpec(NAME, ADDRESS, PORT, "sigaplab", "x"), started=0.0)
    secrets = sorted({*TYPED, *secrets_of(switch).values(), *router_secrets(R01).values()})
    secrets += [os.environ[PASSWORD_ENV]]

    # every log record of the collections, at DEBUG (the test's own SSH sessions that
    # type the secrets are not SIGAP's and stay outside)
    _configure(FIRST)
    with _capture_logs() as records:
        first = collect_flow()(inventory_dir=str(inventory), database_url=db_url)
    _configure(SECOND)
    with _capture_logs() as more:
        second = collect_flow()(inventory_dir=str(inventory), database_url=db_url)
    records.texts += more.texts
    assert [d["outcome"] for d in first["devices"] + second["devices"]] == ["ok"] * 4
    line = next(d for d in second["devices"] if d["name"] == NAME)
    assert line["config_changed"] is True

    seen: dict[str, str] = {"collection reports": json.dumps([first, second], default=str)}

    # the records database: every stored field of every snapshot
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        snaps = list(session.scalars(select(DeviceSnapshot)))
        assert len(snaps) == 4
        seen["database"] = json.dumps(
            [[s.error, s.facts, s.health, s.config_running, s.config_startup] for s in snaps],
            default=str,
        )
        stored = {s.device.name: s.config_running for s in snaps}
    engine.dispose()
    running = stored[NAME] or ""
    for kept in (
        "tacacs-server host 10.9.9.9 key 7 <removed>",
        "snmp-server user mon NMS v3 auth sha <removed> priv aes 128 <removed>",
        "event manager environment _email_password <removed>",
        " glbp 2 authentication text <removed>",
        " glbp 3 authentication md5 key-string 7 <removed>",
        " isis password <removed> level-2",
        "snmp-server community <removed> RO 10",
        "interface GigabitEthernet0/2",
    ):
        assert kept in running, kept
    assert " ip ospf message-digest-key 1 md5 <removed>" in (stored["r01"] or "")

    # sigap config diff / history
    runner = CliRunner()
    diff = runner.invoke(app, ["config", "diff", NAME, "--database-url", db_url])
    assert diff.exit_code == 0, diff.output
    assert "+snmp-server community <removed> RO 10" in diff.output
    assert "+tacacs-server key 7 <removed>" in diff.output
    assert "+ glbp 3 authentication md5 key-string 7 <removed>" in diff.output
    seen["config diff"] = diff.output
    history = runner.invoke(app, ["config", "history", NAME, "--database-url", db_url])
    assert history.exit_code == 0, history.output
    seen["config history"] = history.output

    # the monthly report files (the month's last collection run, with its diffs)
    month = datetime.now(load_office(OFFICE).timezone).strftime("%Y-%m")
    out = tmp_path / "reports"
    report = runner.invoke(
        app,
        ["report", "maintenance", "--month", month, "--format", "xlsx,html", "--out", str(out),
         "--office", str(OFFICE), "--database-url", db_url],
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    files = _files_text(out)
    assert NAME in files and "&lt;removed&gt;" in files  # the diff is in the report
    seen["report files"] = files + report.output

    # the Prefect API's logs and artifacts of both runs, and every log record here
    api = _api_texts()
    assert "collect" in api.lower()  # the runs' logs reached the API
    seen["prefect api"] = api
    seen["captured logs"] = "\n".join(records.texts)
    assert any("collect" in text.lower() for text in records.texts)  # the collection did log

    for where, text in seen.items():
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], f"{where}: {leaked}"
