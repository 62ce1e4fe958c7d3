"""``sigap incident``: open a network incident (SOP C), list incidents, show one.

``list`` and ``show`` cover every incident, also SOP E's (opened by the server
monitoring); ``open`` starts SOP C.

Forms of the waiting steps are answered with ``sigap answer RUN --as USER --set
field=value`` (verification, provider coordination, fix) and ``sigap approve``
(the team lead's receipt); ``sigap incident show`` prints the exact commands.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from config.office_file import load_office
from config.settings import load_settings
from config.sop_files import load_sops
from records.db import make_engine, session_scope
from records.incidents import get_incident, incident_history, list_incidents, open_incident
from reports.sla_table import step_sla_frame, step_sla_headers
from sigap.commands.deployment_runs import start_deployment
from sigap.commands.errors import exit_with
from sigap.labels import label, reason_text
from sop.incidents import check_kind, kind_label, status_label
from sop.office import Office
from sop.sla import evaluate
from tasks import clock

app = typer.Typer(help="Network incidents (SOP C): open, list, show.", no_args_is_help=True)

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Records database URL (default: SIGAP_DATABASE_URL).")
]
OfficeOpt = Annotated[
    Path | None, typer.Option(help="Office configuration (default: SIGAP_OFFICE).")
]
FORM_STEPS = {
    3: "handling=internal|provider",
    4: "provider_name=... provider_ticket=... contacted_at=ISO answered_at=ISO",
    5: "action=... [parts=[{...}]]",
}


def parse_occurred(text: str | None, office: Office, now: datetime) -> datetime:
    r"""The time an incident happened, from the command line (pure).

    Args:
        text: ISO time; without a zone it is the office's local time; ``None`` = now.
        office: Its timezone.
        now: The current time.

    Returns:
        An aware time.

    Raises:
        typer.BadParameter: Not an ISO time, or in the future.

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> o = parse_office("office: {name: X, timezone: Asia/Jakarta}\nsops: [C]\n", "o")
        >>> parse_occurred("2026-12-01 08:00", o, datetime(2026, 12, 1, 3, tzinfo=UTC))
        datetime.datetime(2026, 12, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Jakarta'))
    """
    if not text:
        return now
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a time like 2026-12-01T08:30 (office time) or with +07:00",
            param_hint="--occurred-at",
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=office.timezone)
    if value > now + timedelta(minutes=5):
        raise typer.BadParameter(f"{text!r} is in the future", param_hint="--occurred-at")
    return value


@app.command("open")
def open_cmd(
    device: Annotated[str, typer.Option(help="The affected device (inventory name).")],
    kind: Annotated[
        str, typer.Option(help="Kind of damage/disturbance, e.g. perangkat_mati, gangguan_koneksi.")
    ],
    description: Annotated[str, typer.Option(help="What is wrong.")],
    reporter: Annotated[
        str | None, typer.Option(help="Who reported it (username or name).")
    ] = None,
    occurred_at: Annotated[
        str | None,
        typer.Option(help="When it happened (ISO; office time without a zone; default now)."),
    ] = None,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", "-i", help="Inventory directory.")
    ] = None,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
    here: Annotated[
        bool,
        typer.Option(
            "--here",
            help="Run the flow in this process (it waits here for the forms) instead of "
            "through the deployment that `sigap serve` serves.",
        ),
    ] = False,
) -> None:
    """Open an incident (once per fault) and start SOP C for it.

    The device must be in the inventory and the kind one SIGAP knows; otherwise
    nothing is written. A fault that already has an open incident is not opened
    again: the command names the existing one.
    """
    console = Console()
    settings = load_settings()
    try:
        check_kind(kind)
    except ValueError as exc:
        raise exit_with(str(exc), 2) from None
    inventory_dir = inventory or settings.inventory_dir
    from inventory import load_inventory

    hosts = load_inventory(inventory_dir).hosts
    if device not in hosts:
        raise exit_with(
            f"device: {device!r} is not in the inventory {inventory_dir} "
            f"(known: {', '.join(sorted(hosts)) or 'none'})",
            2,
        )
    office_file = office or settings.office_file
    office_cfg = load_office(office_file)
    url = database_url or settings.database_url
    now = clock.now()
    when = parse_occurred(occurred_at, office_cfg, now)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            incident, created = open_incident(
                session,
                office=office_cfg.short_name,
                device=device,
                kind=kind,
                description=description,
                reporter=reporter or "-",
                source="manual",
                occurred_at=when,
                opened_at=now,
            )
            number, status = incident.number, incident.status
            started = incident.sop_run_id is not None
    finally:
        engine.dispose()
    if not created and started:
        console.print(
            f"this fault is already open as {number} ({status_label(status)}): "
            f"see `sigap incident show {number}`"
        )
        return
    if created:
        console.print(f"incident {number} opened: {device}, {kind_label(kind)}")
    else:  # recorded earlier, but its SOP C run never started (e.g. no Prefect server then)
        console.print(f"incident {number} is open but its handling has not started: starting it")
    params: dict[str, Any] = {
        "incident": number,
        "inventory_dir": str(Path(inventory_dir).resolve()),
        "office_file": str(Path(office_file).resolve()),
    }
    if database_url:
        params["database_url"] = database_url
    if here:
        from flows.incident import network_incident

        result = network_incident(**params)
        console.print(f"SOP C {number}: {label('run', result['status'])}")
        return
    _start_deployment(console, params, number)


def _start_deployment(console: Console, params: dict[str, Any], number: str) -> None:
    from flows.incident import DEPLOYMENT_NAME, FLOW_NAME

    start_deployment(
        console,
        f"{FLOW_NAME}/{DEPLOYMENT_NAME}",
        params,
        unavailable=f"the incident {number} is recorded; the same `sigap incident open` "
        "starts its handling later",
    )
    console.print(f"  where it stands:  sigap incident show {number}")


def _current(history: dict[str, Any]) -> dict[str, Any] | None:
    """The step an incident's run is at: the open (waiting or running) step log."""
    open_steps = [s for s in history["steps"] if s["status"] in ("waiting", "running")]
    return open_steps[-1] if open_steps else None


def incident_rows(database_url: str, office: Office, *, all_: bool) -> list[dict[str, Any]]:
    """The list's rows: number, device, kind, status, current step, who it waits for, SLA, age.

    Args:
        database_url: Records database.
        office: Role titles, breach factor.
        all_: Include resolved, closed and cancelled incidents.

    Returns:
        One dict per incident, newest first.
    """
    sops = load_sops()
    now = clock.now()
    rows = []
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            for inc in list_incidents(session, open_only=not all_):
                history = incident_history(session, inc)
                current = _current(history)
                step_text = waits_for = sla = None
                if current is not None and inc.sop_code in sops:
                    step = sops[inc.sop_code].step(int(current["step"]))
                    step_text = f"{step.number}. {step.activity('id')}"
                    if current["status"] == "waiting":
                        waits_for = office.role_titles.get(step.role, step.role)
                    verdict = evaluate(
                        current["started_at"],
                        max(now, current["started_at"]),
                        step.duration,
                        factor=office.sla.breach_factor,
                        running=True,
                    )
                    sla = (
                        "breached"
                        if current.get("sla_status") == "breached"
                        else str(verdict.status)
                    )
                rows.append(
                    {
                        "number": inc.number,
                        "device": inc.device,
                        "kind": inc.kind,
                        "status": inc.status,
                        "step": step_text,
                        "waits_for": waits_for,
                        "sla": sla,
                        "age_minutes": int((now - inc.opened_at).total_seconds() // 60),
                        "flow_run_id": history.get("flow_run_id"),
                    }
                )
    finally:
        engine.dispose()
    return rows


def _age(minutes: int) -> str:
    """``2 h 05 m`` / ``3 d 4 h`` (pure).

    Examples:
        >>> _age(125), _age(3 * 1440 + 250)
        ('2 j 05 m', '3 h 4 j')
    """
    if minutes >= 1440:
        return f"{minutes // 1440} h {minutes % 1440 // 60} j"
    return f"{minutes // 60} j {minutes % 60:02d} m"


@app.command("list")
def list_cmd(
    all_: Annotated[
        bool, typer.Option("--all", help="Also resolved, closed and cancelled incidents.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """List incidents: where each stands, who it waits for, the SLA of its current step."""
    settings = load_settings()
    office_cfg = load_office(office or settings.office_file)
    rows = incident_rows(database_url or settings.database_url, office_cfg, all_=all_)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    console = Console()
    if not rows:
        console.print("no open incidents" if not all_ else "no incidents")
        return
    table = Table(title="Insiden jaringan")
    for header in ("Nomor", "Perangkat", "Jenis", "Status", "Langkah", "Menunggu", "SLA", "Umur"):
        table.add_column(header)
    for r in rows:
        table.add_row(
            r["number"],
            r["device"],
            kind_label(r["kind"]),
            status_label(r["status"]),
            r["step"] or "-",
            r["waits_for"] or "-",
            label("sla", r["sla"]),
            _age(r["age_minutes"]),
        )
    console.print(table)


def _text(value: Any, office: Office) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(office.timezone).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return _age(minutes)
    if hasattr(value, "to_pytimedelta"):
        return _text(value.to_pytimedelta(), office)
    if hasattr(value, "to_pydatetime"):
        return _text(value.to_pydatetime(), office)
    return str(value)


@app.command("show")
def show_cmd(
    ref: Annotated[str, typer.Argument(help="Incident number (INC-2026-0001) or id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Show one incident and every step of its handling.

    Each step with its actor, times, standard, time used, provider waiting and SLA
    verdict; the diagnostics, refused answers, SLA breaches and the documents.
    """
    settings = load_settings()
    office_cfg = load_office(office or settings.office_file)
    engine = make_engine(database_url or settings.database_url)
    try:
        with session_scope(engine) as session:
            try:
                inc = get_incident(session, ref)
            except LookupError as exc:
                raise exit_with(str(exc), 1) from None
            fields = {c.name: getattr(inc, c.name) for c in inc.__table__.columns}
            history = incident_history(session, inc)
    finally:
        engine.dispose()
    sop = load_sops()[fields["sop_code"]]
    frame = step_sla_frame(history["steps"], sop, office_cfg, now=clock.now())
    if as_json:
        data = {
            "incident": fields,
            "steps": history["steps"],
            "refused": history["refused"],
            "breaches": history["breaches"],
        }
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    console = Console(width=max(Console().width, 140))
    console.print(
        f"[bold]{fields['number']}[/bold]  {fields['device']}  {kind_label(fields['kind'])}  "
        f"status: {status_label(fields['status'])}"
    )
    console.print(f"  uraian: {fields['description']}  pelapor: {fields['reporter']}")
    console.print(
        f"  kejadian: {_text(fields['occurred_at'], office_cfg)}  "
        f"dibuka: {_text(fields['opened_at'], office_cfg)}  "
        f"penanganan: {label('handling', fields['handling'])}"
    )
    if fields.get("provider_name"):
        console.print(
            f"  penyedia: {fields['provider_name']}  tiket: {fields['provider_ticket']}  "
            f"dihubungi: {_text(fields['provider_contacted_at'], office_cfg)}  "
            f"menanggapi: {_text(fields['provider_answered_at'], office_cfg)}"
        )
    table = Table(title=f"Langkah SOP {fields['sop_code']}")
    headers = step_sla_headers()
    for column in frame.columns:
        table.add_column(headers[column])
    for row in frame.itertuples(index=False):
        table.add_row(*(_text(v, office_cfg) for v in row))
    console.print(table)
    for item in history["steps"]:
        diagnosis = item["outputs"].get("diagnosis") or item["outputs"].get("diagnosis_after")
        if diagnosis and item["status"] == "completed":
            console.print(f"  diagnosa langkah {item['step']}: {diagnosis.get('summary')}")
    for r in history["refused"]:
        console.print(
            f"  [yellow]ditolak[/yellow] langkah {r['step']} ({r['username']}, "
            f"{_text(r['at'], office_cfg)}): {reason_text(r['reason'], who=r['username'])}"
        )
    for b in history["breaches"]:
        console.print(
            f"  [red]SLA terlampaui[/red] langkah {b['step']}: "
            f"batas {_text(b['due_at'], office_cfg)}, eskalasi ke {b['escalated_role'] or '-'}"
        )
    current = _current(history)
    if current is not None and current["status"] == "waiting" and fields["sop_code"] == "C":
        run = history.get("flow_run_id") or "RUN"
        step = int(current["step"])
        if step == 6:
            console.print(f"  menunggu: sigap approve {run} --decision setuju --as USER")
        else:
            console.print(
                f"  menunggu: sigap answer {run} --as USER --set {FORM_STEPS.get(step, '...')}"
            )
    for item in history["steps"]:
        docs = item["outputs"].get("documents")
        if isinstance(docs, dict):
            for name, by_fmt in docs.items():
                for fmt, path in by_fmt.items():
                    console.print(f"  dokumen {name} ({fmt}): {path}", soft_wrap=True)
