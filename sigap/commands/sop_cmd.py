"""`sigap sop` commands: list, show and check SOP definitions."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from config.sop_files import load_sops
from sop.catalog import find_sop, parse_sop
from sop.model import SopDefinition
from sop.problems import ConfigError, Problem
from sop.table import sop_table

app = typer.Typer(
    help="List, show and check the SOP definitions (steps, actors, time standards).",
    no_args_is_help=True,
)


class Lang(StrEnum):
    """Language of the printed table."""

    id = "id"
    en = "en"


OfficeOpt = Annotated[
    Path | None,
    typer.Option(
        "--office",
        help="Office YAML file: its role titles and its own SOP copies (sop_dir). "
        "Default: SIGAP's role titles and packaged SOPs.",
        show_default=False,
    ),
]


def _fail(problems: list[Problem]) -> NoReturn:
    for problem in problems:
        typer.echo(str(problem), err=True)
    plural = "" if len(problems) == 1 else "s"
    typer.echo(f"{len(problems)} problem{plural} found.", err=True)
    raise typer.Exit(1)


def _catalog(
    office_file: Path | None,
) -> tuple[dict[str, SopDefinition], Mapping[str, str], tuple[str, ...]]:
    """Load the SOPs and role titles to use: the office's, or SIGAP's defaults.

    Returns:
        (code -> SOP, role key -> title, SOP codes the office runs or empty).
    """
    role_titles: Mapping[str, str] = {}
    sop_dir: Path | None = None
    office_sops: tuple[str, ...] = ()
    try:
        if office_file is not None:
            from config.office_file import load_office

            office = load_office(office_file)
            role_titles, sop_dir, office_sops = office.role_titles, office.sop_dir, office.sops
        return load_sops(sop_dir), role_titles, office_sops
    except ConfigError as err:
        _fail(err.problems)


@app.command("list")
def list_sops(office: OfficeOpt = None) -> None:
    """List the SOPs: code, title, number of steps and total standard time."""
    sops, _, office_sops = _catalog(office)
    shown = [sops[c] for c in office_sops if c in sops] if office_sops else list(sops.values())
    table = Table(title="SOP", show_lines=False)
    for header in ("Kode", "Judul", "Langkah", "Total waktu standar", "Sumber"):
        table.add_column(header)
    for sop in shown:
        table.add_row(
            sop.code,
            sop.title_id,
            str(len(sop.steps)),
            sop.total_standard(),
            sop.source.sop_number,
        )
    Console().print(table)
    missing = [c for c in office_sops if c not in sops]
    if missing:
        typer.echo(f"warning: the office runs {', '.join(missing)}, not defined here", err=True)


@app.command("show")
def show_sop(
    code: Annotated[str, typer.Argument(help="SOP code, e.g. A, C or D4 (any case).")],
    office: OfficeOpt = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Table language: id (Indonesian) or en (English).")
    ] = Lang.id,
) -> None:
    """Print an SOP as its PermenPAN-RB 35/2012 table, with the office's role titles."""
    sops, role_titles, _ = _catalog(office)
    try:
        sop = find_sop(sops, code)
    except KeyError as err:
        typer.echo(f"error: {err.args[0]}", err=True)
        raise typer.Exit(1) from None
    rows = sop_table(sop, role_titles, lang.value)
    table = Table(title=rows.title, show_lines=True)
    for header in rows.headers:
        table.add_column(header, overflow="fold")
    for row in rows.rows:
        table.add_row(*row)
    console = Console()
    src = sop.source
    console.print(f"{src.office} - {src.sop_number} ({src.year})")
    console.print(table)
    label = "Total standard time" if lang is Lang.en else "Total waktu standar"
    console.print(f"{label}: {sop.total_standard(lang.value)}")


@app.command("check")
def check(
    path: Annotated[
        Path, typer.Argument(help="Directory of SOP YAML files (or one YAML file) to validate.")
    ],
) -> None:
    """Validate SOP definitions; print every problem (file:line: field) and exit 1 if any."""
    try:
        if path.is_file():
            sops = {"": parse_sop(path.read_text(encoding="utf-8"), str(path))}
        else:
            sops = load_sops(path)
    except ConfigError as err:
        _fail(err.problems)
    except (OSError, UnicodeDecodeError) as err:
        _fail([Problem(str(path), None, "", f"cannot read: {err}")])
    steps = sum(len(s.steps) for s in sops.values())
    typer.echo(f"OK: {len(sops)} SOP(s), {steps} steps in {path}")
