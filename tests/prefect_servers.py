"""A real ``prefect server start`` on a PostgreSQL database created for the test.

The production set-up of the sites (docs/deployments.md, *Situs*) is a central
Prefect server on PostgreSQL that workers elsewhere reach: this starts one, with
SIGAP's server settings (``deployments/server.env``), on a database created on the
test PostgreSQL (``records.testing``, trust auth for ``postgres`` on 127.0.0.1) and
dropped afterwards. It listens on ``host`` (``0.0.0.0`` so that processes in other
network namespaces reach it over their veth pair). When PostgreSQL is missing the
test fails (never skips).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url

from records.testing import PostgresUnavailable, create_postgres_database, drop_postgres_database
from sigap.prefect_server import LocalServer, server_env, start_server
from tests.processes import free_port


@contextmanager
def prefect_server_on_postgres(folder: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Start a Prefect server on a throwaway PostgreSQL database.

    Args:
        folder: Its home and log (``prefect-server.log``).
        host: Address it listens on.

    Yields:
        The API address on 127.0.0.1 (``http://127.0.0.1:<port>/api``); on another
        address of this machine it is the same port.
    """
    try:
        database = create_postgres_database(prefix="sigap_prefect_")
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    async_url = make_url(database).set(drivername="postgresql+asyncpg")
    env = {
        **server_env(),
        "PREFECT_HOME": str(folder / "prefect-home"),
        "PREFECT_API_URL": url,
        "PREFECT_API_DATABASE_CONNECTION_URL": async_url.render_as_string(hide_password=False),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    server: LocalServer | None = None
    try:
        server = started_server(folder, url, env, host)
        yield url
    finally:
        if server is not None:
            server.stop()
        drop_postgres_database(database)


def started_server(
    folder: Path, url: str, env: dict[str, str], host: str = "127.0.0.1"
) -> LocalServer:
    """``prefect server start`` (:func:`sigap.prefect_server.start_server`), for a test.

    Args:
        folder: Where its output goes (``prefect-server.log``).
        url: Its API address on 127.0.0.1.
        env: Its environment.
        host: Address it listens on.

    Returns:
        The server, answering; stop it with :meth:`LocalServer.stop`.

    Raises:
        AssertionError: It did not start (with its output's last lines).
    """
    log = folder / "prefect-server.log"
    try:
        return start_server(url, env, host=host, wait=120, log_file=log)
    except RuntimeError as error:
        raise AssertionError(f"{error}: {log.read_text()[-4000:]}") from None
