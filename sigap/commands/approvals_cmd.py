"""``sigap approvals list``, ``sigap approve`` and ``sigap answer``: answer paused SOP runs.

``approve`` answers a decision step (setuju / tolak / kembalikan); ``answer`` fills in
the form of any other waiting step (``--set field=value``). Both send the answer to
the paused Prefect run and report SIGAP's verdict on it (:func:`send_answer`), which
commands of the single SOPs (e.g. ``sigap visit exit``) call too.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from config.office_file import load_office
from config.settings import load_settings
from records.db import make_engine, session_scope
from records.models import RefusedApproval, StepLog
from records.steps import answered_counts, list_waiting_steps
from reports.labels import format_span
from sigap.labels import reason_text
from sigap.prefect_server import using_api
from sop.office import Office
from tasks import clock

app = typer.Typer(help="Paused SOP runs waiting for a decision.", no_args_is_help=True)

DatabaseOpt = Annotated[
    str | None, typer.Option(help="Records database URL (default: SIGAP_DATABASE_URL).")
]
OfficeOpt = Annotated[
    Path | None, typer.Option(help="Office configuration (default: SIGAP_OFFICE).")
]


@dataclass(frozen=True)
class Waiting:
    """One step waiting for a decision, as the list shows it."""

    flow_run_id: str | None
    sop_run_id: int
    sop_code: str
    title: str
    step_number: int
    role_key: str
    waiting_since: datetime
    due_at: datetime | None
    step_log_id: int = 0
    form: tuple[str, ...] = ()
    round: int = 1
    """1 the first time the step waits; 2 once it was answered, returned and asked again."""

    def overdue(self, now: datetime) -> bool:
        """Whether the deadline has passed at ``now``."""
        return self.due_at is not None and now > self.due_at

    def as_dict(self, now: datetime) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "run": self.flow_run_id,
            "sop_run_id": self.sop_run_id,
            "sop": self.sop_code,
            "title": self.title,
            "step": self.step_number,
            "role": self.role_key,
            "waiting_since": self.waiting_since.isoformat(),
            "due": self.due_at.isoformat() if self.due_at else None,
            "overdue": self.overdue(now),
            "form": list(self.form),
            "round": self.round,
        }


def waiting_steps(database_url: str) -> list[Waiting]:
    """Every step waiting for a decision, oldest first.

    Args:
        database_url: Records database.

    Returns:
        The waiting steps.
    """
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            waiting = list_waiting_steps(session)
            answered = answered_counts(session, sorted({run.id for _, run in waiting}))
            return [
                Waiting(
                    run.flow_run_id,
                    run.id,
                    run.sop_code,
                    run.title,
                    step.step_number,
                    step.role_key,
                    step.started_at,
                    step.due_at,
                    step.id,
                    tuple(str(name) for name in (step.inputs or {}).get("form", [])),
                    answered.get((run.id, step.step_number), 0) + 1,
                )
                for step, run in waiting
            ]
    finally:
        engine.dispose()


def _office(path: Path | None) -> Office | None:
    file = path or load_settings().office_file
    return load_office(file) if file.exists() else None


def _local(when: datetime | None, office: Office | None) -> str:
    if when is None:
        return "-"
    if office is None:
        return f"{when:%d-%m %H:%M} UTC"
    return f"{when.astimezone(office.timezone):%d-%m %H:%M} {office.timezone_abbrev}"


def short_ids(ids: list[str], shortest: int = 8) -> dict[str, str]:
    """Each flow run id cut to the shortest prefix (at least ``shortest``) unique among ``ids``.

    ``sigap approve`` and ``sigap answer`` take such a prefix (6+ characters).

    Args:
        ids: Flow run ids.
        shortest: The shortest prefix shown.

    Returns:
        id -> its prefix.

    Examples:
        >>> short_ids(["0a1b2c3d-1111", "0a1b2c3d-2222", "ffff0000-3333"])
        {'0a1b2c3d-1111': '0a1b2c3d-1', '0a1b2c3d-2222': '0a1b2c3d-2', 'ffff0000-3333': 'ffff0000'}
    """
    out = {}
    for run_id in ids:
        n = shortest
        while n < len(run_id) and any(o != run_id and o.startswith(run_id[:n]) for o in ids):
            n += 1
        out[run_id] = run_id[:n]
    return out


def due_text(due_at: datetime | None, now: datetime) -> str:
    """Where a waiting step stands against its deadline, in words (pure).

    Args:
        due_at: The step's deadline, or ``None``.
        now: The time now.

    Returns:
        ``terlambat 2 jam``, ``sisa 3 jam 10 menit`` or ``tanpa batas waktu``.

    Examples:
        >>> from datetime import timedelta, timezone
        >>> t = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)
        >>> due_text(t - timedelta(hours=2), t), due_text(t + timedelta(hours=3, minutes=10), t)
        ('terlambat 2 jam', 'sisa 3 jam 10 menit')
    """
    if due_at is None:
        return "tanpa batas waktu"
    if now > due_at:
        return f"terlambat {format_span(now - due_at)}"
    return f"sisa {format_span(due_at - now)}"


@app.command("list")
def list_cmd(
    database_url: DatabaseOpt = None,
    office: OfficeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the steps waiting for a decision: run, SOP, step, role, due, time left, round.

    The run column shows the shortest unique start of each flow run id, which
    ``sigap approve`` and ``sigap answer`` take; ``--json`` gives the whole ids.
    """
    settings = load_settings()
    steps = waiting_steps(database_url or settings.database_url)
    now = clock.now()
    if as_json:
        typer.echo(json.dumps([w.as_dict(now) for w in steps], indent=2))
        return
    console = Console()
    if not steps:
        console.print("Tidak ada langkah yang menunggu keputusan.")
        return
    loaded = _office(office)
    runs = short_ids([w.flow_run_id for w in steps if w.flow_run_id])
    table = Table(title="Menunggu keputusan", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("run", no_wrap=True)
    for column in ("SOP", "langkah", "peran"):
        # long values wrap at spaces; a word longer than its column is folded, never cut
        table.add_column(column, overflow="fold")
    table.add_column("batas waktu", overflow="fold", min_width=15)  # 03-12 13:16 WIT
    table.add_column("isian", overflow="fold")
    for w in steps:
        due = [_local(w.due_at, loaded), due_text(w.due_at, now)]
        if w.round > 1:
            due.append(f"putaran {w.round}")
        table.add_row(
            runs.get(w.flow_run_id or "", f"sop-run {w.sop_run_id}"),
            f"{w.sop_code} {w.title.rsplit(' ', 1)[-1]}",
            str(w.step_number),
            w.role_key,
            Text("\n".join(due), style="red" if w.overdue(now) else ""),
            ", ".join(f for f in w.form if f != "approver") or "-",
        )
    console.print(table)
    console.print("Keputusan: sigap approve RUN --decision setuju|tolak|kembalikan --as USERNAME")
    console.print("Formulir:  sigap answer RUN --as USERNAME --set isian=nilai ...")


def find_waiting(steps: list[Waiting], run: str) -> Waiting:
    """The waiting step of a run given by its flow run id or a unique prefix of it.

    Args:
        steps: Waiting steps.
        run: What the user typed.

    Returns:
        The step.

    Raises:
        typer.BadParameter: No waiting run, or several, match.
    """
    matches = [w for w in steps if w.flow_run_id and w.flow_run_id.startswith(run.strip())]
    if len(matches) == 1 and len(run.strip()) >= 6:
        return matches[0]
    if not matches:
        raise typer.BadParameter(
            f"no run {run!r} is waiting for a decision (see `sigap approvals list`)",
            param_hint="RUN_ID",
        )
    raise typer.BadParameter(
        f"{run!r} matches {len(matches)} waiting runs: give more of the id", param_hint="RUN_ID"
    )


def approve(
    run_id: Annotated[str, typer.Argument(help="Flow run id (or a unique prefix, 6+ chars).")],
    decision: Annotated[
        str, typer.Option(help="setuju (approve), tolak (reject) or kembalikan (return).")
    ],
    approver: Annotated[str, typer.Option("--as", help="Your username in the office config.")],
    note: Annotated[str, typer.Option(help="Note; for kembalikan name the devices to redo.")] = "",
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for SIGAP's verdict on the answer.")
    ] = 60.0,
    database_url: DatabaseOpt = None,
) -> None:
    """Answer a paused run: asks for your approval code (not echoed) and resumes the run.

    SIGAP then checks the answer (role, separation of duties, code, lockout) and
    this command reports whether it was accepted or refused.
    """
    console = Console()
    if decision not in ("setuju", "tolak", "kembalikan"):
        raise typer.BadParameter(
            f"{decision!r}: expected setuju, tolak or kembalikan", param_hint="--decision"
        )
    url = database_url or load_settings().database_url
    target = find_waiting(waiting_steps(url), run_id)
    code = typer.prompt("Kode persetujuan (approval code)", hide_input=True)
    _report_verdict(
        console,
        target,
        send_answer(
            url,
            target,
            approver,
            code,
            {"decision": decision, "note": note},
            wait=wait,
            console=console,
        ),
    )


