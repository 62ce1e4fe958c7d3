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
from typing import Any

from measure import (
    nornir_collection,
    peak_rss_mib,
    sigap_collection,
    start_prefect_server,
    tree,
)

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 20


def _child_sigap(
    inventory: str, db_url: str, server_pid: int, dask_workers: int = 0, in_process: bool = False
) -> dict[str, Any]:
    result = sigap_collection(
        inventory, db_url, server_pid, WORKERS, dask_workers=dask_workers, in_process=in_process
    )
    # its processes' peak memory is then in RUSAGE_CHILDREN, once the session workers
    # have ended too
    deadline = time.monotonic() + 30
    while tree(os.getpid()) != {os.getpid()} and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def _child_nornir(inventory: str) -> dict[str, Any]:
    return nornir_collection(inventory, WORKERS)


def _run_child(
    side: str, inventory: Path, db_url: str, server: subprocess.Popen[bytes], dask_workers: int = 0
) -> dict[str, Any]:
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
    server, url = start_prefect_server(work)
    os.environ["PREFECT_API_URL"] = url
    try:
        warm = _run_child("sigap", state.inventory_dir, db_url, server)
        print(f"sigap warm-up (pins host keys): {warm['seconds']:.1f} s, ok {warm['ok']}")
        sides = ["sigap", "nornir"] + (["sigap-dask"] if args.dask_workers else [])
        sides += ["sigap-in-process"] if args.in_process else []
        rounds: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
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
        server_peak = peak_rss_mib(server.pid)
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
