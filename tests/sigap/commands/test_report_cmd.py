"""`sigap report maintenance` through typer's CliRunner (the report sub-app itself)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sigap.commands import report_cmd
from tests.reports.builders import OFFICE_FILE
from tests.reports.conftest import office, seeded_sqlite  # noqa: F401

runner = CliRunner()


def _invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(report_cmd.app, ["maintenance", *args], env=env)


def test_writes_the_files_and_prints_them(seeded_sqlite: tuple[str, Engine], tmp_path: Path):
    url = seeded_sqlite[0]
    out = tmp_path / "out"
    result = _invoke(
        "--month", "2026-11", "--format", "xlsx,html", "--out", str(out),
        "--office", str(OFFICE_FILE), "--database-url", url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11-trend-failed.png",
        "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11-trend-usage.png",
        "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11.html",
        "laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11.xlsx",
    ]
    for name in names:
        assert name in result.output
    assert "4 devices: 3 ok, 1 failed" in result.output


def test_defaults_come_from_the_settings(seeded_sqlite: tuple[str, Engine], tmp_path: Path):
    env = {
        "SIGAP_DATA_DIR": str(tmp_path / "data"),
        "SIGAP_DATABASE_URL": seeded_sqlite[0],
        "SIGAP_OFFICE": str(OFFICE_FILE),
    }
    result = _invoke("--month", "2026-11", "--format", "xlsx", "--lang", "en", env=env)
    assert result.exit_code == 0, result.output
    written = (
        tmp_path / "data" / "reports" / "maintenance-report-kanwil-kemenkumham-malut-2026-11.xlsx"
    )
    assert written.is_file()
    assert openpyxl.load_workbook(written).sheetnames[0] == "Summary"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "month '2026-13'"),
        (["--month", "2026-11", "--format", "docx"], "formats: unknown format 'docx'"),
        (["--month", "2026-11", "--lang", "jv"], "lang: 'jv'"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    seeded_sqlite: tuple[str, Engine], tmp_path: Path, args: list[str], message: str
):
    out = tmp_path / "out"
    result = _invoke(
        *args, "--out", str(out), "--office", str(OFFICE_FILE), "--database-url", seeded_sqlite[0]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_month_without_data_exits_1(seeded_sqlite: tuple[str, Engine], tmp_path: Path):
    out = tmp_path / "out"
    result = _invoke(
        "--month", "2024-02", "--out", str(out), "--office", str(OFFICE_FILE),
        "--database-url", seeded_sqlite[0],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "month 2024-02: no SOP A run" in result.output
    assert not out.exists()


def test_missing_office_file_exits_1(seeded_sqlite: tuple[str, Engine], tmp_path: Path):
    result = _invoke(
        "--month", "2026-11", "--out", str(tmp_path / "out"),
        "--office", str(tmp_path / "nope.yaml"), "--database-url", seeded_sqlite[0],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "office file not found" in result.output


def test_uninitialised_database_exits_2_without_password(tmp_path: Path):
    url = "postgresql+psycopg://sigap:Rahasia123@127.0.0.1:1/none"
    result = _invoke(
        "--month", "2026-11", "--out", str(tmp_path / "out"),
        "--office", str(OFFICE_FILE), "--database-url", url,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Rahasia123" not in result.output
    assert "sigap:***@127.0.0.1" in result.output


def test_help_names_the_command():
    result = runner.invoke(report_cmd.app, ["--help"])
    assert result.exit_code == 0
    assert "maintenance" in result.output


def test_serve_serves_a_written_report_and_refuses_dot_dot(
    seeded_sqlite: tuple[str, Engine], tmp_path: Path
):
    """`sigap report serve` as a user starts it (a real process), then fetched over HTTP."""
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time

    reports = tmp_path / "reports"
    written = _invoke(
        "--month", "2026-11", "--format", "html", "--out", str(reports / "2026-11"),
        "--office", str(OFFICE_FILE), "--database-url", seeded_sqlite[0],
    )  # fmt: skip
    assert written.exit_code == 0, written.output
    (tmp_path / "secret.txt").write_text("rahasia", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[3]
    env = os.environ | {"SIGAP_REPORT_DIR": str(reports), "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from sigap.cli import main; main()", "report", "serve",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def get(path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    try:
        for _ in range(100):
            try:
                status, body = get(
                    "/2026-11/laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11.html"
                )
                break
            except ConnectionRefusedError:
                assert process.poll() is None, process.communicate()
                time.sleep(0.1)
        else:
            pytest.fail("sigap report serve did not answer")
        assert status == 200 and b"LAPORAN PEMELIHARAAN" in body.upper()
        status, body = get("/../secret.txt")
        assert status == 404 and b"rahasia" not in body
        status, body = get("/2026-11/%2e%2e/%2e%2e/secret.txt")
        assert status == 404 and b"rahasia" not in body
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert f"SIGAP_REPORTS_URL=http://127.0.0.1:{port}/" in out
