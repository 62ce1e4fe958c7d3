"""Start an SOP run through its deployment on the Prefect server, as every command does.

``sigap run maintenance``, ``sigap incident open``, ``sigap asset ...``, ``sigap run
monitoring`` and ``sigap visit`` start their flow through the deployment ``sigap serve``
serves (unless run ``--here``), then print the run's name and its address in the Prefect
UI (the current UI: :func:`flows.run_labels.flow_run_link`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from sigap.commands.errors import exit_with


def start_deployment(
    console: Console,
    deployment: str,
    parameters: dict[str, Any],
    *,
    unavailable: str = "",
    missing: str = "",
    what: str = "",
) -> Any:
    """Start a flow run of ``deployment`` and print how to follow it.

    Args:
        console: Where to print.
        deployment: ``flow-name/deployment-name``.
        parameters: The run's parameters.
        unavailable: Added to the message when the Prefect server does not answer
            (e.g. that what was recorded stays recorded).
        missing: Added to the message when the server has no such deployment.
        what: What is started, for the first line (``SOP D2``).

    Returns:
        The Prefect flow run.

    Raises:
        typer.Exit: The Prefect server does not answer (2) or has no such
            deployment (2); nothing was started.
    """
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    from flows.run_labels import flow_run_link
    from sigap.prefect_server import api_url, is_healthy, using_api

    url = api_url()
    if not is_healthy(url):
        raise exit_with(
            f"the Prefect API at {url} does not answer: start `sigap serve` (or use --here)"
            + (f"; {unavailable}" if unavailable else ""),
            2,
        )
    try:
        with using_api(url):
            flow_run = run_deployment(deployment, parameters=parameters, timeout=0)
            link = flow_run_link(str(flow_run.id))
    except ObjectNotFound:
        raise exit_with(
            f"no deployment {deployment}: start `sigap serve` (or use --here)"
            + (f"; {missing}" if missing else ""),
            2,
        ) from None
    started = f"started {what} flow run" if what else "started flow run"
    console.print(f"{started} {flow_run.id} ({flow_run.name})", soft_wrap=True)
    console.print(f"  follow it:  {link}", soft_wrap=True)
    return flow_run
