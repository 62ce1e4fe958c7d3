"""``sigap asset``: the IT asset register (SOP D): import, export, list, show, reconcile."""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import DBAPIError

from config.settings import load_settings
from sigap.commands.errors import database_failure, exit_with

if TYPE_CHECKING:
    from sop.asset_reconcile import Finding

app = typer.Typer(
    help="Register aset TI (IT asset register): import, export, list, show, reconcile.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Records database (default: SIGAP_DATABASE_URL)."),
]
RECONCILE_COLUMNS = ("host", "kode aset", "data", "register", "jaringan", "terakhir", "catatan")
LangOption = Annotated[str, typer.Option("--lang", help="id (Bahasa Indonesia) or en.")]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _with_hint(finding: Finding) -> str:
    """A reconciliation finding's note with the command that fixes it, for the terminal."""
    if finding.kind == "unregistered" and finding.tag is None:
        return f"{finding.note} (sigap asset import)"
    return finding.note


def _report_problems(error: Exception, what: str) -> typer.Exit:
    from sop.asset_sheet import describe
    from sop.problems import ConfigError

    problems = error.problems if isinstance(error, ConfigError) else []
    for problem in problems:
        typer.echo(describe(problem), err=True)
    count = len(problems)
    typer.echo(f"{what}: {count} masalah / problem(s); tidak ada yang disimpan", err=True)
    return typer.Exit(1)


@app.command("import")
def import_assets(
    file: Annotated[Path, typer.Argument(help="Spreadsheet .xlsx or .csv, one asset per row.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check the file; add nothing.")
    ] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Who imports (default: your OS user).")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Add the assets of FILE to the register (all rows valid, or nothing is added)."""
    from records.db import make_engine, session_scope
    from sop.problems import ConfigError
    from tasks.asset_files import import_asset_file

    engine = make_engine(database_url or load_settings().database_url)
    try:
        with session_scope(engine) as session:
            result = import_asset_file(
                session, file, dry_run=dry_run, actor=as_user or getpass.getuser()
            )
            if dry_run:
                session.rollback()
    except ConfigError as error:
        raise _report_problems(error, str(file)) from None
    except DBAPIError as error:
        raise database_failure(engine.url, error) from None
    finally:
        engine.dispose()
    if result.ignored_columns:
        typer.echo("kolom diabaikan / ignored columns: " + ", ".join(result.ignored_columns))
    count = len(result.assets)
    if dry_run:
        typer.echo(f"{file}: {count} aset valid (dry run: tidak ada yang disimpan)")
    else:
        typer.echo(f"{file}: {count} aset ditambahkan ke register / assets added")


@app.command("export")
def export_assets(
    file: Annotated[Path, typer.Argument(help="Target .xlsx or .csv file.")],
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    lang: LangOption = "id",
    database_url: DbOption = None,
) -> None:
    """Write the register to FILE (readable back by `sigap asset import`)."""
    from records.assets import find_assets
    from records.db import make_engine, session_scope
    from sop.problems import ConfigError
    from tasks.asset_files import export_asset_file

    if lang not in ("id", "en"):
        raise exit_with(f"--lang: {lang!r} is not one of id, en", 2)
    engine = make_engine(database_url or load_settings().database_url)
    try:
        with session_scope(engine) as session:
            assets = find_assets(session, status=status, category=category)
        export_asset_file(assets, file, lang)
    except ConfigError as error:
        raise _report_problems(error, str(file)) from None
    except ValueError as error:
        raise exit_with(str(error), 2) from None
    except DBAPIError as error:
        raise database_failure(engine.url, error) from None
    finally:
        engine.dispose()
    typer.echo(f"{file}: {len(assets)} aset ditulis / assets written")


@app.command("list")
def list_assets(
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    database_url: DbOption = None,
) -> None:
    """List the register's assets, by tag."""
    from records.assets import find_assets
    from records.db import make_engine, session_scope
    from sop.assets import CATEGORY_LABELS, STATUS_LABELS
    from tasks.asset_files import asset_fields

    engine = make_engine(database_url or load_settings().database_url)
    try:
        with session_scope(engine) as session:
            assets = [
                asset_fields(a) for a in find_assets(session, status=status, category=category)
            ]
    except ValueError as error:
        raise exit_with(str(error), 2) from None
    except DBAPIError as error:
        raise database_failure(engine.url, error) from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in a.items()} for a in assets], indent=2))
        return
    table = Table(title=f"Register aset ({len(assets)})", title_justify="left")
    for column in ("kode", "kategori", "nama", "merek/model", "seri", "lokasi", "pemegang"):
        table.add_column(column)
    table.add_column("status")
    table.add_column("host")
    for a in assets:
        table.add_row(
            Text(a["tag"]),
            Text(CATEGORY_LABELS[a["category"]]),
            Text(a["name"]),
            Text(" ".join(x for x in (a["vendor"], a["model"]) if x) or "-"),
            Text(a["serial"] or "-"),
            Text(a["location"] or "-"),
            Text(a["custodian"] or "-"),
            Text(STATUS_LABELS[a["status"]]),
            Text(a["inventory_host"] or "-"),
        )
    Console(width=200).print(table)


