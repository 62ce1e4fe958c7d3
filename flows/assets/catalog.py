"""The flows of SOP D1-D5 by code, with their flow and deployment names (D6: its own module).

D1-D5 run ad hoc; D6 (:mod:`flows.assets.evaluation`) is also scheduled, so the
deployments and the CLI add it on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.assets import disposal, handover, planning, relocation, repair

_MODULES = (planning, relocation, handover, repair, disposal)

FLOW_NAMES: dict[str, str] = {m.CODE: m.FLOW_NAME for m in _MODULES}
"""Prefect flow name of each procedure."""

DEPLOYMENT_NAMES: dict[str, str] = {m.CODE: m.DEPLOYMENT_NAME for m in _MODULES}
"""Deployment name of each procedure (ad hoc runs)."""

FLOWS: dict[str, Callable[..., dict[str, Any]]] = {
    "D1": planning.asset_planning,
    "D2": relocation.asset_relocation,
    "D3": handover.asset_handover,
    "D4": repair.asset_repair,
    "D5": disposal.asset_disposal,
}
"""The flow of each procedure."""
