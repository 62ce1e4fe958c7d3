"""Serve the report directory over HTTP, read-only, so Prefect artifacts can link to it.

``sigap report serve`` runs :func:`make_server` on 127.0.0.1 (port 4201 by default);
set ``SIGAP_REPORTS_URL`` to its address and the flows' link artifacts point at the
files (:class:`reports.artifacts.ServedReports`). Only files under the directory are
served: a path with ``..``, a symbolic link leading out of it, a directory (no
listings) or any method but GET and HEAD is refused.
"""

from __future__ import annotations

from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_PORT = 4201
"""The port of ``sigap report serve``."""

HOST = "127.0.0.1"
"""Served on the loopback address only."""


class ReportHandler(SimpleHTTPRequestHandler):
    """GET and HEAD of the files under one directory; nothing else."""

    def __init__(self, *args: Any, directory: str, **kwargs: Any) -> None:
        self.root = Path(directory).resolve()
        super().__init__(*args, directory=str(self.root), **kwargs)

    def _inside(self) -> Path | None:
        """The requested file, or None when the path leaves the directory or is no file."""
        raw = unquote(urlsplit(self.path).path)
        parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None
        target = self.root.joinpath(*parts).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        return target if target.is_file() else None

    def send_head(self) -> Any:
        """Answer 404 for anything that is not a file inside the directory."""
        if self._inside() is None:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()


def make_server(directory: Path, port: int = DEFAULT_PORT, host: str = HOST) -> ThreadingHTTPServer:
    """A server of ``directory`` on ``host:port`` (not started: call ``serve_forever``).

    Args:
        directory: The report directory (must exist).
        port: The port (0: any free one, see ``server.server_address``).
        host: The address to bind; the loopback address by default.

    Returns:
        The server.

    Raises:
        FileNotFoundError: ``directory`` is not a directory.
    """
    if not directory.is_dir():
        raise FileNotFoundError(f"report directory {directory} does not exist")
    handler = partial(ReportHandler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)
