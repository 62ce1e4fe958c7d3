"""How the CLI reports failures: one line on stderr and an exit status.

Also the checks every command shares before it starts (see :mod:`sigap.cli`):
:func:`require_database` refuses a records database that is missing, empty or
at another schema revision, saying what to run, and never creates it.
"""

from __future__ import annotations

import typer
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from config.settings import load_settings
from records.db import DatabaseState, database_state, display_url, resolve_url
from sop.problems import ConfigError


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


def _first_line(url: URL, error: DBAPIError) -> str:
    """The driver's message, first line only, with the URL's password hidden."""
    text = str(error.orig or error).strip()
    message = text.splitlines()[0] if text else type(error).__name__
    if url.password:
        message = message.replace(str(url.password), "***")
    return message


def database_failure(url: URL, error: DBAPIError) -> typer.Exit:
    """Report a database error (password hidden) and return exit status 2.

    Args:
        url: The records database URL.
        error: What the driver raised.

    Returns:
        The ``typer.Exit`` to raise.
    """
    message = _first_line(url, error)
    if isinstance(error, OperationalError) and "connect" in message.lower():
        return exit_with(f"database {display_url(url)}: cannot connect: {message}", 2)
    return exit_with(
        f"database {display_url(url)}: {message} (is it initialised? run `sigap init`)", 2
    )


def not_ready_message(state: DatabaseState) -> str | None:
    """Say what to run for a database that is not at the newest schema (pure).

    Args:
        state: From :func:`records.db.database_state`.

    Returns:
        The message, or ``None`` when the database is ready.

    Examples:
        >>> print(not_ready_message(DatabaseState("sqlite:////srv/sigap.db", "missing", None, "0008")))
        database sqlite:////srv/sigap.db does not exist yet: run `sigap init` to create it (nothing was changed)
        >>> print(not_ready_message(DatabaseState("sqlite:////srv/sigap.db", "behind", "0005", "0008")))
        database sqlite:////srv/sigap.db is at schema 0005, this SIGAP needs 0008: run `sigap init` to migrate it (nothing was changed)
    """  # noqa: E501
    url = state.url
    if state.state == "missing":
        return (
            f"database {url} does not exist yet: run `sigap init` to create it "
            "(nothing was changed)"
        )
    if state.state == "empty":
        return (
            f"database {url} has no SIGAP tables yet: run `sigap init` to create them "
            "(nothing was changed)"
        )
    if state.state == "behind":
        return (
            f"database {url} is at schema {state.current}, this SIGAP needs {state.head}: "
            "run `sigap init` to migrate it (nothing was changed)"
        )
    if state.state == "newer":
        return (
            f"database {url} is at schema {state.current}, which this SIGAP does not know "
            f"(it knows up to {state.head}): a newer SIGAP migrated it; upgrade SIGAP"
        )
    return None


def require_database(url: str | None) -> None:
    """Refuse to go on unless the records database is at the newest schema.

    Never creates nor migrates anything: a missing SQLite file stays missing.

    Args:
        url: ``--database-url`` as given (None: ``SIGAP_DATABASE_URL`` or the default).

    Raises:
        typer.Exit: Status 2 after one line saying what is wrong and what to run.
    """
    try:
        parsed = resolve_url(url or load_settings().database_url)
    except ArgumentError as error:
        raise exit_with(f"database (unparseable URL): {error}", 2) from None
    try:
        state = database_state(parsed)
    except DBAPIError as error:
        raise database_failure(parsed, error) from None
    except OSError as error:
        raise exit_with(f"database {display_url(parsed)}: {error}", 2) from None
    message = not_ready_message(state)
    if message is not None:
        raise exit_with(message, 2)


def config_failure(error: ConfigError) -> typer.Exit:
    """Print every problem of a bad file (each names file, line, field) and return status 1.

    Args:
        error: The error; its problems are printed one a line.

    Returns:
        The ``typer.Exit`` to raise.
    """
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len(error.problems)
    typer.echo(f"{count} problem{'s' if count != 1 else ''}; nothing was changed.", err=True)
    return typer.Exit(1)
