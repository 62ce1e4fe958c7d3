"""Flow ``network-maintenance``: SOP A, the monthly network maintenance, end to end.

Steps 1-3 (the *disposisi* chain Kadivmin -> Kabag -> Kasubag -> IT officer) are
recorded with the office's role holders. Step 4 collects every selected device
and judges it against the checklist (the ``collect-devices`` flow, as a
subflow) and writes the monthly report. Steps 5, 6 and 7 (Kasubag, Kabag,
Kadivmin) each pause the run for a decision (:mod:`flows.approvals`).
``kembalikan`` returns the work as the SOP's *Tidak* branch says (step 5 -> 4
with the devices the note names, or all; step 6 -> 5); ``tolak`` ends the run.

The run's state is in the records under the run key (office + month): the flow
replays it (:func:`sop.review.replay`) and continues where a previous run of the
same month stopped, so a second run never collects the month again.

Only one run of a run key is alive: the one started last. When it starts, the
Prefect flow run recorded before it (killed with ``kill -9``, or its machine gone)
is marked ``Crashed`` with its subflow and task runs, a step 4 it left
``running`` is marked ``interrupted`` with its collection run, and step 4 is done
again; a review step it left ``waiting`` is continued.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.exceptions import FlowPauseTimeout
from prefect.settings import PREFECT_UI_URL
from sqlalchemy.engine import Engine

from config.office_file import load_office
from config.settings import Settings, load_settings
from config.sop_files import load_sops
from flows.approvals import ApprovalRequest, await_approval, current_flow_run_id
from flows.collect import collect_flow
from inventory import load_inventory
from records.collection_runs import (
    SOP_STEP_KEY,
    interrupt_collection_run,
    running_collection_runs,
)
from records.db import make_engine, session_scope
from records.sop_runs import get_or_create_sop_run, load_sop_run, set_sop_run_status
from records.steps import finish_step, start_step
from reports.maintenance import publish_maintenance_artifacts, write_maintenance_report
from sop.maintenance import device_lines, review_summary, totals
from sop.model import SopDefinition, Step
from sop.office import Office
from sop.review import ROUND_DONE, Event, Position, latest_per_device, replay
from sop.runkeys import current_month, maintenance_run_key, parse_month
from sop.sla import due_time, evaluate
from tasks import clock
from tasks.leftover_runs import crash_leftover_flow_run

SOP_CODE = "A"
DISPOSISI_STEPS = (1, 2, 3)
WORK_STEP = 4
REVIEW_STEPS = (5, 6, 7)
DEPLOYMENT_NAME = "pemeliharaan-jaringan-bulanan"


@flow(name="network-maintenance", log_prints=False)
def network_maintenance(
    month: str | None = None,
    sites: list[str] | None = None,
    groups: list[str] | None = None,
    actor: str | None = None,
    inventory_dir: str | None = None,
    office_file: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """SOP A, Pemeliharaan Infrastruktur Sistem Jaringan, for one month.

    Args:
        month: Bulan pemeliharaan (maintenance month), ``YYYY-MM``; kosong = bulan ini
            di zona waktu kantor (empty = the current month at the office).
        sites: Lokasi yang diperiksa (sites to check); kosong = semua (empty = all).
        groups: Grup inventaris (inventory groups); kosong = semua (empty = all).
        actor: Username petugas IT yang menjalankan (the IT officer running it);
            kosong = petugas IT pertama di konfigurasi kantor.
        inventory_dir: Direktori inventaris (default: ``SIGAP_INVENTORY``).
        office_file: File konfigurasi kantor (default: ``SIGAP_OFFICE``).
        database_url: Basis data catatan (default: ``SIGAP_DATABASE_URL``).

    Returns:
        The run key, its status, the month's totals and the report files.
    """
    settings = load_settings()
    office = load_office(Path(office_file) if office_file else settings.office_file)
    sop = load_sops(office.sop_dir)[SOP_CODE] if office.sop_dir else load_sops()[SOP_CODE]
    month = parse_month(month) if month else current_month(clock.now(), office.timezone)
    inventory = Path(inventory_dir) if inventory_dir else settings.inventory_dir
    engine = make_engine(database_url or settings.database_url)
    try:
        job = MaintenanceJob(
            settings=settings,
            office=office,
            sop=sop,
            engine=engine,
            month=month,
            inventory_dir=inventory,
            filters=_filters(sites, groups),
            actor=actor,
            database_url=database_url or settings.database_url,
            office_file=str(office_file or settings.office_file),
        )
        return job.run()
    finally:
        engine.dispose()


def _filters(sites: list[str] | None, groups: list[str] | None) -> dict[str, list[str]]:
    """Inventory filters from the flow's parameters (pure)."""
    filters: dict[str, list[str]] = {}
    if sites:
        filters["site"] = list(sites)
    if groups:
        filters["group"] = list(groups)
    return filters


