"""The ``sigap`` command line: one typer app, one sub-app per concern."""

from __future__ import annotations

import typer

from sigap.commands import (
    approvals_cmd,
    asset_cmd,
    asset_procedures_cmd,
    collect_cmd,
    config_cmd,
    db_cmd,
    hosts_cmd,
    incident_cmd,
    inventory_cmd,
    lab_cmd,
    office_cmd,
    people_cmd,
    report_cmd,
    run_cmd,
    serve_cmd,
    server_cmd,
    sop_cmd,
    visit_cmd,
)

app = typer.Typer(
    name="sigap",
    help="SIGAP: jalankan SOP pemeliharaan TI (run IT maintenance SOPs) as Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(inventory_cmd.app, name="inventory")
app.add_typer(sop_cmd.app, name="sop")
app.add_typer(office_cmd.app, name="office")
app.add_typer(people_cmd.app, name="people")
app.add_typer(lab_cmd.app, name="lab")
app.add_typer(hosts_cmd.app, name="hosts")
app.add_typer(config_cmd.app, name="config")
app.command("collect")(collect_cmd.collect)
app.add_typer(run_cmd.app, name="run")
app.add_typer(report_cmd.app, name="report")
app.command("serve")(serve_cmd.serve)
app.add_typer(asset_cmd.app, name="asset")
app.add_typer(visit_cmd.app, name="visit")
app.add_typer(incident_cmd.app, name="incident")
report_cmd.app.command("kunjungan")(visit_cmd.report_kunjungan)
report_cmd.app.command("kerusakan")(server_cmd.report_kerusakan)
incident_cmd.app.command("attach")(server_cmd.attach)
run_cmd.app.command("monitoring")(server_cmd.run_monitoring)
approvals_cmd.register(app)
asset_procedures_cmd.register(asset_cmd.app)
db_cmd.register(app)


def main() -> None:
    """Entry point of the ``sigap`` console script."""
    app()
