"""Processes and sockets of the lab: start, find, stop, and SSH banner checks.

Every lab process is started in its own session (so its process group can be
signalled as a whole) and recorded with its start time, so that a recycled pid is
never mistaken for a lab process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Seconds a process is given to exit after SIGTERM before it gets SIGKILL.
GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class ProcessRecord:
    """A process the lab started.

    Attributes:
        label: What it is, e.g. ``linux01 sshd`` or ``r01 zebra``.
        pid: Process id.
        pgid: Process group id (equal to ``pid``: each runs in its own session).
        start_time: Start time from ``/proc/<pid>/stat`` (clock ticks since boot).
    """

    label: str
    pid: int
    pgid: int
    start_time: int

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dictionary.

        Returns:
            The fields by name.
        """
        return asdict(self)


def proc_start_time(pid: int) -> int | None:
    """Return the start time of a process from ``/proc``, or ``None`` if it is gone.

    Args:
        pid: Process id.

    Returns:
        Clock ticks since boot, or ``None``.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited already
        return None
    return int(fields[19])


def parent_pid(pid: int) -> int | None:
    """Return the parent pid of a process, or ``None`` if it is gone.

    Args:
        pid: Process id.

    Returns:
        The parent's pid, or ``None``.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def is_alive(record: ProcessRecord) -> bool:
    """Say whether a recorded process still runs (same pid, same start time).

    Args:
        record: The process record.

    Returns:
        ``True`` if the very process that was started still runs.
    """
    return proc_start_time(record.pid) == record.start_time


def all_pids() -> list[int]:
    """Return the ids of all processes visible in ``/proc``.

    Returns:
        Process ids.
    """
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def cmdline(pid: int) -> str:
    """Return a process's command line with spaces between arguments ("" if gone).

    Args:
        pid: Process id.

    Returns:
        The command line.
    """
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def descendants(pids: Iterable[int]) -> set[int]:
    """Return every live descendant of the given processes (not the processes themselves).

    sshd gives each login its own session, so a login's shell is not in the
    listener's process group: this finds it through the parent links.

    Args:
        pids: Root process ids.

    Returns:
        Descendant process ids.
    """
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        ppid = parent_pid(pid)
        if ppid is not None:
            children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    stack = list(pids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def processes_referencing(paths: Sequence[Path]) -> list[int]:
    """Return live processes whose command line mentions one of ``paths``.

    Args:
        paths: Directories (the lab directory, the router's runtime directory).

    Returns:
        Process ids, excluding this process.
    """
    needles = [str(p) for p in paths]
    me = os.getpid()
    return [
        pid
        for pid in all_pids()
        if pid != me
        and proc_start_time(pid) is not None
        and any(n in cmdline(pid) for n in needles)
    ]


def start_process(
    label: str,
    argv: Sequence[str],
    log_file: Path,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
    """Start a process in its own session with stdout and stderr going to a log file.

    Args:
        label: What it is, for messages and the state file.
        argv: Command and arguments.
        log_file: File that receives its output (appended).
        env: Environment (default: this process's).

    Returns:
        The ``Popen`` object and its record.
    """
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    return proc, record_for(label, proc.pid)


def record_for(label: str, pid: int) -> ProcessRecord:
    """Return the record of a running process.

    Args:
        label: What it is.
        pid: Its process id.

    Returns:
        The record (start time 0 if it has already exited).
    """
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        pgid = pid
    return ProcessRecord(label, pid, pgid, proc_start_time(pid) or 0)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _reap(pids: Iterable[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def stop_processes(
    records: Sequence[ProcessRecord], extra_pids: Iterable[int] = (), grace: float = GRACE_SECONDS
) -> list[int]:
    """Stop recorded processes, their process groups and all their descendants.

    SIGTERM first; whatever still runs after ``grace`` seconds gets SIGKILL.

    Args:
        records: Processes the lab started (stale records are skipped).
        extra_pids: Further processes to stop (e.g. found through ``/proc``).
        grace: Seconds between SIGTERM and SIGKILL.

    Returns:
        Processes that were still alive after SIGKILL (normally none).
    """
    live = [r for r in records if is_alive(r)]
    roots = {r.pid for r in live} | set(extra_pids)
    targets = roots | descendants(roots)
    starts = {pid: proc_start_time(pid) for pid in targets}
    for record in live:
        _signal_group(record.pgid, signal.SIGTERM)
    for pid in targets:
        _signal(pid, signal.SIGTERM)

    def still_running() -> list[int]:
        _reap(targets)
        return [p for p in targets if starts[p] is not None and proc_start_time(p) == starts[p]]

    deadline = time.monotonic() + grace
    while still_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    for record in live:
        if is_alive(record):
            _signal_group(record.pgid, signal.SIGKILL)
    for pid in still_running():
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while still_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    return still_running()


def address_taken(address: str, port: int) -> str | None:
    """Say why ``address:port`` cannot be listened on, or ``None`` if it is free.

    Args:
        address: IPv4 address.
        port: TCP port.

    Returns:
        ``None`` if a listener could bind there, else the reason.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return "address already in use (another process listens there)"
        return exc.strerror or str(exc)
    finally:
        sock.close()
    return None


def ssh_banner(address: str, port: int, timeout: float = 1.0) -> str | None:
    """Return the SSH identification line a server sends, or ``None``.

    Args:
        address: Server address.
        port: Server port.
        timeout: Seconds for connecting and for reading the banner.

    Returns:
        The banner (e.g. ``SSH-2.0-OpenSSH_9.2p1 Debian-2``) or ``None`` if nothing
        answers with one.
    """
    try:
        with socket.create_connection((address, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            data = b""
            while b"\n" not in data and len(data) < 512:
                chunk = sock.recv(256)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    line = data.split(b"\n", 1)[0].decode(errors="replace").strip()
    return line if line.startswith("SSH-") else None
