"""`sigap init` (being written)."""

import typer

app = typer.Typer()


def register(root: typer.Typer) -> None:
    """Add the database commands to the root app."""
