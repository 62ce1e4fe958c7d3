"""`sigap office` commands: check and show an office configuration file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from config.office_file import load_office
from config.settings import load_settings
from sop.office import Office, describe_people
from sop.problems import ConfigError, Problem
from sop.roles import SOP_ROLES

app = typer.Typer(
    help="Check and show the office configuration (office.yaml: roles, people, SOPs).",
    no_args_is_help=True,
)

FILE_ARG = typer.Argument(
    None,
    help="Office YAML file (default: $SIGAP_OFFICE or <data dir>/office.yaml).",
    show_default=False,
)


def office_path(path: Path | None) -> Path:
    """Return ``path`` or, if ``None``, the configured default office file.

    Args:
        path: What the user gave on the command line.

    Returns:
        The office file to use.
    """
    return path if path is not None else load_settings().office_file


def echo_problems(problems: list[Problem], what: str = "problem") -> None:
    """Print problems, one a line, to stderr, with a count.

    Args:
        problems: The problems (each names file, line and field).
        what: Noun for the count line.
    """
    for problem in problems:
        typer.echo(str(problem), err=True)
    plural = "" if len(problems) == 1 else "s"
    typer.echo(f"{len(problems)} {what}{plural}; nothing was changed.", err=True)


def load_or_exit(path: Path) -> Office:
    """Load the office file, or print every problem and exit with status 1.

    Args:
        path: The office YAML file.

    Returns:
        The office.

    Raises:
        typer.Exit: The file is missing or invalid (status 1).
    """
    try:
        return load_office(path)
    except ConfigError as exc:
        echo_problems(exc.problems)
        raise typer.Exit(1) from None


def people_table(office: Office) -> Table:
    """Build the people table (never shows a hash or a TOTP secret).

    Args:
        office: The office.

    Returns:
        A rich table: username, name, NIP, roles with office titles, approval.
    """
    table = Table(title=f"People of {office.short_name}", title_justify="left")
    table.add_column("username", no_wrap=True)
    table.add_column("name")
    table.add_column("NIP", no_wrap=True, min_width=18)
    table.add_column("roles", overflow="fold")
    table.add_column("approval", overflow="fold")
    for row in describe_people(office):
        table.add_row(*(Text(v) for v in row.values()))
    return table


@app.command("check")
def check(file: Path | None = FILE_ARG) -> None:
    """Validate an office file: exit 0 with a summary and warnings, or 1 with every problem."""
    path = office_path(file)
    office = load_or_exit(path)
    with_secret = sum(1 for p in office.people if p.approval is not None)
    typer.echo(f"OK: {path}: {office.name}")
    typer.echo(f"  timezone: {office.timezone_name} ({office.timezone_abbrev})")
    typer.echo(f"  SOPs: {', '.join(office.sops)}")
    typer.echo(f"  people: {len(office.people)} ({with_secret} with an approval secret)")
    for warning in office.warnings:
        typer.echo(f"warning: {warning}")


@app.command("show")
def show(file: Path | None = FILE_ARG) -> None:
    """Show an office: identity, SOPs, role titles and holders, people, SLA."""
    path = office_path(file)
    office = load_or_exit(path)
    console = Console()
    console.print(Text(office.name, style="bold"))
    if office.short_name != office.name:
        console.print(Text(f"short name: {office.short_name}"))
    for line in office.letterhead:
        console.print(Text(f"  | {line}"))
    console.print(Text(f"city: {office.city or '-'}"))
    console.print(Text(f"timezone: {office.timezone_name} ({office.timezone_abbrev})"))
    console.print(Text(f"SOPs: {', '.join(office.sops)}"))
    console.print(Text(f"SOP directory: {office.sop_dir or 'SOP definitions shipped with SIGAP'}"))
    sla = office.sla
    console.print(
        Text(
            f"SLA: breached after {sla.breach_factor:g} x the time standard; "
            f"lockout after {sla.lockout_max_attempts} wrong codes for {sla.lockout_minutes} min"
        )
    )
    roles = Table(title="Roles used by this office's SOPs", title_justify="left")
    for column in ("key", "title", "SOPs", "holders"):
        roles.add_column(column)
    for key in office.roles_used():
        sops = ", ".join(c for c in office.sops if key in SOP_ROLES[c])
        holders = ", ".join(p.username for p in office.holders(key)) or "-"
        roles.add_row(Text(key), Text(office.role_titles[key]), Text(sops), Text(holders))
    console.print(roles)
    console.print(people_table(office))
    for warning in office.warnings:
        console.print(Text(f"warning: {warning}"))
