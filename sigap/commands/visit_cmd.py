"""``sigap visit open|start|exit|list`` and ``sigap report kunjungan``: SOP B server-room visits.

``open`` validates the access form here (nothing is started or written on a bad
form), registers the request in the records (:func:`records.visits.register_visit_request`:
status ``requested``, a visit number, the ID number stored masked) and starts the
``akses-ruang-server`` flow with the visit number only, through its deployment (or
in this process with ``--here``); ``--no-start`` only registers, and ``start NUMBER``
starts a registered request later. The flow run's parameters hold no personal data.
The Kasub decides with ``sigap approve`` or in the Prefect UI. ``exit`` answers the
exit form of a visit through :func:`send_answer`. ID numbers are always shown masked.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from config.settings import load_settings
from records.db import make_engine, session_scope
from records.models import SopRun
from records.visit_models import Visit
from records.visits import VisitStore, get_visit, list_visits
from sigap.commands.approvals_cmd import find_waiting, send_answer, waiting_steps
from sigap.commands.deployment_runs import start_deployment
from sigap.commands.errors import exit_with
from sigap.commands.office_cmd import load_or_exit, office_path
from sigap.labels import label
from sop.office import Office
from sop.visits import (
    ID_TYPES,
    VisitRequest,
    masked_id,
    parse_device,
    parse_local_time,
    period_bounds,
)
from tasks import clock

app = typer.Typer(
    help="SOP B: kunjungan ruang server (server-room visits): open, start, exit, list.",
    no_args_is_help=True,
)

EXIT_STEP = 5

OfficeOpt = Annotated[
    Path | None, typer.Option("--office", help="Office configuration (default: SIGAP_OFFICE).")
]
DatabaseOpt = Annotated[
    str | None, typer.Option(help="Records database URL (default: SIGAP_DATABASE_URL).")
]


def _database(url: str | None) -> str:
    return url or load_settings().database_url


def _local(value: Any, office: Office) -> str:
    if value is None:
        return "-"
    return f"{value.astimezone(office.timezone):%d-%m-%Y %H:%M} {office.timezone_abbrev}"


def access_form(
    office: Office,
    *,
    name: str,
    org: str,
    id_type: str,
    id_number: str,
    purpose: str,
    planned_start: str,
    planned_end: str,
    escort: str,
    registered_by: str,
    devices: list[str],
) -> VisitRequest:
    """The access form of a visit from the command line, validated (pure).

    Args:
        office: The office (timezone of times typed without one, its IT officers).
        name: Visitor's name.
        org: Organisation.
        id_type: ID type.
        id_number: ID number.
        purpose: Purpose.
        planned_start: Planned start as typed.
        planned_end: Planned end as typed.
        escort: Escort.
        registered_by: The IT officer registering it.
        devices: ``NAME:SERIAL`` items.

    Returns:
        The validated request (to register with :func:`records.visits.register_visit_request`).

    Raises:
        ValueError: Every problem, one per line, each naming its option or field
            (never the ID number).
    """
    problems: list[str] = []
    times: dict[str, Any] = {}
    for option, key, text in (
        ("--planned-start", "planned_start", planned_start),
        ("--planned-end", "planned_end", planned_end),
    ):
        try:
            times[key] = parse_local_time(text, office.timezone, option)
        except ValueError as exc:
            problems.append(str(exc))
    items = []
    for text in devices:
        try:
            items.append(parse_device(text).as_dict())
        except ValueError as exc:
            problems.append(f"--device: {exc}")
    if not office.has_role(registered_by, "it_officer"):
        problems.append(f"--as: {registered_by!r} is not an IT officer (it_officer) of the office")
    if problems:
        raise ValueError("\n".join(problems))
    return VisitRequest.parse(
        {
            "visitor_name": name,
            "organisation": org,
            "id_type": id_type,
            "id_number": id_number,
            "purpose": purpose,
            "escort": escort,
            "registered_by": registered_by,
            "devices": items,
            **times,
        }
    )


WaitOpt = Annotated[
    float, typer.Option(help="Seconds to wait for the served run to take the visit.")
]
HereOpt = Annotated[
    bool,
    typer.Option(
        "--here",
        help="Run the flow in this process (it waits here for the Kasub and the exit) "
        "instead of through the deployment that `sigap serve` serves.",
    ),
]


@app.command("open")
def open_cmd(
    name: Annotated[str, typer.Option("--name", help="Nama pengunjung (visitor's name).")],
    org: Annotated[str, typer.Option("--org", help="Instansi / perusahaan (organisation).")],
    id_type: Annotated[
        str, typer.Option("--id-type", help=f"Jenis tanda pengenal: {', '.join(ID_TYPES)}.")
    ],
    purpose: Annotated[str, typer.Option("--purpose", help="Keperluan (purpose of the visit).")],
    planned_start: Annotated[
        str, typer.Option("--planned-start", help="YYYY-MM-DD HH:MM (office time).")
    ],
    planned_end: Annotated[
        str, typer.Option("--planned-end", help="YYYY-MM-DD HH:MM, after the start.")
    ],
    escort: Annotated[str, typer.Option("--escort", help="Pendamping (username of the escort).")],
    registered_by: Annotated[
        str, typer.Option("--as", help="Your username (the IT officer registering the visit).")
    ],
    id_number: Annotated[
        str | None,
        typer.Option(
            "--id-number", help="Nomor tanda pengenal (asked for, hidden, when not given)."
        ),
    ] = None,
    device: Annotated[
        list[str] | None,
        typer.Option("--device", help="Device brought in, NAME:SERIAL (repeat)."),
    ] = None,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
    no_start: Annotated[
        bool,
        typer.Option(
            "--no-start",
            help="Only register the request; start it later with `sigap visit start NUMBER`.",
        ),
    ] = False,
    wait: WaitOpt = 30.0,
    here: HereOpt = False,
) -> None:
    """Register a visit to the server room and send it to the Kasub for approval.

    The request is recorded first (a visit number, the ID number stored masked);
    the flow run gets only the visit number.
    """
    console = Console()
    loaded = load_or_exit(office_path(office))
    number = id_number or typer.prompt("Nomor tanda pengenal (ID number)", hide_input=True)
    try:
        form = access_form(
            loaded,
            name=name,
            org=org,
            id_type=id_type,
            id_number=number,
            purpose=purpose,
            planned_start=planned_start,
            planned_end=planned_end,
            escort=escort,
            registered_by=registered_by,
            devices=list(device or []),
        )
    except ValueError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(2) from None
    if not (no_start or here):
        _require_prefect_api()  # before anything is written
    engine = make_engine(_database(database_url))
    try:
        visit = VisitStore(engine).register(form, office=loaded, created_at=clock.now())
    except ValueError as exc:
        raise exit_with(str(exc), 2) from None
    finally:
        engine.dispose()
    console.print(f"kunjungan {visit.number} tercatat (diajukan)")
    if no_start:
        console.print(f"  mulai: sigap visit start {visit.number}")
        return
    _start(console, visit.number, office, database_url, wait=wait, here=here)


@app.command("start")
def start_cmd(
    visit: Annotated[str, typer.Argument(help="Visit number registered, e.g. KRS-2026-0003.")],
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
    wait: WaitOpt = 30.0,
    here: HereOpt = False,
) -> None:
    """Start SOP B for a visit registered with `sigap visit open --no-start`.

    Exit status 2, nothing changed, when the number is unknown, the visit is no
    longer waiting to start (a visit runs once) or another run handles it.
    """
    _start(Console(), visit, office, database_url, wait=wait, here=here)


def _start(
    console: Console,
    number: str,
    office: Path | None,
    database_url: str | None,
    *,
    wait: float,
    here: bool,
) -> None:
    """Start the flow for the registered visit ``number`` (checked first)."""
    from flows.visits import VisitNotStartable, akses_ruang_server, startable_visit

    loaded = load_or_exit(office_path(office))
    url = _database(database_url)
    if not here:
        _require_prefect_api()
    engine = make_engine(url)
    try:
        visit = startable_visit(engine, loaded, number)
    except VisitNotStartable as exc:
        raise exit_with(str(exc), 2) from None
    finally:
        engine.dispose()
    params: dict[str, Any] = {
        "visit": visit.number,
        "office_file": str(office_path(office).resolve()),
    }
    if database_url:
        params["database_url"] = database_url
    if here:
        result = akses_ruang_server(**params)
        console.print(f"kunjungan {result['visit']}: {label('visit', result['status'])}")
        return
    _start_deployment(console, params, url, wait)


def _require_prefect_api() -> None:
    """Exit 2 when the Prefect API does not answer (nothing started, nothing written)."""
    from sigap.prefect_server import api_url, is_healthy

    url = api_url()
    if not is_healthy(url):
        raise exit_with(
            f"the Prefect API at {url} does not answer: start `sigap serve` (or use --here "
            "or --no-start)",
            2,
        )


def _start_deployment(
    console: Console, params: dict[str, Any], database_url: str, wait: float
) -> None:
    from flows.visits import DEPLOYMENT_NAME, FLOW_NAME

    number = params["visit"]
    flow_run = start_deployment(
        console,
        f"{FLOW_NAME}/{DEPLOYMENT_NAME}",
        params,
        missing=f"then `sigap visit start {number}` (kunjungan {number} tetap tercatat, "
        "belum dimulai)",
    )
    if _visit_of_run(database_url, str(flow_run.id), wait=wait) == number:
        console.print(f"kunjungan {number} menunggu persetujuan Kasub")
    else:
        console.print(
            f"run belum mengambil kunjungan {number}; periksa `sigap serve`, lalu "
            "`sigap visit list --open`"
        )
    console.print(
        "  Kasub: sigap approve RUN --decision setuju|tolak --as USERNAME (or the Prefect UI)"
    )
    console.print(f"  exit:  sigap visit exit {number} --device NAMA:SERI ... --as USERNAME")


def _visit_of_run(database_url: str, flow_run_id: str, wait: float) -> str | None:
    """The visit number the flow run took (step 1), once it has (``None`` after ``wait``)."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                number = session.scalar(
                    select(Visit.number)
                    .join(SopRun, Visit.sop_run_id == SopRun.id)
                    .where(SopRun.flow_run_id == flow_run_id)
                )
            if number:
                return str(number)
            time.sleep(0.5)
        return None
    finally:
        engine.dispose()


