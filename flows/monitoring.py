"""Flow ``pemantauan-server`` (SOP E step 1): check every server and network device.

Every Linux server of the inventory is collected through the collection engine
(the same platform commands and parsers as SOP A) and judged by SOP E's server
rules (:mod:`sop.server_checks`: health and security); its listed services are
probed over TCP. Every other device is probed on its SSH port (reachability).
The results are stored (:mod:`records.monitoring`) and compared with the
previous run: each warn/fail finding is ``new`` or ``still``, and what the
previous run found and is gone is ``cleared``.

A ``fail`` finding is a fault: it opens an incident once (its fault key
``<host>:<finding>``; an open incident for the same fault is not opened again)
and starts its handling flow when that deployment exists (SOP E
``perbaikan-server`` for servers, SOP C ``penanganan-kendala-jaringan`` for
network devices, or the one of them the office runs). A host inside one of its
maintenance windows (inventory ``data.maintenance_windows``) is checked and
stored, but its faults are silenced: no incident.

SIGAP's own configuration mistakes are not network faults (SOP C): a server
whose password reference cannot be resolved (``env:VAR`` unset, no such Secret
block) or whose platform SIGAP has no commands for is not logged into; it gets
one ``warn`` finding ``sigap_config`` (logged when it is new, listed in the run's
``config_errors`` every run), never an incident.

An unfinished incident the monitoring opened is resolved by the first run that
judges its finding again and finds it ``pass`` (or gone): its resolution note
names the run and the time (:func:`sop.monitoring.resolution_note`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.engine import Engine

from config.settings import Settings, load_settings
from flows.approvals import current_flow_run_id
from flows.collect import _enable_ref, build_requests, collect_results, host_thresholds
from flows.preamble import load_context
from flows.run_labels import name_flow_run
from inventory import Host, Inventory, load_inventory
from records.db import make_engine
from records.devices import record_devices
from records.incidents import NewIncident
from records.monitoring import (
    FindingRecord,
    HostBefore,
    HostRecord,
    MonitoringStore,
    OpenFault,
    Resolution,
)
from sop.checklist import CheckResult, check_reachable
from sop.device import Configs, DeviceData
from sop.monitoring import (
    CONFIG_KEY,
    UNREACHED_JUDGED,
    MonitoringSettings,
    compare,
    fault_gone,
    fault_key,
    fault_kind,
    finding_of_fault,
    handling_sop,
    monitoring_settings,
    resolution_note,
)
from sop.office import Office
from sop.platforms import get_platform
from sop.problems import ConfigError
from sop.run_names import monitoring_run_name
from sop.server_checks import ServiceProbe, check_services, judge_server
from sop.thresholds import Thresholds
from tasks import clock
from tasks.collect import DeviceResult
from tasks.credentials import CredentialError, resolve_secret
from tasks.probes import TcpResult, TcpTarget, probe_all
from tasks.store import device_listing, host_key_bookkeeping, pinned_keys

DEPLOYMENT_NAME = "pemantauan-server"
"""The deployment of this flow (every ``SIGAP_MONITOR_INTERVAL`` minutes)."""

ACTOR = "sigap-monitor"
"""The reporter of incidents the monitoring opens."""

HANDLING_DEPLOYMENTS: dict[str, str] = {
    "E": "perbaikan-server/perbaikan-server",
    "C": "penanganan-kendala-jaringan/penanganan-kendala-jaringan",
}
"""SOP code -> the ``flow/deployment`` that handles an incident (parameter ``incident``)."""

SERVER_PLATFORMS = frozenset({"linux"})
"""Platforms checked as servers (the rest: reachability only)."""

CONFIG_OUTCOME = "config_error"
"""Outcome of a host SIGAP did not check because of its own configuration."""

log = logging.getLogger(__name__)


@dataclass
class HostCheck:
    """One host's check in one run (before it is stored).

    Attributes:
        host: Inventory name.
        platform: Inventory platform.
        is_server: Checked as a server.
        outcome: Collection or probe outcome (``ok``, ``unreachable`` ...).
        error: What went wrong.
        results: The judged findings (pass, warn and fail).
        not_checked: Item key -> why it could not be judged.
        failed_logins: The auth log's failed-login count now.
    """

    host: str
    platform: str
    is_server: bool
    outcome: str
    error: str | None
    results: list[CheckResult] = field(default_factory=list)
    not_checked: dict[str, str] = field(default_factory=dict)
    failed_logins: int | None = None

    def status(self, key: str) -> str | None:
        """This check's status of one finding key (``None`` if not judged)."""
        return next((r.status for r in self.results if r.key == key), None)

    def judged(self) -> tuple[str, ...] | None:
        """Finding keys (or ``key:`` prefixes) this check judged; ``None``: all of them."""
        if self.outcome == CONFIG_OUTCOME:
            return ()
        if self.is_server and self.outcome != "ok":
            return UNREACHED_JUDGED
        return None


