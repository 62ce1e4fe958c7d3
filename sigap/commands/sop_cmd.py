"""`sigap sop` commands (being written)."""

import typer

app = typer.Typer(help="sop commands.", no_args_is_help=True)
