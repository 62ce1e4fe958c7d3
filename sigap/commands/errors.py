"""How the CLI reports failures: one line on stderr and an exit status."""

from __future__ import annotations

import typer
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from records.db import display_url


def exit_with(message: str, code: int) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise.

    Args:
        message: What went wrong.
        code: Exit status.

    Returns:
        The ``typer.Exit`` to raise.
    """
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def database_failure(url: URL, error: DBAPIError) -> typer.Exit:
    """Report a database error (password hidden) and return exit status 2.

    Args:
        url: The records database URL.
        error: What the driver raised.

    Returns:
        The ``typer.Exit`` to raise.
    """
    message = str(error.orig or error).strip().splitlines()[0]
    if url.password:
        message = message.replace(str(url.password), "***")
    return exit_with(
        f"database {display_url(url)}: {message} (is it initialised? run `sigap init`)", 2
    )
