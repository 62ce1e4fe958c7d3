"""SOP C's Berita Acara and handling report, signed by the member who fixed and the lead.

Real parts: the SOP C flow over the lab's simulated switch (tests/flows/incident_fixtures.py),
real Prefect pauses answered as ``sigap answer`` does, a certificate authority made in the
test (tests/reports/certificates.py) whose PKCS#12 files the office file names, pyHanko
reading the signatures back, poppler's ``pdftotext`` for where they are, ``sigap verify``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reports.signing import CHANGED_WORD, verify_pdf
from sigap.cli import app
from tests.flows.conftest import wait_for
from tests.flows.incident_fixtures import (  # noqa: F401
    SWITCH,
    Switch,
    _fast_flow_settings,
    db_url,
    inventory_dir,
    office_file,
    switch,
)
from tests.flows.test_incident import _answer, _pdf_text, _start, _the_incident, _waiting
from tests.reports.certificates import (
    SelfMadeCA,
    assert_signed_above_names,
    flip_a_letter,
    office_with_certificates,
)

ANDIKA, BAMBANG = "Andika Pratama, S.Kom.", "Bambang Wicaksono, S.Kom., M.T."
HENDRA = "Dr. Hendra Kusuma, S.H., M.Hum."


@pytest.fixture
def signing_office(office_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The BPSDM office where Andika (team member) and Bambang (team lead) have certificates;
    Hendra, the Head of Centre, has none."""
    people = {
        u: (f"SIGAP_TEST_P12_{u.upper()}", f"Sandi-{u}-Depok-2026") for u in ("andika", "bambang")
    }
    for variable, passphrase in people.values():
        monkeypatch.setenv(variable, passphrase)
    directory = tmp_path / "bersertifikat"
    directory.mkdir()
    path, _ = office_with_certificates(directory, SelfMadeCA.create(), office_file, people)
    return path


def test_berita_acara_is_signed_by_the_fixer_and_the_lead_who_accepted_it(
    prefect_api,
    switch: Switch,
    inventory_dir: Path,
    signing_office: Path,
    db_url: str,
    flow_thread,
    tmp_path: Path,
) -> None:
    start = datetime.now(UTC)
    run = _start(
        flow_thread,
        inventory_dir,
        signing_office,
        db_url,
        device=SWITCH,
        kind="gangguan_koneksi",
        description="uplink lantai 2 putus-putus",
        reporter="andika",
    )
    number = _the_incident(db_url)
    wait_for(lambda: _waiting(db_url), 90, "the verification form")
    _answer(db_url, 3, approver="andika", code="demo-andika", handling="internal", note="")
    fix = {"approver": "andika", "code": "demo-andika", "action": "kabel uplink diganti"}
    _answer(db_url, 5, **fix, note="")
    # returned once: the signatures carry the lead's last decision, not the first
    _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="kembalikan",
            note="sebutkan port")  # fmt: skip
    _answer(db_url, 5, **fix, note="port Gi0/24")
    _answer(db_url, 6, approver="bambang", code="demo-bambang", decision="setuju", note="")
    result = run.join(120)
    assert result["status"] == "completed" and result["incident"] == number

    trust = [signing_office.parent / "root.pem"]
    ba = Path(result["documents"]["berita_acara"]["pdf"])
    reports = verify_pdf(ba, trust)
    assert [(r.field, r.signer, r.reason, r.intact, r.trusted) for r in reports] == [
        ("ttd-andika", ANDIKA, "Dikonfirmasi", True, True),
        ("ttd-bambang", BAMBANG, "Setuju", True, True),
    ]
    assert {r.location for r in reports} == {"Depok"}
    for r in reports:  # signed when the documents were written, after both answers
        assert r.signed_at is not None and start <= r.signed_at <= datetime.now(UTC)
    text = _pdf_text(str(ba))
    assert "Dikonfirmasi," in text and "Setuju," in text and "Dikembalikan" not in text
    assert_signed_above_names(ba, {"andika": ANDIKA, "bambang": BAMBANG}, ba.name)

    # the handling report: the same two; the Head of Centre has not decided (unsigned)
    report = Path(result["documents"]["laporan"]["pdf"])
    assert [r.signer for r in verify_pdf(report, trust)] == [ANDIKA, BAMBANG]
    assert_signed_above_names(report, {"andika": ANDIKA, "bambang": BAMBANG}, report.name)
    shown = _pdf_text(str(report))
    assert HENDRA in shown and "(belum ada keputusan)" in shown

    # one letter changed after signing: sigap verify says both signatures no longer hold
    bad = flip_a_letter(ba, tmp_path / "ba-diubah.pdf")
    checked = CliRunner().invoke(app, ["verify", str(bad), "--office", str(signing_office)])
    assert checked.exit_code == 1, checked.output
    assert checked.output.count(CHANGED_WORD) == 2, checked.output
    good = CliRunner().invoke(app, ["verify", str(ba), "--office", str(signing_office)])
    assert good.exit_code == 0 and "Semua tanda tangan sah." in good.output, good.output
