"""SOP A's monthly report "Laporan Pemeliharaan Kinerja Sistem": the entry points.

The maintenance flow and ``sigap report maintenance`` call
:func:`write_maintenance_report` (read the month's records, assemble, render, write
the files) and, inside a flow run, :func:`publish_maintenance_artifacts`.

The work is split by job: :mod:`reports.sources` reads the database,
:mod:`reports.assembly` builds the DataFrames (pure), :mod:`reports.charts` draws the
trends, :mod:`reports.maintenance_document` makes the report an official document,
and the pipeline of every official document renders, writes and publishes it
(:func:`reports.document.render_document`, :func:`reports.document.write_document`,
:func:`reports.artifacts.publish_artifacts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from config.sop_files import load_sops
from reports import labels
from reports.artifacts import (
    ArtifactTable,
    ServedReports,
    artifact_key,
    publish_artifacts,
    table_records,
)
from reports.assembly import MaintenanceReport, build_maintenance_report
from reports.charts import Chart, trend_charts
from reports.document import render_document, write_document
from reports.maintenance_document import maintenance_document, summary_markdown
from reports.signing import Passphrases
from reports.sources import NoMaintenanceData, load_maintenance_data
from sop.model import SopDefinition
from sop.office import Office
from sop.runkeys import office_slug, parse_month

__all__ = [
    "FORMATS",
    "MaintenanceReport",
    "NoMaintenanceData",
    "ReportFiles",
    "check_formats",
    "make_maintenance_report",
    "publish_maintenance_artifacts",
    "render_maintenance_report",
    "report_basename",
    "write_maintenance_report",
]

FORMATS: tuple[str, ...] = ("xlsx", "html", "pdf")
"""Report formats, in the order they are written."""

SOP_CODE = "A"


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_maintenance_report` wrote.

    Attributes:
        paths: Format (``xlsx``, ``html``, ``pdf``) -> file.
        summary: The summary numbers as plain data: ``devices_total``, ``devices_ok``,
            ``devices_failed``, ``by_outcome``, ``checks_pass``, ``checks_warn``,
            ``checks_fail``, ``degraded`` (list of ``{device, item, status}``),
            ``config_changes``, ``sla_met``, ``sla_breached``, ``sla_percent``, plus
            ``month``, ``office``, ``source``, ``collection_run_ids``, ``run_key``.
        markdown: A short markdown summary with links to the files (for a Prefect artifact).
        charts: The trend chart PNGs saved beside the files.
        devices: The device table as JSON-able records (headers in the report's
            language), for a Prefect table artifact.
    """

    paths: dict[str, Path]
    summary: dict[str, Any]
    markdown: str
    charts: tuple[Path, ...] = ()
    devices: tuple[dict[str, Any], ...] = field(default=())


