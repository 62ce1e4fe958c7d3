"""Throwaway records databases for tests: SQLite, or PostgreSQL that must be there.

When PostgreSQL cannot be reached the test FAILS with the reason (never skips):
CI must provide it (README, .ci/run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest

from records.testing import PostgresUnavailable, migrated_database

DB_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Parameters for fixtures that run a test on both databases."""


def database_or_fail(
    kind: str,
    directory: Path,
    factory: Callable[[str, Path], AbstractContextManager[str]] = migrated_database,
) -> Iterator[str]:
    """Yield the URL of a throwaway database; fail the test if PostgreSQL is missing.

    Args:
        kind: ``sqlite`` or ``postgresql``.
        directory: Where a SQLite file goes.
        factory: ``records.testing.migrated_database`` or ``empty_database``.

    Yields:
        The database URL (dropped afterwards).
    """
    with ExitStack() as stack:
        try:
            url = stack.enter_context(factory(kind, directory))
        except PostgresUnavailable as error:
            message = str(error)
        else:
            yield url
            return
    pytest.fail(message, pytrace=False)
