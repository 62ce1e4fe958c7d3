"""SOP E commands: ``sigap incident attach`` (evidence) and ``sigap report kerusakan``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import ArgumentError, DBAPIError

from config.settings import load_settings
from records.db import make_engine, resolve_url
from sigap.commands.db_cmd import DatabaseUrl
from sigap.commands.deployment_runs import start_deployment
from sigap.commands.errors import database_failure, exit_with
from sigap.commands.office_cmd import load_or_exit, office_path
from sigap.labels import label


def attach(
    incident: Annotated[str, typer.Argument(help="Nomor insiden, mis. INC-2026-0001 (or id).")],
    files: Annotated[
        list[Path], typer.Argument(help="Foto/PDF bukti sparepart yang diganti (PNG, JPEG, PDF).")
    ],
    by: Annotated[str, typer.Option("--as", help="Username yang melampirkan (who attaches).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Lampirkan bukti penggantian sparepart ke insiden (SOP E langkah 7).

    Every file is checked first: its type is read from its content (PNG, JPEG or
    PDF, whatever its name says) and its size is limited (SIGAP_EVIDENCE_MAX_MB).
    One bad file refuses the whole batch and nothing is stored. Files are kept
    under <data dir>/evidence/<sha256>.

    Exit status: 0 attached, 1 a file was refused or no such incident, 2 database error.
    """
    from sop.evidence import EvidenceError
    from tasks.evidence import store_evidence

    settings = load_settings()
    try:
        url = resolve_url(database_url or settings.database_url)
    except ArgumentError as error:
        raise exit_with(f"database (unparseable URL): {error}", 2) from None
    engine = make_engine(url)
    try:
        stored = store_evidence(
            engine,
            incident,
            files,
            data_dir=settings.data_dir,
            max_bytes=settings.evidence_max_mb * 1024 * 1024,
            attached_by=by,
        )
    except EvidenceError as error:
        raise exit_with(f"tidak ada yang disimpan (nothing stored): {error}", 1) from None
    except LookupError as error:
        raise exit_with(str(error.args[0] if error.args else error), 1) from None
    except DBAPIError as error:
        raise database_failure(url, error) from None
    finally:
        engine.dispose()
    console = Console(soft_wrap=True)
    for evidence, created in stored:
        state = "disimpan" if created else "sudah ada"
        console.print(
            f"{evidence.filename}: {evidence.content_type}, {evidence.size_bytes} byte, "
            f"sha256 {evidence.sha256} ({state})"
        )


def report_kerusakan(
    month: Annotated[
        str,
        typer.Option(
            "--month", "-m", help="The month, YYYY-MM (e.g. 2026-12).", show_default=False
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
    lang: Annotated[str, typer.Option("--lang", help="Language: id or en.")] = "id",
    office: Annotated[
        Path | None,
        typer.Option(
            "--office", help="Office YAML file (default: $SIGAP_OFFICE).", show_default=False
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write SOP E's monthly "Laporan Jenis Kerusakan Rutin" (XLSX, HTML, PDF).

    Faults by kind and by device, time to repair, SLA compliance per step.

    Exit status: 0 written, 1 no SOP E incident in the month, 2 bad option or database error.
    """
    from reports.labels import check_lang
    from reports.server_faults import NoFaultData, write_fault_report
    from sop.runkeys import parse_month
    from tasks import clock

    try:
        month = parse_month(month)
        lang = check_lang(lang)
        wanted = [f.strip() for f in formats.split(",") if f.strip()]
        bad = [f for f in wanted if f not in ("xlsx", "html", "pdf")]
        if bad or not wanted:
            raise ValueError(f"--format: {', '.join(bad) or formats!r}: choose xlsx, html, pdf")
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
        _, paths = write_fault_report(
            engine, the_office, month, out_dir, wanted, lang, date=clock.now()
        )
    except NoFaultData as error:
        raise exit_with(str(error), 1) from None
    except DBAPIError as error:
        raise database_failure(url, error) from None
    finally:
        engine.dispose()
    console = Console(soft_wrap=True)
    for fmt, path in paths.items():
        console.print(f"{fmt}: {path}")


def run_monitoring(
    inventory: Annotated[
        Path | None, typer.Option("--inventory", "-i", help="Inventory directory.")
    ] = None,
    office: Annotated[Path | None, typer.Option(help="Office configuration file.")] = None,
    database_url: Annotated[str | None, typer.Option(help="Records database URL.")] = None,
    here: Annotated[
        bool,
        typer.Option(
            "--here",
            help="Run the check in this process instead of through the deployment "
            "`pemantauan-server` that `sigap serve` serves.",
        ),
    ] = False,
) -> None:
    """Run SOP E step 1, the server monitoring `pemantauan-server`, now.

    Checks every Linux server (health and security) and the reachability of every
    network device; a new fault opens one incident and starts its handling flow.
    With --here the findings are printed when the check ends.
    """
    console = Console(soft_wrap=True)
    params: dict[str, str] = {"trigger": "manual"}
    if inventory:
        params["inventory_dir"] = str(inventory.resolve())
    if office:
        params["office_file"] = str(office.resolve())
    if database_url:
        params["database_url"] = database_url
    if here:
        from flows.monitoring import pemantauan_server

        result = pemantauan_server(**params)
        console.print(f"pemantauan #{result['run_id']}: {result['hosts']} host")
        for finding in result["findings"]:
            mark = " (dibungkam)" if finding["silenced"] else ""
            console.print(
                f"  {finding['host']} {finding['key']}: {label('finding', finding['status'])} "
                f"({label('change', finding['change'])}){mark} - {finding['text']}"
            )
        for opened in result["incidents_opened"]:
            console.print(
                f"  insiden baru {opened['number']} (SOP {opened['sop']}): {opened['fault_key']}"
            )
        return
    start_deployment(console, "pemantauan-server/pemantauan-server", params)
