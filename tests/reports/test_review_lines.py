"""The reviewer's lines and the report read the same derivation of each device's latest round."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reports.maintenance import make_maintenance_report
from reports.sources import month_device_results, month_review_lines, review_lines
from sop.maintenance import review_summary, totals
from sop.office import Office
from tests.reports.builders import DEVICES_FAILED, DEVICES_OK, DEVICES_TOTAL, MONTH, NOW


def test_review_lines_are_the_reports_devices(
    seeded_sqlite: tuple[str, Engine], office: Office
) -> None:
    engine = seeded_sqlite[1]
    lines = month_review_lines(engine, office, MONTH)
    with Session(engine) as session:
        month = month_device_results(session, office, MONTH)
    assert month is not None and lines == review_lines(month)
    report = make_maintenance_report(engine, office, MONTH, now=NOW)
    assert sorted(lines) == report.devices["device"].tolist()
    # sw2 was collected again after the return: its line is the second round's
    runs = {s.device: s.run_id for s in month.snapshots}
    assert lines["sw2"]["run_id"] == runs["sw2"] != runs["sw1"] == lines["sw1"]["run_id"]
    assert [w["label"] for w in lines["sw2"]["worst"]] == ["Utilisasi CPU"]
    assert lines["sw2"]["worst"][0]["status"] == "warn"
    t = totals(lines)
    assert (t["devices"], t["ok"], t["failed"]) == (DEVICES_TOTAL, DEVICES_OK, DEVICES_FAILED)
    summary = report.summary
    assert (t["pass"], t["warn"], t["fail"]) == (
        summary["checks_pass"],
        summary["checks_warn"],
        summary["checks_fail"],
    )
    text = review_summary(lines, month=MONTH, rounds=2, report_link=None)
    assert text.startswith(f"**Periode {MONTH}**: 4 perangkat, 3 berhasil, 1 gagal")
    assert "| r1 | unreachable | fail |" in text


def test_a_month_without_data_has_no_lines(
    empty_sqlite: tuple[str, Engine], office: Office
) -> None:
    assert month_review_lines(empty_sqlite[1], office, MONTH) == {}
