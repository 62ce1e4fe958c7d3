"""The HTML side of every document: the Jinja2 templates, table cells as shown, images.

:func:`reports.document.render_html` renders a document with these: the templates in
``reports/templates/`` (``base.html.j2`` and the templates extending it), autoescaped,
the same page for the screen and, with the print stylesheet, for the PDF
(:mod:`reports.render_pdf`). Images are embedded as ``data:`` URIs (:func:`data_uri`),
so an HTML file stands on its own.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reports import labels

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
