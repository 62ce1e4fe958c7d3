"""``sigap approvals list`` and ``sigap approve``: answer paused SOP runs from a terminal."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from records.db import make_engine, session_scope
from records.models import Approval, RefusedApproval
from records.steps import list_waiting_steps
from sigap.prefect_server import using_api
from sigap.settings import load_settings
from sop.office import Office, load_office
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
                )
                for step, run in list_waiting_steps(session)
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


@app.command("list")
def list_cmd(
    database_url: DatabaseOpt = None,
    office: OfficeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the runs waiting for a decision: run, SOP, step, role, since, due, overdue."""
    settings = load_settings()
    steps = waiting_steps(database_url or settings.database_url)
    now = clock.now()
    if as_json:
        typer.echo(json.dumps([w.as_dict(now) for w in steps], indent=2))
        return
    console = Console()
    if not steps:
        console.print("Tidak ada langkah yang menunggu keputusan (nothing is waiting).")
        return
    loaded = _office(office)
    table = Table(title="Menunggu keputusan (waiting for a decision)")
    table.add_column("run", overflow="fold", min_width=36)
    for column in ("SOP", "langkah", "peran", "sejak", "batas waktu", "terlambat"):
        table.add_column(column)
    for w in steps:
        table.add_row(
            w.flow_run_id or f"sop-run {w.sop_run_id}",
            f"{w.sop_code} {w.title.rsplit(' ', 1)[-1]}",
            str(w.step_number),
            w.role_key,
            _local(w.waiting_since, loaded),
            _local(w.due_at, loaded),
            "[red]ya[/red]" if w.overdue(now) else "tidak",
        )
    console.print(table)
    console.print("Jawab: sigap approve RUN --decision setuju|tolak|kembalikan --as USERNAME")


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
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import resume_flow_run

    console = Console()
    if decision not in ("setuju", "tolak", "kembalikan"):
        raise typer.BadParameter(
            f"{decision!r}: expected setuju, tolak or kembalikan", param_hint="--decision"
        )
    url = database_url or load_settings().database_url
    target = find_waiting(waiting_steps(url), run_id)
    code = typer.prompt("Kode persetujuan (approval code)", hide_input=True)
    sent_at = clock.now()
    try:
        with using_api():
            resume_flow_run(
                UUID(str(target.flow_run_id)),
                run_input={"decision": decision, "approver": approver, "code": code, "note": note},
            )
    except FlowPauseTimeout as exc:
        console.print("[red]the run waited too long and can no longer be resumed[/red]")
        raise typer.Exit(1) from exc
    except Exception as exc:  # NotPausedError, a refused input, an unreachable API
        console.print(f"[red]the run did not accept the answer: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"jawaban dikirim ke run {target.flow_run_id}; menunggu pemeriksaan SIGAP ...")
    verdict = _await_verdict(url, target, approver, sent_at, wait)
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
    database_url: str, target: Waiting, approver: str, since: datetime, wait: float
) -> tuple[bool, str] | None:
    """Watch the records for the run's verdict on an answer sent at ``since``."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                accepted = session.scalars(
                    select(Approval).where(
                        Approval.sop_run_id == target.sop_run_id,
                        Approval.step_number == target.step_number,
                        Approval.decided_at >= since,
                    )
                ).first()
                if accepted is not None:
                    return True, f"{accepted.decision} oleh {accepted.approver}"
                refused = session.scalars(
                    select(RefusedApproval).where(
                        RefusedApproval.sop_run_id == target.sop_run_id,
                        RefusedApproval.step_number == target.step_number,
                        RefusedApproval.refused_at >= since,
                    )
                ).first()
                if refused is not None:
                    return False, refused.reason.split(": ", 1)[-1]
            time.sleep(0.5)
        return None
    finally:
        engine.dispose()


def register(root: typer.Typer) -> None:
    """Add ``approvals`` and ``approve`` to the root app.

    Args:
        root: The ``sigap`` app.
    """
    root.add_typer(app, name="approvals")
    root.command("approve")(approve)
