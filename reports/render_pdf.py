"""Print a document's HTML page as a PDF: WeasyPrint with the print stylesheet.

Every document's PDF (monthly report, Berita Acara, BAST...) is printed here, from
:func:`reports.document.render_html` with ``for_print=True``. WeasyPrint needs Pango
(``libpango-1.0-0``, ``libpangoft2-1.0-0``) and a font (``fonts-dejavu-core``).
"""

from __future__ import annotations

from reports.render_html import TEMPLATES_DIR


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
