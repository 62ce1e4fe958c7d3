"""Benchmark: SIGAP's collection against a plain Nornir script, in one run, same lab.

Starts a lab of simulated switches and sshd Linux hosts (default 150 + 50 = 200
devices), then alternates rounds of:

- **SIGAP**: the ``collect-devices`` Prefect flow (thread pool of 20 session slots,
  the sessions in SIGAP's default session worker processes, one per CPU up to 4):
  facts + health + config per device, parsing, sanitising, checklist, records,
  against a Prefect server with SIGAP's settings (``deployments/server.env``),
  started once for the whole benchmark as ``make demo`` and ``sigap collect`` run
  it (a server that keeps running; each round is a new process, as each
  ``sigap collect`` is).
- **Nornir**: a plain ``nornir_napalm`` / ``nornir_netmiko`` script with the
  threaded runner at the same 20 workers, asking each device the *same* NAPALM
  getters and CLI commands (taken from SIGAP's platform modules), closing each
  device's connection at the end of its task (20 sessions at once at most, as
  SIGAP), and doing nothing with the answers.

Both clocks cover the same scope: loading the inventory, then every device from
login to logout.

Each side runs in its own child process, so its peak memory (``ru_maxrss``) is
its own. SIGAP's first round pins every host key (first contact) and is not
counted; the Prefect API server is started before it. The CPU the Prefect
server and SIGAP's worker processes use while SIGAP collects counts as SIGAP's.
Prints the median devices/second of each side, the ratio, and SIGAP's peak
memory. ``--in-process`` also runs SIGAP with every session in the flow's own
process (``SIGAP_SESSION_PROCESSES=0``).

Usage (root; the lab needs sshd):
    .venv/bin/python benchmarks/collect_fleet.py [--switches 150] [--linux 50] [--rounds 3]
        [--in-process] [--dask-workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 20


def _proc_stats() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds used so far, its waited-for children's
    included (``/proc``)."""
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # its own CPU and its ended children's (e.g. session workers that have exited)
        cpu = sum(int(value) for value in fields[11:15])
        stats[int(entry.name)] = (int(fields[1]), cpu / tick)
    return stats


def _tree(*roots: int, stats: dict[int, tuple[int, float]] | None = None) -> set[int]:
    """The processes ``roots`` and all their descendants."""
    stats = stats if stats is not None else _proc_stats()
    tree, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(child for child, (parent, _) in stats.items() if parent == pid)
    return tree


def _tree_cpu_seconds(*roots: int) -> float:
    """CPU seconds used so far by these processes (default: this one) and their descendants."""
    stats = _proc_stats()
    tree = _tree(*(roots or (os.getpid(),)), stats=stats)
    return sum(stats[pid][1] for pid in tree if pid in stats)


class _Window:
    """CPU used in the timed window: by the side's processes, and by the rest of the machine.

    Args:
        extra: Other processes whose CPU counts as the side's (SIGAP's Prefect server).
    """

    def __init__(self, *extra: int) -> None:
        self._extra = extra
        self.server = 0.0

    def __enter__(self) -> _Window:
        self._own, self._busy = _tree_cpu_seconds(), _machine_busy_seconds()
        self._server = _tree_cpu_seconds(*self._extra) if self._extra else 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        if self._extra:
            self.server = _tree_cpu_seconds(*self._extra) - self._server
        self.own = _tree_cpu_seconds() - self._own + self.server
        self.rest = _machine_busy_seconds() - self._busy - self.own


def _peak_rss_mib(root: int) -> float:
    """The largest peak resident memory (``VmHWM``) among ``root`` and its descendants."""
    peak = 0.0
    for pid in _tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def _start_prefect_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Prefect server SIGAP collects with, as ``make demo`` does (SIGAP's settings).

    Its own home and database under ``work``, on a free loopback port.
    """
    import socket

    from sigap.prefect_server import is_healthy, server_env

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = server_env()
    env["PREFECT_HOME"] = str(work / "prefect")
    # its own database, whatever database the environment names for the office's server
    env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
    env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = (
        f"sqlite+aiosqlite:///{work / 'prefect' / 'prefect.db'}"
    )
    env["PREFECT_SERVER_LOGGING_LEVEL"] = "WARNING"
    prefect = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while not is_healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit(f"the Prefect server did not start at {url}")
        time.sleep(0.5)
    return server, url


def _child_sigap(
    inventory: str, db_url: str, server_pid: int, dask_workers: int = 0, in_process: bool = False
) -> dict[str, float]:
    if in_process:  # every session in the flow's own process, as before worker processes
        os.environ["SIGAP_SESSION_PROCESSES"] = "0"
    if dask_workers:
        os.environ["SIGAP_TASK_RUNNER"] = "dask"
        os.environ["SIGAP_DASK_WORKERS"] = str(dask_workers)
    os.environ["SIGAP_MAX_SESSIONS"] = str(WORKERS)
    os.environ["SIGAP_DEVICE_TIME_LIMIT"] = "120"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from flows.collect import collect_flow
    from tasks import parsing

    flow = collect_flow()
    start = time.perf_counter()
    with _Window(server_pid) as window:
        report = flow(inventory_dir=inventory, database_url=db_url, trigger="benchmark")
    seconds = time.perf_counter() - start
    parsing.shutdown()  # its processes' peak memory is then in RUSAGE_CHILDREN
    deadline = time.monotonic() + 30  # so are the session workers', once they have ended
    while _tree(os.getpid()) != {os.getpid()} and time.monotonic() < deadline:
        time.sleep(0.1)
    ok = report["counts"].get("ok", 0)
    return {
        "seconds": seconds,
        "devices": len(report["devices"]),
        "ok": ok,
        "cpu": window.own,
        "server_cpu": window.server,
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


def _run_child(
    side: str, inventory: Path, db_url: str, server: subprocess.Popen[bytes], dask_workers: int = 0
) -> dict[str, float]:
    out = subprocess.run(
        [
            *(sys.executable, __file__, "--child", side, "--inventory", str(inventory)),
            *("--db", db_url, "--dask-workers", str(dask_workers if side == "sigap-dask" else 0)),
            *("--server-pid", str(server.pid)),
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
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="also run SIGAP with SIGAP_SESSION_PROCESSES=0 (all sessions in the flow's process)",
    )
    parser.add_argument("--child", choices=["sigap", "nornir", "sigap-dask", "sigap-in-process"])
    parser.add_argument("--inventory")
    parser.add_argument("--db")
    parser.add_argument("--server-pid", type=int)
    args = parser.parse_args()

    if args.child:
        if args.child == "nornir":
            result = _child_nornir(args.inventory)
        else:
            result = _child_sigap(
                args.inventory,
                args.db,
                args.server_pid,
                args.dask_workers,
                in_process=args.child == "sigap-in-process",
            )
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # the largest child: SIGAP's session worker or parser processes
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
    server, url = _start_prefect_server(work)
    os.environ["PREFECT_API_URL"] = url
    try:
        warm = _run_child("sigap", state.inventory_dir, db_url, server)
        print(f"sigap warm-up (pins host keys): {warm['seconds']:.1f} s, ok {warm['ok']}")
        sides = ["sigap", "nornir"] + (["sigap-dask"] if args.dask_workers else [])
        sides += ["sigap-in-process"] if args.in_process else []
        rounds: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        for i in range(args.rounds):
            for side in sides if i % 2 == 0 else sides[::-1]:
                r = _run_child(side, state.inventory_dir, db_url, server, args.dask_workers)
                rounds[side].append(r)
                print(
                    f"round {i + 1} {side:10}: {r['seconds']:6.2f} s  "
                    f"{r['devices'] / r['seconds']:6.1f} dev/s  ok {r['ok']}/{r['devices']}  "
                    f"peak {r['peak_rss_mib']:.0f} MiB  "
                    f"CPU: own {r['cpu']:.1f} s"
                    + (f" (Prefect server {r['server_cpu']:.1f} s)" if "server_cpu" in r else "")
                    + f", rest {r['lab_cpu']:.1f} s"
                )
        server_peak = _peak_rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
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
        f"largest child process {child:.0f} MiB; Prefect server {server_peak:.0f} MiB)"
    )
    print(f"  Nornir {nornir:6.1f} devices/s")
    print(f"  ratio SIGAP/Nornir = {sigap / nornir:.2f}")
    for side in ("sigap", "nornir"):
        own = statistics.median(r["cpu"] for r in rounds[side])
        lab = statistics.median(r["lab_cpu"] for r in rounds[side])
        print(f"  CPU while collecting, {side:6}: its processes {own:5.1f} s, rest {lab:5.1f} s")
    if args.in_process:
        alone = rate("sigap-in-process")
        print(
            f"  SIGAP, SIGAP_SESSION_PROCESSES=0 (sessions in the flow's process): "
            f"{alone:.1f} devices/s, ratio {alone / nornir:.2f}"
        )
    if args.dask_workers:
        dask = rate("sigap-dask")
        print(
            f"  SIGAP, SIGAP_TASK_RUNNER=dask with {args.dask_workers} worker processes: "
            f"{dask:.1f} devices/s, ratio {dask / nornir:.2f}"
        )


if __name__ == "__main__":
    main()
