"""The SOP D letters signed by their approvers: the Nota Dinas (D4) and the BAST (D3).

Real parts: the D3 and D4 flows through real Prefect pauses (tests/flows/assets/conftest.py),
a certificate authority made in the test (tests/reports/certificates.py: a root and
PKCS#12 files with passphrases from environment variables, in the office file), pyHanko
reading the signatures back (``verify_pdf``), poppler's ``pdftotext`` for where they are
on the page, and ``sigap verify`` on a copy changed after signing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.assets.handover import asset_handover
from flows.assets.repair import asset_repair
from reports.signing import CHANGED_WORD, SignatureReport, verify_pdf
from sigap.cli import app
from tests.flows.assets.conftest import (
    ASSET,
    add,
    answer,
    decide,
    pdf_text,
    run_row,
    waiting_step,
)
from tests.flows.conftest import wait_for
from tests.reports.certificates import (
    SelfMadeCA,
    assert_signed_above_names,
    flip_a_letter,
    office_with_certificates,
)

TAG = ASSET["tag"]
KASI, KABID, USER = "Hj. Rusmini, S.T.", "H. Syahrani, S.Sos., M.M.", "Lina Marlina, S.E."


@pytest.fixture
def signing_office(office: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The Tanah Bumbu office where the Kasi, the Kabid and Lina (an asset user) have
    certificates; the Kadis and the asset manager have none."""
    people = {
        u: (f"SIGAP_TEST_P12_{u.upper()}", f"Sandi-{u}-Tanah-Bumbu-2026")
        for u in ("rusmini", "syahrani", "lina")
    }
    for variable, passphrase in people.values():
        monkeypatch.setenv(variable, passphrase)
    directory = tmp_path / "bersertifikat"
    directory.mkdir()
    path, _ = office_with_certificates(directory, SelfMadeCA.create(), Path(office), people)
    return str(path)


def _trust(office: str) -> list[Path]:
    return [Path(office).parent / "root.pem"]


def _pdf(documents: list[str], name: str) -> Path:
    return next(Path(d) for d in documents if Path(d).name == f"{name}.pdf")


def _paused_at(engine, step: int) -> None:
    wait_for(lambda: (waiting_step(engine) or (0, 0))[1] == step or None, 90, f"step {step}")


def _signed_between(reports: list[SignatureReport], start: datetime) -> None:
    for r in reports:
        assert r.signed_at is not None and start <= r.signed_at <= datetime.now(UTC), r


def _changed_is_reported(pdf: Path, office: str, tmp_path: Path, signers: int) -> None:
    """A copy with one letter changed: ``sigap verify`` names every signature as changed."""
    bad = flip_a_letter(pdf, tmp_path / f"diubah-{pdf.name}")
    result = CliRunner().invoke(app, ["verify", str(bad), "--office", office])
    assert result.exit_code == 1, result.output
    assert result.output.count(CHANGED_WORD) == signers, result.output
    assert "Dokumen TIDAK terverifikasi." in result.output
    good = CliRunner().invoke(app, ["verify", str(pdf), "--office", office])
    assert good.exit_code == 0, good.output
    assert "Semua tanda tangan sah." in good.output


def test_nota_dinas_is_signed_by_the_kasi_then_by_the_kabid_who_approved_it(
    prefect_api, signing_office: str, db_url: str, engine, flow_thread, tmp_path: Path
) -> None:
    start = datetime.now(UTC)
    add(engine)
    run = flow_thread(
        asset_repair,
        tag=TAG,
        problem="Port 1-8 mati",
        analysis="Modul PoE rusak, perlu penggantian power supply",
        office_file=signing_office,
        database_url=db_url,
    )
    answer(engine, 2, "rusmini", subject="Perbaikan switch", plan="Ganti power supply")
    # while the Kabid has not decided: the Kasi's signature only; the Kabid's block says so
    _paused_at(engine, 3)
    nota = _pdf(run_row(engine)["documents"][2], "nota-dinas")
    first = verify_pdf(nota, _trust(signing_office))
    assert [(r.signer, r.reason, r.intact, r.trusted) for r in first] == [
        (KASI, "Dikonfirmasi", True, True)
    ]
    text = pdf_text(nota)
    assert "Dikonfirmasi," in text and "(belum ada keputusan)" in text
    assert_signed_above_names(nota, {"rusmini": KASI}, nota.name)

    decide(engine, 3, "syahrani")
    answer(engine, 5, "rizky", actions="Power supply diganti")
    assert run.join(60)["status"] == "completed"
    row = run_row(engine)
    assert _pdf(row["documents"][3], "nota-dinas") == nota  # written again at step 3
    reports = verify_pdf(nota, _trust(signing_office))
    assert [(r.field, r.signer, r.reason) for r in reports] == [
        ("ttd-rusmini", KASI, "Dikonfirmasi"),
        ("ttd-syahrani", KABID, "Setuju"),
    ]
    assert all(r.intact and r.trusted for r in reports)
    assert {r.location for r in reports} == {"Batulicin"}
    _signed_between(reports, start)
    assert reports[0].signed_at <= reports[1].signed_at  # type: ignore[operator]
    text = pdf_text(nota)
    assert "Setuju," in text and "(belum ada keputusan)" not in text
    assert_signed_above_names(nota, {"rusmini": KASI, "syahrani": KABID}, nota.name)
    _changed_is_reported(nota, signing_office, tmp_path, signers=2)


def test_bast_is_signed_by_the_user_who_received_the_asset(
    prefect_api, signing_office: str, db_url: str, engine, flow_thread, tmp_path: Path
) -> None:
    start = datetime.now(UTC)
    add(engine, status="procured", location="Gudang TI")
    run = flow_thread(
        asset_handover,
        tag=TAG,
        user="lina",
        purpose="Jaringan Sekretariat",
        actor="rusmini",
        office_file=signing_office,
        database_url=db_url,
    )
    _paused_at(engine, 2)
    bast = _pdf(run_row(engine)["documents"][1], "bast")
    # handed over, not yet received: nobody has decided anything, nothing is signed
    assert verify_pdf(bast, _trust(signing_office)) == []
    assert "(belum ada keputusan)" in pdf_text(bast)
    answer(engine, 2, "lina", received=True, location="Ruang Sekretariat")
    assert run.join(60)["status"] == "completed"
    assert _pdf(run_row(engine)["documents"][2], "bast") == bast  # written again at step 2
    reports = verify_pdf(bast, _trust(signing_office))
    # the receiver signs; the Kasi (a certificate, but an automatic step: no decision of
    # hers) and the Kabid (who only knows of it) leave their blocks for a wet signature
    assert [(r.field, r.signer, r.reason, r.intact, r.trusted) for r in reports] == [
        ("ttd-lina", USER, "Dikonfirmasi", True, True)
    ]
    _signed_between(reports, start)
    text = pdf_text(bast)
    assert "Dikonfirmasi," in text and KASI in text and KABID in text
    assert "(belum ada keputusan)" not in text
    assert_signed_above_names(bast, {"lina": USER}, bast.name)
    _changed_is_reported(bast, signing_office, tmp_path, signers=1)
