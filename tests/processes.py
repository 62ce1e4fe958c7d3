"""Helpers of the process tests: find what a process started, hang a device.

Processes are read straight from ``/proc``: a process a test started is found by
a marker variable in its environment (every child inherits it, also one that
moved to a session of its own or was re-parented to init), by its session and
process group, and by the parent links of its descendants. Zombies count as gone.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

MARK_ENV = "SIGAP_TEST_PROCESS_MARK"
"""Environment variable whose value marks every process of one test."""


def new_mark() -> dict[str, str]:
    """A fresh marker, as environment entries to add to a process's environment."""
    return {MARK_ENV: secrets.token_hex(8)}


def _stat(pid: int) -> tuple[int, int, int, str] | None:
    """(ppid, pgid, session id, command line) of a live process, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # ended; only its parent has not reaped it yet
        return None
    return int(fields[1]), int(fields[2]), int(fields[3]), cmdline.strip()


def _marked(pid: int, mark: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{MARK_ENV}={mark}".encode() in environ.split(b"\0")


def processes_of(
    pid: int, *, mark: dict[str, str] | None = None, known: Iterable[int] = ()
) -> dict[int, str]:
    """Live processes that belong to ``pid``: itself, its session and group, its marked
    processes, ``known`` pids and every descendant of these.

    Args:
        pid: A process the test started (a session leader: ``start_new_session``).
        mark: The marker given to its environment (:func:`new_mark`), if any.
        known: Pids seen earlier.

    Returns:
        pid -> command line.
    """
    table: dict[int, tuple[int, int, int, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                table[int(entry.name)] = info
    value = (mark or {}).get(MARK_ENV)
    seen = set(known) | {pid}
    found = {
        p
        for p, (_, pgid, sid, _) in table.items()
        if pid in (pgid, sid) or p in seen or (value is not None and _marked(p, value))
    }
    while True:  # descendants that moved to a session or group of their own
        more = {p for p, (ppid, _, _, _) in table.items() if ppid in found} - found
        if not more:
            break
        found |= more
    return {p: table[p][3] for p in found}


class HangingPort:
    """A TCP port (on 127.0.0.1 by default) that accepts connections and never sends a byte.

    An inventory host there hangs in its SSH handshake until its time limit, so a
    collection is surely still running while the test does something to it.
    """

    def __init__(self, address: str = "127.0.0.1") -> None:
        """Listen on a free port; connections are accepted in a thread and held."""
        self.server = socket.create_server((address, 0))
        self.port = int(self.server.getsockname()[1])
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.clients.append(client)

    def close(self) -> None:
        """Stop listening and drop every connection (the device is unreachable now)."""
        self.server.close()
        for client in self.clients:
            with contextlib.suppress(OSError):
                client.close()


def inventory_with_hanging_host(lab: Any, folder: Path, port: int) -> Path:
    """A copy of the lab's inventory with ``hang01`` first (it takes a session slot at once).

    Args:
        lab: The lab's state (its ``inventory_dir``).
        folder: Where to write the copy (must not exist).
        port: The :class:`HangingPort`'s port.

    Returns:
        ``folder``.
    """
    folder.mkdir(parents=True)
    for name in ("groups.yaml", "defaults.yaml"):
        (folder / name).write_text((lab.inventory_dir / name).read_text())
    hosts = yaml.safe_load((lab.inventory_dir / "hosts.yaml").read_text())
    hang = dict(hosts["linux01"], hostname="127.0.0.1", port=port)
    hang["data"] = dict(hang["data"], asset_tag="LAB-HANG")
    (folder / "hosts.yaml").write_text(yaml.safe_dump({"hang01": hang, **hosts}, sort_keys=False))
    return folder


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (at this moment)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
