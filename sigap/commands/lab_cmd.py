"""``sigap lab``: the local lab of SSH devices (Linux servers, switches, a router).

The lab password is never printed: ``sigap lab env`` says which file holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.settings import load_settings
from lab.manager import DeviceStatus, LabError, lab_down, lab_env_hint, lab_status, lab_up
from lab.state import LabState

app = typer.Typer(
    help="Lab lokal perangkat SSH (local lab of SSH devices) for tests and demos.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="SIGAP data directory (default: SIGAP_DATA_DIR or ~/.local/share/sigap); "
        "the lab lives in <data dir>/lab.",
    ),
]


def _lab_dir(data_dir: Path | None) -> Path:
    base = data_dir if data_dir is not None else load_settings().data_dir
    return base.absolute() / "lab"


def _fail(exc: LabError) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(code=1)


def _device_table(rows: list[DeviceStatus]) -> Table:
    table = Table(title="SIGAP lab")
    for column in ("device", "platform", "address", "pid", "state"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.name,
            row.platform,
            f"{row.address}:{row.port}",
            str(row.pid) if row.pid is not None else "-",
            "[green]up[/green]" if row.up else "[red]down[/red]",
        )
    return table


def _summary(state: LabState) -> str:
    kinds = [d.kind for d in state.devices]
    return (
        f"{kinds.count('linux')} Linux, {kinds.count('switch')} switches, "
        f"{kinds.count('router')} router"
    )


@app.command("up")
def up(
    linux: Annotated[int, typer.Option("--linux", help="Number of Linux servers.")] = 3,
    switches: Annotated[
        int, typer.Option("--switches", help="Number of simulated Cisco IOS switches.")
    ] = 5,
    router: Annotated[
        bool, typer.Option("--router/--no-router", help="Start the FRR router r01.")
    ] = True,
    data_dir: DataDirOption = None,
) -> None:
    """Start the lab (idempotent) and wait until every device answers SSH."""
    lab_dir = _lab_dir(data_dir)
    try:
        state = lab_up(lab_dir, linux=linux, switches=switches, router=router)
    except LabError as exc:
        raise _fail(exc) from None
    if state.already_up:
        console.print(f"The lab in {lab_dir} is already up ({_summary(state)}); nothing started.")
        wanted = (linux, switches, 1 if router else 0)
        kinds = [d.kind for d in state.devices]
        have = (kinds.count("linux"), kinds.count("switch"), kinds.count("router"))
        if wanted != have:
            console.print("To change its size run `sigap lab down` first.")
    else:
        console.print(f"Lab up in {state.startup_seconds:.1f} s: {_summary(state)} ({lab_dir}).")
    console.print(_device_table(lab_status(lab_dir)))
    console.print(f"Inventory: {state.inventory_dir}")
    console.print(lab_env_hint(lab_dir), highlight=False)


@app.command("status")
def status(data_dir: DataDirOption = None) -> None:
    """Show every lab device with its address, pid and whether SSH answers."""
    lab_dir = _lab_dir(data_dir)
    try:
        rows = lab_status(lab_dir)
    except LabError as exc:
        raise _fail(exc) from None
    if not rows:
        console.print(f"The lab in {lab_dir} is down. Start it with `sigap lab up`.")
        return
    console.print(_device_table(rows))
    down = [r.name for r in rows if not r.up]
    if down:
        console.print(f"Not answering: {', '.join(down)}")
        raise typer.Exit(code=1)


@app.command("down")
def down(data_dir: DataDirOption = None) -> None:
    """Stop every lab process and remove the router's namespaces (keeps lab.env and inventory)."""
    lab_dir = _lab_dir(data_dir)
    try:
        stopped = lab_down(lab_dir)
    except LabError as exc:
        raise _fail(exc) from None
    if stopped:
        console.print(f"Lab down: {stopped} processes stopped ({lab_dir}).")
    else:
        console.print(f"The lab in {lab_dir} was not running; nothing left behind.")


@app.command("env")
def env(data_dir: DataDirOption = None) -> None:
    """Say which file holds the lab password and how to load it (never prints it)."""
    lab_dir = _lab_dir(data_dir)
    if not (lab_dir / "lab.env").exists():
        err_console.print(f"No lab password yet in {lab_dir}: run `sigap lab up` first.")
        raise typer.Exit(code=1)
    console.print(lab_env_hint(lab_dir), highlight=False)
