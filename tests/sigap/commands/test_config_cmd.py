"""`sigap config history|diff` on SQLite and PostgreSQL databases filled through records.

PostgreSQL must be running (127.0.0.1:5432, trust auth, or SIGAP_TEST_POSTGRES_URL):
when it is not, the PostgreSQL half of these tests FAILS with a message saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from records.collection_runs import finish_collection_run, start_collection_run
from records.config_history import config_text, config_versions
from records.db import make_engine, session_scope
from records.devices import upsert_device
from records.models import DeviceSnapshot
from records.snapshots import add_snapshot
from records.testing import PostgresUnavailable, migrated_database
from sigap.commands.config_cmd import app
from sop.configs import prepare_backup

runner = CliRunner()
CONFIGS = Path(__file__).parents[2] / "sop" / "configs"
IOS = (CONFIGS / "cisco_ios_running.txt").read_text()
SECRETS = ("$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "Publ1cKanwil", "PlainVtyPass", "RadiusRahasia99")
T0 = datetime(2024, 1, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new database migrated to head (same pattern as tests/records/conftest.py)."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(migrated_database(request.param, tmp_path))
        except PostgresUnavailable as error:
            message = str(error)
        else:
            yield url
            return
    pytest.fail(message, pytrace=False)


def retimed(text: str, when: str, clock: int) -> str:
    """The same configuration as printed at another time (volatile lines differ)."""
    text = text.replace("09:14:22 WIB Mon Jan 8 2024", when)
    return text.replace("ntp clock-period 36028797", f"ntp clock-period {clock}")


# What each collection run found on sw1: (outcome, raw running config or None)
VLAN_DMZ = IOS.replace("vlan 20\n name SERVER", "vlan 20\n name DMZ")
RUNS = [
    ("ok", IOS),  # v1
    ("ok", retimed(IOS, "10:00:00 WIB Tue Jan 9 2024", 36028801)),  # same config: no version
    ("unreachable", None),
    ("ok", retimed(VLAN_DMZ, "11:30:00 WIB Wed Jan 10 2024", 36028811)),  # v2
    ("truncated", None),  # the collection stores no text for a truncated config
    ("ok", retimed(IOS, "08:00:00 WIB Fri Jan 12 2024", 36028822)),  # back to v1's text: v3
]


@dataclass
class Filled:
    url: str
    run_ids: list[int]


@pytest.fixture
def filled(db_url: str) -> Iterator[Filled]:
    engine = make_engine(db_url)
    run_ids = []
    with session_scope(engine) as session:
        sw1 = upsert_device(session, "sw1", address="10.10.10.2", platform="cisco_ios")
        upsert_device(session, "sw-baru", address="10.10.10.9", platform="cisco_ios")
        for number, (outcome, raw) in enumerate(RUNS):
            when = T0 + timedelta(days=number)
            run = start_collection_run(session, trigger="schedule", started_at=when)
            backup = prepare_backup(raw, None, "cisco_ios") if raw is not None else None
            add_snapshot(
                session,
                run,
                sw1,
                outcome=outcome,
                collected_at=when + timedelta(seconds=30),
                error=None if outcome == "ok" else outcome,
                config_running=backup.running if backup else None,
            )
            finish_collection_run(session, run, finished_at=when + timedelta(minutes=1))
            run_ids.append(run.id)
    engine.dispose()
    yield Filled(db_url, run_ids)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_versions_count_only_changed_configs(filled: Filled) -> None:
    engine = make_engine(filled.url)
    with Session(engine) as session:
        versions = config_versions(session, "sw1")
        stored = session.scalars(select(DeviceSnapshot.config_running)).all()
        assert [v.version for v in versions] == [1, 2, 3]
        assert [v.run_id for v in versions] == [filled.run_ids[i] for i in (0, 3, 5)]
        assert [v.collected_at for v in versions] == [
            T0 + timedelta(days=i, seconds=30) for i in (0, 3, 5)
        ]
        assert versions[0].hash == versions[2].hash != versions[1].hash
        assert [v.changed_lines for v in versions] == [None, 2, 2]
        assert "name DMZ" in config_text(session, "sw1", 2)
        assert config_versions(session, "sw-baru") == []
    engine.dispose()
    for text in stored:  # secrets never reach the database
        assert not any(secret in (text or "") for secret in SECRETS)


def test_history_table(filled: Filled) -> None:
    code, out = invoke("history", "sw1", "--database-url", filled.url)
    assert code == 0, out
    assert "configuration history of sw1" in out
    rows = [
        line.replace("│", " ").split() for line in out.splitlines() if line.strip()[:1].isdigit()
    ]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [row[1] for row in rows] == [
        "2024-01-08T02:00:30+00:00",
        "2024-01-11T02:00:30+00:00",
        "2024-01-13T02:00:30+00:00",
    ]
    assert [row[2] for row in rows] == [str(filled.run_ids[i]) for i in (0, 3, 5)]
    assert rows[0][3] == rows[2][3] != rows[1][3] and len(rows[0][3]) == 12
    lines = str(len(prepare_backup(IOS, None, "cisco_ios").running.splitlines()))
    assert [row[4] for row in rows] == [lines, lines, lines]
    assert [row[5] for row in rows] == ["-", "2", "2"]


def test_diff_default_is_previous_against_latest(filled: Filled) -> None:
    code, out = invoke("diff", "sw1", "--database-url", filled.url)
    assert code == 0, out
    assert "--- sw1 v2 (2024-01-11T02:00:30+00:00)" in out
    assert "+++ sw1 v3 (2024-01-13T02:00:30+00:00)" in out
    changes = [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert changes == ["- name DMZ", "+ name SERVER"]
    assert "ntp clock-period" not in out and "Last configuration change" not in out
    assert not any(secret in out for secret in SECRETS)


def test_diff_between_named_versions(filled: Filled) -> None:
    code, out = invoke("diff", "sw1", "--from", "1", "--to", "2", "--database-url", filled.url)
    assert code == 0, out
    assert "--- sw1 v1 (" in out and "+++ sw1 v2 (" in out
    assert "- name SERVER" in out and "+ name DMZ" in out

    code, out = invoke("diff", "sw1", "--to", "2", "--database-url", filled.url)
    assert code == 0 and "--- sw1 v1 (" in out

    code, out = invoke("diff", "sw1", "--from", "1", "--to", "3", "--database-url", filled.url)
    assert code == 0, out
    assert out == "sw1: v1 and v3 are identical\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "sw9"], "error: no device named 'sw9' in the records"),
        (["diff", "sw9"], "error: no device named 'sw9' in the records"),
        (
            ["diff", "sw1", "--to", "4"],
            "sw1 has configuration versions 1..3; there is no version 4",
        ),
        (["diff", "sw1", "--from", "7"], "there is no version 7"),
        (["diff", "sw1", "--to", "1"], "sw1 v1 is the oldest configuration; nothing before it"),
        (["diff", "sw-baru"], "error: sw-baru has no stored configuration yet"),
    ],
)
def test_unknown_host_or_version_exits_1(filled: Filled, args: list[str], message: str) -> None:
    code, out = invoke(*args, "--database-url", filled.url)
    assert code == 1, out
    assert message in out


def test_device_without_configs_has_an_empty_history(filled: Filled) -> None:
    code, out = invoke("history", "sw-baru", "--database-url", filled.url)
    assert code == 0, out
    assert out == "sw-baru: no configuration stored yet\n"


def test_database_not_initialised_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kosong.db'}"
    code, out = invoke("history", "sw1", "--database-url", url)
    assert code == 2
    assert "run `sigap init`" in out


def test_help_texts() -> None:
    for args in (["--help"], ["history", "--help"], ["diff", "--help"]):
        code, out = invoke(*args)
        assert code == 0, out
    assert "--from" in invoke("diff", "--help")[1]
    assert "--database-url" in invoke("history", "--help")[1]


def test_diff_on_a_terminal_is_coloured(filled: Filled, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats the output as a colour terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out = invoke("diff", "sw1", "--database-url", filled.url)
    assert code == 0, out
    assert "\x1b[" in out
    plain = [line for line in out.splitlines() if "name DMZ" in line or "name SERVER" in line]
    assert len(plain) == 2 and all("\x1b[" in line for line in plain)
