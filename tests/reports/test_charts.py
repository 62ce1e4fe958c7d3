"""The monthly report's trend charts: drawn from a real report, read back as SVG text."""

from __future__ import annotations

import dataclasses
import io
import math

import matplotlib
import pytest
from sqlalchemy import Engine

from reports.assembly import MaintenanceReport
from reports.charts import trend_charts, trend_figures
from reports.maintenance import make_maintenance_report
from sop.office import Office
from tests.reports.builders import MONTH, NOW


def _svg_texts(report: MaintenanceReport) -> dict[str, str]:
    """Each chart as SVG with its texts kept as text (not paths), to read what it says."""
    out = {}
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        for key, _title, figure in trend_figures(report):
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg")
            out[key] = buffer.getvalue()
    return out


@pytest.fixture(scope="module")
def report(seeded_sqlite: tuple[str, Engine], office: Office) -> MaintenanceReport:
    return make_maintenance_report(seeded_sqlite[1], office, MONTH, "id", NOW)


def _without_data(report: MaintenanceReport) -> MaintenanceReport:
    trends = report.trends.copy()
    for column in trends.columns:
        if column != "month":
            trends[column] = math.nan
    return dataclasses.replace(report, trends=trends)


def test_charts_with_data_draw_the_months(report: MaintenanceReport) -> None:
    svgs = _svg_texts(report)
    assert set(svgs) == {"trend-failed", "trend-usage"}
    for svg in svgs.values():
        assert "Tidak ada data" not in svg
        assert "Nov 2026" in svg  # the month axis is drawn


def test_charts_without_data_say_so(report: MaintenanceReport) -> None:
    svgs = _svg_texts(_without_data(report))
    for key, svg in svgs.items():
        assert "Tidak ada data" in svg, key
        assert "Nov 2026" not in svg, key  # no empty month axis
        assert "Perangkat gagal per bulan" in svg or "Pemakaian sumber daya" in svg
    english = _svg_texts(dataclasses.replace(_without_data(report), lang="en"))
    assert all("No data" in svg for svg in english.values())
    # the PNG charts of the report are still made
    charts = trend_charts(_without_data(report))
    assert [c.key for c in charts] == ["trend-failed", "trend-usage"]
    assert all(c.png.startswith(b"\x89PNG") for c in charts)