def config_problem(host: Host) -> str | None:
    """What in SIGAP's configuration keeps it from logging into a server, if anything.

    The password (and enable secret) references are resolved and the values
    dropped at once; the text names the reference only, never a value.

    Args:
        host: A server of the inventory.

    Returns:
        The problem in words, or ``None``.
    """
    try:
        get_platform(host.platform)
    except KeyError:
        return f"platform {host.platform!r} tidak dikenal SIGAP (tidak ada perintah untuknya)"
    refs = [host.password_ref]
    enable = _enable_ref(host)
    if enable:
        refs.append(enable)
    for ref in refs:
        try:
            resolve_secret(ref)
        except CredentialError as exc:
            return f"kata sandi tidak dapat dibaca: {exc}"
    return None


def config_check(host: Host, problem: str) -> HostCheck:
    """The check of a host SIGAP could not log into because of its own configuration."""
    text = f"Kesalahan konfigurasi SIGAP, bukan gangguan jaringan: {problem}"
    result = CheckResult(CONFIG_KEY, "Konfigurasi SIGAP", "SIGAP configuration", "warn", text, {})
    return HostCheck(host.name, host.platform, True, CONFIG_OUTCOME, problem, [result])


@task(name="probe-tcp", cache_policy=NONE)
def probe_task(targets: list[TcpTarget], timeout: float = 3.0) -> list[TcpResult]:
    """Probe TCP ports (SSH of network devices, services of servers)."""
    return probe_all(targets, timeout)


def read_host_settings(hosts: Sequence[Host]) -> dict[str, MonitoringSettings]:
    """Every host's monitoring settings, all bad entries reported at once.

    Raises:
        ConfigError: Naming file, line and field of every bad entry.
    """
    out: dict[str, MonitoringSettings] = {}
    problems = []
    for host in hosts:
        try:
            out[host.name] = monitoring_settings(host)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return out


def check_hosts(
    hosts: Sequence[Host],
    inventory: Inventory,
    settings: Settings,
    engine: Engine,
    before: dict[str, HostBefore],
) -> list[HostCheck]:
    """Check hosts the way the monitoring does; must run inside a flow.

    Args:
        hosts: Hosts to check.
        inventory: Their inventory (group thresholds).
        settings: Session limits.
        engine: Records (pinned host keys; first-contact keys are pinned here).
        before: The previous run's state per host (failed-login baseline).

    Returns:
        One check per host, in the hosts' order.

    Raises:
        ConfigError: Bad thresholds or monitoring settings (nothing is checked).
    """
    thresholds = host_thresholds(hosts, inventory)
    host_settings = read_host_settings(hosts)
    problems = {
        h.name: problem
        for h in hosts
        if h.platform in SERVER_PLATFORMS and (problem := config_problem(h)) is not None
    }
    servers = [h for h in hosts if h.platform in SERVER_PLATFORMS and h.name not in problems]
    network = [h for h in hosts if h.platform not in SERVER_PLATFORMS]
    targets = [TcpTarget(h.name, h.hostname, h.port) for h in network]
    for host in servers:
        for service in host_settings[host.name].services:
            targets.append(
                TcpTarget(
                    f"{host.name}/{service.name}", service.host or host.hostname, service.port
                )
            )
    probes = probe_task.submit(targets)
    collected: dict[str, DeviceResult] = {}
    if servers:
        pins = pinned_keys(engine, [h.name for h in servers])
        for result in collect_results(build_requests(servers, pins, settings), settings):
            collected[result.name] = result
    by_label = {r.target.label: r for r in probes.result()}
    _pin_first_contacts(engine, servers, collected)
    checks: list[HostCheck] = []
    for host in hosts:
        if host.name in problems:
            checks.append(config_check(host, problems[host.name]))
        elif host.platform in SERVER_PLATFORMS:
            service_probes = [
                ServiceProbe(
                    s.name,
                    s.port,
                    by_label[f"{host.name}/{s.name}"].ok,
                    by_label[f"{host.name}/{s.name}"].error,
                    round(by_label[f"{host.name}/{s.name}"].seconds, 3),
                )
                for s in host_settings[host.name].services
            ]
            checks.append(
                _judge_server(
                    host,
                    collected[host.name],
                    thresholds[host.name],
                    host_settings[host.name],
                    before.get(host.name, HostBefore()),
                    service_probes,
                )
            )
        else:
            probe = by_label[host.name]
            outcome = "ok" if probe.ok else "unreachable"
            results = list(check_reachable(outcome, None if probe.ok else probe.error))
            if probe.ok:
                results = [
                    CheckResult(
                        "reachable",
                        results[0].label,
                        results[0].label_en,
                        "pass",
                        f"Port SSH {host.port} menjawab ({probe.seconds * 1000:.0f} ms)",
                        {"seconds": round(probe.seconds, 3)},
                    )
                ]
            checks.append(HostCheck(host.name, host.platform, False, outcome, probe.error, results))
    return checks


