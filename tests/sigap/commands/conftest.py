"""Fixtures of the CLI tests: the records databases of tests/records (SQLite and PostgreSQL).

A command test that drives a flow imports the flow fixtures it needs
(``tests/flows/conftest.py``, ``tests/flows/assets/conftest.py``) into its own module.
"""

from tests.records.conftest import db_kind, db_url, empty_db_url, engine, session  # noqa: F401
