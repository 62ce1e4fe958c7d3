"""``sigap asset plan|relocate|handover|repair|dispose|evaluate``: start an SOP D procedure.

Each command starts the procedure's flow through its deployment (served by
``sigap serve``) and returns with the run's address; people then answer the
waiting steps with ``sigap approvals list`` / ``sigap approve`` / ``sigap answer``
or in the Prefect UI. ``--here`` runs the flow in this process instead (it waits
here for the answers). A procedure the asset's state does not allow is refused
at once, before anything is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sigap.commands.deployment_runs import start_deployment
from sigap.commands.errors import exit_with
from sigap.labels import label

ActorOption = Annotated[str | None, typer.Option("--as", help="Your username.")]
ReferenceOption = Annotated[
    str | None,
    typer.Option(
        "--reference",
        help="Run reference (default: TAG + date-time); the same reference continues that run.",
    ),
]
OfficeOption = Annotated[Path | None, typer.Option("--office", help="Office configuration file.")]
DbOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Records database (default: SIGAP_DATABASE_URL)."),
]
HereOption = Annotated[
    bool,
    typer.Option(
        "--here",
        help="Run the flow in this process (it waits here for the answers) instead of "
        "through the deployment that `sigap serve` serves.",
    ),
]


def _common(
    params: dict[str, Any], actor: str | None, office: Path | None, database_url: str | None
) -> dict[str, Any]:
    """Add the options every procedure shares, only when given (pure)."""
    if actor:
        params["actor"] = actor
    if office:
        params["office_file"] = str(office.resolve())
    if database_url:
        params["database_url"] = database_url
    return params


def _precheck(code: str, params: dict[str, Any]) -> None:
    """Refuse now what the flow would refuse at its start (asset state, people)."""
    from flows.assets.common import AssetProcedureError, check_start, open_asset_run
    from flows.preamble import load_context

    with load_context(params.get("office_file"), params.get("database_url")) as context:
        job = open_asset_run(context, code, reference=params["reference"], tag=params.get("tag"))
        try:
            if job.tag is not None:
                check_start(job.engine, code, job.tag, job.run_key)
        except AssetProcedureError as exc:
            raise exit_with(str(exc), 1) from None


def start(code: str, params: dict[str, Any], here: bool) -> None:
    """Start a procedure's flow here or through its deployment, and say where it is.

    Args:
        code: ``D1`` ... ``D6``.
        params: The flow's parameters.
        here: Run in this process.
    """
    from flows.assets.catalog import FLOWS
    from flows.assets.common import DEPLOYMENT_NAMES, FLOW_NAMES
    from flows.assets.evaluation import DEPLOYMENT_NAME as D6_DEPLOYMENT
    from flows.assets.evaluation import FLOW_NAME as D6_FLOW
    from flows.assets.evaluation import asset_evaluation

    console = Console()
    flows = {**FLOWS, "D6": asset_evaluation}
    names = {**FLOW_NAMES, "D6": D6_FLOW}
    deployments = {**DEPLOYMENT_NAMES, "D6": D6_DEPLOYMENT}
    if here:
        try:
            result = flows[code](**params)
        except ValueError as exc:
            raise exit_with(str(exc), 1) from None
        console.print(
            f"SOP {code} {result['run_key']}: {label('run', result['status'])}", soft_wrap=True
        )
        for path in result["documents"]:
            console.print(f"  {path}", soft_wrap=True)
        return
    if code != "D6":
        _precheck(code, params)
    start_deployment(console, f"{names[code]}/{deployments[code]}", params, what=f"SOP {code}")
    if "reference" in params:
        console.print(f"  reference:  {params['reference']}", soft_wrap=True)
    console.print("  answers:    sigap approvals list   then   sigap approve / sigap answer")


def _reference(reference: str | None, tag: str | None) -> str:
    from flows.assets.common import default_reference

    return reference or default_reference(tag)


def _start_procedure(
    code: str,
    params: dict[str, Any],
    tag: str | None,
    reference: str | None,
    actor: str | None,
    office: Path | None,
    database_url: str | None,
    here: bool,
) -> None:
    """Start procedure ``code`` with its own ``params`` plus the reference and shared options."""
    params["reference"] = _reference(reference, tag)
    start(code, _common(params, actor, office, database_url), here)


def plan(
    item: Annotated[
        list[str],
        typer.Option(
            "--item",
            help="Planned item NAME;CATEGORY;QUANTITY;UNIT_COST (repeatable), e.g. "
            '"Access Point;hardware;2;Rp 4.500.000".',
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why the items are needed.")],
    actor: ActorOption = None,
    reference: ReferenceOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D1: propose a needs plan (Kabid, Kadis approve; procurement adds the assets)."""
    from sop.asset_procedures import parse_item_spec

    try:
        items = [parse_item_spec(spec, i).model_dump() for i, spec in enumerate(item, start=1)]
    except ValueError as exc:
        raise exit_with(str(exc), 1) from None
    params = {"items": items, "reason": reason}
    _start_procedure("D1", params, None, reference, actor, office, database_url, here)


