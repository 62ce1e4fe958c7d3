"""A Prefect server SIGAP starts has Prefect's analytics off without the user setting it;
the commands use the demo's server only while it answers (positive case: test_fresh_shell)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigap.prefect_server import SERVER_ENV, apply_prefect_defaults, record_server, server_env


def test_server_started_by_sigap_has_analytics_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    assert server_env()["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in SERVER_ENV.read_text().splitlines()


def test_commands_default_to_no_analytics_and_leave_a_set_api_url(tmp_path: Path) -> None:
    record_server(tmp_path, "http://127.0.0.1:1/api")  # nothing listens on port 1
    env: dict[str, str] = {}
    assert apply_prefect_defaults(env, tmp_path) is None  # a server that does not answer
    assert env == {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    mine = {"PREFECT_API_URL": "http://prefect.kantor.example:4200/api"}
    assert apply_prefect_defaults(mine, tmp_path) is None
    assert mine["PREFECT_API_URL"] == "http://prefect.kantor.example:4200/api"
    empty = tmp_path / "no-demo"
    assert apply_prefect_defaults({}, empty) is None  # no demo: Prefect's own default
    assert not empty.exists()
