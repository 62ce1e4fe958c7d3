"""Find or start the local Prefect server SIGAP's commands talk to."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_URL = "http://127.0.0.1:4200/api"
SERVER_ENV = Path(__file__).resolve().parent.parent / "deployments" / "server.env"


def api_url() -> str:
    """The Prefect API address in use (Prefect's ``PREFECT_API_URL`` or the local default).

    Returns:
        The URL.
    """
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or DEFAULT_API_URL


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check.

    Args:
        url: The API address, ending in ``/api``.
        timeout: Seconds to wait.

    Returns:
        True if it answered.
    """
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


SERVER_FILE = "prefect-api.url"
"""File in the data dir naming the Prefect API that ``make demo`` or ``sigap serve`` runs."""


def record_server(data_dir: Path, url: str) -> Path:
    """Note in the data dir which Prefect API the demo or ``sigap serve`` runs.

    Args:
        data_dir: SIGAP's data directory.
        url: The API address, ending in ``/api``.

    Returns:
        The file written (:data:`SERVER_FILE`).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SERVER_FILE
    path.write_text(url.strip() + "\n")
    return path


def apply_prefect_defaults(env: MutableMapping[str, str], data_dir: Path | None) -> str | None:
    """Prefect settings SIGAP's commands default to, for a shell that set none.

    Analytics of a Prefect server SIGAP starts are off. Without ``PREFECT_API_URL``
    a flow run in this process (``sigap collect``, ``sigap run ... --here``) would
    start a temporary Prefect server of its own and its runs would vanish with it;
    when the data dir names the server the demo or ``sigap serve`` runs
    (:data:`SERVER_FILE`) and that server answers, it is used instead. Must run
    before Prefect is imported: Prefect reads its settings once.

    Args:
        env: The environment to complete (``os.environ`` at the entry point).
        data_dir: SIGAP's data directory, or ``None`` if it is unknown.

    Returns:
        The API address set, or ``None`` when ``PREFECT_API_URL`` was left as it was.
    """
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if env.get("PREFECT_API_URL") or data_dir is None:
        return None
    try:
        url = (data_dir / SERVER_FILE).read_text().strip()
    except OSError:
        return None
    if not url.startswith(("http://", "https://")) or not is_healthy(url, timeout=1.0):
        return None
    env["PREFECT_API_URL"] = url
    return url


def server_env() -> dict[str, str]:
    """SIGAP's Prefect server settings (``deployments/server.env``) over the environment.

    Returns:
        The environment for ``prefect server start``.
    """
    env = dict(os.environ)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if SERVER_ENV.exists():
        for line in SERVER_ENV.read_text().splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                env.setdefault(key.strip(), value.strip().strip('"'))
    return env


@dataclass
class LocalServer:
    """A Prefect server this process started (``prefect server start``), to stop at the end.

    Attributes:
        process: The server's process, leader of its own session and process group.
        url: Its API address.
    """

    process: subprocess.Popen[bytes]
    url: str

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server and every process of its group: SIGTERM, then SIGKILL.

        Args:
            timeout: Seconds to wait after SIGTERM.
        """
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.process.poll()  # reap the leader, or the group looks alive
                if not _group_alive(self.process.pid):
                    return
                time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_server(
    url: str | None = None, wait: float = 90.0, log_file: Path | None = None
) -> tuple[str, LocalServer | None]:
    """Use the Prefect server at ``url``, starting a local one (SQLite) if none answers.

    A server started here runs as a child in a session of its own (a Ctrl-C at the
    terminal does not stop it before the flow runs that use it); the caller stops it
    with :meth:`LocalServer.stop`.

    Args:
        url: The API address (default: :func:`api_url`).
        wait: Seconds to wait for a started server.
        log_file: Where a started server writes its output (default: nowhere).

    Returns:
        The API address, also set as ``PREFECT_API_URL`` for this process, and the
        server started here (``None``: one was already answering).

    Raises:
        RuntimeError: No server answers and none could be started here.
    """
    url = url or api_url()
    os.environ["PREFECT_API_URL"] = url
    if is_healthy(url):
        return url, None
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise RuntimeError(f"the Prefect API at {url} does not answer (PREFECT_API_URL)")
    return url, start_server(url, server_env(), wait=wait, log_file=log_file)


def start_server(
    url: str,
    env: Mapping[str, str],
    *,
    host: str = "127.0.0.1",
    wait: float = 90.0,
    log_file: Path | None = None,
) -> LocalServer:
    """Start ``prefect server start`` on ``url``'s port and wait until it answers there.

    The server runs as a child in a session of its own; the caller stops it with
    :meth:`LocalServer.stop`.

    Args:
        url: Its API address on this machine (``http://127.0.0.1:<port>/api``).
        env: Its environment (:func:`server_env` and what the caller adds).
        host: The address it listens on (``0.0.0.0``: every address of the machine).
        wait: Seconds to wait for it to answer.
        log_file: Where it writes its output (default: nowhere).

    Returns:
        The server.

    Raises:
        RuntimeError: It did not answer in time (it is stopped then).
    """
    port = url.split(":")[2].split("/")[0]
    prefect = Path(sys.executable).with_name("prefect")
    output = log_file.open("ab") if log_file is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            [str(prefect), "server", "start", "--host", host, "--port", port],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log_file is not None and not isinstance(output, int):
            output.close()
    server = LocalServer(process, url)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if is_healthy(url):
            return server
        if process.poll() is not None:
            break
        time.sleep(0.5)
    server.stop()
    where = f" (its output: {log_file})" if log_file is not None else ""
    raise RuntimeError(
        f"started a Prefect server, but {url} did not answer within {wait:g} s{where}"
    )


@contextmanager
def using_api(url: str | None = None) -> Iterator[str]:
    """Make Prefect's client talk to ``url`` (default :func:`api_url`) within the block.

    Without ``PREFECT_API_URL`` Prefect would start a temporary server of its own;
    SIGAP's commands mean the local server that ``sigap serve`` and ``make demo`` run.

    Args:
        url: The API address.

    Yields:
        The address in use.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = url or api_url()
    with temporary_settings({PREFECT_API_URL: url}):
        yield url
