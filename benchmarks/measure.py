"""Measurement helpers the collection benchmarks share (``collect_fleet``, ``collect_sites``).

- CPU used by a process tree and by the rest of the machine in a timed window
  (:class:`Window`), from ``/proc``;
- peak memory: the largest process of a tree (:func:`peak_rss_mib`, ``VmHWM``) and the
  whole tree's resident memory, sampled (:class:`TreeMemory`);
- the Prefect server SIGAP collects with (:func:`start_prefect_server`);
- one collection by SIGAP's ``collect-devices`` flow (:func:`sigap_collection`) and one by
  a plain Nornir script asking the same (:func:`nornir_collection`), each meant to run in
  a child process of its own.

The benchmarks run as scripts (``python benchmarks/collect_sites.py``), so this module is
imported as ``measure`` (the scripts' directory is first on ``sys.path``).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def proc_stats() -> dict[int, tuple[int, float]]:
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


def tree(*roots: int, stats: dict[int, tuple[int, float]] | None = None) -> set[int]:
    """The processes ``roots`` and all their descendants."""
    stats = stats if stats is not None else proc_stats()
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(child for child, (parent, _) in stats.items() if parent == pid)
    return found


def tree_cpu_seconds(*roots: int) -> float:
    """CPU seconds used so far by these processes (default: this one) and their descendants."""
    stats = proc_stats()
    pids = tree(*(roots or (os.getpid(),)), stats=stats)
    return sum(stats[pid][1] for pid in pids if pid in stats)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Window:
    """CPU used in the timed window: by the side's processes, and by the rest of the machine.

    Args:
        extra: Other processes whose CPU counts as the side's (SIGAP's Prefect server).
        own: The side's own processes (default: this one); their descendants count too.
    """

    def __init__(self, *extra: int, own: Iterable[int] = ()) -> None:
        self._extra = extra
        self._roots = tuple(own)
        self.server = 0.0
        self.own = 0.0
        self.rest = 0.0

    def __enter__(self) -> Window:
        self._own, self._busy = tree_cpu_seconds(*self._roots), machine_busy_seconds()
        self._server = tree_cpu_seconds(*self._extra) if self._extra else 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        if self._extra:
            self.server = tree_cpu_seconds(*self._extra) - self._server
        self.own = tree_cpu_seconds(*self._roots) - self._own + self.server
        self.rest = machine_busy_seconds() - self._busy - self.own


def peak_rss_mib(root: int) -> float:
    """The largest peak resident memory (``VmHWM``) among ``root`` and its descendants."""
    peak = 0.0
    for pid in tree(root):
        peak = max(peak, _status_kib(pid, "VmHWM:") / 1024)
    return peak


def _status_kib(pid: int, field: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


class TreeMemory:
    """The resident memory of a process tree, summed over its processes, sampled.

    ``peak_mib`` is the largest sum seen (the tree's peak, to the sampling interval);
    ``largest_mib`` the largest single process's peak (``VmHWM``).

    Args:
        root: The tree's root process (default: this one).
        interval: Seconds between samples.
    """

    def __init__(self, root: int | None = None, interval: float = 0.5) -> None:
        self.root = root if root is not None else os.getpid()
        self.interval = interval
        self.peak_mib = 0.0
        self.largest_mib = 0.0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)

    def sample(self) -> None:
        """Take one sample now."""
        pids = tree(self.root)
        total = sum(_status_kib(pid, "VmRSS:") for pid in pids) / 1024
        self.peak_mib = max(self.peak_mib, total)
        self.processes = max(self.processes, len(pids))
        for pid in pids:
            self.largest_mib = max(self.largest_mib, _status_kib(pid, "VmHWM:") / 1024)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def start_prefect_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Prefect server SIGAP collects with, as ``make demo`` does (SIGAP's settings).

    Its own home and database under ``work``, on a free loopback port.

    Returns:
        The server process (its own session) and its API URL.
    """
    from sigap.prefect_server import is_healthy, server_env

    port = free_port()
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


def sigap_collection(
    inventory: str,
    db_url: str,
    server_pid: int,
    sessions: int,
    *,
    dask_workers: int = 0,
    in_process: bool = False,
    time_limit: int = 120,
    before_start: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One ``collect-devices`` flow run over ``inventory``, timed (call it in a child process).

    Args:
        inventory: The inventory directory.
        db_url: The records database.
        server_pid: The Prefect server (its CPU counts as SIGAP's).
        sessions: ``SIGAP_MAX_SESSIONS``.
        dask_workers: With ``SIGAP_TASK_RUNNER=dask``, this many workers (0: thread pool).
        in_process: Every session in the flow's own process (``SIGAP_SESSION_PROCESSES=0``).
        time_limit: ``SIGAP_DEVICE_TIME_LIMIT``.
        before_start: Called once everything is imported, right before the clock starts
            (a barrier: several collections then start together).

    Returns:
        ``seconds``, ``devices``, ``ok``, ``outcomes``, ``started``/``ended``
        (``time.monotonic()``, comparable across processes), CPU (``cpu`` of this process
        tree and the server, ``server_cpu``, ``lab_cpu`` of the rest of the machine),
        ``tree_peak_mib`` (this process tree's resident memory, summed, sampled).
    """
    if in_process:  # every session in the flow's own process, as before worker processes
        os.environ["SIGAP_SESSION_PROCESSES"] = "0"
    if dask_workers:
        os.environ["SIGAP_TASK_RUNNER"] = "dask"
        os.environ["SIGAP_DASK_WORKERS"] = str(dask_workers)
    os.environ["SIGAP_MAX_SESSIONS"] = str(sessions)
    os.environ["SIGAP_DEVICE_TIME_LIMIT"] = str(time_limit)
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from flows.collect import collect_flow
    from tasks import parsing

    flow = collect_flow()
    if before_start is not None:
        before_start()
    with TreeMemory() as memory:
        started = time.monotonic()
        with Window(server_pid) as window:
            report = flow(inventory_dir=inventory, database_url=db_url, trigger="benchmark")
        ended = time.monotonic()
    parsing.shutdown()
    ok = report["counts"].get("ok", 0)
    return {
        "seconds": ended - started,
        "started": started,
        "ended": ended,
        "devices": len(report["devices"]),
        "ok": ok,
        "outcomes": dict(report["counts"]),
        "cpu": window.own,
        "server_cpu": window.server,
        "lab_cpu": window.rest,
        "tree_peak_mib": memory.peak_mib,
        "largest_process_mib": memory.largest_mib,
    }


def nornir_collection(inventory: str, workers: int) -> dict[str, Any]:
    """The same collection by a plain Nornir script (call it in a child process).

    ``nornir_napalm`` / ``nornir_netmiko`` with the threaded runner at ``workers``, the
    same getters and commands as SIGAP's platform modules, each host's connections closed
    when it is done (``workers`` sessions at once at most), the answers unused.

    Args:
        inventory: The inventory directory (Nornir's SimpleInventory reads it).
        workers: Threads of the runner (the total concurrency).

    Returns:
        The same keys as :func:`sigap_collection` (no ``server_cpu``).
    """
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions
    from nornir.core.task import Result, Task
    from nornir_napalm.plugins.tasks import napalm_cli, napalm_get
    from nornir_netmiko.tasks import netmiko_send_command  # type: ignore[import-untyped]

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
            # at most `workers` sessions open at once, as on SIGAP's side
            task.host.close_connections()
        return Result(host=task.host)

    # the clock covers what SIGAP's covers: loading the inventory, then every device
    # from login to logout (SIGAP closes each session before the next device)
    with TreeMemory() as memory:
        started = time.monotonic()
        with Window() as window:
            nr = InitNornir(
                runner={"plugin": "threaded", "options": {"num_workers": workers}},
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
                platform = get_platform(str(host.platform))
                host.data["sigap_platform"] = platform.name
                host.platform = platform.napalm_driver or platform.netmiko_device_type
                host.connection_options["napalm"] = ConnectionOptions(
                    extras={"optional_args": {"secret": password}}
                )
                host.connection_options["netmiko"] = ConnectionOptions(extras={"secret": password})
            result = nr.run(task=collect)
        ended = time.monotonic()
    failed = [name for name, r in result.items() if r.failed]
    return {
        "seconds": ended - started,
        "started": started,
        "ended": ended,
        "devices": len(result),
        "ok": len(result) - len(failed),
        "outcomes": {"ok": len(result) - len(failed), "failed": len(failed)},
        "cpu": window.own,
        "lab_cpu": window.rest,
        "tree_peak_mib": memory.peak_mib,
        "largest_process_mib": memory.largest_mib,
    }


def median(values: Iterable[float]) -> float:
    """The median (``nan`` when there are none)."""
    items = list(values)
    return statistics.median(items) if items else float("nan")


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A markdown table.

    Examples:
        >>> print(markdown_table(["a", "b"], [[1, 2.5]]))
        | a | b |
        |---|---|
        | 1 | 2.5 |
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
