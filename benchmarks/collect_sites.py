"""Benchmark: SIGAP's collection over a WAN, on 1, 2, 4 workers, against a plain Nornir script.

Starts ``--devices`` simulated IOS switches (``lab.switch_server``, spread over
``--simulators`` processes) behind ``lab.wan_proxy`` at each ``--latency-ms`` round
trip (every chunk delayed by rtt/2 each way, as a WAN is), then alternates rounds of:

- **SIGAP on N workers** (each of ``--workers``): the devices split over N sites
  (``site1`` .. ``siteN``, round robin), each site's devices collected by its own
  collecting process at once, with ``--concurrency``/N session slots each (so the
  total concurrency is the same for every N). ``--mode shards`` (default): each
  worker is a ``collect-devices`` flow run over its site's inventory, started by
  this script as its own process; all N start together (a barrier after their
  imports) and the clock runs from the first start to the last end. ``--mode sites``
  is the hook for SIGAP's per-site fan-out (Prefect workers of one work pool,
  a queue per site): see :func:`_sites_round`.
- **Nornir**: a plain ``nornir_napalm`` script (the threaded runner at
  ``--concurrency`` workers, the same getters and commands, each host's
  connections closed when it is done), over all the devices.

Both sides' clocks cover loading the inventory and every device from login to
logout; the Prefect server (started once, SIGAP's settings) counts as SIGAP's CPU.
SIGAP's first round (at 0 ms, through the proxy) pins the host keys and is not
counted. Devices/s are medians over ``--repeat`` rounds; memory is each worker's
process tree (flow process, its session worker and parser processes), resident
memory summed and sampled every 0.5 s, its peak.

Prints a markdown table and writes it with the raw rounds as JSON (``--out``).
``SIGAP_BENCH_PROFILER`` runs each collecting child under a profiler, e.g.
``"py-spy record --subprocesses -f raw -o {out} --"`` (``{out}``: a file beside its log).

Usage (no root needed; a quick run by default)::

    .venv/bin/python benchmarks/collect_sites.py [--devices 100] [--latency-ms 200]
        [--workers 1,2] [--repeat 1] [--concurrency 40] [--out DIR]

The full measurement (about an hour on 2 cores)::

    .venv/bin/python benchmarks/collect_sites.py --devices 1000 --latency-ms 200,50 \\
        --workers 1,2,4 --repeat 3 --concurrency 80 --simulators 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from measure import (
    ROOT,
    markdown_table,
    median,
    nornir_collection,
    peak_rss_mib,
    sigap_collection,
    start_prefect_server,
)

SWITCH_NET = "127.0.90"  # the simulators: 127.0.90.<k>, one address per simulator process
PROXY_ADDRESS = "127.0.91.1"  # the proxy's side: what the inventory names
BASE_PORT = 21000
PASSWORD_ENV = "SIGAP_LAB_PASSWORD"


@dataclass(frozen=True)
class Device:
    """One simulated switch of the benchmark.

    Attributes:
        name: Inventory name.
        site: Its site (``site1`` .. ``siteN``).
        simulator: Which switch-server process serves it (0-based).
        port: Its port, on the simulator's address and on the proxy's.
    """

    name: str
    site: str
    simulator: int
    port: int

    @property
    def switch_address(self) -> str:
        """Where its simulator listens."""
        return f"{SWITCH_NET}.{self.simulator + 1}"


def plan_fleet(devices: int, simulators: int) -> list[Device]:
    """The benchmark's switches (pure): ports from ``BASE_PORT``, simulators round robin.

    Examples:
        >>> [(d.name, d.simulator, d.port) for d in plan_fleet(3, 2)]
        [('sw0001', 0, 21001), ('sw0002', 1, 21002), ('sw0003', 0, 21003)]
    """
    return [
        Device(f"sw{i:04d}", "", (i - 1) % simulators, BASE_PORT + i) for i in range(1, devices + 1)
    ]


def split_sites(fleet: list[Device], workers: int) -> dict[str, list[Device]]:
    """The devices over ``workers`` sites, round robin (pure).

    Examples:
        >>> sites = split_sites(plan_fleet(5, 1), 2)
        >>> {site: [d.name for d in devices] for site, devices in sites.items()}
        {'site1': ['sw0001', 'sw0003', 'sw0005'], 'site2': ['sw0002', 'sw0004']}
    """
    sites: dict[str, list[Device]] = {f"site{k + 1}": [] for k in range(workers)}
    for i, device in enumerate(fleet):
        sites[f"site{i % workers + 1}"].append(device)
    return sites


def inventory_documents(devices: list[Device], site: str) -> dict[str, Any]:
    """The Nornir-style inventory of these devices, all at ``site``, reached through the proxy."""
    hosts = {
        d.name: {
            "hostname": PROXY_ADDRESS,
            "port": d.port,
            "platform": "cisco_ios",
            "groups": ["switches"],
            "data": {"site": site, "role": "access-switch", "asset_tag": f"BENCH-{d.port}"},
        }
        for d in devices
    }
    return {
        "hosts.yaml": hosts,
        "groups.yaml": {"switches": {"data": {"device_class": "switch"}}},
        "defaults.yaml": {"username": "sigap", "password": f"env:{PASSWORD_ENV}"},
    }


def write_inventory(target: Path, devices: list[Device], site: str) -> Path:
    """Write the inventory of ``devices`` into ``target``; returns ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name, document in inventory_documents(devices, site).items():
        (target / name).write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def write_inventory_sites(target: Path, sites: dict[str, list[Device]], workers: int) -> Path:
    """One inventory of every device, each at its site (``w<N>-site<k>``: its worker's queue)."""
    documents: dict[str, Any] = {}
    for site, devices in sites.items():
        part = inventory_documents(devices, f"w{workers}-{site}")
        documents = part | {"hosts.yaml": documents.get("hosts.yaml", {}) | part["hosts.yaml"]}
    target.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        (target / name).write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def _start_simulators(
    work: Path, fleet: list[Device], simulators: int, password: str
) -> list[subprocess.Popen[bytes]]:
    from lab.switch_server import start_switches

    procs = []
    for k in range(simulators):
        spec = {
            "devices": [
                {
                    "hostname": d.name,
                    "address": d.switch_address,
                    "port": d.port,
                    "username": "sigap",
                    "password_env": PASSWORD_ENV,
                }
                for d in fleet
                if d.simulator == k
            ]
        }
        path = work / f"switches-{k + 1}.json"
        path.write_text(json.dumps(spec))
        procs.append(
            start_switches(
                path, {PASSWORD_ENV: password}, timeout=300, log_path=work / f"sw-{k + 1}.log"
            )
        )
    return procs


