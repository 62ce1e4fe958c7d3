"""Engines and URLs of the records package (its doctests run with the suite)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from config.settings import load_settings
from records.db import display_url, init_database, make_engine, resolve_url
from records.testing import PostgresUnavailable, create_postgres_database, drop_postgres_database


def test_sqlite_engine_creates_directory_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "sigap.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert path.exists()
    finally:
        engine.dispose()


def test_default_url_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("SIGAP_DATA_DIR", str(tmp_path / "data"))
    result = init_database(load_settings().database_url)
    assert result.url == f"sqlite:///{tmp_path}/data/sigap.db"
    assert (tmp_path / "data" / "sigap.db").exists()


def test_password_is_hidden_in_urls_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql://sigap:Rahasia-123@127.0.0.1:5432/sigap"
    assert display_url(url) == "postgresql://sigap:***@127.0.0.1:5432/sigap"
    assert resolve_url(url).drivername == "postgresql+psycopg"
    caplog.set_level(logging.DEBUG, logger="records")
    engine = make_engine(url)
    assert "Rahasia-123" not in display_url(engine)
    engine.dispose()
    assert "sigap:***@" in caplog.text
    assert "Rahasia-123" not in caplog.text


def test_unreachable_postgres_says_how_to_fix_it() -> None:
    with pytest.raises(PostgresUnavailable) as error:
        create_postgres_database("postgresql+psycopg://postgres:pw-xyz@127.0.0.1:1/postgres")
    message = str(error.value)
    assert "PostgreSQL is required for the records tests" in message
    assert "SIGAP_TEST_POSTGRES_URL" in message
    assert "pw-xyz" not in message


@pytest.mark.postgres
def test_throwaway_postgres_database_is_dropped() -> None:
    try:
        url = create_postgres_database()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    engine = make_engine(url)
    connection = engine.connect()  # an open connection must not block the drop
    connection.execute(text("SELECT 1"))
    drop_postgres_database(url)
    connection.invalidate()
    engine.dispose()
    engine = make_engine(url)
    try:
        with pytest.raises(OperationalError, match="does not exist"):
            engine.connect()
    finally:
        engine.dispose()
