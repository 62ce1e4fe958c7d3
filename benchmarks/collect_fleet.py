"""Benchmark: SIGAP's collection against a plain Nornir script, in one run, same lab.

Starts a lab of simulated switches and sshd Linux hosts (default 150 + 50 = 200
devices), then alternates rounds of:

- **SIGAP**: the ``collect-devices`` Prefect flow (thread pool of 20 sessions):
  facts + health + config per device, parsing, sanitising, checklist, records,
  against a Prefect server with SIGAP's settings (``deployments/server.env``).
- **Nornir**: a plain ``nornir_napalm`` / ``nornir_netmiko`` script with the
  threaded runner at the same 20 workers, asking each device the *same* NAPALM
  getters and CLI commands (taken from SIGAP's platform modules), closing each
  device's connection at the end of its task (20 sessions at once at most, as
  SIGAP), and doing nothing with the answers.

Both clocks cover the same scope: loading the inventory, then every device from
login to logout.

Each side runs in its own child process, so its peak memory (``ru_maxrss``) is
its own. SIGAP's first round pins every host key (first contact) and is not
counted; the Prefect API server is started before the clock starts. Prints the
median devices/second of each side, the ratio, and SIGAP's peak memory.

Usage (root; the lab needs sshd):
    .venv/bin/python benchmarks/collect_fleet.py [--switches 150] [--linux 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 20


def _server_settings() -> dict[str, str]:
    """SIGAP's Prefect server settings, as ``make demo`` uses them."""
    settings = {}
    for line in (ROOT / "deployments" / "server.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    return settings


def _tree_cpu_seconds() -> float:
    """CPU seconds used so far by this process and all its descendants (``/proc``)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return sum(cpu.get(pid, 0.0) for pid in tree)


class _Window:
    """CPU used in the timed window: by the side's process tree, and by the machine."""

    def __enter__(self) -> _Window:
        self._own, self._busy = _tree_cpu_seconds(), _machine_busy_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.own = _tree_cpu_seconds() - self._own
        self.rest = _machine_busy_seconds() - self._busy - self.own


def _child_sigap(inventory: str, db_url: str, dask_workers: int = 0) -> dict[str, float]:
    os.environ.update(_server_settings())
    if dask_workers:
        os.environ["SIGAP_TASK_RUNNER"] = "dask"
        os.environ["SIGAP_DASK_WORKERS"] = str(dask_workers)
    os.environ["SIGAP_MAX_SESSIONS"] = str(WORKERS)
    os.environ["SIGAP_DEVICE_TIME_LIMIT"] = "120"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from prefect.testing.utilities import prefect_test_harness

    from flows.collect import collect_flow

    with prefect_test_harness(server_startup_timeout=120):
        flow = collect_flow()
        start = time.perf_counter()
        with _Window() as window:
            report = flow(inventory_dir=inventory, database_url=db_url, trigger="benchmark")
        seconds = time.perf_counter() - start
    ok = report["counts"].get("ok", 0)
    return {
        "seconds": seconds,
        "devices": len(report["devices"]),
        "ok": ok,
        "cpu": window.own,
        "lab_cpu": window.rest,
    }


def _child_nornir(inventory: str) -> dict[str, float]:
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions
    from nornir.core.task import Result, Task
    from nornir_napalm.plugins.tasks import napalm_cli, napalm_get
    from nornir_netmiko.tasks import netmiko_send_command

    from sop.platforms import get_platform

    password = os.environ["SIGAP_LAB_PASSWORD"]

    def collect(task: Task) -> Result:
        platform = get_platform(task.host.data["sigap_platform"])
        try:
            if platform.transport == "napalm":
                task.run(napalm_get, getters=list(platform.getters))
                if platform.commands:
                    task.run(napalm_cli, commands=list(platform.commands))
            else:
                for command in platform.commands:
                    task.run(netmiko_send_command, command_string=command)
        finally:
            # at most 20 sessions open at once, as on SIGAP's side
            task.host.close_connections()
        return Result(host=task.host)

    # the clock covers what SIGAP's covers: loading the inventory, then every device
    # from login to logout (SIGAP closes each session before the next device)
    start = time.perf_counter()
    with _Window() as window:
        nr = InitNornir(
            runner={"plugin": "threaded", "options": {"num_workers": WORKERS}},
            inventory={
                "plugin": "SimpleInventory",
                "options": {
                    "host_file": f"{inventory}/hosts.yaml",
                    "group_file": f"{inventory}/groups.yaml",
                    "defaults_file": f"{inventory}/defaults.yaml",
                },
            },
            logging={"enabled": False},
        )
        nr.inventory.defaults.password = password
        for host in nr.inventory.hosts.values():
            host.password = password
            platform = get_platform(host.platform)
            host.data["sigap_platform"] = platform.name
            host.platform = platform.napalm_driver or platform.netmiko_device_type
            host.connection_options["napalm"] = ConnectionOptions(
                extras={"optional_args": {"secret": password}}
            )
            host.connection_options["netmiko"] = ConnectionOptions(extras={"secret": password})

        result = nr.run(task=collect)
    seconds = time.perf_counter() - start
    failed = [name for name, r in result.items() if r.failed]
    return {
        "seconds": seconds,
        "devices": len(result),
        "ok": len(result) - len(failed),
        "cpu": window.own,
        "lab_cpu": window.rest,
    }


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _run_child(side: str, inventory: Path, db_url: str, dask_workers: int = 0) -> dict[str, float]:
    out = subprocess.run(
        [
            *(sys.executable, __file__, "--child", side, "--inventory", str(inventory)),
            *("--db", db_url, "--dask-workers", str(dask_workers if side == "sigap-dask" else 0)),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{side} round failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switches", type=int, default=150)
    parser.add_argument("--linux", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--dask-workers",
        type=int,
        default=0,
        help="also run SIGAP with SIGAP_TASK_RUNNER=dask and this many worker processes",
    )
    parser.add_argument("--child", choices=["sigap", "nornir", "sigap-dask"])
    parser.add_argument("--inventory")
    parser.add_argument("--db")
    args = parser.parse_args()

    if args.child:
        if args.child == "nornir":
            result = _child_nornir(args.inventory)
        else:
            result = _child_sigap(args.inventory, args.db, args.dask_workers)
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # the largest child: SIGAP's parser processes and Prefect's test server
        result["peak_child_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    from lab.manager import AddressPlan, lab_down, lab_password, lab_up
    from records.db import init_database

    work = Path(tempfile.mkdtemp(prefix="sigap-bench-"))
    lab_dir = work / "lab"
    plan = AddressPlan(linux="127.0.60", switches="127.0.61", routers="127.0.62")
    began = time.perf_counter()
    state = lab_up(lab_dir, linux=args.linux, switches=args.switches, router=False, addresses=plan)
    print(f"lab: {len(state.devices)} devices up in {time.perf_counter() - began:.1f} s")
    os.environ["SIGAP_LAB_PASSWORD"] = lab_password(lab_dir)
    db_url = f"sqlite:///{work / 'bench.db'}"
    init_database(db_url)
    try:
        warm = _run_child("sigap", state.inventory_dir, db_url)
        print(f"sigap warm-up (pins host keys): {warm['seconds']:.1f} s, ok {warm['ok']}")
        sides = ["sigap", "nornir"] + (["sigap-dask"] if args.dask_workers else [])
        rounds: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        for i in range(args.rounds):
            for side in sides if i % 2 == 0 else sides[::-1]:
                r = _run_child(side, state.inventory_dir, db_url, args.dask_workers)
                rounds[side].append(r)
                print(
                    f"round {i + 1} {side:10}: {r['seconds']:6.2f} s  "
                    f"{r['devices'] / r['seconds']:6.1f} dev/s  ok {r['ok']}/{r['devices']}  "
                    f"peak {r['peak_rss_mib']:.0f} MiB  "
                    f"CPU: own {r['cpu']:.1f} s, rest {r['lab_cpu']:.1f} s"
                )
    finally:
        lab_down(lab_dir)

    def rate(side: str) -> float:
        return statistics.median(r["devices"] / r["seconds"] for r in rounds[side])

    sigap, nornir = rate("sigap"), rate("nornir")
    peak = max(r["peak_rss_mib"] for r in rounds["sigap"])
    child = max(r["peak_child_rss_mib"] for r in rounds["sigap"])
    print(
        f"\nmedian over {args.rounds} rounds, {len(state.devices)} devices, "
        f"{WORKERS} sessions at once:"
    )
    print(
        f"  SIGAP  {sigap:6.1f} devices/s   (peak memory {peak:.0f} MiB; "
        f"largest child process {child:.0f} MiB)"
    )
    print(f"  Nornir {nornir:6.1f} devices/s")
    print(f"  ratio SIGAP/Nornir = {sigap / nornir:.2f}")
    for side in ("sigap", "nornir"):
        own = statistics.median(r["cpu"] for r in rounds[side])
        lab = statistics.median(r["lab_cpu"] for r in rounds[side])
        print(f"  CPU while collecting, {side:6}: its processes {own:5.1f} s, rest {lab:5.1f} s")
    if args.dask_workers:
        dask = rate("sigap-dask")
        print(
            f"  SIGAP, SIGAP_TASK_RUNNER=dask with {args.dask_workers} worker processes: "
            f"{dask:.1f} devices/s, ratio {dask / nornir:.2f}"
        )


if __name__ == "__main__":
    main()
