"""Throwaway databases for tests, reusable by every test package.

PostgreSQL is reached through an admin URL, by default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` (trust auth), or
``SIGAP_TEST_POSTGRES_URL``. An unreachable server raises
:class:`PostgresUnavailable` with a message telling how to fix it: tests must
fail on it, never skip.

Example ``conftest.py``::

    import pytest
    from records.testing import migrated_database

    @pytest.fixture(params=["sqlite", "postgresql"])
    def db_url(request, tmp_path):
        with migrated_database(request.param, tmp_path) as url:
            yield url
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from records.db import display_url, init_database

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
"""Admin connection used to create and drop test databases."""

UNAVAILABLE_MESSAGE = (
    "PostgreSQL is required for the records tests: start it on 127.0.0.1:5432 "
    "or set SIGAP_TEST_POSTGRES_URL"
)


class PostgresUnavailable(RuntimeError):
    """The test PostgreSQL server cannot be reached."""


def postgres_admin_url(env: Mapping[str, str] | None = None) -> URL:
    """Return the admin URL for test databases.

    Args:
        env: Environment (default: the process environment).

    Returns:
        ``SIGAP_TEST_POSTGRES_URL`` or :data:`DEFAULT_POSTGRES_ADMIN_URL`.

    Examples:
        >>> postgres_admin_url({}).render_as_string()
        'postgresql+psycopg://postgres@127.0.0.1:5432/postgres'
    """
    env = os.environ if env is None else env
    url = make_url(env.get("SIGAP_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_ADMIN_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_postgres_database(
    admin_url: str | URL | None = None, prefix: str = "sigap_test_"
) -> str:
    """Create an empty PostgreSQL database with a random name.

    Args:
        admin_url: Admin connection URL; default :func:`postgres_admin_url`.
        prefix: Start of the database name.

    Returns:
        The URL of the new database (same server and user as ``admin_url``).

    Raises:
        PostgresUnavailable: If the server cannot be reached.
    """
    admin = make_url(admin_url) if admin_url is not None else postgres_admin_url()
    name = f"{prefix}{secrets.token_hex(6)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        raise PostgresUnavailable(
            f"{UNAVAILABLE_MESSAGE} (tried {display_url(admin)}: {error.orig})"
        ) from None
    finally:
        engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str | URL, admin_url: str | URL | None = None) -> None:
    """Drop a test database, terminating its connections first.

    Args:
        url: URL of the database to drop.
        admin_url: Admin connection URL; default :func:`postgres_admin_url`.
    """
    name = make_url(url).database
    admin = make_url(admin_url) if admin_url is not None else postgres_admin_url()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


@contextmanager
def empty_database(kind: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database, removed afterwards.

    Args:
        kind: ``sqlite`` (a file in ``directory``) or ``postgresql`` (a throwaway database).
        directory: Directory for the SQLite file.

    Yields:
        The database URL.

    Raises:
        PostgresUnavailable: If ``kind`` is ``postgresql`` and the server is unreachable.
        ValueError: If ``kind`` is unknown.
    """
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'sigap.db'}"
    elif kind == "postgresql":
        url = create_postgres_database()
        try:
            yield url
        finally:
            drop_postgres_database(url)
    else:
        raise ValueError(f"kind: {kind!r} is not one of sqlite, postgresql")


@contextmanager
def migrated_database(kind: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a new database migrated to head, removed afterwards.

    Args:
        kind: ``sqlite`` or ``postgresql``.
        directory: Directory for the SQLite file.

    Yields:
        The database URL.
    """
    with empty_database(kind, directory) as url:
        init_database(url)
        yield url
