"""A TCP proxy that behaves like a WAN link: every chunk arrives a set time later.

Usage::

    python -m lab.wan_proxy --rtt-ms 200 --routes routes.json

``routes.json`` is ``{"routes": [["127.0.70.1:22", "127.0.80.1:2200"], ...]}``:
each listening address forwards to its target (many listening ports may share one
target). Once every route listens, the process prints exactly one line
``READY <n>`` to stdout; SIGTERM or SIGINT stop it with exit code 0. A route that
cannot be bound exits with code 2 and a message naming it.

Each direction of each connection delays every chunk it reads by half the round
trip (``rtt/2`` one way) before writing it on, in the order read, so that one
request and its answer take at least ``rtt`` more than without the proxy. The
delay is per chunk, not per byte: the link's bandwidth is not limited. The TCP
handshake with the proxy itself is not delayed; the first bytes are.

Other code starts it in a thread of its own with :class:`WanProxy` (``start`` /
``stop``), or as a process with :func:`start_proxy` and :func:`stop_proxy`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("lab.wan_proxy")

EXIT_BAD_SETUP = 2
CHUNK = 65536


class RouteError(ValueError):
    """A routes file or endpoint that cannot be read (the message names where)."""


@dataclass(frozen=True)
class Route:
    """One listening address and the target it forwards to.

    Attributes:
        listen_host: Address the proxy listens on.
        listen_port: Its port.
        target_host: Where connections go.
        target_port: Its port.
    """

    listen_host: str
    listen_port: int
    target_host: str
    target_port: int

    def __str__(self) -> str:
        return f"{self.listen_host}:{self.listen_port} -> {self.target_host}:{self.target_port}"


def parse_endpoint(text: str, where: str) -> tuple[str, int]:
    """Read ``host:port``.

    Args:
        text: The endpoint.
        where: What names it in an error (file and route number).

    Returns:
        ``(host, port)``.

    Raises:
        RouteError: Not ``host:port`` with a port in 1-65535.

    Examples:
        >>> parse_endpoint("127.0.70.1:22", "route 1")
        ('127.0.70.1', 22)
    """
    host, sep, port = str(text).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RouteError(f"{where}: {text!r} is not host:port (port 1-65535)")
    return host, int(port)


def load_routes(path: str | Path) -> list[Route]:
    """Read a routes file (see the module's docstring).

    Args:
        path: The JSON file.

    Returns:
        Its routes, in order.

    Raises:
        RouteError: Unreadable, not JSON, or a route that is not two ``host:port``
            strings; the message names the file and the route's number.
    """
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise RouteError(f"{path}: cannot read the routes: {exc}") from None
    entries = data.get("routes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise RouteError(f"{path}: expected {{'routes': [[listen, target], ...]}}, non-empty")
    routes = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: route {number}"
        if not isinstance(entry, list) or len(entry) != 2:
            raise RouteError(f"{where}: expected [listen, target], got {entry!r}")
        routes.append(Route(*parse_endpoint(entry[0], where), *parse_endpoint(entry[1], where)))
    return routes


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    counts: list[int],
) -> None:
    """Copy one direction, each chunk written ``delay`` seconds after it was read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        try:
            while chunk := await reader.read(CHUNK):
                counts[0] += 1
                queue.put_nowait((loop.time() + delay, chunk))
        except OSError:
            pass
        queue.put_nowait((loop.time() + delay, b""))  # the end, delayed like the rest

    async def write() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    reading = asyncio.ensure_future(read())
    try:
        await write()
    except OSError:  # the other side is gone: stop reading this one too
        reading.cancel()
    with contextlib.suppress(asyncio.CancelledError, OSError):
        await reading


class WanProxy:
    """The proxy on an event loop in a thread of its own.

    Args:
        routes: What to listen on and where to forward.
        rtt_ms: Round trip added, in milliseconds (``rtt/2`` each way).
    """

    def __init__(self, routes: Iterable[Route], rtt_ms: float) -> None:
        if rtt_ms < 0:
            raise ValueError(f"rtt_ms must be >= 0, got {rtt_ms}")
        self.routes = list(routes)
        self.rtt_ms = rtt_ms
        self.connections = 0
        #: chunks forwarded client -> target and target -> client (one-item lists)
        self.chunks_up = [0]
        self.chunks_down = [0]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self, ready: threading.Event | None = None) -> None:
        """Listen on every route until :meth:`stop` (runs on the current loop).

        Args:
            ready: Set once every route listens.

        Raises:
            OSError: A route cannot be bound (the message names it).
        """
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        delay = self.rtt_ms / 2000
        servers = []
        try:
            for route in self.routes:

                async def handle(
                    reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter,
                    route: Route = route,
                ) -> None:
                    await self._connection(route, reader, writer, delay)

                try:
                    servers.append(
                        await asyncio.start_server(
                            handle, route.listen_host, route.listen_port, backlog=512
                        )
                    )
                except OSError as exc:
                    raise OSError(exc.errno, f"cannot listen for {route}: {exc.strerror}") from None
            if ready is not None:
                ready.set()
            await self._stopped.wait()
        finally:
            for server in servers:
                server.close()
            for task in list(self._tasks):  # end the connections still open
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(
        self,
        route: Route,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        delay: float,
    ) -> None:
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            target_reader, target_writer = await asyncio.open_connection(
                route.target_host, route.target_port
            )
        except OSError as exc:
            log.warning("%s: target refused: %s", route, exc)
            client_writer.close()
            return
        try:
            await asyncio.gather(
                _pipe(client_reader, target_writer, delay, self.chunks_up),
                _pipe(target_reader, client_writer, delay, self.chunks_down),
            )
        except asyncio.CancelledError:  # the proxy stops: end quietly, the sockets closed
            pass
        finally:
            for writer in (client_writer, target_writer):
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    def start(self, timeout: float = 30.0) -> WanProxy:
        """Start listening in a daemon thread; return once every route listens.

        Args:
            timeout: Seconds to wait for that.

        Returns:
            This proxy.

        Raises:
            OSError: A route could not be bound.
            TimeoutError: Not listening in time.
        """
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self.serve(ready))
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="sigap-wan-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError(f"the WAN proxy was not listening after {timeout:g} s")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop listening and end every connection."""
        if self._loop is not None and self._stopped is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def stop_soon(self) -> None:
        """Stop serving; call it on the proxy's own event loop (a signal handler)."""
        if self._stopped is not None:
            self._stopped.set()

    def __enter__(self) -> WanProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_routes(path: str | Path, routes: Iterable[Route]) -> Path:
    """Write a routes file that :func:`load_routes` reads.

    Args:
        path: Target file.
        routes: The routes.

    Returns:
        ``path``.
    """
    target = Path(path)
    entries = [
        [f"{r.listen_host}:{r.listen_port}", f"{r.target_host}:{r.target_port}"] for r in routes
    ]
    target.write_text(json.dumps({"routes": entries}))
    return target


