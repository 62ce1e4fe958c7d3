"""Fixtures: every records test runs on SQLite and on PostgreSQL.

PostgreSQL must be running (127.0.0.1:5432, trust auth, or SIGAP_TEST_POSTGRES_URL):
when it is not, the PostgreSQL half of the tests FAILS with a message saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from records.db import make_engine
from records.testing import empty_database, migrated_database
from tests.databases import DB_KINDS, database_or_fail


@pytest.fixture(params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_db_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database (never migrated)."""
    yield from database_or_fail(db_kind, tmp_path, empty_database)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """URL of a new database migrated to head."""
    yield from database_or_fail(db_kind, tmp_path, migrated_database)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
