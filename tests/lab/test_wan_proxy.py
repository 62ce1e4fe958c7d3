"""The WAN proxy, over real sockets on loopback: delay, bytes intact, many connections.

Nothing is mocked: echo servers and clients are plain sockets, the proxy runs in its
own thread (``WanProxy``) or as its own process (``start_proxy``), as the benchmark
starts it. Addresses: 127.0.36.x (this file's own range).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lab.wan_proxy import (
    Route,
    RouteError,
    WanProxy,
    load_routes,
    main,
    start_proxy,
    stop_proxy,
    write_routes,
)

HOST = "127.0.36.1"
PROXY_HOST = "127.0.36.2"


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """An echo server on loopback (answers every byte at once)."""
    server = _Server((HOST, 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HOST, server.server_address[1]
    server.shutdown()
    server.server_close()


def _free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    for sock in socks:
        sock.bind((PROXY_HOST, 0))
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return ports


def _round_trip(port: int, payload: bytes) -> tuple[float, bytes]:
    """Send ``payload``, read the same number of bytes back; seconds from send to last byte."""
    with socket.create_connection((PROXY_HOST, port), timeout=10) as sock:
        start = time.perf_counter()
        sock.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = sock.recv(65536)
            assert chunk, "the proxy closed the connection early"
            got += chunk
        return time.perf_counter() - start, got


def test_round_trip_takes_at_least_the_latency(echo: tuple[str, int]) -> None:
    [port] = _free_ports(1)
    with WanProxy([Route(PROXY_HOST, port, *echo)], rtt_ms=200):
        for _ in range(3):
            seconds, got = _round_trip(port, b"show version\n")
            assert got == b"show version\n"
            assert 0.2 <= seconds < 0.4


def test_zero_latency_is_a_plain_proxy(echo: tuple[str, int]) -> None:
    [port] = _free_ports(1)
    with WanProxy([Route(PROXY_HOST, port, *echo)], rtt_ms=0):
        seconds, got = _round_trip(port, b"x")
        assert got == b"x"
        assert seconds < 0.1


def test_large_transfer_arrives_intact_and_in_order(echo: tuple[str, int]) -> None:
    [port] = _free_ports(1)
    payload = os.urandom(3_000_000)  # many chunks each way
    with WanProxy([Route(PROXY_HOST, port, *echo)], rtt_ms=100):
        seconds, got = _round_trip(port, payload)
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
    # the chunks are delayed, not the bytes: 3 MB still takes about one round trip
    assert 0.1 <= seconds < 2.0


def test_many_ports_and_connections_at_once(echo: tuple[str, int]) -> None:
    ports = _free_ports(50)
    routes = [Route(PROXY_HOST, port, *echo) for port in ports]
    with WanProxy(routes, rtt_ms=200) as proxy, ThreadPoolExecutor(100) as pool:
        start = time.perf_counter()
        # two connections per port, each with its own bytes
        jobs = [(port, f"{port}-{i}\n".encode() * 100) for port in ports for i in range(2)]
        results = list(pool.map(lambda job: _round_trip(*job), jobs))
        total = time.perf_counter() - start
    assert [got for _, got in results] == [payload for _, payload in jobs]
    assert min(seconds for seconds, _ in results) >= 0.2
    assert total < 10.0  # in parallel, not one after another (100 x 0.2 s = 20 s)
    assert proxy.connections == 100


def test_each_exchange_pays_the_round_trip(echo: tuple[str, int]) -> None:
    """A dialogue of 5 request/answer exchanges on one connection takes 5 round trips."""
    [port] = _free_ports(1)
    with (
        WanProxy([Route(PROXY_HOST, port, *echo)], rtt_ms=100),
        socket.create_connection((PROXY_HOST, port), timeout=10) as sock,
    ):
        start = time.perf_counter()
        for i in range(5):
            sock.sendall(b"%d\n" % i)
            assert sock.recv(100) == b"%d\n" % i
        seconds = time.perf_counter() - start
    assert 0.5 <= seconds < 0.9


def test_target_gone_closes_the_client_and_the_proxy_goes_on(echo: tuple[str, int]) -> None:
    [port, dead_port, closed] = _free_ports(3)
    routes = [Route(PROXY_HOST, port, *echo), Route(PROXY_HOST, dead_port, HOST, closed)]
    with WanProxy(routes, rtt_ms=50):
        with socket.create_connection((PROXY_HOST, dead_port), timeout=5) as sock:
            assert sock.recv(10) == b""  # closed: nobody listens behind it
        assert _round_trip(port, b"still here")[1] == b"still here"


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind((PROXY_HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"{PROXY_HOST}:{port}"):
            WanProxy([Route(PROXY_HOST, port, HOST, 9)], rtt_ms=10).start()


def test_routes_file_errors_name_the_route(tmp_path: Path) -> None:
    bad = tmp_path / "routes.json"
    bad.write_text(json.dumps({"routes": [["127.0.0.1:2000", "127.0.0.1:22"], ["nohost", "x"]]}))
    with pytest.raises(RouteError, match=r"routes.json: route 2: 'nohost' is not host:port"):
        load_routes(bad)
    assert main(["--routes", str(bad), "--rtt-ms", "10"]) == 2


def test_as_a_process_from_a_routes_file(echo: tuple[str, int], tmp_path: Path) -> None:
    ports = _free_ports(3)
    routes = write_routes(tmp_path / "routes.json", [Route(PROXY_HOST, p, *echo) for p in ports])
    assert load_routes(routes) == [Route(PROXY_HOST, p, *echo) for p in ports]
    proc = start_proxy(routes, rtt_ms=100)
    try:
        for port in ports:
            seconds, got = _round_trip(port, b"hello")
            assert got == b"hello"
            assert seconds >= 0.1
    finally:
        assert stop_proxy(proc) == 0