def relocate(
    tag: Annotated[str, typer.Argument(help="Asset tag.")],
    to: Annotated[str, typer.Option("--to", help="Destination location.")],
    reason: Annotated[str, typer.Option(help="Why it moves.")],
    actor: ActorOption = None,
    reference: ReferenceOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D2: relocate an asset (its location changes when the relocation is done)."""
    params = {"tag": tag, "to_location": to, "reason": reason}
    _start_procedure("D2", params, tag, reference, actor, office, database_url, here)


def handover(
    tag: Annotated[str, typer.Argument(help="Asset tag.")],
    user: Annotated[str, typer.Option("--to", help="Username of the receiving asset user.")],
    purpose: Annotated[str, typer.Option(help="What the asset is for.")],
    actor: ActorOption = None,
    reference: ReferenceOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D3: hand an asset over to a user with a BAST (the user becomes its custodian)."""
    params = {"tag": tag, "user": user, "purpose": purpose}
    _start_procedure("D3", params, tag, reference, actor, office, database_url, here)


def repair(
    tag: Annotated[str, typer.Argument(help="Asset tag.")],
    problem: Annotated[str, typer.Option(help="What needs repair or maintenance.")],
    analysis: Annotated[str, typer.Option(help="Your analysis of the need.")],
    incident: Annotated[
        str | None, typer.Option(help="Linked incident, e.g. INC-2026-0001.")
    ] = None,
    actor: ActorOption = None,
    reference: ReferenceOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D4: repair or maintain an asset (Nota Dinas, Kabid approval, Surat Penugasan)."""
    params: dict[str, Any] = {"tag": tag, "problem": problem, "analysis": analysis}
    if incident:
        params["incident"] = incident
    _start_procedure("D4", params, tag, reference, actor, office, database_url, here)


def dispose(
    tag: Annotated[str, typer.Argument(help="Asset tag.")],
    reason: Annotated[str, typer.Option(help="Why it is to be disposed of.")],
    actor: ActorOption = None,
    reference: ReferenceOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D5: dispose of an asset (refused while it is assigned or under repair)."""
    params = {"tag": tag, "reason": reason}
    _start_procedure("D5", params, tag, reference, actor, office, database_url, here)


def evaluate(
    period: Annotated[
        str | None,
        typer.Option(help="YYYY or YYYY-MM-DD..YYYY-MM-DD (end excluded); default last year."),
    ] = None,
    warranty_months: Annotated[
        int, typer.Option(help="List warranties ending within this many months.")
    ] = 3,
    actor: ActorOption = None,
    office: OfficeOption = None,
    database_url: DbOption = None,
    here: HereOption = False,
) -> None:
    """D6: evaluate asset management for a period (recap, Kadis approval, action plan)."""
    from sop.asset_procedures import parse_period

    params: dict[str, Any] = {"warranty_months": warranty_months}
    if period:
        try:
            parse_period(period)
        except ValueError as exc:
            raise exit_with(str(exc), 1) from None
        params["period"] = period
    start("D6", _common(params, actor, office, database_url), here)


def register(app: typer.Typer) -> None:
    """Add the procedure commands to the ``sigap asset`` app.

    Args:
        app: The ``asset`` typer app of :mod:`sigap.commands.asset_cmd`.
    """
    app.command("plan")(plan)
    app.command("relocate")(relocate)
    app.command("handover")(handover)
    app.command("repair")(repair)
    app.command("dispose")(dispose)
    app.command("evaluate")(evaluate)
