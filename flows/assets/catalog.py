"""The flows of SOP D1-D5 by code (D6, also scheduled, is added on its own).

Their flow and deployment names are :data:`flows.assets.common.FLOW_NAMES` and
:data:`flows.assets.common.DEPLOYMENT_NAMES`.
"""

from __future__ import annotations

from collections.abc import Callable

from flows.assets.common import AssetRunSummary
from flows.assets.disposal import asset_disposal
from flows.assets.handover import asset_handover
from flows.assets.planning import asset_planning
from flows.assets.relocation import asset_relocation
from flows.assets.repair import asset_repair

FLOWS: dict[str, Callable[..., AssetRunSummary]] = {
    "D1": asset_planning,
    "D2": asset_relocation,
    "D3": asset_handover,
    "D4": asset_repair,
    "D5": asset_disposal,
}
"""The flow of each procedure."""
