"""Fixtures: a real SMTP server (aiosmtpd) on 127.0.0.1, and records databases.

The database fixtures run every test on SQLite and on PostgreSQL; when PostgreSQL
is not reachable the PostgreSQL half FAILS (never skips), as in tests/records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from records.db import make_engine
from tests.databases import DB_KINDS, database_or_fail
from tests.smtpserver import SmtpServer, authenticator, start_smtp


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 and a free port, collecting every message."""
    yield from start_smtp()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """An SMTP server that requires AUTH LOGIN/PLAIN (allowed without TLS, for the test)."""
    yield from start_smtp(authenticator=authenticator, auth_required=True, auth_require_tls=False)


@pytest.fixture(params=DB_KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new records database migrated to head, on SQLite and PostgreSQL."""
    yield from database_or_fail(request.param, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