def answer(
    run_id: Annotated[str, typer.Argument(help="Flow run id (or a unique prefix, 6+ chars).")],
    approver: Annotated[str, typer.Option("--as", help="Your username in the office config.")],
    values: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A field of the step's form: name=value (repeat; JSON for lists, "
            'e.g. devices=\'[{"name": "Laptop", "serial": "SN1"}]\').',
        ),
    ] = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for SIGAP's verdict on the answer.")
    ] = 60.0,
    database_url: DatabaseOpt = None,
) -> None:
    """Fill in the form of a waiting step: asks for your approval code and resumes the run.

    `sigap approvals list` shows each waiting step's form fields. SIGAP checks the
    answer (your role, code, the form's own rules) and this command reports whether it
    was accepted or refused.
    """
    console = Console()
    fields = parse_values(values or [])
    url = database_url or load_settings().database_url
    target = find_waiting(waiting_steps(url), run_id)
    unknown = sorted(set(fields) - set(target.form)) if target.form else []
    if unknown:
        raise typer.BadParameter(
            f"step {target.step_number} has no field {', '.join(unknown)}; "
            f"its form: {', '.join(f for f in target.form if f != 'approver')}",
            param_hint="--set",
        )
    code = typer.prompt("Kode persetujuan (approval code)", hide_input=True)
    _report_verdict(
        console,
        target,
        send_answer(url, target, approver, code, fields, wait=wait, console=console),
    )