def _start_proxy(work: Path, fleet: list[Device], rtt_ms: float) -> subprocess.Popen[bytes]:
    from lab.wan_proxy import Route, start_proxy, write_routes

    routes = write_routes(
        work / "routes.json",
        [Route(PROXY_ADDRESS, d.port, d.switch_address, d.port) for d in fleet],
    )
    return start_proxy(routes, rtt_ms)


# --- the child processes ---------------------------------------------------------------


def _barrier() -> None:
    """Tell the parent this child is ready, wait for its go."""
    print("READY", flush=True)
    sys.stdin.readline()


def _child(args: argparse.Namespace) -> None:
    if args.child == "central":
        _child_central(args)
        return
    if args.child == "nornir":
        result = nornir_collection(args.inventory, args.sessions)
    else:
        result = sigap_collection(
            args.inventory, args.db, args.server_pid, args.sessions, before_start=_barrier
        )
    print(json.dumps(result), flush=True)


def _spawn(side: str, inventory: Path, sessions: int, db: str, server_pid: int) -> Any:
    log = inventory.parent / f"{inventory.name}-{side}.log"
    profiler = os.environ.get("SIGAP_BENCH_PROFILER", "")  # e.g. "py-spy record -f raw -o {out} --"
    prefix = profiler.format(out=log.with_suffix(f".{time.monotonic_ns()}.prof")).split()
    with log.open("a") as err:
        return subprocess.Popen(
            [
                *prefix,
                *(sys.executable, __file__, "--child", side, "--inventory", str(inventory)),
                *("--sessions", str(sessions), "--db", db, "--server-pid", str(server_pid)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
        )


def _shards_round(
    inventories: list[Path], concurrency: int, db: str, server_pid: int
) -> dict[str, Any]:
    """N collecting processes at once, one per site; the clock from first start to last end."""
    sessions = max(1, concurrency // len(inventories))
    children = [_spawn("sigap", inv, sessions, db, server_pid) for inv in inventories]
    for child in children:  # every one imported and ready
        _wait_ready(child, children)
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [_result(child, children) for child in children]
    started = min(r["started"] for r in results)
    ended = max(r["ended"] for r in results)
    outcomes: dict[str, int] = {}
    for r in results:
        for outcome, count in r["outcomes"].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
    return {
        "seconds": ended - started,
        "devices": sum(r["devices"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "outcomes": outcomes,
        "cpu": sum(r["cpu"] for r in results) - sum(r["server_cpu"] for r in results[1:]),
        "server_cpu": max(r["server_cpu"] for r in results),
        "worker_seconds": [r["seconds"] for r in results],
        "worker_peak_mib": [r["tree_peak_mib"] for r in results],
        "worker_largest_process_mib": [r["largest_process_mib"] for r in results],
    }


SITE_POOL = "sigap-bench-situs"


def _child_central(args: argparse.Namespace) -> None:
    """SOP A step 4's fan-out alone (``flows.sites.collect_sites``) in a flow of its own."""
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from prefect import flow

    from flows.sites import collect_sites
    from records.db import make_engine

    engine = make_engine(args.db)

    @flow(name="bench-site-fan-out")
    def fan_out() -> dict[str, Any]:
        result = collect_sites(
            engine,
            inventory_dir=Path(args.inventory),
            filters={},
            trigger="benchmark",
            actor=None,
            office_file=None,
            sop_step_log_id=None,
            wait=3600,
            poll=0.5,
        )
        outcomes: dict[str, int] = {}
        for line in result.lines.values():
            outcomes[line["outcome"]] = outcomes.get(line["outcome"], 0) + 1
        return {"outcomes": outcomes, "unanswered": len(result.unanswered)}

    _barrier()
    started = time.monotonic()
    got = fan_out()
    ended = time.monotonic()
    devices = sum(got["outcomes"].values())
    print(
        json.dumps(
            {
                "seconds": ended - started,
                "started": started,
                "ended": ended,
                "devices": devices,
                "ok": got["outcomes"].get("ok", 0),
                **got,
            }
        ),
        flush=True,
    )


def _start_site_workers(
    work: Path, sites: list[str], sessions: int, db: str
) -> list[subprocess.Popen[bytes]]:
    """One ``prefect worker start`` per site (its queue), as an office's site machines run it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SIGAP_DATABASE_URL": db,
        "SIGAP_MAX_SESSIONS": str(sessions),
        "SIGAP_DEVICE_TIME_LIMIT": "120",
        "SIGAP_DATA_DIR": str(work / "data"),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    workers = []
    logs = []
    for site in sites:
        logs.append(work / f"worker-{site}-{time.monotonic_ns()}.log")
        log = logs[-1].open("ab")
        workers.append(
            subprocess.Popen(
                [prefect, "worker", "start", "--pool", SITE_POOL, "--work-queue", site],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=ROOT,
            )
        )
    _wait_workers_online(logs)
    return workers


def _wait_workers_online(logs: list[Path], timeout: float = 120.0) -> None:
    """Until every worker's log says it has started polling its queue."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all("started" in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.3)
    raise SystemExit(f"the site workers had not started after {timeout:g} s: see {logs}")


def _stop_site_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _sites_round(
    work: Path, inventory: Path, sites: list[str], concurrency: int, db: str, server_pid: int
) -> dict[str, Any]:
    """SIGAP's per-site fan-out: one Prefect worker per site, one central run waiting for all.

    The workers (``prefect worker start --pool P --work-queue <site>``) are started and
    online before the clock starts, as in an office; the clock runs from the central
    run's start (creating the site runs) to its end (every site's collection back and
    read from the records), so it includes each worker's start of its flow-run process.
    """
    from measure import TreeMemory, Window

    workers = _start_site_workers(work, sites, max(1, concurrency // len(sites)), db)
    try:
        child = _spawn("central", inventory, 0, db, server_pid)
        _wait_ready(child, [child])
        memories = [TreeMemory(w.pid) for w in workers]
        for memory in memories:
            memory.__enter__()
        with Window(server_pid, own=[child.pid, *(w.pid for w in workers)]) as window:
            child.stdin.write("go\n")
            child.stdin.flush()
            result = _result(child, [child])
        for memory in memories:
            memory.__exit__()
    finally:
        _stop_site_workers(workers)
    result.update(
        cpu=window.own,
        server_cpu=window.server,
        lab_cpu=window.rest,
        worker_peak_mib=[m.peak_mib for m in memories],
        worker_largest_process_mib=[m.largest_mib for m in memories],
    )
    return result


def _nornir_round(inventory: Path, concurrency: int) -> dict[str, Any]:
    child = _spawn("nornir", inventory, concurrency, "-", 0)
    result = _result(child, [child])
    result["worker_peak_mib"] = [result["tree_peak_mib"]]
    return result


def _log_of(child: Any) -> str:
    return f"{child.args[child.args.index('--inventory') + 1]}-*.log"


def _wait_ready(child: Any, children: list[Any]) -> None:
    """Until the child says READY (a profiler may print before it)."""
    while (line := child.stdout.readline()) and line.strip() != "READY":
        pass
    if not line:
        _fail(children, f"a SIGAP process did not start (its log: {_log_of(child)})")


def _result(child: Any, all_children: list[Any]) -> dict[str, Any]:
    out, _ = child.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        _fail(all_children, f"a round failed (its log: {_log_of(child)}):\n{out[-3000:]}")
    return dict(json.loads(lines[-1]))


def _fail(children: list[Any], message: str) -> None:
    for child in children:
        if child.poll() is None:
            child.kill()
    raise SystemExit(message)


# --- the parent ------------------------------------------------------------------------


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _float_list(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def _summary(
    rounds: dict[float, dict[str, list[dict[str, Any]]]], workers: list[int]
) -> tuple[list[dict[str, Any]], str]:
    """Medians and ratios per latency and side, as rows and as a markdown table."""
    rows: list[dict[str, Any]] = []
    for latency, sides in rounds.items():
        nornir = median(r["devices"] / r["seconds"] for r in sides["nornir"])
        one = None
        for side in [*(f"sigap-{n}" for n in workers), "nornir"]:
            rates = [r["devices"] / r["seconds"] for r in sides[side]]
            rate = median(rates)
            if side == "sigap-1":
                one = rate
            peaks = [max(r["worker_peak_mib"]) for r in sides[side]]
            rows.append(
                {
                    "latency_ms": latency,
                    "side": side,
                    "devices_per_s": rate,
                    "rounds": rates,
                    "ratio_to_nornir": rate / nornir,
                    "ratio_to_one_worker": rate / one if one and side != "nornir" else None,
                    "ok": [r["ok"] for r in sides[side]],
                    "devices": sides[side][0]["devices"],
                    "peak_mib_per_worker": max(peaks),
                    "cpu_s": median(r["cpu"] for r in sides[side]),
                }
            )
    table = markdown_table(
        [
            "RTT",
            "side",
            "median dev/s (rounds)",
            "vs Nornir",
            "vs 1 worker",
            "ok",
            "peak MiB per worker",
            "CPU s",
        ],
        [
            [
                f"{row['latency_ms']:g} ms",
                row["side"],
                f"{row['devices_per_s']:.2f} ("
                + ", ".join(f"{r:.2f}" for r in row["rounds"])
                + ")",
                f"{row['ratio_to_nornir']:.2f}",
                "" if row["ratio_to_one_worker"] is None else f"{row['ratio_to_one_worker']:.2f}",
                "/".join(str(ok) for ok in row["ok"]) + f" of {row['devices']}",
                f"{row['peak_mib_per_worker']:.0f}",
                f"{row['cpu_s']:.1f}",
            ]
            for row in rows
        ],
    )
    return rows, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--latency-ms", type=_float_list, default=[200.0], help="e.g. 200,50")
    parser.add_argument("--workers", type=_int_list, default=[1, 2], help="e.g. 1,2,4")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=40, help="total sessions at once")
    parser.add_argument("--simulators", type=int, default=2, help="switch-server processes")
    parser.add_argument("--mode", choices=["shards", "sites"], default="shards")
    parser.add_argument(
        "--database",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="a new records database on the PostgreSQL server at 127.0.0.1 (trust auth), "
        "or a SQLite file; several workers writing to one SQLite file hit 'database is locked'",
    )
    parser.add_argument("--database-url", help="an existing records database instead")
    parser.add_argument("--out", type=Path, help="directory for results.json and results.md")
    parser.add_argument("--child", choices=["sigap", "nornir", "central"])
    parser.add_argument("--inventory")
    parser.add_argument("--sessions", type=int)
    parser.add_argument("--db")
    parser.add_argument("--server-pid", type=int)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    sys.path.insert(0, str(ROOT))
    from lab.switch_server import stop_switches
    from lab.wan_proxy import stop_proxy
    from records.db import init_database

    work = Path(tempfile.mkdtemp(prefix="sigap-bench-sites-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    os.environ[PASSWORD_ENV] = password
    fleet = plan_fleet(args.devices, args.simulators)
    full = write_inventory(work / "inventory-all", fleet, "site1")
    site_inventories = {  # --mode sites: one inventory, each host's site its worker's queue
        n: write_inventory_sites(work / f"inventory-sites-{n}", split_sites(fleet, n), n)
        for n in args.workers
    }
    shards = {
        n: [
            write_inventory(work / f"inventory-{n}" / site, devices, site)
            for site, devices in split_sites(fleet, n).items()
        ]
        for n in args.workers
    }
    stack = contextlib.ExitStack()
    if args.database_url:
        db_url = args.database_url
        init_database(db_url)
    else:  # a new database, removed at the end
        from records.testing import migrated_database

        db_url = stack.enter_context(migrated_database(args.database, work))
    began = time.monotonic()
    simulators = _start_simulators(work, fleet, args.simulators, password)
    print(f"{args.devices} switches up in {time.monotonic() - began:.1f} s", flush=True)
    server, url = start_prefect_server(work)
    os.environ["PREFECT_API_URL"] = url
    proxy = None
    rounds: dict[float, dict[str, list[dict[str, Any]]]] = {}
    try:
        if args.mode == "sites":
            from deployments.definitions import apply_site_deployment

            apply_site_deployment(SITE_POOL, ROOT)
        proxy = _start_proxy(work, fleet, 0)
        warm = _shards_round([full], args.concurrency, db_url, server.pid)
        print(f"warm-up at 0 ms (pins host keys): {warm['seconds']:.1f} s, ok {warm['ok']}")
        for latency in args.latency_ms:
            stop_proxy(proxy)
            proxy = _start_proxy(work, fleet, latency)
            sides = [*(f"sigap-{n}" for n in args.workers), "nornir"]
            rounds[latency] = {side: [] for side in sides}
            for i in range(args.repeat):
                for side in sides if i % 2 == 0 else sides[::-1]:
                    if side == "nornir":
                        r = _nornir_round(full, args.concurrency)
                    elif args.mode == "sites":
                        n = int(side.split("-")[1])
                        r = _sites_round(
                            work,
                            site_inventories[n],
                            [f"w{n}-site{k + 1}" for k in range(n)],
                            args.concurrency,
                            db_url,
                            server.pid,
                        )
                    else:
                        r = _shards_round(
                            shards[int(side.split("-")[1])], args.concurrency, db_url, server.pid
                        )
                    rounds[latency][side].append(r)
                    print(
                        f"{latency:g} ms round {i + 1} {side:8}: {r['seconds']:7.2f} s "
                        f"{r['devices'] / r['seconds']:6.2f} dev/s ok {r['ok']}/{r['devices']} "
                        f"peak/worker {max(r['worker_peak_mib']):.0f} MiB CPU {r['cpu']:.1f} s",
                        flush=True,
                    )
        server_peak = peak_rss_mib(server.pid)
    finally:
        if proxy is not None:
            stop_proxy(proxy)
        for proc in simulators:
            stop_switches(proc)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        stack.close()

    rows, table = _summary(rounds, args.workers)
    header = (
        f"{args.devices} switches, total concurrency {args.concurrency}, "
        f"{args.repeat} round(s), mode {args.mode}, {os.cpu_count()} CPUs; "
        f"Prefect server peak {server_peak:.0f} MiB"
    )
    print(f"\n{header}\n\n{table}")
    (out / "results.md").write_text(f"{header}\n\n{table}\n")
    (out / "results.json").write_text(
        json.dumps(
            {
                "settings": vars(args) | {"out": str(out)},
                "summary": rows,
                "rounds": {str(k): v for k, v in rounds.items()},
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nwritten: {out / 'results.md'}, {out / 'results.json'}")


if __name__ == "__main__":
    main()
