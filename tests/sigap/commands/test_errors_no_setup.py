"""Commands started before anything is set up: no database, no office, no inventory.

Every one prints one line naming what is missing and what to run, exits non-zero,
shows no traceback and creates nothing (no SQLite file, no rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from records.db import current_revision, downgrade, make_engine, session_scope
from records.models import CollectionRun
from records.testing import empty_database, migrated_database
from tests.cli_run import run_cli as _run
from tests.databases import DB_KINDS, database_or_fail

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory: no database, office or inventory."""
    data = tmp_path / "data"
    monkeypatch.setenv("SIGAP_DATA_DIR", str(data))
    for name in ("SIGAP_DATABASE_URL", "SIGAP_OFFICE", "SIGAP_INVENTORY"):
        monkeypatch.delenv(name, raising=False)
    return data


def _commands(tmp: Path) -> list[list[str]]:
    photo = tmp / "foto.png"
    photo.write_bytes(PNG)
    return [
        ["collect"],
        ["asset", "list"],
        ["asset", "import", str(EXAMPLES / "assets" / "aset.csv")],
        ["asset", "export", str(tmp / "out.xlsx")],
        ["asset", "reconcile"],
        ["approvals", "list"],
        ["incident", "list"],
        ["incident", "attach", "INC-2026-0001", str(photo), "--as", "made"],
        ["hosts", "list"],
        ["config", "history", "sw1"],
        ["report", "maintenance", "--month", "2026-11"],
        ["report", "kerusakan", "--month", "2026-11"],
        ["visit", "list"],
        ["run", "maintenance", "--here"],
    ]


def test_before_init_every_command_says_run_sigap_init_and_creates_nothing(
    fresh: Path, tmp_path: Path
) -> None:
    for args in _commands(tmp_path):
        code, out = _run(*args)
        assert code == 2, (args, out)
        assert f"database sqlite:///{fresh}/sigap.db does not exist yet" in out, (args, out)
        assert "run `sigap init`" in out, (args, out)
        assert len(out.strip().splitlines()) == 1, (args, out)
        assert not fresh.exists(), f"{args} created {fresh}"
    assert not (tmp_path / "out.xlsx").exists()


@pytest.fixture(params=DB_KINDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_or_fail(request.param, tmp_path, empty_database)


def test_database_without_tables_names_sigap_init_and_stays_empty(empty_url: str) -> None:
    engine = make_engine(empty_url)  # the SQLite file exists, with no table in it
    engine.connect().close()
    engine.dispose()
    for args in (["asset", "list"], ["approvals", "list"], ["collect", "-i", "nope"]):
        code, out = _run(*args, "--database-url", empty_url)
        assert code == 2, out
        assert "has no SIGAP tables yet: run `sigap init`" in out
    assert current_revision(empty_url) is None


@pytest.fixture(params=DB_KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_or_fail(request.param, tmp_path, migrated_database)


def test_older_schema_says_run_sigap_init_and_is_not_migrated(db_url: str) -> None:
    downgrade(db_url, "0007")
    code, out = _run("asset", "list", "--database-url", db_url)
    assert code == 2, out
    assert "is at schema 0007, this SIGAP needs 0010: run `sigap init` to migrate it" in out
    assert current_revision(db_url) == "0007"
    code, out = _run("init", "--database-url", db_url)
    assert code == 0, out
    assert _run("asset", "list", "--database-url", db_url)[0] == 0


def test_unreachable_postgresql_is_one_line_without_password() -> None:
    url = "postgresql+psycopg://sigap:Rahasia123@127.0.0.1:1/sigap"
    for args in (["asset", "list"], ["approvals", "list"], ["incident", "list"]):
        code, out = _run(*args, "--database-url", url)
        assert code == 2, out
        assert out.startswith("error: database postgresql+psycopg://sigap:***@127.0.0.1:1/sigap")
        assert "cannot connect" in out
        assert "Rahasia123" not in out
        assert len(out.strip().splitlines()) == 1, out


def test_unparseable_url_is_one_line() -> None:
    code, out = _run("asset", "list", "--database-url", "nonsense")
    assert code == 2
    assert out == (
        "error: database (unparseable URL): Could not parse SQLAlchemy URL from given URL string\n"
    )


def _runs(url: str) -> int:
    engine = make_engine(url)
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(CollectionRun)) or 0
    engine.dispose()
    return count


def test_no_inventory_and_no_office_name_the_file(db_url: str, fresh: Path) -> None:
    code, out = _run("collect", "--database-url", db_url)
    assert code == 1, out
    assert f"{fresh}/inventory: inventory directory not found" in out
    assert _runs(db_url) == 0
    for args in (
        ["incident", "list"],
        ["visit", "list"],
        ["report", "maintenance", "--month", "2026-11", "--out", str(fresh / "r")],
        ["asset", "evaluate", "--period", "2026", "--here"],
        [
            "run",
            "monitoring",
            "--here",
            "--office",
            str(EXAMPLES / "offices" / "kominfosanti-buleleng.yaml"),
        ],
    ):
        code, out = _run(*args, "--database-url", db_url)
        assert code == 1, (args, out)
        assert (
            "office.yaml: office file not found" in out or "inventory directory not found" in out
        ), (args, out)
        assert "nothing was changed" in out, (args, out)
    assert _runs(db_url) == 0
    assert not fresh.exists()  # no report directory, no evidence store, nothing


def test_bad_setting_is_one_line(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGAP_MAX_SESSIONS", "banyak")
    code, out = _run("inventory", "check", str(EXAMPLES / "inventory"))
    assert code == 2
    assert out == "error: SIGAP_MAX_SESSIONS: must be a whole number of at least 1, not 'banyak'\n"
