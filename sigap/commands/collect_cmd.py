"""``sigap collect``: collect facts, health and configs from the inventory, now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from config.settings import load_settings
from sigap.labels import label
from sop.problems import ConfigError

OUTCOME_STYLE = {
    "ok": "green",
    "unreachable": "red",
    "auth_failed": "red",
    "timeout": "yellow",
    "host_key_changed": "bold red",
    "parse_error": "magenta",
    "truncated": "yellow",
}


def parse_filters(values: list[str]) -> dict[str, str]:
    """Turn ``key=value`` options into a filter mapping.

    Args:
        values: The ``--filter`` options as given.

    Returns:
        Key -> value.

    Raises:
        typer.BadParameter: An option is not ``key=value``.

    Examples:
        >>> parse_filters(["site=pusat", "group=switches"])
        {'site': 'pusat', 'group': 'switches'}
    """
    out: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise typer.BadParameter(f"{raw!r}: write key=value, e.g. site=pusat")
        out[key.strip()] = value.strip()
    return out


def collect(
    inventory: Annotated[
        Path | None,
        typer.Option("--inventory", "-i", help="Inventory directory (default: SIGAP_INVENTORY)."),
    ] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", "-f", help="Select hosts: key=value (site, group, platform, ...)."
        ),
    ] = None,
    office: Annotated[
        Path | None,
        typer.Option(help="Office configuration (its config_sanitize patterns apply)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable results.")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option(help="Records database URL (default: SIGAP_DATABASE_URL).")
    ] = None,
) -> None:
    """Collect facts, health and config backups from every selected device.

    Each device gets one outcome (ok, unreachable, auth_failed, timeout,
    host_key_changed, parse_error, truncated); one failing device never stops the
    others. Runs the Prefect flow ``collect-devices``. Exit status: 0 every device
    ok, 1 invalid inventory (nothing collected), 3 some devices not ok.
    """
    from flows.collect import collect_flow, progress_hook

    settings = load_settings()
    inventory_dir = inventory or settings.inventory_dir
    selected = parse_filters(filters or [])
    console = Console(stderr=as_json)
    progress = Progress(
        TextColumn("[bold]collect"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    )
    bar = progress.add_task("", total=None)

    def on_result(result: object, done: int, total: int) -> None:
        name = getattr(result, "name", "")
        outcome = getattr(result, "outcome", "")
        description = f"{name}: {label('outcome', str(outcome))}"
        progress.update(bar, completed=done, total=total, description=description)

    token = progress_hook.set(on_result)
    try:
        _check_files(inventory_dir, office)  # refused before Prefect starts: no flow-run traceback
        with progress:
            report = collect_flow()(
                inventory_dir=str(inventory_dir),
                filters=selected,
                trigger="manual",
                database_url=database_url,
                office_file=str(office) if office else None,
            )
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s); nothing was collected.", err=True)
        raise typer.Exit(1) from None
    finally:
        progress_hook.reset(token)

    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_table(console, report)
    failed = sum(n for outcome, n in report["counts"].items() if outcome != "ok")
    raise typer.Exit(0 if failed == 0 else 3)


def _check_files(inventory_dir: Path, office: Path | None) -> None:
    """Load the inventory (and the office file, if given) to refuse bad files early.

    Raises:
        ConfigError: Every problem of the files.
    """
    from config.office_file import load_office
    from inventory import load_inventory

    load_inventory(inventory_dir)
    if office is not None:
        load_office(office)


def _print_table(console: Console, report: dict[str, object]) -> None:
    table = Table(title=f"Pengumpulan data #{report['run_id']}", title_justify="left")
    for column in (
        "perangkat",
        "platform",
        "lokasi",
        "hasil",
        "checklist",
        "konfigurasi",
        "detik",
        "kesalahan",
    ):
        table.add_column(column)
    for line in report["devices"]:  # type: ignore[attr-defined]
        summary = line["checklist"]
        checklist = f"{summary.get('pass', 0)}✓ {summary.get('warn', 0)}! {summary.get('fail', 0)}✗"
        config = "berubah" if line["config_changed"] else "-"
        if line["unsaved"]:
            config += ", belum disimpan"
        table.add_row(
            Text(line["name"]),
            Text(line["platform"]),
            Text(line["site"] or "-"),
            Text(label("outcome", line["outcome"]), style=OUTCOME_STYLE.get(line["outcome"], "")),
            Text(checklist),
            Text(config),
            Text(f"{line['duration']:.1f}"),
            Text((line["error"] or "")[:80]),
        )
    console.print(table)
    counts = ", ".join(
        f"{label('outcome', k)}: {v}"
        for k, v in sorted(report["counts"].items())  # type: ignore[attr-defined]
    )
    console.print(Text(f"{len(report['devices'])} perangkat; {counts}"))  # type: ignore[arg-type]