@app.command("show")
def show_asset(
    tag: Annotated[str, typer.Argument(help="Asset tag (kode aset).")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    database_url: DbOption = None,
) -> None:
    """Show one asset and its history of events."""
    from records.assets import asset_events, get_asset
    from records.db import make_engine, session_scope
    from sop.asset_sheet import EXPORT_HEADERS
    from sop.assets import CATEGORY_LABELS, STATUS_LABELS, format_rupiah
    from tasks.asset_files import asset_fields

    engine = make_engine(database_url or load_settings().database_url)
    try:
        with session_scope(engine) as session:
            asset = get_asset(session, tag)
            fields = asset_fields(asset)
            events = [
                {
                    "at": e.at,
                    "procedure": e.procedure,
                    "sop_run_id": e.sop_run_id,
                    "kind": e.kind,
                    "actor": e.actor,
                    "changes": e.changes,
                }
                for e in asset_events(session, asset)
            ]
    except LookupError as error:
        raise exit_with(str(error.args[0]), 1) from None
    except DBAPIError as error:
        raise database_failure(engine.url, error) from None
    finally:
        engine.dispose()
    if as_json:
        data = {k: _plain(v) for k, v in fields.items()}
        data["events"] = [{k: _plain(v) for k, v in e.items()} for e in events]
        typer.echo(json.dumps(data, indent=2))
        return
    console = Console(width=200)
    labels = EXPORT_HEADERS["id"]
    for name, label in labels.items():
        value = fields[name]
        if name == "category":
            value = CATEGORY_LABELS[value]
        elif name == "status":
            value = STATUS_LABELS[value]
        elif name == "value":
            value = format_rupiah(value)
        elif isinstance(value, date):
            value = f"{value:%d/%m/%Y}"
        console.print(Text(f"{label:<18} {value if value not in (None, '') else '-'}"))
    table = Table(title="Riwayat / history", title_justify="left")
    for column in ("waktu (UTC)", "prosedur", "run", "kejadian", "oleh", "perubahan"):
        table.add_column(column)
    for e in events:
        changes = "; ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in e["changes"].items())
        if e["kind"] == "created":
            changes = "nilai awal seperti di atas / initial values as above"
        table.add_row(
            Text(f"{e['at']:%Y-%m-%d %H:%M}"),
            Text(e["procedure"] or "-"),
            Text(str(e["sop_run_id"] or "-")),
            Text(e["kind"]),
            Text(e["actor"] or "-"),
            Text(changes or "-"),
        )
    console.print(table)


@app.command("reconcile")
def reconcile_assets(
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            min=1,
            help="Report registered network assets not seen for this many months "
            "(default: SIGAP_ASSET_UNSEEN_MONTHS, else 3).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
    database_url: DbOption = None,
) -> None:
    """Compare the register with what the collection saw on the network.

    Exit status 0 when register and network agree, 3 when there are findings.
    """
    from records.assets import registered_items, seen_devices
    from records.db import make_engine, session_scope
    from records.types import utcnow
    from sop.asset_reconcile import FIELD_LABELS, KINDS, reconcile

    window = months if months is not None else load_settings().asset_unseen_months
    engine = make_engine(database_url or load_settings().database_url)
    try:
        with session_scope(engine) as session:
            result = reconcile(
                registered_items(session), seen_devices(session), as_of=utcnow(), months=window
            )
    except DBAPIError as error:
        raise database_failure(engine.url, error) from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        console = Console(width=200)
        console.print(
            Text(
                f"Rekonsiliasi aset per {result.as_of:%d/%m/%Y %H:%M} UTC: "
                f"{result.assets_checked} aset jaringan terdaftar, {result.devices_seen} "
                f"perangkat terlihat dalam {window} bulan terakhir"
            )
        )
        for kind, findings in (
            ("unregistered", result.unregistered),
            ("not_seen", result.not_seen),
            ("mismatches", result.mismatches),
        ):
            title = KINDS["mismatch" if kind == "mismatches" else kind]
            table = Table(title=f"{title} ({len(findings)})", title_justify="left")
            for column in (
                "host",
                "kode aset",
                "data",
                "register",
                "jaringan",
                "terakhir",
                "catatan",
            ):
                table.add_column(column)
            for f in findings:
                table.add_row(
                    Text(f.host or "-"),
                    Text(f.tag or "-"),
                    Text(FIELD_LABELS.get(f.field or "", "-")),
                    Text(f.register or "-"),
                    Text(f.network or "-"),
                    Text(f"{f.last_seen:%d/%m/%Y}" if f.last_seen else "-"),
                    Text(_with_hint(f)),
                )
            console.print(table)
    if result.findings:
        raise typer.Exit(3)
