"""``sigap inventory``: check, show and import the device inventory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.settings import load_settings
from inventory import ConfigError, Inventory, load_inventory
from inventory.importer import import_spreadsheet

app = typer.Typer(
    help="Device inventory (hosts.yaml, groups.yaml, defaults.yaml): check, show, import.",
    no_args_is_help=True,
)

InventoryDir = Annotated[
    Path | None,
    typer.Argument(
        help="Inventory directory (default: SIGAP_INVENTORY, else <data dir>/inventory).",
        show_default=False,
    ),
]


def _directory(directory: Path | None) -> Path:
    return directory if directory is not None else load_settings().inventory_dir


def _fail(error: ConfigError, what: str) -> typer.Exit:
    """Print every problem (one per line, no markup) and return exit code 1."""
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len(error.problems)
    typer.echo(f"{what}: {count} problem{'s' if count != 1 else ''} found", err=True)
    return typer.Exit(1)


def _load(directory: Path) -> Inventory:
    try:
        return load_inventory(directory)
    except ConfigError as error:
        raise _fail(error, f"inventory {directory} is invalid") from None


def _table(inventory: Inventory, wide: bool = False) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    columns = ["name", "address", "platform", "napalm driver", "site"]
    if wide:
        columns += ["role", "criticality"]
    for column in [*columns, "groups"]:
        table.add_column(column, no_wrap=column in ("name", "address", "platform"))
    for host in inventory:
        row = [host.name, host.address, host.platform, host.napalm_driver or "-"]
        row.append(host.data.site or "-")
        if wide:
            row += [host.data.role or "-", host.data.criticality or "-"]
        table.add_row(*row, ", ".join(host.groups) or "-")
    return table


def _console() -> Console:
    """A console that does not squeeze the table to 80 columns when piped."""
    console = Console(soft_wrap=False)
    return console if console.is_terminal else Console(soft_wrap=False, width=160)


CHECK_TABLE_ROWS = 500
"""Hosts shown in the table of ``sigap inventory check`` (``show`` lists them all)."""


@app.command("check")
def check_command(directory: InventoryDir = None) -> None:
    """Validate an inventory; print a summary, or every problem with file and line."""
    path = _directory(directory)
    inventory = _load(path)
    typer.echo(f"OK: {len(inventory.hosts)} hosts, {len(inventory.groups)} groups")
    shown = inventory
    if len(inventory.hosts) > CHECK_TABLE_ROWS:
        shown = inventory.filter(name=list(inventory.hosts)[:CHECK_TABLE_ROWS])
    _console().print(_table(shown))
    if len(shown.hosts) < len(inventory.hosts):
        more = len(inventory.hosts) - len(shown.hosts)
        typer.echo(f"... and {more} more hosts: `sigap inventory show` lists them all")


def _criteria(filters: list[str]) -> dict[str, list[str]]:
    criteria: dict[str, list[str]] = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise typer.BadParameter(
                f"{item!r}: write key=value, e.g. site=pusat", param_hint="--filter"
            )
        criteria.setdefault(key.strip(), []).append(value.strip())
    return criteria


@app.command("show")
def show_command(
    directory: InventoryDir = None,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            "-f",
            help="Keep hosts matching key=value (repeatable; same key twice means either). "
            "Keys: name, hostname, platform, napalm_driver, group, or any data field "
            "such as site, role, criticality, location.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the hosts as JSON instead of a table.")
    ] = False,
) -> None:
    """Show the hosts of an inventory with everything inherited applied."""
    inventory = _load(_directory(directory))
    selected = inventory.filter(**_criteria(filters or []))
    if as_json:
        hosts = [
            {
                "name": h.name,
                "hostname": h.hostname,
                "port": h.port,
                "username": h.username,
                "password_ref": h.password_ref,
                "platform": h.platform,
                "napalm_driver": h.napalm_driver,
                "groups": list(h.all_groups),
                "data": h.data.as_dict(),
            }
            for h in selected
        ]
        typer.echo(json.dumps(hosts, indent=2, ensure_ascii=False, default=str))
        return
    _console().print(_table(selected, wide=True))
    typer.echo(f"{len(selected.hosts)} of {len(inventory.hosts)} hosts")


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="The office's device list: a .csv or .xlsx file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Inventory directory to write.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite hosts.yaml, groups.yaml, defaults.yaml in a non-empty DIR."
        ),
    ] = False,
    username: Annotated[
        str | None,
        typer.Option(
            "--username", help="Login name for defaults.yaml, for rows without a username."
        ),
    ] = None,
) -> None:
    """Import a CSV/XLSX device list into an inventory directory (see docs/inventory.md)."""
    try:
        imported = import_spreadsheet(source, out, force=force, username=username)
    except ConfigError as error:
        raise _fail(error, f"{source}: nothing written") from None
    typer.echo(
        f"wrote {out}: {len(imported.hosts)} hosts, {len(imported.groups)} groups "
        f"(check it with `sigap inventory check {out}`)"
    )