class MaintenanceJob:
    """One month of SOP A for one office: the flow's body, step by step."""

    def __init__(
        self,
        *,
        settings: Settings,
        office: Office,
        sop: SopDefinition,
        engine: Engine,
        month: str,
        inventory_dir: Path,
        filters: dict[str, list[str]],
        actor: str | None,
        database_url: str,
        office_file: str,
    ) -> None:
        """Keep what every step needs."""
        self.settings = settings
        self.office = office
        self.sop = sop
        self.engine = engine
        self.month = month
        self.inventory_dir = inventory_dir
        self.filters = filters
        self.database_url = database_url
        self.office_file = office_file
        self.steps = {step.number: step for step in sop.steps}
        self.run_key = maintenance_run_key(office.short_name, month)
        self.logger = get_run_logger()
        officers = [p.username for p in office.holders(self.steps[WORK_STEP].role)]
        self.actor = actor or (officers[0] if officers else None)
        self.sop_run_id = 0

    # -- the chain -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Continue the month's run from where its records stand, to its end.

        Returns:
            Run key, status, totals and report files as plain data.
        """
        self._open_run()
        self._disposisi()
        files: dict[str, str] = {}
        try:
            while True:
                position = self._position()
                if position.step is None:
                    break
                if position.step == WORK_STEP:
                    files = self._work(position)
                else:
                    self._review(self.steps[position.step])
        except FlowPauseTimeout:
            self._set_status("failed")
            self.logger.error(
                "tidak ada keputusan dalam %s detik; jalankan lagi bulan %s untuk melanjutkan",
                self.settings.approval_timeout,
                self.month,
            )
            raise
        # final report: the signature block now holds every decision
        files = self._report(final=True) or files
        status = "completed" if position.status == "approved" else "cancelled"
        self._set_status(status, finished=True)
        lines = self._lines()
        self.logger.info("SOP A %s selesai: %s", self.month, position.status)
        return {
            "run_key": self.run_key,
            "sop_run_id": self.sop_run_id,
            "month": self.month,
            "status": position.status,
            "totals": totals(lines),
            "report": files,
        }

    def _open_run(self) -> None:
        with session_scope(self.engine) as session:
            run = get_or_create_sop_run(
                session,
                self.run_key,
                sop_code=SOP_CODE,
                title=f"{self.sop.title('id')} {self.month}",
                office=self.office.short_name,
                parameters={
                    "month": self.month,
                    "sites": self.filters.get("site", []),
                    "groups": self.filters.get("group", []),
                    "inventory": str(self.inventory_dir),
                },
            )
            previous = run.flow_run_id
            set_sop_run_status(session, run, "running", flow_run_id=current_flow_run_id())
            self.sop_run_id = run.id
        self._close_leftovers(previous)

    def _close_leftovers(self, previous: str | None) -> None:
        """Close what a run of this month started before this one left open.

        This run is now the month's only live one: the flow run recorded before
        (if another) is marked ``Crashed`` on the Prefect server, with its subflow
        and task runs; a step 4 still ``running`` in the records, and the collection
        run it had started, are ``interrupted`` (ended at their last stored device).
        Waiting review steps are left as they are: the review continues them.

        Args:
            previous: The flow run id the SOP run held before this run started.
        """
        current = current_flow_run_id()
        if previous and previous != current:
            message = (
                f"SIGAP: {self.run_key} dilanjutkan oleh flow run {current} "
                "(proses run ini sudah berakhir tanpa melapor)"
            )
            try:
                crashed = crash_leftover_flow_run(previous, message)
            except Exception as exc:  # e.g. another Prefect server: the records still close
                self.logger.warning(
                    "flow run sebelumnya %s tidak dapat ditandai Crashed: %s", previous, exc
                )
            else:
                if crashed:
                    self.logger.warning(
                        "flow run sebelumnya %s tidak berjalan lagi: ditandai Crashed (%s)",
                        previous,
                        ", ".join(crashed),
                    )
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            stale = [
                log
                for log in run.step_logs
                if log.step_number == WORK_STEP and log.status == "running"
            ]
            if not stale:
                return
            collections = running_collection_runs(session, [log.id for log in stale])
            for collection in collections:
                interrupt_collection_run(session, collection)
            for log in stale:
                mine = [c for c in collections if c.selection.get(SOP_STEP_KEY) == log.id]
                ends = [c.finished_at for c in mine if c.finished_at is not None]
                finish_step(
                    session,
                    log,
                    status="interrupted",
                    finished_at=max([log.started_at, *ends]),
                    outputs={
                        **(log.outputs or {}),
                        "interrupted_collection_run_ids": [c.id for c in mine],
                        "devices_stored": sum(c.devices_total for c in mine),
                    },
                    note=(
                        f"terhenti: proses flow run {previous or '?'} berakhir sebelum langkah "
                        f"ini selesai; dilanjutkan oleh flow run {current or '?'}"
                    ),
                )
                self.logger.warning(
                    "langkah 4 sebelumnya terhenti (%s perangkat tersimpan, collection run %s): "
                    "dikumpulkan lagi",
                    sum(c.devices_total for c in mine),
                    ", ".join(str(c.id) for c in mine) or "-",
                )

    def _set_status(self, status: str, finished: bool = False) -> None:
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            set_sop_run_status(session, run, status, finished_at=clock.now() if finished else None)

    def _disposisi(self) -> None:
        """Steps 1-3: each role holder passes the assignment down (recorded once)."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            done = {log.step_number for log in run.step_logs if log.status == "completed"}
            for number in DISPOSISI_STEPS:
                if number in done:
                    continue
                step = self.steps[number]
                holders = self.office.holders(step.role)
                now = clock.now()
                log = start_step(
                    session,
                    run,
                    number,
                    step.role,
                    actor=holders[0].username if holders else None,
                    due_at=self._due(step, now),
                    started_at=now,
                    inputs={"month": self.month},
                    documents=list(step.inputs),
                )
                finish_step(
                    session,
                    log,
                    finished_at=now,
                    documents=[step.output] if step.output else [],
                    note=None if holders else "tidak ada pemegang peran ini di kantor",
                    sla_status=str(evaluate(now, now, step.duration).status),
                )

    def _position(self) -> Position:
        """Replay the run's records: which step comes next."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            timeline: list[tuple[Any, int, Event]] = []
            for log in run.step_logs:
                if log.step_number == WORK_STEP and log.status == ROUND_DONE:
                    assert log.finished_at is not None
                    timeline.append((log.finished_at, log.id, Event(WORK_STEP)))
            for approval in run.approvals:
                timeline.append(
                    (
                        approval.decided_at,
                        approval.id,
                        Event(approval.step_number, approval.decision, approval.note),
                    )
                )
        timeline.sort(key=lambda item: (item[0], item[1]))
        names = list(self._lines())
        return replay(
            self.sop,
            [event for _, _, event in timeline],
            work_step=WORK_STEP,
            review_steps=REVIEW_STEPS,
            device_names=names,
        )

    # -- step 4 ----------------------------------------------------------------------------

    def _work(self, position: Position) -> dict[str, str]:
        """Step 4: collect (all, or the devices a reviewer returned), judge, report."""
        step = self.steps[WORK_STEP]
        filters: dict[str, Any] = dict(self.filters)
        if position.redo:
            filters["name"] = list(position.redo)
        started = clock.now()
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            log = start_step(
                session,
                run,
                WORK_STEP,
                step.role,
                actor=self.actor,
                due_at=self._due(step, started),
                started_at=started,
                inputs={"filters": filters, "return_note": position.note},
                documents=list(step.inputs),
            )
            log_id = log.id
        # an invalid inventory stops here, before anything is collected
        load_inventory(self.inventory_dir)
        report = collect_flow()(
            inventory_dir=str(self.inventory_dir),
            filters=filters,
            trigger=f"sop:{SOP_CODE}",
            actor=self.actor,
            database_url=self.database_url,
            office_file=self.office_file,
            sop_step_log_id=log_id,
        )
        # every device's result from the latest round that collected it (the report's rule)
        lines = latest_per_device([self._lines(), device_lines(report)])
        finished = clock.now()
        with session_scope(self.engine) as session:
            log = session.get(type(log), log_id)
            assert log is not None
            finish_step(
                session,
                log,
                finished_at=finished,
                outputs={
                    "collection_run_id": report["run_id"],
                    "devices": sorted(device_lines(report)),
                    "lines": lines,
                    "totals": totals(lines),
                },
                documents=[step.output] if step.output else [],
                sla_status=str(evaluate(started, finished, step.duration).status),
            )
        self.logger.info(
            "langkah 4: %s perangkat diperiksa (run %s)", len(report["devices"]), report["run_id"]
        )
        return self._report(final=False)

    def _lines(self) -> dict[str, dict[str, Any]]:
        """The month's merged device lines (from the latest finished step 4)."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            for log in reversed(run.step_logs):
                if log.step_number == WORK_STEP and log.status == ROUND_DONE:
                    return dict(log.outputs.get("lines") or {})
        return {}

    # -- steps 5-7 -------------------------------------------------------------------------

    def _review(self, step: Step) -> None:
        """A review step: pause until an accepted decision is recorded."""
        performed_by, decisions, rounds = self._review_context(step)
        summary = review_summary(
            self._lines(),
            month=self.month,
            rounds=rounds,
            report_link=self._report_link(),
            decisions=decisions,
        )
        self._set_status("paused")
        await_approval(
            self.engine,
            self.office,
            ApprovalRequest(
                sop_run_id=self.sop_run_id,
                sop_code=SOP_CODE,
                sop_title=self.sop.title("id"),
                step=step,
                performed_by=performed_by,
                summary=summary,
            ),
            poll_interval=self.settings.approval_poll,
            timeout=self.settings.approval_timeout,
            sla_watch=self.settings.sla_watch,
        )
        self._set_status("running")

    def _review_context(self, step: Step) -> tuple[tuple[str, ...], list[str], int]:
        """Who did the work under review, the decisions so far, and collection rounds."""
        with session_scope(self.engine) as session:
            run = load_sop_run(session, self.sop_run_id)
            work_logs = [
                log
                for log in run.step_logs
                if log.step_number == WORK_STEP and log.status == "completed"
            ]
            approvals = list(run.approvals)
        previous = step.number - 1
        if previous == WORK_STEP:
            performed = {log.actor for log in work_logs[-1:] if log.actor}
        else:
            performed = {
                a.approver
                for a in approvals[-1:]
                if a.step_number == previous and a.decision == "setuju"
            }
        titles = self.office.role_titles
        decisions = [
            f"langkah {a.step_number} ({titles.get(a.role_key, a.role_key)}): {a.decision} "
            f"oleh {a.approver}" + (f", catatan: {a.note}" if a.note else "")
            for a in approvals
        ]
        return tuple(sorted(performed)), decisions, len(work_logs)

    # -- reports ---------------------------------------------------------------------------

    def _report_link(self) -> str:
        key = self._artifact_key()
        ui = PREFECT_UI_URL.value()
        return f"{ui.rstrip('/')}/artifacts/key/{key}" if ui else f"artefak Prefect `{key}`"

    def _artifact_key(self) -> str:
        return f"laporan-pemeliharaan-{self.run_key.split('/', 1)[1].replace('/', '-')}"

    def _report(self, *, final: bool) -> dict[str, str]:
        """Write the month's report files and publish them as Prefect artifacts."""
        out_dir = (self.settings.report_dir or self.settings.data_dir / "reports") / self.month
        files = write_maintenance_report(
            self.engine,
            self.office,
            self.month,
            out_dir,
            now=clock.now(),
            asset_unseen_months=self.settings.asset_unseen_months,
        )
        publish_maintenance_artifacts(files, key=self._artifact_key())
        if final:
            self.logger.info("laporan akhir: %s", ", ".join(str(p) for p in files.paths.values()))
        return {fmt: str(path) for fmt, path in files.paths.items()}

    def _due(self, step: Step, start: Any) -> Any:
        if step.duration is None:
            return None
        return due_time(start, step.duration, self.office.sla.breach_factor)
