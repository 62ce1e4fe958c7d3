"""Signed official PDFs: the monthly report signed by two approvers, checked as a reader would.

A certificate authority is made in the test (tests/reports/certificates.py: a root CA and
PKCS#12 files for Rahmat, the Kasubag, and Yusuf, the Kabag, with passphrases from
environment variables); the November report of tests/reports/builders.py is written
through the one document pipeline. The PDF is then read with pyHanko's validator
(``verify_pdf``) and poppler's ``pdftotext``, and tampered with.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.office_file import load_office
from reports.charts import trend_charts
from reports.document import OfficialDocument, signature_for, write_document
from reports.maintenance import ReportFiles, make_maintenance_report, write_maintenance_report
from reports.maintenance_document import maintenance_document
from reports.signing import (
    CHANGED_WORD,
    SignaturePlace,
    SigningError,
    report_lines,
    signature_places,
    signers_due,
    verify_pdf,
)
from sop.office import Office
from sop.problems import ConfigError
from tasks.credentials import resolve_secret
from tests.reports.builders import MONTH, NOW, OFFICE_FILE
from tests.reports.certificates import (
    PASSPHRASES,
    SIGNERS,
    SelfMadeCA,
    assert_signed_above_names,
    flip_a_letter,
    page_words,
    signature_widgets,
    signing_office_file,
)

RAHMAT, YUSUF = SIGNERS["rahmat"][0], SIGNERS["yusuf"][0]
FATIMAH = "Dra. Fatimah Abdullah, M.Si."


@pytest.fixture(scope="module")
def ca() -> SelfMadeCA:
    return SelfMadeCA.create()


@pytest.fixture(scope="module")
def passphrases() -> None:
    with pytest.MonkeyPatch.context() as mp:
        for username, (_, variable) in SIGNERS.items():
            mp.setenv(variable, PASSPHRASES[username])
        yield


@pytest.fixture(scope="module")
def signing_office(tmp_path_factory: pytest.TempPathFactory, ca: SelfMadeCA) -> Office:
    return load_office(signing_office_file(tmp_path_factory.mktemp("office"), ca, OFFICE_FILE))


@pytest.fixture(scope="module")
def signed(
    seeded_sqlite: tuple[str, Engine],
    signing_office: Office,
    passphrases: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ReportFiles, str]:
    """The November report, signed; and everything logged while it was written."""
    out = tmp_path_factory.mktemp("out")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler, root = Keep(logging.DEBUG), logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        files = write_maintenance_report(
            seeded_sqlite[1], signing_office, MONTH, out, now=NOW, passphrases=resolve_secret
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    return files, "\n".join(records)


@pytest.fixture(scope="module")
def places(seeded_sqlite: tuple[str, Engine], signing_office: Office) -> list[SignaturePlace]:
    """The report's signature blocks and their spaces, as the layout gives them."""
    report = make_maintenance_report(seeded_sqlite[1], signing_office, MONTH, "id", NOW)
    doc = maintenance_document(report, signing_office, trend_charts(report))
    return signature_places(doc)


def _trust(office: Office) -> list[Path]:
    assert office.signing is not None
    return list(office.signing.trust_roots)


def _pdf(files: ReportFiles) -> Path:
    return files.paths["pdf"]


def test_two_approvers_sign_the_report(signed: tuple[ReportFiles, str], signing_office: Office):
    reports = verify_pdf(_pdf(signed[0]), _trust(signing_office))
    assert [r.signer for r in reports] == [RAHMAT, YUSUF]  # Kasubag reviews, then the Kabag
    assert all(r.intact and r.trusted for r in reports)
    assert [r.reason for r in reports] == ["Setuju", "Setuju"]
    assert {r.location for r in reports} == {"Ternate"}
    from pyhanko.pdf_utils.reader import PdfFileReader

    with _pdf(signed[0]).open("rb") as f:  # PAdES (CAdES detached), baseline B-B: no timestamp
        for sig in PdfFileReader(f).embedded_signatures:
            assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
            assert sig.signer_info["unsigned_attrs"].native is None
    for r in reports:  # signed just now, not at the decision's time
        assert r.signed_at is not None
        assert abs((datetime.now(UTC) - r.signed_at).total_seconds()) < 600