def check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    """Check the wanted formats; a text may list them with commas.

    Args:
        formats: E.g. ``("xlsx", "pdf")`` or ``"xlsx,html,pdf"``.

    Returns:
        The formats, lower case, each once, in the given order.

    Raises:
        ValueError: An unknown format, or none at all, naming the field.

    Examples:
        >>> check_formats("PDF, xlsx,pdf")
        ('pdf', 'xlsx')
        >>> check_formats(["docx"])
        Traceback (most recent call last):
        ...
        ValueError: formats: unknown format 'docx'; choose from xlsx, html, pdf
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in items:
        name = str(item).strip().lower()
        if not name:
            continue
        if name not in FORMATS:
            raise ValueError(
                f"formats: unknown format {str(item).strip()!r}; choose from {', '.join(FORMATS)}"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(f"formats: give at least one of {', '.join(FORMATS)}")
    return tuple(out)


def report_basename(office: Office, month: str, lang: str = "id") -> str:
    """Return the report's file name without extension.

    Args:
        office: The office.
        month: ``YYYY-MM``.
        lang: ``id`` or ``en``.

    Returns:
        E.g. ``laporan-pemeliharaan-kanwil-kemenkumham-malut-2026-11``.
    """
    stem = "maintenance-report" if labels.check_lang(lang) == "en" else "laporan-pemeliharaan"
    return f"{stem}-{office_slug(office.short_name)}-{parse_month(month)}"


def _sop(office: Office) -> SopDefinition:
    sops = load_sops(office.sop_dir)
    if SOP_CODE not in sops:
        raise ValueError(f"office: its SOP directory {office.sop_dir} has no SOP {SOP_CODE}")
    return sops[SOP_CODE]


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now: {now} has no time zone; give an aware datetime")
    return now


def make_maintenance_report(
    engine: Engine,
    office: Office,
    month: str,
    lang: str = "id",
    now: datetime | None = None,
    *,
    asset_unseen_months: int = 3,
) -> MaintenanceReport:
    """Read the month's records and assemble the report (nothing is written).

    Args:
        engine: The records database.
        office: The office.
        month: ``YYYY-MM``.
        lang: ``id`` (default) or ``en``.
        now: The current time (aware); default now.
        asset_unseen_months: Months without a sighting before a registered network
            asset is "not seen" (``SIGAP_ASSET_UNSEEN_MONTHS``).

    Returns:
        The assembled report.

    Raises:
        ValueError: A bad month, language or time.
        NoMaintenanceData: The month has neither an SOP A run nor a collection run.
    """
    month = parse_month(month)
    lang = labels.check_lang(lang)
    now = _now(now)
    sop = _sop(office)
    with Session(engine) as session:
        data = load_maintenance_data(session, office, month, asset_months=asset_unseen_months)
    return build_maintenance_report(data, office, sop, now=now, lang=lang)


def render_maintenance_report(
    report: MaintenanceReport, office: Office, formats: Sequence[str] = FORMATS
) -> tuple[dict[str, bytes], list[Chart]]:
    """Render the report in memory, as every official document is rendered.

    Args:
        report: The assembled report.
        office: Its office.
        formats: Formats to render.

    Returns:
        Format -> file content, and the trend charts.
    """
    charts = trend_charts(report)
    doc = maintenance_document(report, office, charts)
    return {fmt: render_document(doc, fmt) for fmt in check_formats(formats)}, charts


def write_maintenance_report(
    engine: Engine,
    office: Office,
    month: str,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    lang: str = "id",
    now: datetime | None = None,
    *,
    asset_unseen_months: int = 3,
    passphrases: Passphrases | None = None,
) -> ReportFiles:
    """Write the SOP A monthly report of ``month`` to ``out_dir``.

    Every input is checked and every file rendered before anything is written: bad
    input or a month without data leaves ``out_dir`` untouched. The trend charts are
    saved as PNG beside the report files. Existing files of the same name are replaced.

    Args:
        engine: The records database.
        office: The office (names, NIPs, titles, letterhead, time zone).
        month: ``YYYY-MM``.
        out_dir: Directory for the files (created if missing).
        formats: Any of ``xlsx``, ``html``, ``pdf``.
        lang: ``id`` (default) or ``en``.
        now: The current time (aware); default now.
        asset_unseen_months: Months without a sighting before a registered network
            asset is "not seen" (``SIGAP_ASSET_UNSEEN_MONTHS``).
        passphrases: Reads the approvers' certificate passphrases (the entry's
            :func:`tasks.credentials.resolve_secret`), for the signed PDF.

    Returns:
        The written files, the summary numbers and a markdown summary.

    Raises:
        ValueError: An unknown format, a bad month or language, naming the field.
        NoMaintenanceData: The month has neither an SOP A run nor a collection run.
    """
    month = parse_month(month)
    lang = labels.check_lang(lang)
    wanted = check_formats(formats)
    report = make_maintenance_report(
        engine, office, month, lang, now, asset_unseen_months=asset_unseen_months
    )
    charts = trend_charts(report)
    base = report_basename(office, month, lang)
    doc = maintenance_document(report, office, charts)
    paths = write_document(doc, out_dir, base, wanted, passphrases=passphrases)
    out_dir = Path(out_dir)
    chart_paths = []
    for chart in charts:
        path = out_dir / f"{base}-{chart.key}.png"
        path.write_bytes(chart.png)
        chart_paths.append(path)
    summary = dict(report.summary) | {"office": office.short_name}
    return ReportFiles(
        paths=paths,
        summary=summary,
        markdown=summary_markdown(report),
        charts=tuple(chart_paths),
        devices=tuple(table_records(report.frame("devices"))),
    )


def publish_maintenance_artifacts(
    files: ReportFiles,
    report: MaintenanceReport | None = None,
    key: str | None = None,
    *,
    served: ServedReports,
) -> None:
    """Publish the report to Prefect: markdown summary, device table, links to its files.

    Call it inside a flow or task run so the artifacts belong to that run.

    Args:
        files: From :func:`write_maintenance_report`.
        report: The assembled report, if at hand (its device table is used; else
            ``files.devices``).
        key: Artifact key; made valid (lowercase letters, digits, dashes). Default
            ``laporan-pemeliharaan-<office>-<month>``. The table gets ``<key>-devices``,
            each file ``<key>-<format>`` (only when the report directory is served).
        served: Where reports are served over HTTP (:func:`reports.artifacts.served_reports`
            of the flow's settings).

    Raises:
        ValueError: ``key`` has no letters or digits.
    """
    summary = files.summary
    wanted = key or f"laporan-pemeliharaan-{summary.get('office', '')}-{summary.get('month', '')}"
    valid = artifact_key(wanted)
    devices = table_records(report.frame("devices")) if report is not None else list(files.devices)
    lang = report.lang if report is not None else "id"
    title = labels.text("title", lang)
    period = labels.period_label(str(summary.get("month", "")), lang)
    description = f"{title} {period} ({summary.get('office', '')})"
    publish_artifacts(
        valid,
        files.markdown,
        files.paths,
        tables=[ArtifactTable("devices", devices, description)],
        description=description,
        files_label=labels.text("files", lang),
        served=served,
    )
