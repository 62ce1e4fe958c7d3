"""A Prefect server with its UI, started for a browser test, and a headless Chromium on it.

The session's Prefect server (``prefect_test_harness``) serves no UI, so the browser
test starts ``prefect server start`` of its own (SQLite in a temporary folder, UI on,
analytics off) and drives Debian's ``chromium`` with ``chromedriver`` through Selenium.
Both are real: nothing here is mocked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.prefect_servers import started_server
from tests.processes import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def prefect_server_with_ui(folder: Path) -> Iterator[str]:
    """Start a Prefect server with its UI on a free loopback port.

    Args:
        folder: Where its home, database and output go.

    Yields:
        The API address (``http://127.0.0.1:<port>/api``); the UI is at the same
        address without ``/api``.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(folder / "prefect-home"),
        "PREFECT_API_URL": url,
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{folder / 'prefect.db'}",
        "PREFECT_SERVER_UI_ENABLED": "true",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": url,
    }
    server = started_server(folder, url, env)
    try:
        yield url
    finally:
        server.stop()


@contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium, headless, driven by its chromedriver.

    Args:
        width: Window width in pixels.
        height: Window height in pixels.

    Yields:
        The Selenium driver.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--lang=id-ID",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
