"""SOP A step 4 on per-site Prefect workers, each in its own network namespace.

Real parts: a Prefect server (``prefect server start``) on a PostgreSQL database
made for the test, the records database on the same PostgreSQL, the deployment
``collect-devices/kumpul-perangkat-situs`` on a ``process`` work pool, and
``prefect worker start`` processes each run by ``ip netns exec`` in its site's
namespace, the only one with a route to that site's sshd devices
(tests/flows/sites_helpers.py). The SOP A run is ``sigap run maintenance --here``,
a real process on this machine with ``SIGAP_SITE_POOL`` set.

Four sites:

- ``utara`` (2 devices) and ``selatan`` (1 device): their workers collect them;
- ``timur``: its worker is down; its run is never picked up, is cancelled after
  ``SIGAP_SITE_WAIT``, and its device is ``unreachable`` with the reason;
- ``barat``: its worker takes the run, but its devices hang in their SSH handshake
  (one session at a time, 10 s each, longer in all than SOP A waits): the run is
  cancelled while it runs (the worker stops it) and its collection run is closed
  (``interrupted``, or ``failed`` when the stopped process closes it itself), never
  left ``running``.

The central run then reaches Prefect's PAUSED state at step 5 with every device
having one outcome, and the draft report lists the sites that did not answer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import make_url, select

from config.office_file import load_office
from deployments.definitions import apply_site_deployment
from lab.envfile import ensure_password
from lab.plan import LAB_PORT, LINUX_USER, PASSWORD_ENV
from lab.users import set_passwords
from lab.wan_proxy import Route, WanProxy
from records.db import make_engine, session_scope
from records.models import CollectionRun, SopRun, StepLog
from records.testing import migrated_database
from reports.sources import month_review_lines
from tests.conftest import require_lab_tools
from tests.flows.sites_helpers import (
    SiteNet,
    Worker,
    banner_in,
    site_networks,
    start_site_devices,
    start_worker,
    write_inventory,
)
from tests.pauses import flow_run_state, wait_for, wait_until_paused
from tests.prefect_servers import prefect_server_on_postgres
from tests.processes import HangingPort, free_port, new_mark

ROOT = Path(__file__).resolve().parents[2]
SIGAP = Path(sys.executable).with_name("sigap")
MONTH = "2026-09"
POOL = "sigap-situs"
SITE_WAIT = 60
"""Seconds SOP A waits for the sites (``SIGAP_SITE_WAIT``): the two live sites finish
well within it, the hanging devices of ``barat`` (8 x at least 10 s) do not."""
HANGING = [f"b{i:02d}" for i in range(1, 9)]
SITES = ["utara", "selatan", "timur", "barat"]
DEVICES = {"utara": ["u01", "u02"], "selatan": ["s01"], "timur": ["t01"]}
LIVE = ("utara", "selatan", "barat")
"""The sites whose worker runs."""


@pytest.fixture
def records_db(tmp_path: Path) -> Iterator[str]:
    """The central records database on PostgreSQL (fails, never skips, without it)."""
    with migrated_database("postgresql", tmp_path) as url:
        yield url


def _flow_runs(parent: str) -> dict[str, Any]:
    """The subflow runs of a flow run, by their ``situs:<site>`` tag."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[UUID(parent)])
            )
        )
    return {
        tag.split(":", 1)[1]: run for run in runs for tag in run.tags if tag.startswith("situs:")
    }


