"""``sigap hosts``: pinned SSH host keys and the findings about them."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from config.settings import load_settings

app = typer.Typer(help="SSH host keys SIGAP has pinned, and re-pinning after a change.")

DbOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Records database (default: SIGAP_DATABASE_URL)."),
]


@app.command("list")
def list_hosts(database_url: DbOption = None) -> None:
    """List devices with their pinned host key and open host-key findings."""
    from sqlalchemy import select

    from records.db import make_engine, session_scope
    from records.findings import open_findings
    from records.models import Device

    engine = make_engine(database_url or load_settings().database_url)
    table = Table(title="Pinned SSH host keys", title_justify="left")
    for column in ("device", "address", "key", "fingerprint", "pinned at", "finding"):
        table.add_column(column)
    with session_scope(engine) as session:
        for device in session.scalars(select(Device).order_by(Device.name)):
            findings = open_findings(session, device, kind="host_key_changed")
            table.add_row(
                Text(device.name),
                Text(f"{device.address}:{device.port}"),
                Text(device.ssh_host_key_type or "-"),
                Text(device.ssh_host_key_fingerprint or "not pinned yet"),
                Text(device.ssh_host_key_pinned_at.isoformat(timespec="seconds"))
                if device.ssh_host_key_pinned_at
                else Text("-"),
                Text(
                    f"KEY CHANGED: offered {findings[-1].detail.get('offered_fingerprint')}",
                    style="bold red",
                )
                if findings
                else Text("-"),
            )
    Console().print(table)


@app.command("trust")
def trust(
    host: Annotated[str, typer.Argument(help="Inventory name of the device.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Pin without asking (you checked the fingerprint).")
    ] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Who checked it (default: your OS user).")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Re-pin HOST's SSH host key after a human has checked it.

    Connects to the device (no login), shows the key it offers now, and pins it
    when you confirm; open host-key findings of the device are marked resolved.
    """
    from records.db import make_engine, session_scope
    from records.devices import get_device
    from records.findings import resolve_findings
    from tasks.hostkeys import fetch_host_key, pin_key
    from tasks.session import Target, open_socket

    engine = make_engine(database_url or load_settings().database_url)
    with session_scope(engine) as session:
        device = get_device(session, host)
        if device is None:
            typer.echo(f"{host}: unknown device (it is known after its first collection)", err=True)
            raise typer.Exit(1)
        target = Target(device.name, device.address, device.port, "")
        try:
            key = fetch_host_key(open_socket(target, 5.0), 10.0)
        except Exception as exc:  # unreachable, not SSH: nothing is changed
            typer.echo(f"{host}: cannot fetch the host key: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(
            f"{host} ({device.address}:{device.port}) offers {key.key_type} {key.fingerprint}"
        )
        pinned = f"{device.ssh_host_key_type or '-'} {device.ssh_host_key_fingerprint or '-'}"
        typer.echo(f"pinned now: {pinned}")
        if not yes and not typer.confirm("Pin this key?", default=False):
            typer.echo("Nothing changed.")
            raise typer.Exit(1)
        who = as_user or getpass.getuser()
        pin_key(session, device, key)
        resolved = resolve_findings(
            session,
            device,
            kind="host_key_changed",
            resolved_by=who,
            resolution=f"re-pinned {key.key_type} {key.fingerprint} by `sigap hosts trust`",
        )
    typer.echo(f"{host}: pinned {key.fingerprint}; {resolved} finding(s) resolved by {who}.")
