"""`sigap people` commands (being written)."""

import typer

app = typer.Typer(help="people commands.", no_args_is_help=True)
