"""Flow ``collect-devices``: facts, health and config backups from every selected device.

The same flow serves ``sigap collect`` and, as a subflow, the SOP flows: one
code path. Concurrency and the task runner come from the settings
(:mod:`config.settings`), not from code: a thread pool of ``SIGAP_MAX_SESSIONS``
by default, prefect-dask's ``DaskTaskRunner`` with ``SIGAP_TASK_RUNNER=dask``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from config.office_file import load_office
from config.settings import Settings, load_settings
from inventory import Host, Inventory, load_inventory
from records.collection_runs import SOP_STEP_KEY
from records.db import make_engine
from sop.configs import SanitizePattern
from sop.problems import ConfigError
from sop.run_names import collection_run_name
from sop.thresholds import Thresholds, thresholds_for_host
from tasks import parsing
from tasks.collect import (
    CollectRequest,
    DeviceResult,
    collect_device,
    internal_error,
    site_slot,
    start_collection,
)
from tasks.hostkeys import HostKey
from tasks.session import Target
from tasks.session_workers import SessionWorkers
from tasks.store import CollectionRecorder, CollectionReport, pinned_keys

ProgressHook = Callable[[DeviceResult, int, int], None]
"""Called after each device: (result, devices done, devices total)."""

progress_hook: contextvars.ContextVar[ProgressHook | None] = contextvars.ContextVar(
    "sigap_collect_progress", default=None
)
"""Set by a caller (e.g. the CLI's progress bar) to hear about each finished device."""


def _enable_ref(host: Host) -> str | None:
    """The enable-secret reference Nornir-style ``connection_options`` may hold."""
    for plugin in ("netmiko", "napalm"):
        extras = (host.connection_options.get(plugin) or {}).get("extras") or {}
        ref = extras.get("secret") or (extras.get("optional_args") or {}).get("secret")
        if ref:
            return str(ref)
    return None


def build_requests(
    hosts: Iterable[Host],
    pins: Mapping[str, HostKey],
    settings: Settings,
    sanitize: tuple[SanitizePattern, ...] = (),
) -> list[CollectRequest]:
    """Turn inventory hosts into collection requests (pure).

    Args:
        hosts: Selected hosts.
        pins: Pinned host keys by host name.
        settings: Limits (time per device, per-site sessions, parser processes).
        sanitize: The office's extra sanitising patterns.

    Returns:
        One request per host, in order.
    """
    return [
        CollectRequest(
            target=Target(host.name, host.hostname, host.port, host.username),
            platform=host.platform,
            password_ref=host.password_ref,
            enable_ref=_enable_ref(host),
            pinned_key=pins.get(host.name),
            site=host.data.site,
            site_limit=settings.site_sessions,
            time_limit=settings.device_time_limit,
            sanitize=sanitize,
            parse_workers=settings.parse_workers,
        )
        for host in hosts
    ]


def host_thresholds(hosts: Iterable[Host], inventory: Inventory) -> dict[str, Thresholds]:
    """Read every host's checklist thresholds, reporting all bad ones at once.

    Args:
        hosts: Selected hosts.
        inventory: Their inventory (groups and defaults may set thresholds too).

    Returns:
        Host name -> thresholds.

    Raises:
        ConfigError: A host's ``data.thresholds`` is invalid (nothing is collected then).
    """
    out: dict[str, Thresholds] = {}
    problems = []
    for host in hosts:
        try:
            out[host.name] = thresholds_for_host(host, inventory)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return out


def make_task_runner(settings: Settings) -> TaskRunner[Any]:
    """The task runner the settings ask for.

    Args:
        settings: ``task_runner`` ``thread`` (default) or ``dask``.

    Returns:
        A thread pool of ``max_sessions`` workers, or a ``DaskTaskRunner``.

    Raises:
        RuntimeError: ``dask`` was asked for but prefect-dask is not installed.
    """
    if settings.task_runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "SIGAP_TASK_RUNNER=dask needs prefect-dask: pip install -e '.[dask]'"
            ) from exc
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        workers = settings.dask_workers
        return DaskTaskRunner(
            cluster_kwargs={
                # several worker processes: the SSH sessions of each run under their own GIL
                "processes": workers > 1,
                "n_workers": workers,
                "threads_per_worker": max(1, -(-settings.max_sessions // workers)),
                "dashboard_address": None,
            }
        )
    return ThreadPoolTaskRunner(max_workers=settings.max_sessions)


PARSE_BACKLOG = 4
"""Devices a session slot may have between the start of their session and their
reported result: a slot waits before its next session while this many of its
devices are still with the parsers."""


collect_device_task = task(
    collect_device,
    name="collect-device",
    task_run_name="collect-{request.target.name}",
    cache_policy=NONE,
    log_prints=False,
)
"""The Prefect task around :func:`collect_device` (no caching: every run asks the device);
one per device, for runners whose workers cannot share a queue (Dask)."""


WORKER_GRACE = 30.0
"""Seconds past a device's time limit a slot waits for a session worker's result."""


def _start(request: CollectRequest, workers: SessionWorkers | None) -> Future[DeviceResult]:
    """Run a device's session in a ready worker process, else in this thread.

    Either way it returns when the session has ended; a worker's result also has
    its answers read already.
    """
    if workers is not None:
        # the per-site limit is the flow's: it holds across all worker processes
        with site_slot(request.site, request.site_limit):
            future = workers.submit(dataclasses.replace(request, site_limit=None))
            if future is not None:
                try:  # the slot is busy until the worker is done with the device
                    future.result(timeout=request.time_limit + WORKER_GRACE)
                except TimeoutError:  # the device's own limit ends its session: a stuck worker
                    future = Future()
                    future.set_result(
                        internal_error(request, "no result from its session worker process")
                    )
                return future
        # not ready yet: this session runs here, and reads its answers itself (the
        # parser processes are not started when there are session workers)
        return start_collection(request, parse_here=True)
    return start_collection(request)


@task(name="collect-lane", task_run_name="collect-lane-{lane}", cache_policy=NONE)
def collect_lane(
    lane: int,
    work: queue.SimpleQueue[CollectRequest],
    done: queue.SimpleQueue[DeviceResult],
    workers: SessionWorkers | None = None,
) -> int:
    """One SSH session slot: collect devices from ``work`` until it is empty.

    A Prefect task per *slot* (``SIGAP_MAX_SESSIONS`` of them) instead of one per
    device: the orchestration costs stay the same for 20 devices or 2,000, and a
    slot takes the next device as soon as its session ends, while the answers of
    the last one are still being read in the parser pool (up to
    :data:`PARSE_BACKLOG` devices per slot at once). Each device still gets its own
    outcome, stored and reported as it arrives.

    Args:
        lane: Slot number (for the task run's name).
        work: Requests still to collect, shared by all slots.
        done: Where each device's result goes, as soon as it is known.
        workers: Session worker processes (``SIGAP_SESSION_PROCESSES``), if any.

    Returns:
        How many devices this slot collected (all of them reported when it returns).
    """
    # a device holds a place from its session until its result is reported
    places = threading.Semaphore(PARSE_BACKLOG)

    def report(request: CollectRequest, future: Future[DeviceResult]) -> None:
        try:
            done.put(future.result())
        except Exception as exc:  # a bug must not lose the device's outcome
            done.put(internal_error(request, f"{type(exc).__name__}: {exc}"))
        finally:
            places.release()

    count = 0
    while True:
        try:
            request = work.get_nowait()
        except queue.Empty:
            break
        places.acquire()  # the parsers are behind: do not pile up answers
        try:
            future = _start(request, workers)
        except Exception as exc:  # a bug must not lose the device's outcome
            future = Future()
            future.set_result(internal_error(request, f"{type(exc).__name__}: {exc}"))
        future.add_done_callback(functools.partial(report, request))
        count += 1
    for _ in range(PARSE_BACKLOG):  # every device of this slot reported
        places.acquire()
    return count


def _collection_name() -> str:
    """The run's name in the Prefect UI (:func:`sop.run_names.collection_run_name`)."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    return collection_run_name(
        str(parameters.get("trigger") or "manual"), parameters.get("filters")
    )


@flow(
    name="collect-devices",
    flow_run_name=_collection_name,
    log_prints=False,
    # bounded from the first call on (deployments call the flow directly);
    # collect_flow() reads the settings again at call time
    task_runner=make_task_runner(load_settings()),
)
def collect_devices(
    inventory_dir: str,
    filters: dict[str, Any] | None = None,
    trigger: str = "manual",
    actor: str | None = None,
    database_url: str | None = None,
    office_file: str | None = None,
    sop_step_log_id: int | None = None,
) -> dict[str, Any]:
    """Collect every selected device, judge it against the checklist and store it.

    Args:
        inventory_dir: Directory with ``hosts.yaml`` (and groups/defaults).
        filters: Inventory filters, e.g. ``{"site": "pusat", "group": "switches"}``.
        trigger: What started the run (``manual``, ``schedule``, ``sop:A`` ...).
        actor: Username of the person who started it.
        database_url: Records database (default from the settings).
        office_file: Office configuration whose ``config_sanitize`` patterns apply
            (default: ``SIGAP_OFFICE`` when that file exists).
        sop_step_log_id: The SOP step log this collection is for (set by the SOP
            flows): stored with the run, so a later run of the same SOP run finds
            it should this one be killed.

    Returns:
        The collection report as plain data (run id, counts, one line per device).
    """
    settings = load_settings()
    owner: dict[str, Any] = {"flow_run_id": current_flow_run_id()}
    if sop_step_log_id is not None:
        owner[SOP_STEP_KEY] = sop_step_log_id
    report = run_collection(
        Path(inventory_dir),
        filters or {},
        settings,
        trigger=trigger,
        actor=actor,
        database_url=database_url or settings.database_url,
        sanitize=office_patterns(office_file, settings),
        owner=owner,
    )
    return report.as_dict()


def current_flow_run_id() -> str | None:
    """The id of the flow run this code runs in, if any."""
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def office_patterns(office_file: str | None, settings: Settings) -> tuple[SanitizePattern, ...]:
    """The office's extra config-sanitising patterns.

    Args:
        office_file: Office configuration given by the caller, if any.
        settings: For the default office file.

    Returns:
        The patterns (none without an office file).

    Raises:
        ConfigError: The office file is invalid.
    """
    path = Path(office_file) if office_file else settings.office_file
    if not office_file and not path.exists():
        return ()
    return load_office(path).config_sanitize


def run_collection(
    inventory_dir: Path,
    filters: Mapping[str, Any],
    settings: Settings,
    *,
    trigger: str,
    actor: str | None,
    database_url: str,
    sanitize: tuple[SanitizePattern, ...] = (),
    owner: Mapping[str, Any] | None = None,
) -> CollectionReport:
    """The body of :func:`collect_devices`; must run inside a flow.

    Args:
        inventory_dir: Inventory directory.
        filters: Inventory filters.
        settings: Limits and locations.
        trigger: What started the run.
        actor: Who started it.
        database_url: Records database.
        sanitize: The office's extra sanitising patterns.
        owner: Who the run is for (its flow run, the SOP step log), stored with its
            selection.

    Returns:
        The stored run's report.

    Raises:
        ConfigError: The inventory or a host's thresholds are invalid (nothing is
            collected or stored then).
    """
    inventory = load_inventory(inventory_dir)
    hosts = list(inventory.filter(**dict(filters)))
    thresholds = host_thresholds(hosts, inventory)
    engine = make_engine(database_url)
    workers: SessionWorkers | None = None
    if (
        settings.session_processes
        and settings.task_runner == "thread"
        and len(hosts) > settings.max_sessions  # else every device starts here anyway
    ):
        # they start while the first sessions log in from here
        workers = SessionWorkers(settings.session_processes, settings.max_sessions)
        workers.start()
    else:
        # start the parser processes while the first sessions log in
        threading.Thread(
            target=parsing.warm_up,
            args=(settings.parse_workers,),
            name="sigap-parse-warm-up",
            daemon=True,
        ).start()
    try:
        pins = pinned_keys(engine, [h.name for h in hosts])
        requests = build_requests(hosts, pins, settings, sanitize)
        by_name = {host.name: host for host in hosts}
        hook = progress_hook.get()
        selection = {"inventory": str(inventory_dir), "filters": dict(filters), **(owner or {})}
        with CollectionRecorder(
            engine, thresholds, trigger=trigger, actor=actor, selection=selection
        ) as recorder:
            logger = get_run_logger()
            for done, result in enumerate(collect_results(requests, settings, workers), start=1):
                recorder.add(by_name[result.name], result)
                if result.outcome != "ok":
                    logger.warning("%s: %s (%s)", result.name, result.outcome, result.error)
                if hook is not None:
                    hook(result, done, len(requests))
        assert recorder.report is not None
        return _in_inventory_order(recorder.report, hosts)
    finally:
        engine.dispose()
        if workers is not None:
            workers.close()


def collect_results(
    requests: list[CollectRequest], settings: Settings, workers: SessionWorkers | None = None
) -> Iterator[DeviceResult]:
    """Collect every request in the flow's task runner; yield results as they arrive.

    With the thread pool (default), ``SIGAP_MAX_SESSIONS`` slot tasks share one
    queue of devices (:func:`collect_lane`), and run the sessions in ``workers``
    when there are some. Dask workers are other processes that cannot share a
    queue: there each device is its own task.

    Args:
        requests: The devices to collect.
        settings: Session limits and the task runner.
        workers: Session worker processes for the slots to hand devices to.

    Yields:
        Each device's result, as it arrives.
    """
    if settings.task_runner == "dask":
        futures = [collect_device_task.submit(request) for request in requests]
        for future in as_completed(futures):
            yield future.result()
        return
    work: queue.SimpleQueue[CollectRequest] = queue.SimpleQueue()
    for request in requests:
        work.put(request)
    done: queue.SimpleQueue[DeviceResult] = queue.SimpleQueue()
    lanes = [
        collect_lane.submit(lane, work, done, workers)
        for lane in range(min(settings.max_sessions, len(requests)))
    ]
    received = 0
    while received < len(requests):
        try:
            result = done.get(timeout=1.0)
        except queue.Empty:
            if not all(lane.state.is_final() for lane in lanes):
                continue
            try:  # a slot may have reported just before it ended
                result = done.get_nowait()
            except queue.Empty:
                # a slot ended without reporting its device: say so, never hang
                for lane in lanes:
                    lane.result()
                raise RuntimeError("collection slots ended with devices unreported") from None
        received += 1
        yield result
    for lane in lanes:
        lane.wait()


def _in_inventory_order(report: CollectionReport, hosts: list[Host]) -> CollectionReport:
    """The report with its devices in inventory order (they arrive as they finish)."""
    order = {host.name: i for i, host in enumerate(hosts)}
    return CollectionReport(report.run_id, sorted(report.devices, key=lambda d: order[d.name]))


def collect_flow() -> Any:
    """``collect_devices`` with the task runner the settings (environment) ask for.

    Returns:
        The flow, ready to call.
    """
    return collect_devices.with_options(task_runner=make_task_runner(load_settings()))
