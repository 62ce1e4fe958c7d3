"""SOP A's monthly report as an official document: the one pipeline prints it.

:func:`maintenance_document` turns an assembled :class:`~reports.assembly.MaintenanceReport`
and its trend charts into an :class:`~reports.document.OfficialDocument`, so the report
is rendered, written and published by the same functions as every other official
document (:func:`reports.document.render_document`, :func:`~reports.document.write_document`,
:func:`~reports.document.publish_document`). Its page is ``templates/maintenance.html.j2``
(extending ``base.html.j2``): numbered sections, the summary as a two-column table,
each configuration change with its diff, the charts under the trend table. Its XLSX
has one sheet per section and no ``Dokumen`` sheet. :func:`summary_markdown` is its
Prefect summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reports import labels
from reports.artifacts import markdown_cell
from reports.assembly import MaintenanceReport
from reports.charts import Chart
from reports.document import DocImage, DocTable, OfficialDocument
from sop.office import Office

TEMPLATE = "maintenance.html.j2"
"""The report's page template (extends ``base.html.j2``)."""

CHART_SECTION = "trends"
"""The section the trend charts are shown with."""

PUBLISHED_TABLES = ("devices",)
"""The sections published as Prefect table artifacts (``<key>-devices``)."""

MAX_DEGRADED_LINES = 10
"""Degraded components listed in the markdown summary before "and N more"."""


def maintenance_document(
    report: MaintenanceReport, office: Office, charts: Sequence[Chart] = ()
) -> OfficialDocument:
    """The monthly report as an official document.

    Args:
        report: The assembled report.
        office: Its office (letterhead, city, time zone).
        charts: The trend charts, shown with the trend table.

    Returns:
        The document: its tables are the report's sections (stable column keys,
        headers in the report's language, values as written), its signatures the
        reviewers' and the approver's, dated on the last decision.
    """
    lang = report.lang
    images = tuple(DocImage(c.title, c.png) for c in charts)
    tables = []
    for key in report.section_keys:
        raw = report.summary_table if key == "summary" else getattr(report, key)
        tables.append(
            DocTable(
                key=key,
                title=labels.section(key, lang),
                frame=raw,
                headers={str(c): labels.column(str(c), lang) for c in raw.columns},
                images=images if key == CHART_SECTION else (),
                as_written=True,
                publish=key in PUBLISHED_TABLES,
            )
        )
    generated = f"{labels.text('generated_at', lang)}: {report.generated_at} · {report.source}"
    return OfficialDocument(
        office=office,
        title=report.title,
        date=report.signed_on,
        lang=lang,
        subtitle=f"{labels.text('period', lang)}: {report.period}",
        tables=tables,
        signatures=report.signatures,
        template=TEMPLATE,
        context={
            "period_line": f"{labels.text('period', lang)}: {report.period}",
            "office_line": report.office_name,
            "generated_line": generated,
            "signatures_title": labels.section("signatures", lang),
            "none": labels.text("none", lang),
        },
        caption=f"{report.title} {report.period}",
        cover_sheet=False,
        signatures_per_row=max(1, len(report.signatures)),
    )


def _shown(value: object, lang: str) -> str:
    return labels.format_number(value, lang) if isinstance(value, float) else str(value)


def summary_markdown(report: MaintenanceReport, paths: Mapping[str, Path] | None = None) -> str:
    """Write a short markdown summary of the report, with links to its files.

    Args:
        report: The assembled report.
        paths: Format -> written file; named only (the HTTP links or paths are added
            when published, by :func:`reports.artifacts.publish_artifacts`).

    Returns:
        The markdown, in the report's language.
    """
    lang = report.lang
    summary = report.summary
    frame = report.summary_table
    lines = [
        f"## {report.title} {report.period}",
        "",
        f"**{markdown_cell(report.office_name)}**",
        "",
        f"| {labels.column('item', lang)} | {labels.column('value', lang)} |",
        "|---|---:|",
    ]
    lines += [
        f"| {markdown_cell(item)} | {markdown_cell(_shown(value, lang))} |"
        for item, value in frame.itertuples(index=False)
    ]
    degraded = summary["degraded"]
    if degraded:
        title = labels.SUMMARY_ITEMS["degraded"][1 if lang == "en" else 0]
        lines += ["", f"**{title}:**", ""]
        for entry in degraded[:MAX_DEGRADED_LINES]:
            status = labels.word(labels.CHECK_STATUSES, entry["status"], lang)
            device, item = markdown_cell(entry["device"]), markdown_cell(entry["item"])
            lines.append(f"- {device}: {item} ({status})")
        if len(degraded) > MAX_DEGRADED_LINES:
            lines.append(f"- {labels.text('and_more', lang, n=len(degraded) - MAX_DEGRADED_LINES)}")
    if paths:
        shown = " · ".join(f"{fmt.upper()} `{path.name}`" for fmt, path in paths.items())
        lines += ["", f"**{labels.text('files', lang)}:** {shown}"]
    return "\n".join(lines) + "\n"
