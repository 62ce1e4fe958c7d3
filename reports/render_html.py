"""Render the report as HTML with the Jinja2 templates in ``reports/templates/``.

The same template makes the screen page and, with the print stylesheet, the page
WeasyPrint turns into the PDF (:mod:`reports.render_pdf`). Charts are embedded as
``data:`` URIs, so the HTML file stands on its own.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reports import labels
from reports.assembly import MaintenanceReport
from reports.charts import Chart

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
"""The report templates and stylesheets."""


@dataclass(frozen=True)
class Cell:
    """One table cell as shown.

    Attributes:
        text: The text.
        css: CSS class (``bad``, ``warn``, ``good``, ``num``, ``pre`` or empty).
    """

    text: str
    css: str = ""


@dataclass(frozen=True)
class HtmlSection:
    """One section ready for the template.

    Attributes:
        key: Stable key.
        title: Title.
        headers: Column headers.
        keys: Stable column keys.
        rows: Rows of cells.
    """

    key: str
    title: str
    headers: list[str]
    keys: list[str]
    rows: list[list[Cell]]


def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates: autoescaped, strict about undefined names.

    Returns:
        The environment.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _tone(column: str, raw: Any, lang: str) -> str:
    """CSS class for words that carry a verdict (outcome, status, SLA, decision)."""
    tones = {
        "status": (labels.CHECK_STATUSES, ("fail",), ("warn",), ("pass",)),
        "sla": (labels.SLA_STATUSES, ("breached",), ("running",), ("met",)),
        "decision": (labels.DECISIONS, ("tolak",), ("kembalikan",), ("setuju",)),
        "outcome": (labels.OUTCOMES, tuple(k for k in labels.OUTCOMES if k != "ok"), (), ("ok",)),
    }.get(column)
    if tones is None or not isinstance(raw, str):
        return ""
    table, worse, middle, good = tones
    for css, keys in (("bad", worse), ("warn", middle), ("good", good)):
        if raw in {labels.word(table, k, lang) for k in keys}:
            return css
    return ""


def format_cell(column: str, value: Any, lang: str) -> Cell:
    """Format one value for the page.

    Args:
        column: The column's stable key.
        value: The value from the DataFrame.
        lang: ``id`` or ``en``.

    Returns:
        The cell: numbers with the language's decimal mark, missing values as ``-``.

    Examples:
        >>> format_cell("cpu_percent", 12.5, "id")
        Cell(text='12,5', css='num')
        >>> format_cell("status", "gagal", "id").css, format_cell("site", None, "id").text
        ('bad', '-')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell("-", "num" if column in _NUMERIC else "")
    if isinstance(value, bool):
        return Cell(str(value))
    if isinstance(value, int):
        return Cell(str(value), "num")
    if isinstance(value, float):
        return Cell(labels.format_number(value, lang), "num")
    if column == "diff":
        return Cell(str(value), "pre")
    return Cell(str(value), _tone(column, value, lang))


_NUMERIC = frozenset(
    {"cpu_percent", "memory_percent", "disk_percent", "devices_total", "devices_failed",
     "cpu_mean", "cpu_max", "memory_mean", "memory_max", "disk_max"}
)  # fmt: skip


def html_sections(report: MaintenanceReport) -> list[HtmlSection]:
    """Turn the report's sections into rows of formatted cells.

    Args:
        report: The assembled report.

    Returns:
        The sections in order.
    """
    out = []
    for section in report.sections():
        raw = report.summary_table if section.key == "summary" else getattr(report, section.key)
        keys = [str(c) for c in raw.columns]
        rows = [
            [format_cell(k, v, report.lang) for k, v in zip(keys, record, strict=True)]
            for record in raw.itertuples(index=False, name=None)
        ]
        out.append(
            HtmlSection(
                section.key, section.title, [str(c) for c in section.frame.columns], keys, rows
            )
        )
    return out


def data_uri(png: bytes) -> str:
    """Return a PNG as a ``data:`` URI.

    Args:
        png: The image.

    Returns:
        The URI.

    Examples:
        >>> data_uri(b"x")
        'data:image/png;base64,eA=='
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(
    report: MaintenanceReport, charts: Sequence[Chart] = (), *, for_print: bool = False
) -> str:
    """Render the report as one HTML page.

    Args:
        report: The assembled report.
        charts: Trend charts to embed.
        for_print: Lay out for the PDF (page size, page numbers, no screen styles).

    Returns:
        The HTML text.
    """
    env = template_environment()
    template = env.get_template("maintenance.html.j2")
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    if for_print:
        css += "\n" + (TEMPLATES_DIR / "print.css").read_text(encoding="utf-8")
    lang = report.lang
    words = {key: labels.text(key, lang) for key in labels.TEXTS if "{" not in labels.TEXTS[key][0]}
    return template.render(
        report=report,
        sections=html_sections(report),
        charts=[{"title": c.title, "uri": data_uri(c.png), "key": c.key} for c in charts],
        css=css,
        t=words,
        for_print=for_print,
        page_word="Halaman" if lang == "id" else "Page",
        of_word="dari" if lang == "id" else "of",
        generated_label=labels.text("generated_at", lang),
        period_label=labels.text("period", lang),
        signatures_title=labels.section("signatures", lang),
    )
