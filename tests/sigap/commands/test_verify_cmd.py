"""`sigap verify FILE`: a Berita Acara signed by two approvers, then changed, then a stranger's.

The certificates come from a certificate authority made in the test
(tests/reports/certificates.py); the document is written through the one pipeline
(reports.document.write_document), as a flow writes it.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.office_file import load_office
from reports.document import OfficialDocument, signature_for, write_document
from sigap.cli import app
from sop.office import Office
from tasks.credentials import resolve_secret
from tests.reports.builders import OFFICE_FILE
from tests.reports.certificates import PASSPHRASES, SIGNERS, SelfMadeCA, signing_office_file

RAHMAT, YUSUF = SIGNERS["rahmat"][0], SIGNERS["yusuf"][0]
DECIDED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    directory = tmp_path_factory.mktemp("office")
    return load_office(signing_office_file(directory, SelfMadeCA.create(), OFFICE_FILE))


@pytest.fixture(scope="module")
def signed_pdf(office: Office, tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = OfficialDocument(
        office=office,
        title="BERITA ACARA PEMELIHARAAN JARINGAN",
        number="BA/007/XII/2026",
        date=DECIDED,
        paragraphs=["Pada hari ini telah dilaksanakan pemeliharaan jaringan."],
        signatures=[
            signature_for(office, "kasubag", "rahmat", "Diperiksa,", decision="setuju",
                          decided_at=DECIDED),
            signature_for(office, "kabag", "yusuf", "Menyetujui,", decision="setuju",
                          decided_at=DECIDED),
        ],
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        for username, (_, variable) in SIGNERS.items():
            mp.setenv(variable, PASSPHRASES[username])
        out = tmp_path_factory.mktemp("out")
        return write_document(
            doc, out, "ba-007-xii-2026", formats=["pdf"], passphrases=resolve_secret
        )["pdf"]


def _verify(*args: str):
    return CliRunner().invoke(app, ["verify", *args])


def test_signed_document_verifies(office: Office, signed_pdf: Path):
    result = _verify(str(signed_pdf), "--office", office.file)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ba-007-xii-2026.pdf:"
    assert lines[1].startswith(f"  1. {RAHMAT}: ditandatangani ")
    assert lines[2].startswith(f"  2. {YUSUF}: ditandatangani ")
    for line in lines[1:3]:  # the office's time zone, its decision, intact, trusted
        assert " WIT (Setuju); utuh; tepercaya" in line
    assert lines[-1] == "Semua tanda tangan sah."
    assert "Traceback" not in result.output


def test_json(office: Office, signed_pdf: Path):
    result = _verify(str(signed_pdf), "--office", office.file, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["valid"] is True
    assert [(s["signer"], s["intact"], s["trusted"]) for s in data["signatures"]] == [
        (RAHMAT, True, True),
        (YUSUF, True, True),
    ]
    assert data["signatures"][0]["signed_at"].endswith("+00:00")
    assert data["signatures"][0]["location"] == "Ternate"


def test_without_trust_roots_nothing_is_trusted_and_times_are_utc(signed_pdf: Path):
    result = _verify(str(signed_pdf))
    assert result.exit_code == 1
    assert "UTC (Setuju); utuh; tidak tepercaya" in result.output
    assert "--office atau --trust-root" in result.output
    assert "Dokumen TIDAK terverifikasi." in result.output


def test_trust_root_option(office: Office, signed_pdf: Path):
    assert office.signing is not None
    result = _verify(str(signed_pdf), "--trust-root", str(office.signing.trust_roots[0]))
    assert result.exit_code == 0, result.output


def test_a_changed_byte_is_reported_and_fails(office: Office, signed_pdf: Path, tmp_path: Path):
    changed = tmp_path / "ba-diubah.pdf"
    data = bytearray(signed_pdf.read_bytes())
    at = data.index(b"/Title (BERITA ACARA") + len(b"/Title (")  # the title, signed
    data[at] = ord("C")  # BERITA -> CERITA
    changed.write_bytes(bytes(data))
    result = _verify(str(changed), "--office", office.file)
    assert result.exit_code == 1
    assert result.output.count("berubah sejak ditandatangani") == 2
    assert "Dokumen TIDAK terverifikasi." in result.output


def test_an_appended_change_is_reported_and_fails(office: Office, signed_pdf: Path, tmp_path: Path):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    changed = tmp_path / "ba-ditambah.pdf"
    shutil.copy(signed_pdf, changed)
    with changed.open("rb+") as f:
        writer = IncrementalPdfFileWriter(f)
        text = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (BATAL) Tj ET")
        writer.add_stream_to_page(0, writer.add_object(text))
        writer.write_in_place()
    result = _verify(str(changed), "--office", office.file, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [s["intact"] for s in data["signatures"]] == [False, False]


def test_unsigned_file_is_not_verified(tmp_path: Path, office: Office):
    doc = OfficialDocument(office=office, title="NOTA DINAS", date=DECIDED)
    pdf = write_document(doc, tmp_path, "nota", formats=["pdf"], passphrases=resolve_secret)["pdf"]
    result = _verify(str(pdf), "--office", office.file)
    assert result.exit_code == 1
    assert "tidak memiliki tanda tangan elektronik" in result.output


def test_not_a_pdf(tmp_path: Path):
    bad = tmp_path / "bukan.pdf"
    bad.write_text("bukan PDF", encoding="utf-8")
    result = _verify(str(bad))
    assert result.exit_code == 2
    assert "bukan.pdf" in result.output and "Traceback" not in result.output
