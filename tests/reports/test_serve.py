"""The report directory served over real HTTP (a server thread on 127.0.0.1)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.serve import make_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    root = tmp_path / "reports"
    (root / "2026-11").mkdir(parents=True)
    (root / "2026-11" / "laporan a.html").write_text("<h1>Laporan</h1>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("rahasia", encoding="utf-8")
    (root / "keluar.txt").symlink_to(tmp_path / "secret.txt")
    server = make_server(root, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], root
    finally:
        server.shutdown()
        server.server_close()


def _get(port: int, path: str, method: str = "GET") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serves_a_report_file(served: tuple[int, Path]) -> None:
    port, _ = served
    assert _get(port, "/2026-11/laporan%20a.html") == (200, b"<h1>Laporan</h1>")


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/2026-11/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/2026-11/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/..%5csecret.txt",
        "/keluar.txt",  # a symbolic link leading out of the directory
        "/",  # no listing
        "/2026-11/",
    ],
)
def test_refuses_paths_outside_the_directory(served: tuple[int, Path], path: str) -> None:
    port, _ = served
    status, body = _get(port, path)
    assert status == 404, (path, body)
    assert b"rahasia" not in body and b"laporan" not in body


def test_read_only(served: tuple[int, Path]) -> None:
    port, root = served
    for method in ("PUT", "POST", "DELETE"):
        status, _ = _get(port, "/2026-11/laporan%20a.html", method)
        assert status == 501, method
    assert (root / "2026-11" / "laporan a.html").read_text(encoding="utf-8") == "<h1>Laporan</h1>"


def test_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        make_server(tmp_path / "nothing", 0)
