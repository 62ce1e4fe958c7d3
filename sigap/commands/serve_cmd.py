"""``sigap serve``: serve SIGAP's deployments (schedules and ad-hoc runs) from here.

Stopping it (SIGTERM, or Ctrl-C / SIGINT) leaves no process behind: Prefect's
runner stops the flow runs it started (their session workers and parse pools end
with them, :mod:`tasks.lifeline`), any descendant still alive after that is
terminated, then killed, and a Prefect server that ``sigap serve`` started itself
is stopped last (one it found running is left running).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from config.office_file import load_office
from config.settings import load_settings
from sigap.prefect_server import LocalServer, ensure_server, record_server
from sop.problems import ConfigError

STOP_GRACE = 10.0
"""Seconds a descendant still alive after the runner stopped gets between SIGTERM and SIGKILL."""


def serve(
    office: Annotated[
        Path | None, typer.Option(help="Office configuration (default: SIGAP_OFFICE).")
    ] = None,
) -> None:
    """Serve the SOP deployments: a local Prefect server on SQLite if none runs, then runs.

    The deployment ``pemeliharaan-jaringan-bulanan`` (SOP A) runs on the 1st of every
    month at 07:00 in the office's timezone and whenever someone runs it from the
    Prefect UI or with ``sigap run maintenance``. Stops with Ctrl-C or SIGTERM; the
    flow runs it started and a Prefect server it started stop with it.
    """
    console = Console()
    settings = load_settings()
    try:
        loaded = load_office(office or settings.office_file)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    # flow runs start as child processes: they read the same office file
    os.environ["SIGAP_OFFICE"] = str((office or settings.office_file).resolve())
    # until Prefect's runner installs its own handler: SIGTERM ends us through `finally`
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    server: LocalServer | None = None
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url, server = ensure_server(log_file=settings.data_dir / "prefect-server.log")
        record_server(settings.data_dir, url)  # other shells' commands find it
        ui = url.removesuffix("/api")
        console.print(f"Prefect API: {url}  UI: {ui}")
        if server is not None:
            console.print(
                f"started a Prefect server (pid {server.process.pid}); it stops with this"
            )
        from prefect import serve as prefect_serve
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from deployments.definitions import all_deployments

        with temporary_settings({PREFECT_API_URL: url}):
            if settings.site_pool:  # SOP A per site: the deployment the sites' workers run
                from deployments.definitions import apply_site_deployment

                apply_site_deployment(settings.site_pool)
                console.print(
                    f"kumpul-perangkat-situs on pool {settings.site_pool}: in each site "
                    f"`prefect worker start --pool {settings.site_pool} --work-queue <site>`"
                )
            prefect_serve(*all_deployments(loaded))
    except KeyboardInterrupt:
        console.print("stopping (Ctrl-C)")
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: still clean up
            stop_descendants(os.getpid(), exclude={server.process.pid} if server else set())
            if server is not None:
                server.stop()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    """SIGTERM before the runner runs: leave through the ``finally`` blocks."""
    sys.exit(128 + signum)


def _children_table() -> dict[int, int]:
    """Parent pid of every live process, by pid (from ``/proc``; empty elsewhere)."""
    table: dict[int, int] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return table
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            table[int(entry.name)] = int(fields[1])
    return table


def descendants(pid: int, exclude: set[int] | None = None) -> list[int]:
    """The live descendants of ``pid``, children first (Linux ``/proc``).

    Args:
        pid: The ancestor.
        exclude: Pids to leave out, with their own descendants.

    Returns:
        The pids.
    """
    table = _children_table()
    skip = set(exclude or ())
    found: list[int] = []
    parents = {pid}
    while parents:
        children = [p for p, ppid in table.items() if ppid in parents and p not in skip]
        children = [p for p in children if p not in found]
        found.extend(children)
        parents = set(children)
    return found


def stop_descendants(pid: int, exclude: set[int] | None = None, grace: float = STOP_GRACE) -> None:
    """SIGTERM every live descendant of ``pid``, then SIGKILL what is left after ``grace``.

    Args:
        pid: Usually this process.
        exclude: Pids (and their descendants) to leave alone, e.g. the Prefect server
            that is stopped after them.
        grace: Seconds between SIGTERM and SIGKILL.
    """
    targets = descendants(pid, exclude)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for target in targets:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(target, sig)
        deadline = time.monotonic() + (grace if sig == signal.SIGTERM else 5.0)
        while time.monotonic() < deadline:
            _reap_children()
            targets = [t for t in targets if t in _children_table()]
            if not targets:
                return
            time.sleep(0.2)


def _reap_children() -> None:
    """Collect this process's ended children, so they do not look alive (zombies)."""
    with contextlib.suppress(ChildProcessError):
        while True:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