def _pin_first_contacts(
    engine: Engine, servers: Sequence[Host], collected: dict[str, DeviceResult]
) -> None:
    """Pin the host keys seen on first contact and record changed keys (as collection does)."""
    seen = [
        (device_listing(host), collected[host.name])
        for host in servers
        if collected[host.name].seen_key is not None
    ]
    record_devices(engine, seen, host_key_bookkeeping)


def _judge_server(
    host: Host,
    result: DeviceResult,
    thresholds: Thresholds,
    host_settings: MonitoringSettings,
    before: HostBefore,
    probes: list[ServiceProbe],
) -> HostCheck:
    reachable = check_reachable(result.outcome, result.error)
    check = HostCheck(host.name, host.platform, True, result.outcome, result.error, reachable)
    if result.outcome != "ok" or result.facts is None or result.health is None:
        check.results += check_services(probes)
        return check
    no_config = "a Linux server has no device configuration to back up"
    snapshot = DeviceData(
        facts=result.facts,
        health=result.health,
        config=Configs(
            running=None, startup=None, missing={"running": no_config, "startup": no_config}
        ),
    )
    judged = judge_server(
        snapshot,
        before.failed_logins,
        thresholds,
        allowed_ports=host_settings.allowed_ports,
        address=host.hostname,
        probes=probes,
    )
    check.results += judged.results
    check.not_checked = {n.key: n.reason for n in judged.not_checked}
    server = result.health.server
    check.failed_logins = server.failed_logins if server is not None else None
    return check


