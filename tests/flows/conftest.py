"""Fixtures for the SOP flows: an office whose people can approve, fast polling, a records DB."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from prefect.client.orchestration import get_client

from records.db import init_database
from tests.pauses import is_paused, resume_paused, wait_for, wait_until_paused
from tests.smtpserver import SmtpServer, start_smtp

__all__ = ["is_paused", "resume_paused", "wait_for", "wait_until_paused"]

EXAMPLE_OFFICE = (
    Path(__file__).resolve().parents[2] / "examples/offices/kanwil-kemenkumham-malut.yaml"
)


@pytest.fixture
def office_file(tmp_path: Path) -> Path:
    """The Maluku Utara example office; sahrul (IT officer) is also a Kasubag here,
    so separation of duties can be tested. Demo codes: ``demo-<username>`` (the
    example's managers use TOTP; here everyone has the demo code)."""
    path = office_with_demo_codes(
        "kanwil-kemenkumham-malut", tmp_path, {"sahrul": ["it_officer", "kasubag"]}
    )
    return path.rename(tmp_path / "office.yaml")


def office_with_demo_codes(
    example: str, folder: Path, roles: dict[str, list[str]] | None = None
) -> Path:
    """A copy of ``examples/offices/<example>.yaml`` where everyone has the demo code.

    Args:
        example: The example office's file name without ``.yaml``.
        folder: Where to write the copy.
        roles: Usernames whose roles are replaced (e.g. to test separation of duties).

    Returns:
        The copy's path; each person's approval code is ``demo-<username>``.
    """
    from sop.codes import hash_code

    data = yaml.safe_load((EXAMPLE_OFFICE.parent / f"{example}.yaml").read_text())
    for person in data["people"]:
        person["approval"] = {"code_hash": hash_code(f"demo-{person['username']}")}
        person["roles"] = (roles or {}).get(person["username"], person["roles"])
    path = folder / f"{example}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    init_database(url)
    return url


@pytest.fixture(autouse=True)
def _fast_flow_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come from the environment, as in production; short polls for tests."""
    monkeypatch.setenv("SIGAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SIGAP_APPROVAL_POLL", "1")
    monkeypatch.setenv("SIGAP_SLA_WATCH", "1")
    monkeypatch.setenv("SIGAP_DEVICE_TIME_LIMIT", "20")
    monkeypatch.delenv("SIGAP_SMTP_HOST", raising=False)


class FlowThread:
    """A flow called in a background thread, as a worker would run it."""

    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, kwargs), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        try:
            self.result = fn(**kwargs)
        except BaseException as exc:  # handed to the test
            self.error = exc

    def join(self, timeout: float) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the flow did not finish in time"
        if self.error is not None:
            raise self.error
        return self.result

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def run_inputs(flow_run_id: str) -> list[str]:
    """Every input value the Prefect server holds for a flow run."""
    with get_client(sync_client=True) as client:
        found = client.filter_flow_run_input(
            UUID(flow_run_id), key_prefix="paused-", limit=500, exclude_keys=set()
        )
    return [item.value for item in found]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 and a free port, collecting every message."""
    yield from start_smtp()


@pytest.fixture
def flow_thread() -> Iterator[Callable[..., FlowThread]]:
    started: list[FlowThread] = []

    def start(fn: Callable[..., Any], **kwargs: Any) -> FlowThread:
        thread = FlowThread(fn, **kwargs)
        started.append(thread)
        return thread

    yield start
