"""Parse and sanitise device answers off the SSH threads, in a small process pool.

The SSH sessions of a collection run in threads of one process, and Python runs
one thread at a time: measured on the lab, reading the answers (TextFSM, the
contract models) and sanitising configs took about a fifth of that process's CPU.
Done in worker processes instead, it runs on the machine's other cores while the
threads keep the sessions moving. The work is pure (:mod:`sop.platforms`,
:mod:`sop.configs`), so nothing but the captures and the results cross over; the
ntc-templates templates the parsers need are added in the process that parses
(:mod:`tasks.textfsm_templates`, read once per process), not sent along.

The pool size comes from the caller (the flow reads ``SIGAP_PARSE_WORKERS``, default:
the number of CPUs, at most 4, into each :class:`~tasks.collect.CollectRequest`);
``0`` parses in the calling thread. Session worker processes
(:mod:`tasks.session_workers`) parse in their own session threads.

The pool's processes end with the flow's process, however it ends: they are
shut down at exit, and each one ends by itself within half a second once the
flow's process is gone (:func:`tasks.lifeline.exit_with_parent`; a ``kill -9``
runs no exit handler). Their resource tracker ends when they have.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from sop.configs import Backup, SanitizePattern, prepare_backup
from sop.device import Facts, Health
from sop.platforms import get_platform
from sop.platforms.base import Captures
from tasks.lifeline import exit_with_parent
from tasks.textfsm_templates import with_templates


@dataclass(frozen=True)
class Parsed:
    """What leaves the parser: no raw configuration text, only the sanitised backup.

    Attributes:
        facts: The device's facts.
        health: The device's health.
        config_missing: Why running/startup config is missing, where it is.
        backup: The sanitised, checked configs.
    """

    facts: Facts
    health: Health
    config_missing: dict[str, str]
    backup: Backup


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def parse_and_backup(
    platform: str, captures: Captures, patterns: tuple[SanitizePattern, ...]
) -> Parsed:
    """Read captures into the device contract and prepare the config backup.

    Pure but for the ntc-templates templates, added to the captures here (each
    read once per process, :func:`tasks.textfsm_templates.with_templates`).

    Args:
        platform: Inventory platform key.
        captures: Raw answers of the device.
        patterns: The office's extra sanitising patterns.

    Returns:
        Facts, health and the sanitised backup (the raw config stays here).

    Raises:
        ParseError: The answers cannot be read.
    """
    parser = get_platform(platform)
    data = parser.parse(with_templates(parser, captures))
    backup = prepare_backup(data.config.running, data.config.startup, platform, patterns)
    return Parsed(data.facts, data.health, dict(data.config.missing), backup)


def _get_pool(workers: int) -> ProcessPoolExecutor | None:
    """The process-wide pool, started with ``workers`` processes on first use (0: none)."""
    global _pool
    if workers <= 0 or multiprocessing.current_process().daemon:
        # 0: parse here, also when an earlier collection in this process started the
        # pool; a daemon (e.g. a Dask worker process) may not start children
        return None
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the parent has SSH and Prefect threads running
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                # any thread may start a pool process: no kernel signal tied to it
                initializer=exit_with_parent,
                initargs=(os.getpid(),),
            )
            atexit.register(shutdown)
        return _pool


def warm_up(workers: int) -> None:
    """Start the pool's processes now (they import SIGAP's parsers once).

    Args:
        workers: Pool size (``SIGAP_PARSE_WORKERS``; 0 = no pool).
    """
    pool = _get_pool(workers)
    if pool is not None:
        futures: list[Future[int]] = [pool.submit(os.getpid) for _ in range(workers)]
        for future in futures:
            future.result()


def submit_parse(
    platform: str,
    captures: Captures,
    patterns: tuple[SanitizePattern, ...],
    *,
    workers: int,
    here: bool = False,
) -> Future[Parsed]:
    """Start :func:`parse_and_backup` in the pool and return at once.

    The caller (an SSH session slot) can go on to its next device while the
    answers of this one are read. Without a pool (``workers=0``, or in
    a daemon process) the parsing is done here and the future is already done.

    Args:
        platform: Inventory platform key.
        captures: Raw answers of the device.
        patterns: The office's extra sanitising patterns.
        workers: Pool size, used when the pool is first started
            (``SIGAP_PARSE_WORKERS``; 0 = no pool, parse here).
        here: Parse in this thread even when there is a pool (the collection's
            sessions run in worker processes, which parse for themselves).

    Returns:
        A future of the facts, health and sanitised backup; it holds the
        :class:`~sop.platforms.base.ParseError` (or other error) if parsing failed.
    """
    pool = None if here else _get_pool(workers)
    if pool is not None:
        return pool.submit(parse_and_backup, platform, captures, patterns)
    future: Future[Parsed] = Future()
    try:
        future.set_result(parse_and_backup(platform, captures, patterns))
    except Exception as exc:  # handed to the caller through the future
        future.set_exception(exc)
    return future


def shutdown() -> None:
    """Stop the pool's processes (also registered to run at exit)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
