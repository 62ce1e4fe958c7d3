"""SSH sessions in worker processes, each with its own interpreter lock.

In one process, the SSH sessions of a collection share Python's one lock with
everything else the flow does (storing, Prefect's client): under load every
session waits a little for it. ``SIGAP_SESSION_PROCESSES=N`` starts N worker
processes for a collection; the flow's session slots hand them their devices one
at a time and wait for each result, so the slots still bound the sessions at once
(``SIGAP_MAX_SESSIONS``, per-site limits included). A worker runs the same
:func:`tasks.collect.start_collection` as the flow's own threads and reads the
answers itself; only the result (sanitised configs, never the raw ones) comes back.

The workers are new interpreters (``python -m tasks.session_workers``; not forked:
the flow has threads running) that import only the collection code, not Prefect
or the command line. Until they are ready the slots collect in
the flow's own process, so the first sessions do not wait for them. A worker that
dies gives each of its devices an outcome saying so; the others go on.

No worker outlives the flow's process. Each runs in a process group of its own
(a Ctrl-C at the terminal reaches the flow, which decides, not the workers), and
ends by itself as soon as the flow's process is gone, however it ended
(:func:`tasks.lifeline.exit_with_parent`, and the end of its socket), without
waiting for the sessions it still had. At the flow's exit any worker still
there is killed with its process group.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from tasks.collect import CollectRequest, DeviceResult, internal_error
from tasks.lifeline import exit_with_parent

READY = "ready"


def _worker_main(conn: Connection, slots: int, parent_pid: int) -> None:
    """A worker process: run each request it is sent, send back its result.

    Ends at once, sessions and all, when the flow's process is gone.
    """
    # started by the collection's own thread, which lives until the workers are closed
    exit_with_parent(parent_pid, kernel_signal=True)
    from tasks.collect import start_collection

    lock = threading.Lock()

    def run(job: int, request: CollectRequest) -> None:
        try:
            # the answers are read here, in the session's thread: no parser pool
            result: DeviceResult | str = start_collection(request, parse_here=True).result()
        except Exception as exc:  # a bug: the flow turns it into the device's outcome
            result = f"{type(exc).__name__}: {exc}"
        with lock, contextlib.suppress(OSError):
            conn.send((job, result))

    with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="sigap-session") as pool:
        conn.send((READY, os.getpid()))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                # the flow's end of the socket is gone without a goodbye: so is the
                # flow. Nobody waits for the sessions still running here.
                os._exit(0)
            if message is None:
                break
            pool.submit(run, *message)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    ready: threading.Event = field(default_factory=threading.Event)
    alive: bool = True
    pending: dict[int, tuple[CollectRequest, Future[DeviceResult]]] = field(default_factory=dict)
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class SessionWorkers:
    """Worker processes that run devices' sessions for one collection.

    Args:
        processes: How many worker processes.
        slots: Sessions each worker may run at once (the flow's slots bound the total).
        api_url: Prefect API for ``secret:`` references (default: the current setting).
    """

    def __init__(self, processes: int, slots: int, api_url: str | None = None) -> None:
        self._processes = processes
        self._slots = slots
        self._api_url = api_url
        self._lock = threading.Lock()
        self._jobs = itertools.count()
        self._workers: list[_Worker] = []

    def start(self) -> None:
        """Spawn the workers; :meth:`submit` uses each as soon as it is ready."""
        api_url = self._api_url
        if api_url is None:
            with contextlib.suppress(Exception):
                from prefect.settings import PREFECT_API_URL

                api_url = PREFECT_API_URL.value()
        env = dict(os.environ)
        if api_url:  # for ``secret:`` password references (Prefect Secret blocks)
            env.setdefault("PREFECT_API_URL", str(api_url))
        for number in range(self._processes):
            ours, theirs = socket.socketpair()
            args = [str(theirs.fileno()), str(self._slots), str(os.getpid())]
            with theirs:
                process = subprocess.Popen(
                    [sys.executable, "-m", __name__, *args],
                    pass_fds=[theirs.fileno()],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    process_group=0,  # its own group: killed whole at exit
                )
            worker = _Worker(process, Connection(ours.detach()))
            with self._lock:
                self._workers.append(worker)
            _LIVE.add(self)
            threading.Thread(
                target=self._read,
                args=(worker,),
                name=f"sigap-session-reader-{number}",
                daemon=True,
            ).start()

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers."""
        with self._lock:
            return [w.process.pid for w in self._workers]

    def submit(self, request: CollectRequest) -> Future[DeviceResult] | None:
        """Hand a device to the least busy ready worker.

        Args:
            request: The device (its per-site slot already held by the caller).

        Returns:
            A future of its result (never an exception), or ``None`` when no worker
            is ready (yet, or any more): the caller collects it itself.
        """
        with self._lock:
            ready = [w for w in self._workers if w.alive and w.ready.is_set()]
            if not ready:
                return None
            worker = min(ready, key=lambda w: len(w.pending))
            job = next(self._jobs)
            future: Future[DeviceResult] = Future()
            worker.pending[job] = (request, future)
        try:
            with worker.send_lock:
                worker.conn.send((job, request))
        except (OSError, ValueError) as exc:
            self._fail(worker, f"session worker process unreachable ({exc})")
        return future

    def _read(self, worker: _Worker) -> None:
        """Deliver the worker's results; when it ends, fail what it still had."""
        while True:
            try:
                job, result = worker.conn.recv()
            except (EOFError, OSError):
                break
            if job == READY:
                worker.ready.set()
                continue
            with self._lock:
                entry = worker.pending.pop(job, None)
            if entry is None:  # already failed (the send to the worker had failed)
                continue
            request, future = entry
            if isinstance(result, str):
                result = internal_error(request, result)
            future.set_result(result)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)
        self._fail(worker, f"session worker process ended (exit code {worker.process.returncode})")

    def _fail(self, worker: _Worker, why: str) -> None:
        with self._lock:
            worker.alive = False
            pending, worker.pending = worker.pending, {}
        for request, future in pending.values():
            if not future.done():
                future.set_result(internal_error(request, why))

    def close(self) -> None:
        """Tell the workers to end once they are done (they are, when the run is).

        Returns at once: the workers are waited for in the background. A worker
        whose flow process is gone ends too (it reads the end of its socket).
        """
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            with worker.send_lock, contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        threading.Thread(
            target=_reap, args=(workers,), name="sigap-session-reap", daemon=True
        ).start()

    def kill(self) -> None:
        """Kill every worker still running, with its process group (at once, no waiting)."""
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            _kill(worker)


_LIVE: weakref.WeakSet[SessionWorkers] = weakref.WeakSet()
"""Every :class:`SessionWorkers` started in this process (killed at exit)."""


def _kill(worker: _Worker) -> None:
    """SIGKILL a worker's process group (it has its own), if it still runs."""
    if worker.process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)


def _reap(workers: list[_Worker]) -> None:
    """Wait for ended workers; kill one that does not end."""
    for worker in workers:
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill(worker)


@atexit.register
def _kill_all() -> None:
    """At the flow process's exit: no worker is left behind."""
    for workers in list(_LIVE):
        workers.kill()


if __name__ == "__main__":
    # python -m tasks.session_workers FD SLOTS PARENT_PID (started by SessionWorkers.start)
    _worker_main(Connection(int(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]))
