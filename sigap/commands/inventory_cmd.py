"""`sigap inventory` commands (being written)."""

import typer

app = typer.Typer(help="inventory commands.", no_args_is_help=True)
