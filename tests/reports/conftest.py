"""Fixtures: databases holding SOP A months, written with the records helpers.

PostgreSQL must be running (127.0.0.1:5432, trust auth, or SIGAP_TEST_POSTGRES_URL):
when it is not, the PostgreSQL tests FAIL with a message saying so (as in
tests/records/conftest.py), they are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from records.db import make_engine
from sop.office import Office
from tests.databases import database_or_fail
from tests.reports.builders import office as example_office
from tests.reports.builders import seed_all


@pytest.fixture(scope="session")
def office() -> Office:
    return example_office()


def _seeded(kind: str, directory: Path, office: Office) -> Iterator[tuple[str, Engine]]:
    for url in database_or_fail(kind, directory):
        engine = make_engine(url)
        try:
            seed_all(engine, office)
            yield url, engine
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def seeded_sqlite(
    tmp_path_factory: pytest.TempPathFactory, office: Office
) -> Iterator[tuple[str, Engine]]:
    """(URL, engine) of a SQLite database holding June..November 2026 (see builders)."""
    yield from _seeded("sqlite", tmp_path_factory.mktemp("sqlite"), office)


@pytest.fixture(scope="module")
def seeded_postgres(
    tmp_path_factory: pytest.TempPathFactory, office: Office
) -> Iterator[tuple[str, Engine]]:
    """The same records in a throwaway PostgreSQL database."""
    yield from _seeded("postgresql", tmp_path_factory.mktemp("pg"), office)


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """(URL, engine) of a migrated SQLite database without records."""
    for url in database_or_fail("sqlite", tmp_path / "db"):
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()