def start_proxy(
    routes_path: str | Path, rtt_ms: float, timeout: float = 60.0
) -> subprocess.Popen[bytes]:
    """Start the proxy as a process of its own (its own session) and wait until it listens.

    Args:
        routes_path: The routes file.
        rtt_ms: Round trip added, in milliseconds.
        timeout: Seconds to wait for ``READY``.

    Returns:
        The running process; stop it with :func:`stop_proxy`.

    Raises:
        RuntimeError: It exited or was not ready in time (with its stderr's tail).
    """
    args = ["--routes", str(routes_path), "--rtt-ms", str(rtt_ms)]
    handle, log_name = tempfile.mkstemp(prefix="sigap-wan-proxy-", suffix=".log")
    with os.fdopen(handle, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lab.wan_proxy", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,
        )
    from lab.switch_server import _read_line

    assert proc.stdout is not None
    line = _read_line(proc.stdout, timeout)
    if line.startswith("READY "):
        return proc
    stop_proxy(proc)
    tail = "\n".join(Path(log_name).read_text(errors="replace").splitlines()[-20:])
    raise RuntimeError(f"the WAN proxy did not start (exit code {proc.returncode}):\n{tail}")


def stop_proxy(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """Stop a proxy started by :func:`start_proxy` (SIGTERM, then SIGKILL).

    Args:
        proc: The process.
        timeout: Seconds to wait after SIGTERM.

    Returns:
        Its exit code.
    """
    from lab.switch_server import stop_switches

    return stop_switches(proc, timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(
        prog="python -m lab.wan_proxy", description="A TCP proxy that adds a WAN's latency."
    )
    parser.add_argument("--routes", required=True, help="JSON file of [listen, target] pairs")
    parser.add_argument("--rtt-ms", type=float, required=True, help="round trip to add (ms)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    try:
        proxy = WanProxy(load_routes(args.routes), args.rtt_ms)
    except (RouteError, ValueError) as exc:
        print(f"wan_proxy: {exc}", file=sys.stderr, flush=True)
        return EXIT_BAD_SETUP

    async def run() -> int:
        loop = asyncio.get_running_loop()
        ready = threading.Event()
        serving = asyncio.ensure_future(proxy.serve(ready))
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, proxy.stop_soon)
        while not ready.is_set() and not serving.done():
            await asyncio.sleep(0.01)
        if serving.done() and serving.exception() is not None:
            print(f"wan_proxy: {serving.exception()}", file=sys.stderr, flush=True)
            return EXIT_BAD_SETUP
        began = time.monotonic()
        print(f"READY {len(proxy.routes)}", flush=True)
        await serving
        log.info(
            "stopped after %.0f s, %d connections", time.monotonic() - began, proxy.connections
        )
        return 0

    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
