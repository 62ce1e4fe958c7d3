"""A Prefect server SIGAP starts has Prefect's analytics off without the user setting it."""

from __future__ import annotations

import pytest

from sigap.prefect_server import SERVER_ENV, server_env


def test_server_started_by_sigap_has_analytics_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    assert server_env()["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in SERVER_ENV.read_text().splitlines()