def _sop_run(url: str) -> tuple[str | None, dict[str, Any] | None]:
    """(The SOP A run's Prefect flow run id, step 4's outputs once it finished)."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            run = session.scalars(select(SopRun)).one_or_none()
            if run is None:
                return None, None
            log = session.scalars(
                select(StepLog).where(
                    StepLog.sop_run_id == run.id,
                    StepLog.step_number == 4,
                    StepLog.status == "completed",
                )
            ).first()
            return run.flow_run_id, dict(log.outputs) if log is not None else None
    finally:
        engine.dispose()


def _collection_runs(url: str) -> list[tuple[int, str, dict[str, Any]]]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return [
                (run.id, run.status, dict(run.selection or {}))
                for run in session.scalars(select(CollectionRun).order_by(CollectionRun.id))
            ]
    finally:
        engine.dispose()


def test_each_site_collects_on_its_own_worker_and_a_silent_site_is_unreachable(
    office_file: Path, records_db: str, tmp_path: Path
) -> None:
    require_lab_tools()
    password = ensure_password(tmp_path / "lab")  # the machine's lab password
    set_passwords([LINUX_USER], password)
    stack = contextlib.ExitStack()
    with stack:
        url = stack.enter_context(prefect_server_on_postgres(tmp_path, host="0.0.0.0"))
        port = url.split(":")[2].split("/")[0]
        stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
        nets: dict[str, SiteNet] = stack.enter_context(site_networks(SITES))
        for site, names in DEVICES.items():
            start_site_devices(tmp_path / "lab", nets[site], names)
        hanging = {name: HangingPort(nets["barat"].host_ip) for name in HANGING}  # never answer
        for port_ in hanging.values():
            stack.callback(port_.close)
        hosts = {
            name: (site, nets[site].device_address(k), LAB_PORT)
            for site, names in DEVICES.items()
            for k, name in enumerate(names, start=1)
        }
        for name in HANGING:
            hosts[name] = ("barat", nets["barat"].host_ip, hanging[name].port)
        inventory = write_inventory(tmp_path / "inventory", hosts)

        # each site's devices answer in its namespace only
        u01 = nets["utara"].device_address(1)
        assert banner_in(nets["utara"].netns, u01, LAB_PORT)
        assert banner_in(None, u01, LAB_PORT) is None
        assert banner_in(nets["selatan"].netns, u01, LAB_PORT) is None

        apply_site_deployment(POOL, ROOT)
        database = make_url(records_db)
        db_ports = {site: free_port() for site in LIVE}
        forwarder = WanProxy(
            [Route(nets[site].host_ip, db_ports[site], "127.0.0.1", 5432) for site in LIVE], 0.0
        ).start()
        stack.callback(forwarder.stop)
        workers: list[Worker] = []
        for site in LIVE:
            net = nets[site]
            # the worker's own records URL (no password travels in the run's parameters)
            site_db = database.set(host=net.host_ip, port=db_ports[site])
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "PREFECT_API_URL": f"http://{net.host_ip}:{port}/api",
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_WORKER_PREFETCH_SECONDS": "2",
                "SIGAP_DATABASE_URL": site_db.render_as_string(hide_password=False),
                "SIGAP_DATA_DIR": str(tmp_path / f"data-{site}"),
                "SIGAP_DEVICE_TIME_LIMIT": "300",
                "SIGAP_MAX_SESSIONS": "1",
                PASSWORD_ENV: password,
            }
            worker = start_worker(net, POOL, env, tmp_path, new_mark())
            stack.callback(worker.stop)
            workers.append(worker)

        central_env = {
            **os.environ,
            "PREFECT_API_URL": url,
            "SIGAP_SITE_POOL": POOL,
            "SIGAP_SITE_WAIT": str(SITE_WAIT),
            "SIGAP_SITE_POLL": "1",
        }
        log = tmp_path / "central.log"
        central = subprocess.Popen(
            [str(SIGAP), "run", "maintenance", "--here", "--month", MONTH,
             "-i", str(inventory), "--office", str(office_file), "--database-url", records_db],
            cwd=ROOT, env=central_env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

        def stop_central() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(central.pid, signal.SIGKILL)
            central.wait(30)

        stack.callback(stop_central)

        def failed(what: str) -> str:
            logs = "\n".join(f"--- {w.site}\n{w.log.read_text()[-3000:]}" for w in workers)
            return f"{what}\n--- central\n{log.read_text()[-6000:]}\n{logs}"

        def sop_flow_run() -> str | None:
            assert central.poll() is None, failed("the SOP A run ended")
            return _sop_run(records_db)[0]

        flow_run_id = wait_for(sop_flow_run, 120, "the SOP A run's flow run")
        try:
            wait_until_paused(flow_run_id, timeout=SITE_WAIT + 120)
        except AssertionError:
            pytest.fail(failed("no pause at step 5"), pytrace=False)

        # step 4: one collection per site that answered, one of SOP A's own for the rest
        _, outputs = _sop_run(records_db)
        assert outputs is not None
        unanswered = {s["site"]: s for s in outputs["unanswered_sites"]}
        assert set(unanswered) == {"timur", "barat"}
        assert unanswered["timur"]["reason"] == (
            f"situs timur: worker tidak menjawab dalam {SITE_WAIT} detik"
        )
        assert unanswered["barat"]["reason"] == (
            f"situs barat: pengumpulan belum selesai dalam {SITE_WAIT} detik, dihentikan"
        )
        assert len(outputs["collection_run_ids"]) == 3

        office = load_office(office_file)
        engine = make_engine(records_db)
        stack.callback(engine.dispose)
        lines = month_review_lines(engine, office, MONTH)
        assert set(lines) == set(hosts)  # every device has an outcome
        assert {n: lines[n]["outcome"] for n in hosts} == {
            "u01": "ok", "u02": "ok", "s01": "ok", "t01": "unreachable",
            **{name: "unreachable" for name in HANGING},
        }  # fmt: skip
        assert lines["t01"]["error"] == unanswered["timur"]["reason"]

        # in Prefect: the sites' runs are subflows of the SOP A run, on their sites' queues
        runs = _flow_runs(flow_run_id)
        assert set(runs) == set(SITES)
        for site in ("utara", "selatan"):
            assert runs[site].state.type.value == "COMPLETED"
            assert runs[site].work_queue_name == site
        assert runs["timur"].state.type.value == "CANCELLED"  # never picked up
        wait_for(
            lambda: flow_run_state(runs["barat"].id) == "CANCELLED",
            60,
            "the worker to stop barat's cancelled run",
        )

        # the records: each live site's collection is its run's; none is left running
        collections = _collection_runs(records_db)
        by_flow_run = {sel.get("flow_run_id"): (rid, status) for rid, status, sel in collections}
        for site in ("utara", "selatan"):
            rid, status = by_flow_run[str(runs[site].id)]
            assert status == "completed" and rid in outputs["collection_run_ids"]
        # closed by SOP A (interrupted), or by the collection itself as its process is
        # stopped (failed); either way it has ended
        assert by_flow_run[str(runs["barat"].id)][1] in ("interrupted", "failed")
        assert not [c for c in collections if c[1] == "running"]

        # the draft report says which sites did not answer, and why
        html = next((tmp_path / "reports" / MONTH).glob("*.html")).read_text()
        section = html.split('id="unanswered_sites"', 1)[1].split("</section>", 1)[0]
        assert "Situs yang tidak menjawab" in section
        assert unanswered["timur"]["reason"] in section and "t01" in section
        assert unanswered["barat"]["reason"] in section and "b08" in section
        assert "utara" not in section and "u01" not in section
