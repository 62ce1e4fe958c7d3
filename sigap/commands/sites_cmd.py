"""``sigap sites``: the deployment the sites' Prefect workers run (SOP A per site)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Per-site workers: SOP A's collection on each site's own worker.")


@app.command("deploy")
def deploy(
    pool: Annotated[
        str,
        typer.Option("--pool", help="Work pool of the sites' workers (SIGAP_SITE_POOL)."),
    ] = "sigap-situs",
) -> None:
    """Register collect-devices/kumpul-perangkat-situs on the pool (created if missing).

    Then, in each site: ``prefect worker start --pool POOL --work-queue SITE``, and
    ``SIGAP_SITE_POOL=POOL`` for SOP A (docs/deployments.md, *Sites*).
    """
    from deployments.definitions import apply_site_deployment
    from flows.sites import SITE_DEPLOYMENT_REF
    from sigap.prefect_server import using_api

    with using_api() as url:
        deployment_id = apply_site_deployment(pool)
    typer.echo(f"{SITE_DEPLOYMENT_REF} ({deployment_id}) pada pool {pool} di {url}")
    typer.echo(f"worker tiap situs: prefect worker start --pool {pool} --work-queue <situs>")
    typer.echo(f"SOP A: SIGAP_SITE_POOL={pool}")
