"""SOP A step 4 fanned out to the sites' Prefect workers: one collection per site.

With ``SIGAP_SITE_POOL`` set (a Prefect work pool), SOP A does not collect in its
own process: :func:`collect_sites` groups the selected hosts by site
(:func:`sop.sites.plan_sites`) and starts, per site, a run of the deployment
``collect-devices/kumpul-perangkat-situs`` on that site's work queue (the site's
name; ``tanpa-situs`` for hosts without one), as a subflow of the SOP A run. The
worker of each site (``prefect worker start --pool P --work-queue <site>``) is the
one machine that reaches that site's devices; it stores its collection in the
central records database named by its own ``SIGAP_DATABASE_URL`` (no database URL,
and so no password, travels in the run's parameters).

SOP A then polls the runs every ``SIGAP_SITE_POLL`` seconds for at most
``SIGAP_SITE_WAIT`` seconds and continues with whatever came back. A site whose
run did not finish in time is cancelled; a site whose run failed or crashed, whose
run could not be created, or whose collection is not in the records, is *not
answered*: its devices are recorded ``unreachable`` with the reason
(:func:`sop.sites.unanswered_reason`) in one collection run of the SOP A run's own,
so every device has an outcome, and the report lists the site under *Situs yang
tidak menjawab*. A cancelled run's collection that had started is closed
``interrupted``, never left ``running``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.states import Cancelled, Cancelling
from sqlalchemy.engine import Engine

from flows.collect import current_flow_run_id, host_thresholds
from inventory import Host, load_inventory
from records.collection_runs import (
    SOP_STEP_KEY,
    flow_runs_collections,
    interrupt_flow_runs_collections,
    last_collection_run_id,
)
from records.db import session_scope
from reports.sources import collection_review_lines
from sop.sites import (
    UNANSWERED_OUTCOME,
    SitePlan,
    UnansweredSite,
    missing_reason,
    plan_sites,
    unanswered_reason,
)
from tasks.collect import DeviceResult
from tasks.store import CollectionRecorder

SITE_DEPLOYMENT = "kumpul-perangkat-situs"
"""The deployment of ``collect-devices`` the sites' workers run."""

SITE_DEPLOYMENT_REF = f"collect-devices/{SITE_DEPLOYMENT}"
"""Its full name, for :func:`prefect.deployments.run_deployment`."""


@dataclass
class SiteRun:
    """One site's collection run on its worker, as SOP A follows it.

    Attributes:
        plan: The site and its devices.
        flow_run_id: The Prefect flow run, ``None`` when it could not be created.
        state: Its last known Prefect state type.
        message: The state's message, or why the run could not be created.
    """

    plan: SitePlan
    flow_run_id: UUID | None = None
    state: str | None = None
    message: str | None = None


@dataclass
class SiteCollection:
    """What step 4 got back from the sites.

    Attributes:
        run_ids: The collection runs holding the devices' results: one per site that
            answered, and SOP A's own for the devices recorded ``unreachable``.
        lines: Device name -> its line (:func:`reports.sources.collection_review_lines`).
        unanswered: The sites that did not answer, and why.
        site_runs: Site -> its Prefect flow run id (``None``: none was created).
    """

    run_ids: list[int] = field(default_factory=list)
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    unanswered: list[UnansweredSite] = field(default_factory=list)
    site_runs: dict[str, str | None] = field(default_factory=dict)


