"""`sigap lab` commands (being written)."""

import typer

app = typer.Typer(help="lab commands.", no_args_is_help=True)
