"""`sigap init` and `sigap db-status` on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import make_url
from typer.testing import CliRunner

from records.db import current_revision, head_revision
from sigap.cli import app

runner = CliRunner()


def test_init_then_status(empty_db_url: str) -> None:
    shown = make_url(empty_db_url).render_as_string(hide_password=True)
    status = runner.invoke(app, ["db-status", "--database-url", empty_db_url])
    assert status.exit_code == 1, status.output
    assert "none (empty database)" in status.output

    first = runner.invoke(app, ["init", "--database-url", empty_db_url])
    assert first.exit_code == 0, first.output
    assert f"database: {shown}" in first.output
    assert f"migrated: empty -> {head_revision()} (head)" in first.output
    assert current_revision(empty_db_url) == head_revision()

    second = runner.invoke(app, ["init", "--database-url", empty_db_url])
    assert second.exit_code == 0, second.output
    assert f"already at head: {head_revision()}" in second.output

    status = runner.invoke(app, ["db-status", "--database-url", empty_db_url])
    assert status.exit_code == 0, status.output
    assert f"current:  {head_revision()}" in status.output
    assert "up to date" in status.output


def test_init_reads_sigap_database_url(empty_db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("SIGAP_DATABASE_URL", empty_db_url)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert current_revision(empty_db_url) == head_revision()


def test_password_in_url_is_never_printed(empty_db_url: str, db_kind: str) -> None:
    secret = "Sangat-Rahasia-42"
    if db_kind == "postgresql":
        # the test server trusts local connections, so the password is accepted and ignored
        url = make_url(empty_db_url).set(password=secret).render_as_string(hide_password=False)
    else:
        url = empty_db_url
    for args in (["init"], ["db-status"]):
        result = runner.invoke(app, [*args, "--database-url", url])
        assert result.exit_code == 0, result.output
        assert secret not in result.output
    if db_kind == "postgresql":
        assert ":***@" in result.output


def test_unreachable_database_fails_without_showing_the_password() -> None:
    url = "postgresql+psycopg://sigap:Sangat-Rahasia-42@127.0.0.1:1/sigap"
    for command in ("init", "db-status"):
        result = runner.invoke(app, [command, "--database-url", url])
        assert result.exit_code == 2
        assert "error: database postgresql+psycopg://sigap:***@127.0.0.1:1/sigap" in result.output
        assert "Sangat-Rahasia-42" not in result.output


def test_database_at_unknown_revision_is_reported(db_url: str) -> None:
    from sqlalchemy import text

    from records.db import make_engine

    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    status = runner.invoke(app, ["db-status", "--database-url", db_url])
    assert status.exit_code == 1
    assert "unknown revision" in status.output
    init = runner.invoke(app, ["init", "--database-url", db_url])
    assert init.exit_code == 2
    assert "Can't locate revision identified by 'ffff'" in init.output