@dataclass
class MonitoringReport:
    """What one monitoring run found.

    Attributes:
        run_id: The stored run.
        hosts: Hosts checked.
        findings: One line per warn/fail/cleared finding.
        opened: Incidents opened by this run: (number, SOP code, fault key).
        started: Handling flow runs started: incident number -> flow run id.
        resolved: Incidents resolved by this run (their fault is gone): number -> fault key.
        config_errors: Hosts not checked for SIGAP's own configuration: ``host``,
            ``error``, ``new`` (first run to find it).
    """

    run_id: int
    hosts: int
    findings: list[dict[str, Any]]
    opened: list[tuple[str, str, str]]
    started: dict[str, str] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)
    config_errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON data (the flow's return value)."""
        return {
            "run_id": self.run_id,
            "hosts": self.hosts,
            "findings": self.findings,
            "incidents_opened": [
                {"number": n, "sop": s, "fault_key": k} for n, s, k in self.opened
            ],
            "handling_started": dict(self.started),
            "incidents_resolved": [{"number": n, "fault_key": k} for n, k in self.resolved.items()],
            "config_errors": [dict(e) for e in self.config_errors],
        }


def store_checks(
    engine: Engine,
    office: Office,
    checks: Sequence[HostCheck],
    host_settings: dict[str, MonitoringSettings],
    *,
    run_id: int,
    before: dict[str, HostBefore],
    now: datetime,
) -> MonitoringReport:
    """Store one run's checks, compare with the previous run, open incidents for new faults.

    Then the monitoring's unfinished incidents whose fault this run found gone are
    resolved (:func:`resolutions`).

    Returns:
        The run's report (incidents opened and resolved, not yet their handling flows).
    """
    findings: list[dict[str, Any]] = []
    hosts: list[HostRecord] = []
    config_errors: list[dict[str, Any]] = []
    faults = 0
    store = MonitoringStore(engine)
    open_faults = store.open_faults(office.short_name)
    for check in checks:
        window = host_settings[check.host].window_at(now)
        silenced = window is not None
        previous = dict(before.get(check.host, HostBefore()).findings)
        if check.outcome not in ("ok", CONFIG_OUTCOME) and check.is_server:
            # not collected: only what was checked now can have cleared
            previous = {
                k: v for k, v in previous.items() if k == "reachable" or k.startswith("service:")
            }
        if check.outcome == CONFIG_OUTCOME:
            # not checked at all: nothing but the configuration error itself can change
            previous = {k: v for k, v in previous.items() if k == CONFIG_KEY}
            config_errors.append(
                {"host": check.host, "error": check.error, "new": CONFIG_KEY not in previous}
            )
        by_key = {r.key: r for r in check.results}
        records: list[FindingRecord] = []
        for change in compare(previous, {r.key: r.status for r in check.results}):
            result = by_key.get(change.key)
            opens = None
            if change.status == "fail" and result is not None:
                faults += 1
                if not silenced:
                    opens = NewIncident(
                        office=office.short_name,
                        device=check.host,
                        kind=fault_kind(change.key),
                        description=f"{result.label}: {result.text}",
                        reporter=ACTOR,
                        source="monitoring",
                        occurred_at=now,
                        sop_code=handling_sop(check.is_server, office.sops),
                        fault_key=fault_key(check.host, change.key),
                    )
            text = result.text if result is not None else "tidak ditemukan lagi"
            label = result.label if result is not None else change.key
            records.append(
                FindingRecord(
                    key=change.key,
                    label=label[:255],
                    status=change.status,
                    change=change.change,
                    text=text,
                    data=result.data if result is not None else {},
                    opens=opens,
                )
            )
            findings.append(
                {
                    "host": check.host,
                    "key": change.key,
                    "status": change.status,
                    "change": change.change,
                    "text": text,
                    "silenced": silenced,
                }
            )
        hosts.append(
            HostRecord(
                host=check.host,
                platform=check.platform,
                outcome=check.outcome,
                error=check.error,
                silenced=silenced,
                window_note=(window.note or "jendela pemeliharaan") if window else None,
                failed_logins=check.failed_logins,
                not_checked=check.not_checked,
                findings=tuple(records),
            )
        )
    opened = store.record(run_id, hosts, faults=faults, finished=clock.now)
    gone = resolutions(office, checks, open_faults, run_id=run_id, now=now)
    resolved = store.resolve(gone, at=clock.now())
    keys = {f.number: f.fault_key for f in open_faults}
    return MonitoringReport(
        run_id,
        len(checks),
        findings,
        opened,
        resolved={n: keys[n] for n in resolved},
        config_errors=config_errors,
    )


def resolutions(
    office: Office,
    checks: Sequence[HostCheck],
    open_faults: Sequence[OpenFault],
    *,
    run_id: int,
    now: datetime,
) -> list[Resolution]:
    """The open monitoring incidents whose fault this run found gone (pure).

    Args:
        office: The office (its time zone writes the time in the note).
        checks: This run's checks.
        open_faults: The monitoring's unfinished incidents (read before this run stored).
        run_id: This run.
        now: This run's time.

    Returns:
        One resolution per incident to resolve, with its note.
    """
    by_host = {c.host: c for c in checks}
    at_text = now.astimezone(office.timezone).strftime("%d-%m-%Y %H:%M %Z")
    out: list[Resolution] = []
    for fault in open_faults:
        check = by_host.get(fault.device)
        finding = finding_of_fault(fault.device, fault.fault_key)
        if check is None or finding is None:
            continue
        statuses = {r.key: r.status for r in check.results}
        if not fault_gone(finding, statuses, judged=check.judged(), not_checked=check.not_checked):
            continue
        result = next((r for r in check.results if r.key == finding), None)
        text = result.text if result is not None else "temuan tidak ada lagi"
        out.append(Resolution(fault.number, resolution_note(run_id, at_text, text)))
    return out


def start_handling(number: str, sop_code: str) -> str | None:
    """Start the handling flow of a new incident, when its deployment exists.

    Args:
        number: Incident number (the flow's ``incident`` parameter).
        sop_code: ``C`` or ``E``.

    Returns:
        The started flow run's id, or ``None`` (no such deployment: the incident
        stays listed for a person to start).
    """
    from prefect.deployments import run_deployment

    name = HANDLING_DEPLOYMENTS[sop_code]
    try:
        flow_run = run_deployment(name=name, parameters={"incident": number}, timeout=0)
    except Exception as exc:  # no deployment (ObjectNotFound) or no server: the incident stays
        get_run_logger().warning(
            "%s: alur penanganan %s tidak dapat dimulai (%s); insiden tetap terdaftar",
            number,
            name,
            type(exc).__name__,
        )
        return None
    return str(flow_run.id)


@flow(
    name="pemantauan-server",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=load_settings().max_sessions),
)
def pemantauan_server(
    inventory_dir: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
    trigger: str = "manual",
    start_flows: bool = True,
) -> dict[str, Any]:
    """SOP E step 1: check every server and network device, open incidents for new faults.

    Args:
        inventory_dir: Inventory directory (default ``SIGAP_INVENTORY``).
        office_file: Office configuration (default ``SIGAP_OFFICE``).
        database_url: Records database (default from the settings).
        trigger: What started the run (``schedule``, ``manual``).
        start_flows: Start the handling flow of each incident opened.

    Returns:
        The run's report as JSON data.
    """
    with load_context(office_file, database_url) as context:
        settings = context.settings
        report = run_monitoring(
            Path(inventory_dir) if inventory_dir else settings.inventory_dir,
            context.office,
            settings,
            database_url=context.database_url,
            trigger=trigger,
            start_flows=start_flows,
        )
    return report.as_dict()