def test_each_signature_sits_in_its_signers_block(
    signed: tuple[ReportFiles, str], places: list[SignaturePlace]
):
    pdf = _pdf(signed[0])
    assert_signed_above_names(pdf, {"rahmat": RAHMAT, "yusuf": YUSUF}, "laporan")
    widgets = signature_widgets(pdf)
    inside_any = " ".join(w[0] for page in page_words(pdf) for w in page)
    assert FATIMAH in inside_any  # her block is printed, for a wet signature
    # the rectangles are inside the blocks' signature spaces the layout gives
    assert [p.signature.name for p in places] == [RAHMAT, YUSUF, FATIMAH]
    doc_places = {p.signature.name: p for p in places}
    for username, name in (("rahmat", RAHMAT), ("yusuf", YUSUF)):
        index, (x1, y1, x2, y2) = widgets[f"ttd-{username}"]
        place = doc_places[name]
        bx1, by1, bx2, by2 = place.box
        assert place.page == index
        assert bx1 - 0.01 <= x1 < x2 <= bx2 + 0.01 and by1 - 0.01 <= y1 < y2 <= by2 + 0.01


def test_the_signed_report_still_reads(signed: tuple[ReportFiles, str]):
    text = subprocess.run(
        ["pdftotext", "-layout", str(_pdf(signed[0])), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Pemeliharaan" in text or "PEMELIHARAAN" in text
    for name in (RAHMAT, YUSUF, FATIMAH):
        assert name in text
    info = subprocess.run(
        ["pdfinfo", str(_pdf(signed[0]))], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:" in info


def test_passphrase_nowhere(signed: tuple[ReportFiles, str]):
    files, logged = signed
    for secret in PASSPHRASES.values():
        assert secret not in logged
        for path in files.paths.values():
            data = path.read_bytes()
            assert secret.encode() not in data
            assert secret.encode("utf-16-be") not in data


def _tampered(src: Path, dst: Path, how: str) -> Path:
    if how == "flip":  # one letter of the document's title, inside every signed range
        return flip_a_letter(src, dst)
    shutil.copy(src, dst)
    if how == "append":  # an incremental update that writes new text on page 1
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        with dst.open("rb+") as f:
            writer = IncrementalPdfFileWriter(f)
            stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (LUNAS) Tj ET")
            writer.add_stream_to_page(0, writer.add_object(stream))
            writer.write_in_place()
    return dst


@pytest.mark.parametrize("how", ["flip", "append"])
def test_a_changed_file_is_reported_changed(
    signed: tuple[ReportFiles, str], signing_office: Office, tmp_path: Path, how: str
):
    bad = _tampered(_pdf(signed[0]), tmp_path / "diubah.pdf", how)
    reports = verify_pdf(bad, _trust(signing_office))
    assert len(reports) == 2
    assert not any(r.intact for r in reports)
    assert all(CHANGED_WORD in line for line in report_lines(reports))


def test_another_cas_certificate_is_not_trusted(
    signing_office: Office, passphrases: None, tmp_path: Path
):
    here = Path(signing_office.file).parent
    stranger = SelfMadeCA.create("Lain-lain CA")
    stranger.issue_pkcs12(RAHMAT, here / "palsu.p12", PASSPHRASES["rahmat"])
    text = Path(signing_office.file).read_text(encoding="utf-8")
    (here / "palsu.yaml").write_text(text.replace("rahmat.p12", "palsu.p12"), encoding="utf-8")
    office = load_office(here / "palsu.yaml")
    paths = write_document(
        _berita_acara(office), tmp_path, "ba-uji", formats=["pdf"], passphrases=resolve_secret
    )
    reports = verify_pdf(paths["pdf"], _trust(signing_office))
    assert [(r.signer, r.intact, r.trusted) for r in reports] == [
        (RAHMAT, True, False),
        (YUSUF, True, True),
    ]


def _berita_acara(office: Office, decision: str | None = "setuju") -> OfficialDocument:
    when = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    return OfficialDocument(
        office=office,
        title="BERITA ACARA PEMELIHARAAN JARINGAN",
        number="BA/001/XII/2026",
        date=when,
        paragraphs=["Pada hari ini telah dilaksanakan pemeliharaan jaringan."],
        signatures=[
            signature_for(office, "kasubag", "rahmat", "Diperiksa,", decision=decision,
                          decided_at=when if decision else None),
            signature_for(office, "kabag", "yusuf", "Menyetujui,", decision=decision,
                          decided_at=when if decision else None),
        ],
    )  # fmt: skip


def test_blocks_without_a_recorded_decision_are_not_signed(
    signing_office: Office, passphrases: None, tmp_path: Path
):
    doc = _berita_acara(signing_office, decision=None)
    assert signers_due(doc) == []
    paths = write_document(doc, tmp_path, "ba-tanpa", formats=["pdf"], passphrases=resolve_secret)
    assert verify_pdf(paths["pdf"], _trust(signing_office)) == []


def test_a_document_to_sign_is_not_written_without_a_way_to_read_passphrases(
    signing_office: Office, passphrases: None, tmp_path: Path
):
    with pytest.raises(SigningError, match=r"rahmat, yusuf should sign it.*passphrases="):
        write_document(_berita_acara(signing_office), tmp_path / "out", "ba", formats=["pdf"])
    assert not (tmp_path / "out").exists()


def test_missing_passphrase_variable_names_file_and_field_and_writes_nothing(
    signing_office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv(SIGNERS["yusuf"][1], raising=False)
    monkeypatch.setenv(SIGNERS["rahmat"][1], PASSPHRASES["rahmat"])
    with pytest.raises(ConfigError) as caught:
        write_document(
            _berita_acara(signing_office),
            tmp_path / "out",
            "ba",
            formats=["pdf"],
            passphrases=resolve_secret,
        )
    message = str(caught.value)
    assert signing_office.file in message
    assert "people.yusuf.certificate.passphrase" in message
    assert SIGNERS["yusuf"][1] in message
    assert not (tmp_path / "out").exists()


def test_wrong_passphrase_is_named_not_shown(
    signing_office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(SIGNERS["rahmat"][1], "salah-sandi-123")
    monkeypatch.setenv(SIGNERS["yusuf"][1], PASSPHRASES["yusuf"])
    with pytest.raises(ConfigError) as caught:
        write_document(
            _berita_acara(signing_office),
            tmp_path,
            "ba",
            formats=["pdf"],
            passphrases=resolve_secret,
        )
    message = str(caught.value)
    assert "people.rahmat.certificate" in message and "rahmat.p12" in message
    assert "salah-sandi-123" not in message and PASSPHRASES["rahmat"] not in message


def test_office_file_errors_name_the_field(signing_office: Office):
    text = Path(signing_office.file).read_text(encoding="utf-8")
    bad = Path(signing_office.file).parent / "salah.yaml"
    bad.write_text(text.replace("rahmat.p12", "hilang.p12"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_office(bad)
    assert re.search(r"salah\.yaml:\d+: people\.rahmat\.certificate\.pkcs12: file not found",
                     str(caught.value))  # fmt: skip
    bad.write_text(
        text.replace(f"env:{SIGNERS['rahmat'][1]}", PASSPHRASES["rahmat"]), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_office(bad)
    assert "people.rahmat.certificate.passphrase: must be a reference" in str(caught.value)
    assert PASSPHRASES["rahmat"] not in str(caught.value)
    bad.write_text(text.replace("root.pem", "tidak-ada.pem"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_office(bad)
    assert "signing.trust_roots[0]: file not found" in str(caught.value)
