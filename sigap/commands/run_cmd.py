"""``sigap run``: start an SOP run now (ad hoc), through its deployment or right here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sigap.commands.deployment_runs import start_deployment
from sigap.labels import label
from sop.runkeys import parse_month

app = typer.Typer(help="Start an SOP run now (ad hoc).", no_args_is_help=True)


def maintenance_parameters(
    month: str | None,
    sites: list[str] | None,
    groups: list[str] | None,
    actor: str | None,
    inventory: Path | None,
    office: Path | None,
    database_url: str | None,
) -> dict[str, Any]:
    """The flow parameters of ``network-maintenance`` from CLI options (pure).

    Args:
        month: ``YYYY-MM`` or ``None``.
        sites: Sites, or ``None`` for all.
        groups: Groups, or ``None`` for all.
        actor: The IT officer running it.
        inventory: Inventory directory.
        office: Office file.
        database_url: Records database.

    Returns:
        Only the parameters that were given.

    Raises:
        typer.BadParameter: The month is not ``YYYY-MM``.

    Examples:
        >>> maintenance_parameters("2026-11", ["pusat"], None, None, None, None, None)
        {'month': '2026-11', 'sites': ['pusat']}
    """
    params: dict[str, Any] = {}
    if month:
        try:
            params["month"] = parse_month(month)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--month") from exc
    if sites:
        params["sites"] = list(sites)
    if groups:
        params["groups"] = list(groups)
    if actor:
        params["actor"] = actor
    if inventory:
        params["inventory_dir"] = str(inventory.resolve())
    if office:
        params["office_file"] = str(office.resolve())
    if database_url:
        params["database_url"] = database_url
    return params


@app.command("maintenance")
def maintenance(
    month: Annotated[
        str | None, typer.Option(help="Month YYYY-MM (default: this month at the office).")
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Only this site (repeatable).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Only this inventory group (repeatable).")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="Your username (the IT officer running it).")
    ] = None,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", "-i", help="Inventory directory.")
    ] = None,
    office: Annotated[Path | None, typer.Option(help="Office configuration file.")] = None,
    database_url: Annotated[str | None, typer.Option(help="Records database URL.")] = None,
    here: Annotated[
        bool,
        typer.Option(
            "--here",
            help="Run the flow in this process (it waits here for the approvals) instead "
            "of through the deployment that `sigap serve` serves.",
        ),
    ] = False,
) -> None:
    """Run SOP A, the monthly network maintenance, now.

    By default the run goes to the deployment ``pemeliharaan-jaringan-bulanan``
    (served by ``sigap serve``) and this command returns at once with the run's
    address; managers then approve with ``sigap approve`` or in the Prefect UI.
    A second run of the same month continues the first.
    """
    console = Console()
    params = maintenance_parameters(month, site, group, actor, inventory, office, database_url)
    if here:
        from flows.maintenance import network_maintenance

        result = network_maintenance(**params)
        console.print(f"SOP A {result['month']}: {label('run', result['status'])}")
        for fmt, path in result["report"].items():
            console.print(f"  {fmt}: {path}")
        return
    from flows.maintenance import DEPLOYMENT_NAME

    start_deployment(console, f"network-maintenance/{DEPLOYMENT_NAME}", params)
    console.print("  approvals:  sigap approvals list   then   sigap approve RUN_ID --as USER")
