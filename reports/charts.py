"""Trend charts of the monthly report, drawn with matplotlib as PNG bytes.

Figures are made with matplotlib's object API (``Figure`` with the Agg canvas), never
through ``pyplot``: no display, no global figure state, so reports can be drawn from
several threads (Prefect task runners) at once.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports import labels
from reports.assembly import MaintenanceReport


@dataclass(frozen=True)
class Chart:
    """One chart, rendered.

    Attributes:
        key: Stable key, also the end of its file name (``trend-failed``, ``trend-usage``).
        title: Its title in the report's language.
        png: The PNG image.
    """

    key: str
    title: str
    png: bytes


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return buffer.getvalue()


def _values(column: list[object]) -> list[float]:
    out = []
    for value in column:
        number = float(value) if isinstance(value, int | float) else math.nan
        out.append(number)
    return out


def trend_charts(report: MaintenanceReport) -> list[Chart]:
    """Draw the 12-month trends: failed devices (bars) and resource use (lines).

    Months without data are left empty (no bar, a gap in the lines).

    Args:
        report: The assembled report.

    Returns:
        Two charts: ``trend-failed`` and ``trend-usage``.
    """
    lang = report.lang
    months = [labels.month_short(m, lang) for m in report.trend_months]
    trends = report.trends
    positions = list(range(len(months)))

    failed_title = labels.text("chart_failed", lang)
    figure = Figure(figsize=(8, 3))
    axes = figure.subplots()
    failed = _values(trends["devices_failed"].tolist())
    axes.bar(positions, [0.0 if math.isnan(v) else v for v in failed], color="#b03a2e")
    axes.set_title(failed_title)
    axes.set_ylabel(labels.column("devices_failed", lang))
    axes.set_xticks(positions, months, rotation=45, ha="right", fontsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    failed_png = _png(figure)

    usage_title = labels.text("chart_usage", lang)
    figure = Figure(figsize=(8, 3.4))
    axes = figure.subplots()
    for key, style in (
        ("cpu_mean", "-o"),
        ("cpu_max", "--o"),
        ("memory_mean", "-s"),
        ("memory_max", "--s"),
        ("disk_max", ":^"),
    ):
        axes.plot(positions, _values(trends[key].tolist()), style, label=labels.column(key, lang))
    axes.set_title(usage_title)
    axes.set_ylim(0, 100)
    axes.set_xticks(positions, months, rotation=45, ha="right", fontsize=8)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    usage_png = _png(figure)
    return [
        Chart("trend-failed", failed_title, failed_png),
        Chart("trend-usage", usage_title, usage_png),
    ]