def parse_explanations(items: list[str]) -> list[dict[str, str]]:
    """``SERIAL=text`` pairs from ``--explain``, as the exit form's items (pure).

    Raises:
        ValueError: A pair without ``=`` or with an empty serial or text.

    Examples:
        >>> parse_explanations(["HD-9=dibawa vendor untuk RMA"])
        [{'serial': 'HD-9', 'text': 'dibawa vendor untuk RMA'}]
    """
    out: list[dict[str, str]] = []
    for item in items:
        serial, sep, text = item.partition("=")
        if not sep or not serial.strip() or not text.strip():
            raise ValueError(f"--explain: {item!r}: expected SERIAL=explanation")
        out.append({"serial": serial.strip(), "text": text.strip()})
    return out


@app.command("exit")
def exit_cmd(
    visit: Annotated[str, typer.Argument(help="Visit number, e.g. KRS-2026-0001.")],
    approver: Annotated[str, typer.Option("--as", help="Your username (an IT officer).")],
    device: Annotated[
        list[str] | None,
        typer.Option("--device", help="Device leaving, NAME:SERIAL (repeat)."),
    ] = None,
    explain: Annotated[
        list[str] | None,
        typer.Option(
            "--explain",
            help='Explanation of a mismatched serial, SERIAL="text" (repeat).',
        ),
    ] = None,
    exit_time: Annotated[
        str | None, typer.Option("--exit-time", help="YYYY-MM-DD HH:MM (default: now).")
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for SIGAP's verdict.")] = 60.0,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Close a visit: devices leaving, explanations, badge returned against the ID.

    Asks for your approval code. A serial that leaves without having come in, or
    came in and does not leave, must be explained with --explain or the exit is
    refused (nothing is recorded; correct and run again).
    """
    console = Console()
    loaded = load_or_exit(office_path(office))
    url = _database(database_url)
    values: dict[str, Any] = {}
    try:
        values["devices"] = [parse_device(d).as_dict() for d in device or []]
        values["explanations"] = parse_explanations(list(explain or []))
        if exit_time:
            values["exited_at"] = parse_local_time(
                exit_time, loaded.timezone, "--exit-time"
            ).isoformat()
    except ValueError as exc:
        raise exit_with(str(exc), 2) from None
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            row = get_visit(session, visit)
            if row is None:
                raise exit_with(f"no visit {visit!r} (see `sigap visit list`)", 2)
            sop_run_id, status, number = row.sop_run_id, row.status, row.number
    finally:
        engine.dispose()
    steps = [
        w
        for w in waiting_steps(url)
        if w.sop_run_id == sop_run_id and w.step_number == EXIT_STEP and w.flow_run_id
    ]
    if not steps:
        raise exit_with(
            f"visit {number} is not waiting for its exit (status: {label('visit', status)})", 2
        )
    target = find_waiting(steps, str(steps[0].flow_run_id))
    code = typer.prompt("Kode persetujuan (approval code)", hide_input=True)
    verdict = send_answer(url, target, approver, code, values, wait=wait, console=console)
    if verdict is None:
        console.print("belum ada hasil pemeriksaan; lihat `sigap visit list` nanti")
        return
    accepted, text = verdict
    if not accepted:
        console.print(f"[red]ditolak (refused): {text}[/red]", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"[green]kunjungan {number} ditutup: {text}[/green]")


def visit_summary(visit: Visit, office: Office) -> dict[str, Any]:
    """A visit as the list shows it, with the ID number masked.

    Args:
        visit: The visit.
        office: For local times.

    Returns:
        Plain data.
    """
    return {
        "number": visit.number,
        "status": visit.status,
        "visitor": visit.visitor_name,
        "organisation": visit.organisation,
        "id": masked_id(visit.id_type, visit.id_number),
        "purpose": visit.purpose,
        "planned_start": visit.planned_start.isoformat(),
        "planned_end": visit.planned_end.isoformat(),
        "escort": visit.escort,
        "badge": visit.badge_number,
        "entered_at": visit.entered_at.isoformat() if visit.entered_at else None,
        "exited_at": visit.exited_at.isoformat() if visit.exited_at else None,
        "overstay": visit.overstay_at is not None,
        "devices_in": list(visit.devices_in or []),
        "devices_out": list(visit.devices_out or []),
    }


@app.command("list")
def list_cmd(
    open_only: Annotated[
        bool, typer.Option("--open", help="Only visits not ended (waiting, approved, inside).")
    ] = False,
    day: Annotated[
        str | None, typer.Option("--date", help="Visits planned on this day, YYYY-MM-DD.")
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="Visits planned in this month, YYYY-MM.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """List visits (ID numbers masked)."""
    loaded = load_or_exit(office_path(office))
    start = end = None
    if day is not None or month is not None:
        try:
            start, end, _ = period_bounds(day, month, loaded.timezone)
        except ValueError as exc:
            raise exit_with(str(exc), 2) from None
    engine = make_engine(_database(database_url))
    try:
        with session_scope(engine) as session:
            rows = [
                (visit_summary(v, loaded), v)
                for v in list_visits(
                    session, office=loaded.short_name, start=start, end=end, open_only=open_only
                )
            ]
            if as_json:
                typer.echo(json.dumps([r for r, _ in rows], indent=2, ensure_ascii=False))
                return
            table = Table(title="Kunjungan ruang server (server-room visits)")
            table.add_column("nomor", no_wrap=True)
            table.add_column("status")
            table.add_column("pengunjung")
            table.add_column("tanda pengenal", no_wrap=True)
            for column in ("rencana", "pendamping", "kartu", "masuk", "keluar"):
                table.add_column(column)
            for data, v in rows:
                table.add_row(
                    data["number"],
                    label("visit", data["status"])
                    + (" [red](lewat waktu)[/red]" if data["overstay"] else ""),
                    f"{v.visitor_name} ({v.organisation})",
                    data["id"],
                    f"{_local(v.planned_start, loaded)} - {_local(v.planned_end, loaded)[-9:]}",
                    v.escort,
                    v.badge_number or "-",
                    _local(v.entered_at, loaded),
                    _local(v.exited_at, loaded),
                )
    finally:
        engine.dispose()
    console = Console()
    if not rows:
        console.print("Tidak ada kunjungan (no visits).")
        return
    console.print(table)


def report_kunjungan(
    day: Annotated[str | None, typer.Option("--date", help="One day, YYYY-MM-DD.")] = None,
    month: Annotated[str | None, typer.Option("--month", help="One month, YYYY-MM.")] = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Formats, comma-separated: xlsx, pdf, html.")
    ] = "xlsx,pdf",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: <data dir>/reports)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="id (Indonesian) or en (English).")] = "id",
    office: OfficeOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Write the server-room visitor log (Buku Tamu Ruang Server) for a day or a month.

    ID numbers are masked (last four characters). Exit status 2 on a bad option;
    nothing is written on error.
    """
    from reports.visits import write_visitor_log

    loaded = load_or_exit(office_path(office))
    if lang not in ("id", "en"):
        raise exit_with(f"--lang: {lang!r}: choose id or en", 2)
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in ("xlsx", "pdf", "html")]
    if bad or not wanted:
        raise exit_with(f"--format: {', '.join(bad) or formats!r}: choose xlsx, pdf, html", 2)
    try:
        start, end, period = period_bounds(day, month, loaded.timezone)
    except ValueError as exc:
        raise exit_with(str(exc), 2) from None
    settings = load_settings()
    directory = out or settings.reports_dir
    engine = make_engine(_database(database_url))
    try:
        paths = write_visitor_log(
            engine,
            loaded,
            start=start,
            end=end,
            period=period,
            out_dir=directory,
            printed_at=clock.now(),
            lang=lang,
            formats=wanted,
        )
    finally:
        engine.dispose()
    console = Console()
    for fmt, path in paths.items():
        console.print(f"{fmt}: {path}", soft_wrap=True)
