"""What a manager sees of an SOP run in the Prefect UI: its name, tags and answer artifacts.

The pure rules are :mod:`sop.run_names`; this module applies them to the flow run on
the Prefect server. Every call is best effort: the UI's view of a run must never stop
the run (a failure is logged, with the exception's type only).
"""

from __future__ import annotations

import logging
from uuid import UUID

from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.settings import get_current_settings

from sop.run_names import waiting_tags

log = logging.getLogger(__name__)


def _ui_base() -> str | None:
    settings = get_current_settings()
    ui = settings.ui_url
    if not ui:
        return None
    base = ui.rstrip("/")
    return f"{base}/v2" if settings.server.ui.v2_enabled else base


def flow_run_link(flow_run_id: str) -> str:
    """The Prefect UI address of a flow run (its id alone without a UI address).

    The current UI (``/v2``, Prefect's default since 3.7) unless the server is set
    to the old one (``PREFECT_SERVER_UI_V2_ENABLED=false``).

    Args:
        flow_run_id: The flow run id.

    Returns:
        A URL, or the id.
    """
    base = _ui_base()
    return f"{base}/runs/flow-run/{flow_run_id}" if base else flow_run_id


def artifact_link(key: str) -> str | None:
    """The Prefect UI address of the latest artifact under ``key`` (``None`` without a UI).

    Args:
        key: The artifact key.

    Returns:
        A URL in the same UI as :func:`flow_run_link`, or ``None``.
    """
    base = _ui_base()
    return f"{base}/artifacts/key/{key}" if base else None


def name_flow_run(flow_run_id: str | None, name: str) -> None:
    """Give a flow run SIGAP's name for it (e.g. ``SOP A 2026-11 kanwil-malut``).

    Args:
        flow_run_id: The flow run (``None``: not in a flow run; nothing happens).
        name: The name.
    """
    if not flow_run_id:
        return
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(flow_run_id), name=name)
    except Exception as exc:
        log.warning("could not name flow run %s: %s", flow_run_id, type(exc).__name__)


def tag_waiting(flow_run_id: str | None, roles: tuple[str, ...], *, refused: bool) -> None:
    """Tag a run with the roles it waits for (``menunggu:<role>``) and ``ditolak``.

    Args:
        flow_run_id: The flow run (``None``: nothing happens).
        roles: The roles it now waits for; empty once the step is answered.
        refused: Whether the last answer was refused.
    """
    if not flow_run_id:
        return
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(flow_run_id))
            tags = waiting_tags(list(run.tags), roles, refused)
            if tags != list(run.tags):
                client.update_flow_run(UUID(flow_run_id), tags=tags)
    except Exception as exc:
        log.warning("could not tag flow run %s: %s", flow_run_id, type(exc).__name__)


def publish_answer(key: str, markdown: str, description: str) -> None:
    """Show an accepted answer as a markdown artifact on the current flow run.

    Args:
        key: The artifact key (:func:`sop.run_names.answer_key`).
        markdown: The artifact (:func:`sop.run_names.answer_markdown`).
        description: Its one-line description.
    """
    try:
        create_markdown_artifact(markdown=markdown, key=key, description=description)
    except Exception as exc:
        log.warning("could not publish artifact %s: %s", key, type(exc).__name__)
