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


def has_data(values: list[float]) -> bool:
    """Whether a series holds at least one value (NaN is a month without data).

    Args:
        values: The series, as :func:`_values` gives it.

    Returns:
        True if a value is a number.

    Examples:
        >>> has_data([math.nan, 0.0]), has_data([math.nan]), has_data([])
        (True, False, False)
    """
    return any(not math.isnan(v) for v in values)


def _no_data(figure: Figure, title: str, lang: str) -> None:
    """Draw the chart's title and "Tidak ada data" where the axes would be: no empty axis."""
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_title(title)
    axes.text(
        0.5,
        0.5,
        labels.text("chart_no_data", lang),
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color="#555555",
    )


def trend_figures(report: MaintenanceReport) -> list[tuple[str, str, Figure]]:
    """Draw the 12-month trends as matplotlib figures (not yet rendered).

    Months without data are left empty (no bar, a gap in the lines); a chart with no
    data in any month shows "Tidak ada data" ("No data") instead of an empty axis.

    Args:
        report: The assembled report.

    Returns:
        ``(key, title, figure)`` for ``trend-failed`` and ``trend-usage``.
    """
    lang = report.lang
    months = [labels.month_short(m, lang) for m in report.trend_months]
    trends = report.trends
    positions = list(range(len(months)))

    failed_title = labels.text("chart_failed", lang)
    failed_figure = Figure(figsize=(8, 3))
    failed = _values(trends["devices_failed"].tolist()) if len(trends) else []
    if has_data(failed):
        axes = failed_figure.subplots()
        axes.bar(positions, [0.0 if math.isnan(v) else v for v in failed], color="#b03a2e")
        axes.set_title(failed_title)
        axes.set_ylabel(labels.column("devices_failed", lang))
        axes.set_xticks(positions, months, rotation=45, ha="right", fontsize=8)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
    else:
        _no_data(failed_figure, failed_title, lang)

    usage_title = labels.text("chart_usage", lang)
    usage_figure = Figure(figsize=(8, 3.4))
    keys = (
        ("cpu_mean", "-o"),
        ("cpu_max", "--o"),
        ("memory_mean", "-s"),
        ("memory_max", "--s"),
        ("disk_max", ":^"),
    )
    series = {key: _values(trends[key].tolist()) if len(trends) else [] for key, _ in keys}
    if any(has_data(v) for v in series.values()):
        axes = usage_figure.subplots()
        for key, style in keys:
            axes.plot(positions, series[key], style, label=labels.column(key, lang))
        axes.set_title(usage_title)
        axes.set_ylim(0, 100)
        axes.set_xticks(positions, months, rotation=45, ha="right", fontsize=8)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        _no_data(usage_figure, usage_title, lang)
    return [
        ("trend-failed", failed_title, failed_figure),
        ("trend-usage", usage_title, usage_figure),
    ]


def trend_charts(report: MaintenanceReport) -> list[Chart]:
    """Draw the 12-month trends: failed devices (bars) and resource use (lines), as PNG.

    Args:
        report: The assembled report.

    Returns:
        Two charts: ``trend-failed`` and ``trend-usage`` (see :func:`trend_figures`).
    """
    return [Chart(key, title, _png(figure)) for key, title, figure in trend_figures(report)]
