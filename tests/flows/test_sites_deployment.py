"""``apply_site_deployment`` / ``sigap sites deploy``: the deployment the sites' workers run.

Real parts: the session's Prefect API (``prefect_test_harness``). What a worker needs
from it: a ``process`` pool, the ``collect-devices`` flow from this checkout, a pull
step into the checkout; applying again changes nothing but the deployment.
"""

from __future__ import annotations

from pathlib import Path

from prefect.client.orchestration import get_client

from deployments.definitions import apply_site_deployment
from flows.sites import SITE_DEPLOYMENT_REF

ROOT = Path(__file__).resolve().parents[2]


def test_the_site_deployment_runs_the_collection_from_the_checkout_on_a_process_pool(
    prefect_api,
) -> None:
    first = apply_site_deployment("situs-uji")
    again = apply_site_deployment("situs-uji")
    assert first == again
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(SITE_DEPLOYMENT_REF)
        pool = client.read_work_pool("situs-uji")
    assert deployment.id == first
    assert deployment.work_pool_name == "situs-uji"
    assert pool.type == "process"
    assert deployment.entrypoint == "flows/collect.py:collect_devices"
    assert deployment.pull_steps == [
        {
            "prefect.deployments.steps.set_working_directory": {
                "directory": str(ROOT.resolve()),
            }
        }
    ]
    # the run form: no database URL is filled in (the worker's own is used)
    assert "database_url" not in (deployment.parameters or {})