def collect_sites(
    engine: Engine,
    *,
    inventory_dir: Path,
    filters: Mapping[str, Any],
    trigger: str,
    actor: str | None,
    office_file: str | None,
    sop_step_log_id: int | None,
    wait: float,
    poll: float,
) -> SiteCollection:
    """Collect the selected hosts site by site on the sites' workers; must run in a flow.

    Args:
        engine: The central records database (the workers write into it too).
        inventory_dir: The inventory (the same path on every worker).
        filters: Inventory filters of the SOP A run.
        trigger: What started it (``sop:A``).
        actor: The IT officer.
        office_file: The office file (its sanitising patterns; same path on the workers).
        sop_step_log_id: Step 4's log, stored with every collection run.
        wait: Seconds to wait for the sites at most (``SIGAP_SITE_WAIT``).
        poll: Seconds between checks (``SIGAP_SITE_POLL``).

    Returns:
        The collection runs, device lines and the sites that did not answer.

    Raises:
        ConfigError: The inventory or a host's thresholds are invalid (nothing starts).
    """
    logger = get_run_logger()
    inventory = load_inventory(inventory_dir)
    hosts = {host.name: host for host in inventory.filter(**dict(filters))}
    thresholds = host_thresholds(hosts.values(), inventory)
    plans = plan_sites((host.name, host.data.site) for host in hosts.values())
    with session_scope(engine) as session:
        before = last_collection_run_id(session)
    # the parameters of every site's run; no database_url: each worker's own
    # SIGAP_DATABASE_URL (no password in Prefect)
    parameters: dict[str, Any] = {
        "inventory_dir": str(inventory_dir),
        "filters": dict(filters),
        "trigger": trigger,
        "actor": actor,
        "office_file": office_file,
        "sop_step_log_id": sop_step_log_id,
    }
    runs = [_start_site(plan, parameters) for plan in plans]
    logger.info(
        "langkah 4: %s situs, %s perangkat, dikirim ke worker situs",
        len(runs),
        len(hosts),
    )
    with get_client(sync_client=True) as client:
        _wait_for(client, runs, wait, poll)
        late = [run for run in runs if run.flow_run_id is not None and not _final(run.state)]
        for run in late:
            _cancel(client, run)
    _close_cancelled(engine, late)
    collected = _site_collections(engine, runs, before)

    result = SiteCollection(site_runs={r.plan.label: _str(r.flow_run_id) for r in runs})
    missing: list[tuple[str, str]] = []  # (host, reason)
    for run in runs:
        label = run.plan.label
        reason = unanswered_reason(label, run.state, waited=wait, message=run.message)
        found = collected.get(run.flow_run_id) if run.flow_run_id else None
        if reason is None and found is None:
            reason = f"situs {label}: hasil pengumpulan tidak ada di basis data catatan"
        if reason is not None:
            result.unanswered.append(UnansweredSite(label, reason, run.plan.hosts))
            missing.extend((name, reason) for name in run.plan.hosts)
            logger.warning("%s", reason)
            continue
        assert found is not None
        run_id, names = found
        result.run_ids.append(run_id)
        missing.extend(
            (name, missing_reason(label)) for name in run.plan.hosts if name not in names
        )
    if missing:
        result.run_ids.append(
            _record_unanswered(
                engine,
                [hosts[name] for name, _ in missing],
                dict(missing),
                thresholds,
                trigger=trigger,
                actor=actor,
                selection={
                    "inventory": str(inventory_dir),
                    "filters": dict(filters),
                    "flow_run_id": current_flow_run_id(),
                    "unanswered_sites": [site.as_dict() for site in result.unanswered],
                    **({SOP_STEP_KEY: sop_step_log_id} if sop_step_log_id is not None else {}),
                },
            )
        )
    result.lines = collection_review_lines(engine, result.run_ids)
    return result


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _final(state: str | None) -> bool:
    return state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _start_site(plan: SitePlan, parameters: Mapping[str, Any]) -> SiteRun:
    """Create the site's run on its queue (it starts when its worker picks it up).

    Args:
        plan: The site and its hosts.
        parameters: The ``collect-devices`` parameters shared by every site's run; the
            site's hosts are selected here, by site (the run's name says which) or, for
            hosts without one, by name.
    """
    filters = dict(parameters["filters"])
    if plan.site:
        filters["site"] = [plan.site]
    else:
        filters["name"] = list(plan.hosts)
    try:
        flow_run: FlowRun = run_deployment(  # type: ignore[assignment]  # sync: a FlowRun
            name=SITE_DEPLOYMENT_REF,
            parameters={**parameters, "filters": filters},
            work_queue_name=plan.queue,
            timeout=0,
            as_subflow=True,
            tags=[f"situs:{plan.label}"],
        )
    except Exception as exc:  # one site's failure never stops the others
        return SiteRun(plan, message=f"{type(exc).__name__}: {exc}")
    state = flow_run.state
    return SiteRun(plan, flow_run.id, state.type.value if state else None)


def _wait_for(client: SyncPrefectClient, runs: list[SiteRun], wait: float, poll: float) -> None:
    """Poll the runs until every one is final or ``wait`` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        for run in runs:
            if run.flow_run_id is None or _final(run.state):
                continue
            state = client.read_flow_run(run.flow_run_id).state
            if state is not None:
                run.state, run.message = state.type.value, state.message
        left = deadline - time.monotonic()
        if left <= 0 or all(r.flow_run_id is None or _final(r.state) for r in runs):
            return
        time.sleep(min(poll, left))


def _cancel(client: SyncPrefectClient, run: SiteRun) -> None:
    """Cancel a late run that has not finished.

    ``Cancelling`` when a worker runs it (the worker stops the process), ``Cancelled``
    at once when no worker has picked it up.
    """
    assert run.flow_run_id is not None
    message = "SOP A tidak menunggu lagi (SIGAP_SITE_WAIT)"
    try:
        if run.state in ("RUNNING", "CANCELLING"):
            client.set_flow_run_state(run.flow_run_id, Cancelling(message=message))
        else:
            client.set_flow_run_state(run.flow_run_id, Cancelled(message=message))
    except Exception as exc:  # the site is not answered either way
        get_run_logger().warning("situs %s: run tidak dapat dibatalkan: %s", run.plan.label, exc)


def _site_collections(
    engine: Engine, runs: list[SiteRun], before: int
) -> dict[UUID, tuple[int, set[str]]]:
    """Each site run's collection run (started after ``before``) and its devices."""
    wanted = {str(run.flow_run_id): run.flow_run_id for run in runs if run.flow_run_id}
    with session_scope(engine) as session:
        found = flow_runs_collections(session, wanted, before)
    return {wanted[owner]: collection for owner, collection in found.items()}


def _close_cancelled(engine: Engine, late: list[SiteRun]) -> None:
    """A cancelled run's collection that had started is ``interrupted``, not ``running``.

    A late run never counts (its state stays the one seen when the wait ended), even
    should its collection finish while it is being cancelled.
    """
    if late:
        with session_scope(engine) as session:
            interrupt_flow_runs_collections(session, (str(run.flow_run_id) for run in late))


def _record_unanswered(
    engine: Engine,
    hosts: list[Host],
    reasons: Mapping[str, str],
    thresholds: Mapping[str, Any],
    *,
    trigger: str,
    actor: str | None,
    selection: dict[str, Any],
) -> int:
    """Record the devices of the sites that did not answer as ``unreachable``."""
    now = datetime.now(UTC)
    with CollectionRecorder(
        engine,
        {host.name: thresholds[host.name] for host in hosts},
        trigger=trigger,
        actor=actor,
        selection=selection,
    ) as recorder:
        for host in hosts:
            recorder.add(
                host, DeviceResult(host.name, UNANSWERED_OUTCOME, reasons[host.name], now, 0.0, 0)
            )
    assert recorder.report is not None
    return recorder.report.run_id
