"""``sigap config``: the stored configuration history of a device, and its diffs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from config.settings import load_settings
from records.config_history import (
    ConfigVersion,
    UnknownDevice,
    UnknownVersion,
    config_versions,
    version_diff,
)
from records.db import make_engine, resolve_url
from sigap.commands.db_cmd import DatabaseUrl
from sigap.commands.errors import database_failure, exit_with

app = typer.Typer(
    help="Configuration backups: history of a device's stored configs and their diffs.",
    no_args_is_help=True,
)

Host = Annotated[str, typer.Argument(help="Device name as in the inventory.", show_default=False)]

T = TypeVar("T")


def _console() -> Console:
    """A console that does not squeeze the output to 80 columns when piped."""
    console = Console(soft_wrap=False)
    return console if console.is_terminal else Console(soft_wrap=False, width=160)


def _read(database_url: str | None, read: Callable[[Session], T]) -> T:
    """Run ``read`` in a session on the records database; turn failures into exits."""
    try:
        url = resolve_url(database_url or load_settings().database_url)
    except ArgumentError as error:
        raise exit_with(f"database (unparseable URL): {error}", 2) from None
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return read(session)
    except (UnknownDevice, UnknownVersion) as error:
        raise exit_with(str(error.args[0]), 1) from None
    except DBAPIError as error:
        raise database_failure(url, error) from None
    finally:
        engine.dispose()


def _history_table(host: str, versions: list[ConfigVersion]) -> Table:
    table = Table(title=f"configuration history of {host}", show_edge=False, pad_edge=False)
    for column in ("version", "collected at (UTC)", "run", "hash", "lines", "changed lines"):
        table.add_column(column, no_wrap=True, justify="left" if column == "hash" else "right")
    for v in versions:
        table.add_row(
            str(v.version),
            v.collected_at.isoformat(timespec="seconds"),
            str(v.run_id),
            v.hash[:12],
            str(v.lines),
            "-" if v.changed_lines is None else str(v.changed_lines),
        )
    return table


@app.command("history")
def history_command(host: Host, database_url: DatabaseUrl = None) -> None:
    """List the versions of a device's running configuration, oldest first.

    A new version is counted only when the (sanitised, normalised) configuration
    changed since the previous stored one. Exit 1 for an unknown device.
    """
    versions = _read(database_url, lambda session: config_versions(session, host))
    if not versions:
        typer.echo(f"{host}: no configuration stored yet")
        return
    _console().print(_history_table(host, versions))


@app.command("diff")
def diff_command(
    host: Host,
    from_version: Annotated[
        int | None,
        typer.Option("--from", help="Earlier version (default: the one before --to).", min=1),
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", help="Later version (default: the latest).", min=1)
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Show the unified diff between two configuration versions (default: previous vs latest).

    Volatile lines (timestamps, byte counts, ntp clock-period) never show up.
    Exit 1 for an unknown device or version.
    """
    result = _read(
        database_url, lambda session: version_diff(session, host, from_version, to_version)
    )
    if not result.diff:
        typer.echo(f"{host}: v{result.old.version} and v{result.new.version} are identical")
        return
    console = Console()
    if console.is_terminal:
        console.print(Syntax(result.diff, "diff", theme="ansi_dark", word_wrap=True))
    else:  # piped or redirected: the plain diff, never cut to the console width
        typer.echo(result.diff, nl=False)
