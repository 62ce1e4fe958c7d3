"""The official-document renderer, read back as a user reads each file.

PDFs through ``pdftotext``, workbooks with openpyxl, HTML as text; the artifacts
from a real Prefect API. No mocks.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.context import get_run_context

from config.settings import load_settings
from reports.artifacts import served_reports
from reports.data import ApprovalRecord
from reports.document import (
    DocTable,
    OfficialDocument,
    Signature,
    confirmation,
    decided_signature,
    latest_decision,
    publish_document,
    render_document,
    signature_for,
    step_confirmation,
    write_document,
)
from sop.office import Office

AT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 11:30 WIT, 1 December 2026
LONG_ROWS = 90  # enough for the steps table to run over a page


def _steps(n: int = LONG_ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": list(range(1, n + 1)),
            "activity": [f"Pemeriksaan port Gi0/{i}" for i in range(1, n + 1)],
            "started_at": [AT + timedelta(minutes=i) for i in range(n)],
            "actual": [timedelta(minutes=5 + i) for i in range(n)],
            "sla": ["melewati standar" if i == n - 1 else "tepat waktu" for i in range(n)],
        }
    )


HEADERS = {"step": "No", "activity": "Kegiatan", "started_at": "Mulai", "actual": "Durasi"}


def _doc(office: Office, **changes: object) -> OfficialDocument:
    values: dict[str, object] = {
        "office": office,
        "title": "Berita Acara Pemeliharaan Jaringan",
        "number": "BA/001/XII/2026",
        "date": AT,
        "paragraphs": ["Pada hari ini Selasa tanggal 1 Desember 2026 telah dilakukan perbaikan."],
        "fields": [
            ("Perangkat", "sw01"),
            ("Jenis gangguan", "Port uplink mati"),
            ("Waktu kejadian", AT - timedelta(hours=2)),
            ("Lama penanganan", timedelta(hours=1, minutes=20)),
        ],
        "tables": [
            DocTable(key="steps", title="Langkah Penanganan", frame=_steps(), headers=HEADERS),
            DocTable(key="parts", title="Suku Cadang", frame=pd.DataFrame(columns=["Nama"])),
        ],
        "closing": ["Demikian berita acara ini dibuat dengan sebenarnya."],
        "signatures": [
            signature_for(office, "it_officer", "nurul", label="Yang melaksanakan,"),
            signature_for(office, "kasubag", label="Mengetahui,", remark="Setuju, 11:40 WIT"),
            Signature(label="Pihak penyedia,", role_title="Teknisi PT Jaringan Nusantara"),
        ],
    }
    values.update(changes)
    return OfficialDocument(**values)  # type: ignore[arg-type]


def _pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.fixture(scope="module")
def pdf_pages(office: Office, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pdf = render_document(_doc(office), "pdf")
    assert pdf.startswith(b"%PDF")
    return _pdf_pages(pdf, tmp_path_factory.mktemp("pdf"))


def test_pdf_reads_as_an_official_letter(pdf_pages: list[str]) -> None:
    first, text = pdf_pages[0], "\n".join(pdf_pages)
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    assert lines[:3] == [
        "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA REPUBLIK INDONESIA",
        "KANTOR WILAYAH MALUKU UTARA",
        "Ternate, Maluku Utara",
    ]
    assert lines[3] == "BERITA ACARA PEMELIHARAAN JARINGAN"
    assert lines[4] == "Nomor: BA/001/XII/2026"
    assert "Pada hari ini Selasa tanggal 1 Desember 2026" in first
    assert any(line.split() == ["Perangkat", ":", "sw01"] for line in lines)
    assert "Waktu kejadian" in first and ": 1 Desember 2026 09:30 WIT" in first
    assert ": 1 jam 20 menit" in first
    row = next(line for line in lines if line.startswith("1 "))
    assert (
        " ".join(row.split())
        == "1 Pemeriksaan port Gi0/1 1 Desember 2026 11:30 WIT 5 menit tepat waktu"
    )
    assert "Ternate, 1 Desember 2026" in text
    for shown in (
        "Nurul Fajriani, A.Md.Kom.",
        "NIP. 199611202022032001",
        "Rahmat Hidayat, S.Kom.",  # the Kasubag: first holder of the role
        "NIP. 198503122010121002",
        "Setuju, 11:40 WIT",
        "Teknisi PT Jaringan Nusantara",
        "Demikian berita acara ini dibuat dengan sebenarnya.",
    ):
        assert shown in text, shown
    assert "...................................." in text  # the provider signs by hand


def test_pdf_long_table_breaks_over_pages_with_its_header(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) >= 2
    pages_with_rows = [p for p in pdf_pages if "Pemeriksaan port" in p]
    assert len(pages_with_rows) >= 2
    for page in pages_with_rows:  # the header row is repeated on every page
        assert any(line.split()[:4] == ["No", "Kegiatan", "Mulai", "Durasi"]
                   for line in page.splitlines() if line.strip())  # fmt: skip
    assert f"Pemeriksaan port Gi0/{LONG_ROWS} " in pages_with_rows[-1]
    total = len(pdf_pages)
    assert f"Halaman 1 dari {total}" in pdf_pages[0]
    assert f"Halaman {total} dari {total}" in pdf_pages[-1]
    assert "tidak ada data" in "\n".join(pdf_pages)  # the empty spare-parts table


def test_html_escapes_every_value(office: Office) -> None:
    evil = "<script>alert(1)</script>"
    doc = _doc(
        office,
        title=f"BA {evil}",
        number=f"N{evil}",
        paragraphs=[f"Paragraf {evil}"],
        fields=[(f"Label {evil}", f"Nilai {evil}")],
        tables=[DocTable(key="t", title=f"T {evil}", frame=pd.DataFrame({"a": [evil]}))],
        closing=[],
        signatures=[Signature(label=evil, role_title=evil, name=evil, nip=evil)],
    )
    html = render_document(doc, "html").decode("utf-8")
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 9


def test_html_cells_of_pandas_types(office: Office) -> None:
    frame = pd.DataFrame(
        {
            "n": pd.array([1, pd.NA], dtype="Int64"),
            "ok": pd.array([True, pd.NA], dtype="boolean"),
            "at": [pd.NaT, pd.Timestamp("2026-12-01T00:00Z")],
            "pct": [float("nan"), 92.46],
        }
    )
    doc = _doc(office, tables=[DocTable("t", "T", frame)])
    html = render_document(doc, "html").decode()
    assert (
        '<tr><td class="num">1</td><td class="">Ya</td><td class="">-</td><td class="">-</td>'
        in html
    )
    assert '<td class="">1 Desember 2026 09:00 WIT</td><td class="num">92,5</td>' in html


def test_html_shows_the_same_content(office: Office) -> None:
    html = render_document(_doc(office), "html").decode("utf-8")
    for shown in (
        "KANTOR WILAYAH MALUKU UTARA",
        "BERITA ACARA PEMELIHARAAN JARINGAN",
        "Nomor: BA/001/XII/2026",
        '<th scope="row">Perangkat</th><td class="colon">:</td><td>sw01</td>',
        '<td class="good">tepat waktu</td>',
        '<td class="bad">melewati standar</td>',
        "Ternate, 1 Desember 2026",
        "NIP. 199611202022032001",
        "tidak ada data",
    ):
        assert shown in html, shown
    assert html.count("Pemeriksaan port Gi0/") == LONG_ROWS


def test_xlsx_has_the_fields_and_one_sheet_per_table(office: Office) -> None:
    odd = pd.DataFrame(
        {
            "Rumus": ['=HYPERLINK("http://x")', "b"],
            "Nilai": [2.5, None],
            "Ada": pd.array([True, pd.NA], dtype="boolean"),
        }
    )
    doc = _doc(
        office,
        tables=[*_doc(office).tables, DocTable(key="odd", title="Aneh/Nilai: [x]", frame=odd)],
    )
    book = openpyxl.load_workbook(io.BytesIO(render_document(doc, "xlsx")))
    assert book.sheetnames == ["Dokumen", "Langkah Penanganan", "Suku Cadang", "Aneh Nilai   x"]
    fields = {row[0]: row[1] for row in book["Dokumen"].iter_rows(min_row=2, values_only=True)}
    assert fields["Nomor"] == "BA/001/XII/2026"
    assert fields["Perangkat"] == "sw01"
    assert fields["Waktu kejadian"] == "1 Desember 2026 09:30 WIT"
    assert fields["Penandatangan: Mengetahui, " + office.role_titles["kasubag"]] == (
        "Rahmat Hidayat, S.Kom., NIP. 198503122010121002"
    )
    steps = book["Langkah Penanganan"]
    assert [c.value for c in steps[1]] == ["No", "Kegiatan", "Mulai", "Durasi", "sla"]
    assert steps[1][0].font.bold and steps.freeze_panes == "A2"
    assert [c.value for c in steps[2]] == [
        1, "Pemeriksaan port Gi0/1", "1 Desember 2026 11:30 WIT", "5 menit", "tepat waktu",
    ]  # fmt: skip
    assert steps.max_row == LONG_ROWS + 1
    assert book["Suku Cadang"].max_row == 1  # header only
    weird = book["Aneh Nilai   x"]
    assert weird["A2"].value == '=HYPERLINK("http://x")' and weird["A2"].data_type == "s"
    assert weird["B2"].value == 2.5 and weird["C2"].value == "Ya"
    assert weird["B3"].value is None and weird["C3"].value == "-"


def test_english_landscape_document(office: Office, tmp_path: Path) -> None:
    doc = _doc(
        office,
        lang="en",
        tables=[DocTable("steps", "Steps", _steps(3))],
        subtitle="Period: November 2026",
        landscape=True,
    )
    pdf = render_document(doc, "pdf")
    pages = _pdf_pages(pdf, tmp_path)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "841.89 x 595.276 pts (A4)" in info  # landscape: wider than tall
    assert "Number: BA/001/XII/2026" in pages[0]
    assert "Period: November 2026" in pages[0]
    assert "Ternate, 1 December 2026" in pages[-1]
    assert "Page 1 of" in pages[0]
    assert "1 hour 20 minutes" in pages[0]


def test_signature_for(office: Office) -> None:
    nobody = signature_for(office, "team_lead", label="Mengetahui,")  # no holder in this office
    assert (nobody.role_title, nobody.name, nobody.nip) == (
        "Ketua Tim Sistem Informasi",
        None,
        None,
    )
    named = signature_for(office, "it_officer", username="sahrul")
    assert (named.name, named.nip) == ("Sahrul Umasangaji, S.Kom.", "199207082019031003")
    with pytest.raises(ValueError, match=r"role 'kasubg' is not a role .*did you mean 'kasubag'"):
        signature_for(office, "kasubg")
    with pytest.raises(ValueError, match=r"username 'nurull' is not a person .*'nurul'"):
        signature_for(office, "it_officer", username="nurull")
    with pytest.raises(ValueError, match="role_title is required"):
        Signature(label="Mengetahui,")


def test_decided_signature_carries_the_latest_recorded_decision(office: Office) -> None:
    hour = timedelta(hours=1)
    decisions = [  # a return, then the approval; a form answered with a code
        ApprovalRecord(3, "rahmat", "kasubag", "kembalikan", "lengkapi", AT),
        ApprovalRecord(3, "rahmat", "kasubag", "setuju", None, AT + hour),
        confirmation(5, "sahrul", "it_officer", AT + 2 * hour),
    ]
    kasub = decided_signature(office, "kasubag", latest_decision(decisions, [3]), "Mengetahui,")
    assert (kasub.name, kasub.decision, kasub.remark) == (
        "Rahmat Hidayat, S.Kom.",
        "setuju",
        "Setuju, 1 Desember 2026 12:30 WIT",
    )
    officer = decided_signature(office, "it_officer", latest_decision(decisions, [5]), "Petugas,")
    assert (officer.name, officer.decision, officer.remark) == (
        "Sahrul Umasangaji, S.Kom.",
        "konfirmasi",
        "Dikonfirmasi, 1 Desember 2026 13:30 WIT",
    )
    # nobody decided step 6 (and not yusuf step 3): the holder's block, saying so
    assert latest_decision(decisions, [3], approver="yusuf") is None
    kabag = decided_signature(office, "kabag", latest_decision(decisions, [6]), "Menyetujui,")
    assert (kabag.name, kabag.decision, kabag.decided_at, kabag.remark) == (
        "Yusuf Tomagola, S.H., M.H.",
        None,
        None,
        "(belum ada keputusan)",
    )
    steps = [
        {"step": 5, "role": "it_officer", "actor": "sahrul", "status": "interrupted",
         "finished_at": AT},
        {"step": 5, "role": "it_officer", "actor": "nurul", "status": "completed",
         "finished_at": AT + hour},
        {"step": 5, "role": "it_officer", "actor": None, "status": "running", "finished_at": None},
    ]  # fmt: skip
    answered = step_confirmation(steps, 5)
    assert answered is not None
    assert (answered.approver, answered.decision, answered.decided_at) == (
        "nurul",
        "konfirmasi",
        AT + hour,
    )
    assert step_confirmation(steps, 4) is None


def test_bad_input_writes_nothing(office: Office, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"fields\[0\] 'Mulai': .* has no time zone"):
        write_document(_doc(office, fields=[("Mulai", datetime(2026, 12, 1))]), out, "ba")
    with pytest.raises(ValueError, match="format: 'docx' is not a document format"):
        write_document(_doc(office), out, "ba", formats=("html", "docx"))
    with pytest.raises(ValueError, match=r"basename: '\.\./ba'"):
        write_document(_doc(office), out, "../ba", formats=("html",))
    naive = pd.DataFrame({"started_at": [datetime(2026, 12, 1)]})
    with pytest.raises(ValueError, match=r"table 'steps' column 'started_at': .* has no time zone"):
        write_document(_doc(office, tables=[DocTable("steps", "", naive)]), out, "ba")
    assert not out.exists()
    with pytest.raises(ValueError, match=r"date: .* must be a timezone-aware datetime"):
        _doc(office, date=datetime(2026, 12, 1))
    with pytest.raises(ValueError, match=r"fields\[1\]: expected a \(label, value\) pair"):
        _doc(office, fields=[("a", 1), ("b",)])
    with pytest.raises(ValueError, match="lang: 'fr'"):
        _doc(office, lang="fr")


def test_write_and_publish_in_a_flow_run(
    prefect_api: None, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGAP_REPORT_DIR", str(tmp_path))
    monkeypatch.setenv("SIGAP_REPORTS_URL", "http://reports.example:4201/sigap/")
    doc = _doc(office, tables=[DocTable("steps", "Langkah", _steps(3), HEADERS)])
    paths = write_document(doc, tmp_path, "ba-inc-2026-0001", formats=("html", "xlsx"))
    assert paths == {"html": tmp_path / "ba-inc-2026-0001.html",
                     "xlsx": tmp_path / "ba-inc-2026-0001.xlsx"}  # fmt: skip
    assert all(p.stat().st_size > 0 for p in paths.values())

    @flow(name="document-artifacts-test")
    def publish() -> str:
        publish_document(doc, paths, key="BA/INC-2026-0001", served=served_reports(load_settings()))
        return str(get_run_context().flow_run.id)

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[publish()]))
        )
    artifacts = {a.key: a for a in found}
    key = "ba-inc-2026-0001"
    assert set(artifacts) == {key, f"{key}-steps", f"{key}-html", f"{key}-xlsx"}
    markdown = str(artifacts[key].data)
    assert "Berita Acara Pemeliharaan Jaringan" in markdown
    assert "| Perangkat | sw01 |" in markdown
    assert "[XLSX](http://reports.example:4201/sigap/ba-inc-2026-0001.xlsx)" in markdown
    assert "http://reports.example:4201/sigap/ba-inc-2026-0001.html" in str(
        artifacts[f"{key}-html"].data
    )
    assert all("file://" not in str(a.data) for a in artifacts.values())
    data = artifacts[f"{key}-steps"].data
    rows = data if isinstance(data, list) else json.loads(str(data))
    assert rows[0] == {
        "No": 1, "Kegiatan": "Pemeriksaan port Gi0/1", "Mulai": "1 Desember 2026 11:30 WIT",
        "Durasi": "5 menit", "sla": "tepat waktu",
    }  # fmt: skip


def _all_text(paths: dict[str, Path]) -> str:
    from tests.reports.test_maintenance import pdf_text

    parts = []
    for fmt, path in paths.items():
        if fmt == "pdf":
            parts.append(pdf_text(path))
        elif fmt == "xlsx":
            book = openpyxl.load_workbook(path)
            parts += [str(c.value) for s in book for row in s.iter_rows() for c in row if c.value]
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_no_cli_instruction_in_any_official_document(
    office: Office, tmp_path: Path, seeded_sqlite: tuple[str, object]
) -> None:
    """Every document kind these tests produce, in every format: no ``sigap`` command."""
    import dataclasses

    from reports.assembly import refused_table
    from reports.data import RefusedRecord
    from reports.maintenance import make_maintenance_report, write_maintenance_report
    from reports.maintenance_document import maintenance_document
    from reports.server_faults import fault_document
    from reports.visits import visit_form_document, visitor_log_document
    from tests.reports.builders import MONTH, NOW
    from tests.reports.test_visits import _line

    engine = seeded_sqlite[1]
    formats = ("pdf", "html", "xlsx")
    written = {
        "monthly": write_maintenance_report(
            engine, office, MONTH, tmp_path / "a", formats=formats, now=NOW
        ).paths,  # type: ignore[arg-type]
        "letter": write_document(_doc(office), tmp_path, "ba", formats),
        "log": write_document(
            visitor_log_document(office, [_line(1)], "2026-12", AT), tmp_path, "log", formats
        ),
        "form": write_document(
            visit_form_document(office, _line(2) | {"closed_by": "nurul"}, AT),
            tmp_path,
            "form",
            formats,
        ),
    }
    empty = pd.DataFrame({"x": []})
    faults = fault_document(
        office, "2026-12", {k: empty for k in ("by_kind", "by_device", "incidents", "sla")}, date=AT
    )
    written["faults"] = write_document(faults, tmp_path, "faults", formats)
    # a refusal recorded by SIGAP before 2026-12-03, whose reason still names the command
    # that fixes it (today the stored reason states the fact; the CLI adds the command)
    report = make_maintenance_report(engine, office, MONTH, "id", NOW)  # type: ignore[arg-type]
    hint = RefusedRecord(
        5, "nurul", "nurul belum punya kode persetujuan: jalankan `sigap people set-code nurul`", AT
    )
    refused = dataclasses.replace(report, refused=refused_table([hint], office))
    written["refused"] = write_document(
        maintenance_document(refused, office), tmp_path, "r", formats
    )
    for kind, paths in written.items():
        text = _all_text(paths)
        assert text.strip(), kind
        assert not re.search(r"\bsigap [a-z]", text), (
            kind,
            re.findall(r".{40}sigap [a-z].{30}", text),
        )
        assert "jalankan `" not in text and "run `" not in text, kind
    assert "nurul belum punya kode persetujuan" in _all_text(written["refused"])


def test_markdown_artifact_holds_the_documents_content(office: Office, tmp_path: Path) -> None:
    """Without a served URL the markdown is what the UI shows: the content, not a link."""
    from reports.artifacts import ServedReports, files_markdown
    from reports.document import MARKDOWN_ROWS, document_markdown

    doc = _doc(office)
    markdown = document_markdown(doc)
    assert "Pada hari ini Selasa tanggal 1 Desember 2026 telah dilakukan perbaikan." in markdown
    assert "| 1 | Pemeriksaan port Gi0/1 | 1 Desember 2026 11:30 WIT | 5 menit |" in markdown
    assert f"Gi0/{MARKDOWN_ROWS} |" in markdown and f"Gi0/{MARKDOWN_ROWS + 1} |" not in markdown
    assert f"dan {LONG_ROWS - MARKDOWN_ROWS} lainnya" in markdown
    assert "Demikian berita acara ini dibuat dengan sebenarnya." in markdown
    paths = {"pdf": tmp_path / "ba.pdf"}
    line = files_markdown(paths, ServedReports(tmp_path), "Berkas")
    assert str((tmp_path / "ba.pdf").resolve()) in line and "file://" not in line
