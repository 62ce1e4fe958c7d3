"""A manager answers a paused SOP run in the Prefect UI, in a real browser.

Real parts: ``prefect server start`` with its UI (the current UI, ``/v2``), Debian's
Chromium driven headless by chromedriver (Selenium), the SOP D6 flow run by a separate
Python process as a worker runs it, SQLite records. The Kasi opens the paused run,
presses *Resume*, types a wrong code and sees the refusal (tag ``ditolak``, the form
starting with ``DITOLAK``), answers with the right code and sees the next step (the
Kadis's decision) waiting, tagged for the Kadis, with her answer shown as an artifact.
Screenshots of every view are kept in the test's folder (``pytest --basetemp``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.settings import PREFECT_API_URL, temporary_settings
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from records.db import make_engine, session_scope
from records.models import RefusedApproval, SopRun, StepLog
from tests.flows.assets.conftest import add
from tests.flows.conftest import office_with_demo_codes
from tests.pauses import wait_for
from tests.prefect_ui import chromium, prefect_server_with_ui

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ui_api(tmp_path: Path) -> Iterator[str]:
    """A Prefect server with its UI; Prefect's client talks to it within the test."""
    with prefect_server_with_ui(tmp_path) as url, temporary_settings({PREFECT_API_URL: url}):
        yield url


def _paused_run(db_url: str, step: int) -> str | None:
    """The flow run id once SOP D6 waits at ``step`` and Prefect has the run PAUSED."""
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            row = session.execute(
                select(SopRun.flow_run_id)
                .join(StepLog, StepLog.sop_run_id == SopRun.id)
                .where(StepLog.status == "waiting", StepLog.step_number == step)
            ).first()
    finally:
        engine.dispose()
    if row is None or not row[0]:
        return None
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(str(row[0])))
    return str(row[0]) if run.state is not None and run.state.is_paused() else None


def _refusals(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(RefusedApproval)) or 0)
    finally:
        engine.dispose()


def _open_resume_form(driver: WebDriver, run_url: str, shots: Path, name: str) -> str:
    """Open the run's page, *Resume* from its menu; the dialog's text (screenshot kept)."""
    driver.get(run_url)
    wait = WebDriverWait(driver, 30)
    wait.until(ec.element_to_be_clickable((By.XPATH, "//button[normalize-space()='Open menu']")))
    driver.save_screenshot(str(shots / f"{name}-run.png"))
    driver.find_element(By.XPATH, "//button[normalize-space()='Open menu']").click()
    wait.until(
        ec.element_to_be_clickable((By.XPATH, "//*[@role='menuitem'][normalize-space()='Resume']"))
    ).click()
    dialog = wait.until(
        ec.visibility_of_element_located(
            (By.XPATH, "//*[@role='dialog'][.//button[normalize-space()='Resume']]")
        )
    )
    wait.until(lambda d: "SOP D6" in dialog.text)
    driver.save_screenshot(str(shots / f"{name}-form.png"))
    return str(dialog.text)


def _tags_shown(driver: WebDriver) -> set[str]:
    """SIGAP's tags shown on the page (elements whose whole text is one tag, not log lines)."""
    found = driver.find_elements(
        By.XPATH, "//*[starts-with(normalize-space(), 'menunggu:') or normalize-space()='ditolak']"
    )
    return {e.text.strip() for e in found if e.text.strip().count(" ") == 0}


def _fill_and_resume(driver: WebDriver, values: list[str], code: str) -> None:
    """Type into the form's text fields in order, the code into the masked field; Resume."""
    dialog = driver.find_element(
        By.XPATH, "//*[@role='dialog'][.//button[normalize-space()='Resume']]"
    )
    boxes = dialog.find_elements(By.CSS_SELECTOR, "textarea, input[type=text]")
    assert len(boxes) >= len(values)
    for box, value in zip(boxes, values, strict=False):
        box.clear()
        box.send_keys(value)
    dialog.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(code)
    dialog.find_element(By.XPATH, ".//button[normalize-space()='Resume']").click()


def test_a_kasi_answers_in_the_browser_a_wrong_code_then_the_right_one(
    ui_api: str, db_url: str, tmp_path: Path
) -> None:
    office = office_with_demo_codes("kominfo-tanah-bumbu", tmp_path)
    engine = make_engine(db_url)
    add(engine)  # one asset in the register
    engine.dispose()
    env = {
        **os.environ,
        "PREFECT_API_URL": ui_api,
        "PREFECT_HOME": str(tmp_path / "worker-home"),
        "PYTHONPATH": str(REPO),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from flows.assets.evaluation import asset_evaluation as f; "
            "f(period='2026', office_file=sys.argv[1], database_url=sys.argv[2])",
            str(office),
            db_url,
        ],
        env=env,
        cwd=REPO,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    shots = tmp_path
    try:
        run_id = wait_for(lambda: _paused_run(db_url, 2), 120, "D6 step 2 to pause")
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(run_id))
        assert run.name == "SOP D6 2026 diskominfo-sp-tanah-bumbu"
        assert "menunggu:kasi" in run.tags
        run_url = f"{ui_api.removesuffix('/api')}/v2/runs/flow-run/{run_id}"

        with chromium() as driver:
            form = _open_resume_form(driver, run_url, shots, "1-step2")
            assert form.splitlines()[0] == "Resume Flow Run"
            assert "SOP D6 langkah 2" in form
            assert "Hasil evaluasi" in form and "Username Anda" in form  # Indonesian labels
            assert "DITOLAK" not in form
            _fill_and_resume(driver, ["Register lengkap", "rusmini"], "kode-salah")

            wait_for(lambda: _refusals(db_url) == 1, 60, "the wrong code to be refused")
            wait_for(lambda: _paused_run(db_url, 2), 60, "step 2 to wait again")
            with get_client(sync_client=True) as client:
                assert "ditolak" in client.read_flow_run(UUID(run_id)).tags
            form = _open_resume_form(driver, run_url, shots, "2-refused")
            description = form.split("Current state:", 1)[1].split("Paused", 1)[1].strip()
            assert description.splitlines()[0] == ("DITOLAK: kode persetujuan salah. Coba lagi."), (
                form
            )
            assert _tags_shown(driver) >= {"menunggu:kasi", "ditolak"}
            _fill_and_resume(driver, ["Register lengkap", "rusmini"], "demo-rusmini")

            wait_for(lambda: _paused_run(db_url, 3), 60, "step 3 (the Kadis) to wait")
            form = _open_resume_form(driver, run_url, shots, "3-next-step")
            assert "SOP D6 langkah 3: keputusan" in form
            assert "Keputusan" in form and "DITOLAK" not in form
            driver.get(run_url)
            WebDriverWait(driver, 30).until(lambda d: "menunggu:kadis" in _tags_shown(d))
            assert not _tags_shown(driver) & {"ditolak", "menunggu:kasi"}
            driver.save_screenshot(str(shots / "4-waiting-for-kadis.png"))

        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(run_id))
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="persetujuan-sop"))
            )
        assert "menunggu:kadis" in run.tags and "menunggu:kasi" not in run.tags
        assert "ditolak" not in run.tags
        [artifact] = [a for a in artifacts if str(a.flow_run_id) == run_id]
        assert "Rusmini" in str(artifact.data) and "langkah 2" in str(artifact.data)
        assert "Jawaban ditolak sebelumnya | 1" in str(artifact.data)
        assert "kode-salah" not in str(artifact.data) and "demo-rusmini" not in str(artifact.data)
    finally:
        worker.kill()
        worker.wait(10)
