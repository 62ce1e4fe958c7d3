"""Render the report as a PDF: WeasyPrint prints the HTML page with the print stylesheet.

The layout is that of an Indonesian official report: the office's letterhead (kop
surat) centred with a double rule below, the title and period, the sections, then
``<city>, <date>`` and the signature blocks of the reviewers and the approver (role
title, name underlined, ``NIP. ...`` below). WeasyPrint needs Pango
(``libpango-1.0-0``, ``libpangoft2-1.0-0``) and a font (``fonts-dejavu-core``).
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.assembly import MaintenanceReport
from reports.charts import Chart
from reports.render_html import TEMPLATES_DIR, render_html


def render_pdf(report: MaintenanceReport, charts: Sequence[Chart] = ()) -> bytes:
    """Render the report as a PDF document.

    Args:
        report: The assembled report.
        charts: Trend charts to embed.

    Returns:
        The PDF's bytes.
    """
    return html_to_pdf(render_html(report, charts, for_print=True))


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page laid out for print (``for_print=True``) as a PDF with WeasyPrint.

    Relative URLs resolve against :data:`reports.render_html.TEMPLATES_DIR`.

    Args:
        html: The page.

    Returns:
        The PDF's bytes.
    """
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    pdf = HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf
