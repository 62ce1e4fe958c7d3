"""``sigap report``: write the reports SIGAP makes from its records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError

from config.settings import load_settings
from records.db import make_engine, resolve_url
from sigap.commands.db_cmd import DatabaseUrl
from sigap.commands.errors import database_failure, exit_with
from sigap.commands.office_cmd import load_or_exit, office_path

app = typer.Typer(
    help="Reports from the records: the SOP A monthly maintenance report; serve report files.",
    no_args_is_help=True,
)


@app.callback()
def report_callback() -> None:
    """Reports from the records: the SOP A monthly maintenance report."""


@app.command("maintenance")
def maintenance_command(
    month: Annotated[
        str,
        typer.Option(
            "--month",
            "-m",
            help="The month to report on, YYYY-MM (e.g. 2026-11).",
            show_default=False,
        ),
    ],
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Formats, comma-separated: xlsx, html, pdf.")
    ] = "xlsx,html,pdf",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output directory (default: <data dir>/reports).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language: id (Indonesian) or en (English).")
    ] = "id",
    office: Annotated[
        Path | None,
        typer.Option(
            "--office",
            help="Office YAML file (default: $SIGAP_OFFICE or <data dir>/office.yaml).",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the SOP A monthly report "Laporan Pemeliharaan Kinerja Sistem".

    Uses the month's SOP A run (its step-4 collections) or, without one, the month's
    last collection run. Writes XLSX, HTML and PDF plus the trend charts (PNG).
    Exit status: 0 written, 1 no data for the month or an invalid office file,
    2 bad option or database error. Nothing is written on error.
    """
    from reports.labels import check_lang
    from reports.maintenance import (
        FORMATS,
        NoMaintenanceData,
        check_formats,
        write_maintenance_report,
    )
    from sop.runkeys import parse_month
    from tasks.credentials import resolve_secret

    try:
        month = parse_month(month)
        wanted = check_formats(formats)
        lang = check_lang(lang)
    except ValueError as error:
        raise exit_with(str(error), 2) from None
    the_office = load_or_exit(office_path(office))
    settings = load_settings()
    out_dir = out if out is not None else settings.data_dir / "reports"
    try:
        url = resolve_url(database_url or settings.database_url)
    except ArgumentError as error:
        raise exit_with(f"database (unparseable URL): {error}", 2) from None
    engine = make_engine(url)
    try:
        files = write_maintenance_report(
            engine,
            the_office,
            month,
            out_dir,
            wanted,
            lang,
            asset_unseen_months=settings.asset_unseen_months,
            passphrases=resolve_secret,
        )
    except NoMaintenanceData as error:
        raise exit_with(str(error), 1) from None
    except ValueError as error:
        raise exit_with(str(error), 2) from None
    except DBAPIError as error:
        raise database_failure(url, error) from None
    finally:
        engine.dispose()
    summary = files.summary
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)
    table = Table(title=f"SOP A {month}: {the_office.short_name}", show_edge=False)
    table.add_column("format")
    table.add_column("file", overflow="fold")
    for fmt in FORMATS:
        if fmt in files.paths:
            table.add_row(fmt, str(files.paths[fmt]))
    for chart in files.charts:
        table.add_row("png", str(chart))
    console.print(table)
    console.print(
        f"{summary['devices_total']} devices: {summary['devices_ok']} ok, "
        f"{summary['devices_failed']} failed; checklist {summary['checks_pass']} pass, "
        f"{summary['checks_warn']} warn, {summary['checks_fail']} fail; "
        f"{summary['config_changes']} config change(s); SOP steps {summary['sla_met']} "
        f"within standard, {summary['sla_breached']} over",
        highlight=False,
    )


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", help="TCP port on 127.0.0.1.")] = 4201,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Directory to serve (default: $SIGAP_REPORT_DIR or <data dir>/reports).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the report files over HTTP on 127.0.0.1, read-only, until Ctrl-C.

    Set SIGAP_REPORTS_URL=http://127.0.0.1:<port>/ for the flows, and their Prefect
    artifacts link to the files here (the Prefect UI cannot open file:// links).
    Only files under the directory are served (no listing, no ../). Exit status 2
    when the directory is missing or the port is taken.
    """
    from reports.serve import HOST, make_server

    settings = load_settings()
    root = directory or settings.reports_dir
    try:
        server = make_server(root, port)
    except FileNotFoundError as error:
        raise exit_with(str(error), 2) from None
    except OSError as error:
        raise exit_with(f"--port {port}: {error.strerror or error}", 2) from None
    url = f"http://{HOST}:{server.server_address[1]}/"
    Console().print(
        f"Melayani {root} di {url} (serving, read-only). "
        f"Untuk tautan artefak Prefect: SIGAP_REPORTS_URL={url}  Ctrl-C berhenti.",
        highlight=False,
        soft_wrap=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