def run_monitoring(
    inventory_dir: Path,
    office: Office,
    settings: Settings,
    *,
    database_url: str,
    trigger: str,
    start_flows: bool,
) -> MonitoringReport:
    """The body of :func:`pemantauan_server`; must run inside a flow.

    Raises:
        ConfigError: The inventory or a host's settings are invalid (nothing is
            checked or stored then).
    """
    logger = get_run_logger()
    inventory = load_inventory(inventory_dir)
    hosts = list(inventory.filter())
    host_settings = read_host_settings(hosts)
    engine = make_engine(database_url)
    try:
        now = clock.now()
        name_flow_run(current_flow_run_id(), monitoring_run_name(now, office))
        run_id, before = MonitoringStore(engine).start(
            office=office.short_name,
            trigger=trigger,
            started_at=now,
            flow_run_id=current_flow_run_id(),
        )
        checks = check_hosts(hosts, inventory, settings, engine, before)
        report = store_checks(
            engine, office, checks, host_settings, run_id=run_id, before=before, now=now
        )
    finally:
        engine.dispose()
    for error in report.config_errors:
        if error["new"]:
            logger.error(
                "%s tidak diperiksa: kesalahan konfigurasi SIGAP (bukan insiden): %s",
                error["host"],
                error["error"],
            )
    for number, key in report.resolved.items():
        logger.info("insiden %s ditutup: gangguan %s tidak ditemukan lagi", number, key)
    for number, sop_code, key in report.opened:
        logger.warning("gangguan baru %s: insiden %s (SOP %s)", key, number, sop_code)
        if start_flows:
            started = start_handling(number, sop_code)
            if started:
                report.started[number] = started
    _publish(report)
    return report


STATUS_WORDS = {"pass": "baik", "warn": "peringatan", "fail": "gangguan"}
"""A finding's status in the artifact's words."""

CHANGE_WORDS = {"new": "baru", "still": "masih", "cleared": "pulih"}
"""A finding's change in the artifact's words."""


def _publish(report: MonitoringReport) -> None:
    """The run's findings as a table artifact in the Prefect UI."""
    rows = [
        {
            "Host": f["host"],
            "Temuan": f["key"],
            "Status": STATUS_WORDS.get(f["status"], f["status"]),
            "Perubahan": CHANGE_WORDS.get(f["change"], f["change"]),
            "Keterangan": f["text"],
            "Dibungkam": "ya" if f["silenced"] else "",
        }
        for f in report.findings
    ] or [
        {
            "Host": "-",
            "Temuan": "tidak ada temuan",
            "Status": "baik",
            "Perubahan": "",
            "Keterangan": "",
            "Dibungkam": "",
        }
    ]
    rows += [
        {
            "Host": "-",
            "Temuan": f"insiden {number}",
            "Status": "ditutup",
            "Perubahan": "pulih",
            "Keterangan": f"gangguan {key} tidak ditemukan lagi",
            "Dibungkam": "",
        }
        for number, key in report.resolved.items()
    ]
    try:
        create_table_artifact(
            key="pemantauan-server",
            table=rows,
            description=(
                f"Pemantauan server #{report.run_id}: {report.hosts} host, "
                f"{len(report.opened)} insiden baru, {len(report.resolved)} ditutup, "
                f"{len(report.config_errors)} kesalahan konfigurasi SIGAP"
            ),
        )
    except Exception as exc:  # an artifact must never fail the monitoring
        log.warning("artifact not created: %s", exc)
