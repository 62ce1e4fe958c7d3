"""``sigap init`` and ``sigap db-status``: create, migrate and inspect the records database."""

from __future__ import annotations

from typing import Annotated

import typer
from alembic.util import CommandError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from config.settings import load_settings
from records.db import (
    current_revision,
    display_url,
    head_revision,
    init_database,
    known_revisions,
    resolve_url,
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the records database "
        "(default: SIGAP_DATABASE_URL, else the SQLite file in SIGAP_DATA_DIR). "
        "PostgreSQL: postgresql+psycopg://user:password@host/db.",
        show_default=False,
    ),
]


def _fail(url: str | None, error: Exception, code: int) -> typer.Exit:
    """Print a connection/URL error without the URL's password and return the exit."""
    message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    shown = "(unparseable URL)"
    if url is not None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = None
        if parsed is not None:
            shown = display_url(parsed)
            if parsed.password:
                message = message.replace(str(parsed.password), "***")
    typer.echo(f"error: database {shown}: {message}", err=True)
    return typer.Exit(code)


def _url_or_default(url: str | None) -> str:
    try:
        parsed = resolve_url(url or load_settings().database_url)
    except ArgumentError as error:
        raise _fail(None, error, 2) from None
    return parsed.render_as_string(hide_password=False)


def init_command(database_url: DatabaseUrl = None) -> None:
    """Create the records database or migrate it to the newest schema (safe to repeat)."""
    url = _url_or_default(database_url)
    try:
        result = init_database(url)
    except (DBAPIError, CommandError, OSError) as error:
        raise _fail(url, error, 2) from None
    typer.echo(f"database: {result.url}")
    if result.changed:
        before = result.before or "empty"
        typer.echo(f"migrated: {before} -> {result.after} (head)")
    else:
        typer.echo(f"already at head: {result.after}")


def status_command(database_url: DatabaseUrl = None) -> None:
    """Show the records database URL (password hidden) and its revision against the newest.

    Exit status: 0 when at the newest revision, 1 when it needs ``sigap init``
    (or has a revision this SIGAP does not know), 2 when it cannot be reached.
    """
    url = _url_or_default(database_url)
    try:
        current = current_revision(url)
    except (DBAPIError, OSError) as error:
        raise _fail(url, error, 2) from None
    head = head_revision()
    typer.echo(f"database: {display_url(url)}")
    typer.echo(f"current:  {current or 'none (empty database)'}")
    typer.echo(f"head:     {head}")
    if current == head:
        typer.echo("status:   up to date")
        return
    if current is not None and current not in known_revisions():
        typer.echo("status:   unknown revision: the database is newer than this SIGAP")
    else:
        typer.echo("status:   needs migration: run `sigap init`")
    raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add ``init`` and ``db-status`` to the root ``sigap`` app.

    Args:
        root: The root typer app.
    """
    root.command("init", help=init_command.__doc__)(init_command)
    root.command("db-status", help=status_command.__doc__)(status_command)
