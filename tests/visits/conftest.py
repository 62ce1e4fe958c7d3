"""Fixtures for SOP B: the flows' office (sahrul is IT officer and Kasub), DB, fast polls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.flows.conftest import (  # noqa: F401  (fixtures shared with the flow tests)
    _fast_flow_settings,
    db_url,
    flow_thread,
    office_file,
)
from tests.smtpserver import SmtpServer, start_smtp


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 and a free port, collecting every message."""
    yield from start_smtp()
