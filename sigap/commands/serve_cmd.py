"""``sigap serve``: serve SIGAP's deployments (schedules and ad-hoc runs) from here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sigap.prefect_server import ensure_server
from sigap.settings import load_settings
from sop.office import load_office
from sop.problems import ConfigError


def serve(
    office: Annotated[
        Path | None, typer.Option(help="Office configuration (default: SIGAP_OFFICE).")
    ] = None,
) -> None:
    """Serve the SOP deployments: a local Prefect server on SQLite if none runs, then runs.

    The deployment ``pemeliharaan-jaringan-bulanan`` (SOP A) runs on the 1st of every
    month at 07:00 in the office's timezone and whenever someone runs it from the
    Prefect UI or with ``sigap run maintenance``. Stops with Ctrl-C.
    """
    console = Console()
    settings = load_settings()
    try:
        loaded = load_office(office or settings.office_file)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    # flow runs start as child processes: they read the same office file
    os.environ["SIGAP_OFFICE"] = str((office or settings.office_file).resolve())
    url = ensure_server()
    ui = url.removesuffix("/api")
    console.print(f"Prefect API: {url}  UI: {ui}")
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from deployments.definitions import all_deployments

    with temporary_settings({PREFECT_API_URL: url}):
        prefect_serve(*all_deployments(loaded))