def parse_values(items: list[str]) -> dict[str, Any]:
    """``name=value`` pairs from the command line; a value in ``[...]``/``{...}`` is JSON.

    Args:
        items: What the user typed after each ``--set``.

    Returns:
        Field name -> value.

    Raises:
        typer.BadParameter: A pair without ``=``, an empty name, or bad JSON.

    Examples:
        >>> parse_values(["handling=provider", 'parts=["PSU SN1"]'])
        {'handling': 'provider', 'parts': ['PSU SN1']}
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r}: expected name=value", param_hint="--set")
        text = value.strip()
        if text[:1] in ("[", "{"):
            try:
                out[name.strip()] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise typer.BadParameter(
                    f"{name.strip()}: not valid JSON ({exc.msg} at {exc.pos})", param_hint="--set"
                ) from exc
        else:
            out[name.strip()] = value
    return out


def send_answer(
    database_url: str,
    target: Waiting,
    approver: str,
    code: str,
    values: dict[str, Any],
    *,
    wait: float = 60.0,
    console: Console | None = None,
) -> tuple[bool, str] | None:
    """Send an answer to a waiting step and wait for SIGAP's verdict on it.

    Args:
        database_url: Records database.
        target: The waiting step (:func:`find_waiting`).
        approver: Username answering.
        code: Their approval code (sent to the run, never stored by SIGAP).
        values: The form's other fields.
        wait: Seconds to wait for the verdict.
        console: Where to say that the answer was sent.

    Returns:
        ``(accepted, text)``, or ``None`` when no verdict came within ``wait``.

    Raises:
        typer.Exit: The run did not take the answer (not paused, schema refused,
            timed out, API unreachable).
    """
    from prefect.exceptions import FlowPauseTimeout

    console = console or Console()
    sent_at = clock.now()
    try:
        with using_api():
            resume_when_paused(
                UUID(str(target.flow_run_id)),
                {**values, "approver": approver, "code": code},
                patience=min(wait, PAUSE_PATIENCE),
            )
    except FlowPauseTimeout as exc:
        console.print("[red]the run waited too long and can no longer be resumed[/red]")
        raise typer.Exit(1) from exc
    except Exception as exc:  # NotPausedError, a refused input, an unreachable API
        console.print(f"[red]the run did not accept the answer: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"jawaban dikirim ke run {target.flow_run_id}; menunggu pemeriksaan SIGAP ...")
    return _await_verdict(database_url, target, sent_at, wait)


PAUSE_PATIENCE = 15.0
"""Seconds an answer waits for a run that lists its step but has not paused yet."""


def resume_when_paused(flow_run_id: UUID, run_input: dict[str, Any], *, patience: float) -> None:
    """Resume a paused run with ``run_input``, waiting briefly for a run about to pause.

    A step is listed as waiting just before its run pauses, and again just after a
    refused answer, before the run asks anew: an answer sent in that moment waits up to
    ``patience`` seconds for the pause instead of failing. A finished run fails at once.

    Args:
        flow_run_id: The Prefect flow run.
        run_input: The form's values (the approval code among them; never logged).
        patience: Longest wait for the run to pause, in seconds.

    Raises:
        NotPausedError: The run finished, or did not pause within ``patience``.
        FlowPauseTimeout: The pause has timed out.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import NotPausedError
    from prefect.flow_runs import resume_flow_run

    deadline = time.monotonic() + patience
    while True:
        try:
            resume_flow_run(flow_run_id, run_input=run_input)
            return
        except NotPausedError:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(flow_run_id).state
            if (state is not None and state.is_final()) or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def _report_verdict(console: Console, target: Waiting, verdict: tuple[bool, str] | None) -> None:
    if verdict is None:
        console.print("belum ada hasil pemeriksaan; lihat `sigap approvals list` nanti")
        return
    accepted, text = verdict
    if accepted:
        console.print(f"[green]diterima (accepted): {text}[/green]")
        return
    console.print(f"[red]ditolak (refused): {text}[/red]")
    raise typer.Exit(1)


def _await_verdict(
    database_url: str, target: Waiting, since: datetime, wait: float
) -> tuple[bool, str] | None:
    """Watch the records for the run's verdict on an answer sent at ``since``."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                log = session.get(StepLog, target.step_log_id) if target.step_log_id else None
                if log is not None and log.status == "completed":
                    what = (log.outputs or {}).get("decision") or "formulir diterima"
                    return True, f"{what} oleh {log.actor}"
                refused = session.scalars(
                    select(RefusedApproval).where(
                        RefusedApproval.sop_run_id == target.sop_run_id,
                        RefusedApproval.step_number == target.step_number,
                        RefusedApproval.refused_at >= since,
                    )
                ).first()
                if refused is not None:
                    return False, reason_text(refused.reason, who=refused.attempted_username)
            time.sleep(0.5)
        return None
    finally:
        engine.dispose()


def register(root: typer.Typer) -> None:
    """Add ``approvals``, ``approve`` and ``answer`` to the root app.

    Args:
        root: The ``sigap`` app.
    """
    root.add_typer(app, name="approvals")
    root.command("approve")(approve)
    root.command("answer")(answer)
