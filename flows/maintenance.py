"""Flow ``network-maintenance``: SOP A, the monthly network maintenance, end to end.

SOP A runs on the one step engine (:class:`flows.engine.Procedure`), like every SOP.
Steps 1-3 (the *disposisi* chain Kadivmin -> Kabag -> Kasubag -> IT officer) are
recorded with the office's role holders. Step 4 collects every selected device
and judges it against the checklist (the ``collect-devices`` flow, as a
subflow; with ``SIGAP_SITE_POOL`` one run per site on the sites' workers,
:mod:`flows.sites`) and writes the monthly report. Steps 5, 6 and 7 (Kasubag, Kabag,
Kadivmin) each pause the run for a decision (:mod:`flows.approvals`). What a
decision does is the SOP definition's data (``answers:`` in
``sop/definitions/A.yaml``): ``kembalikan`` returns the work along the *Tidak*
branch (step 5 -> 4 with the devices the note names, or all; step 6 -> 5; step
7 -> 4), ``tolak`` ends the run.

The run's state is in the records under the run key (office + month): the engine
replays it and continues where a previous run of the same month stopped, so a
second run never collects the month again.

Only one run of a run key is alive: the one started last. When it starts, the
Prefect flow run recorded before it (killed with ``kill -9``, or its machine gone)
is marked ``Crashed`` with its subflow and task runs, a step 4 it left
``running`` is marked ``interrupted`` with its collection run, and step 4 is done
again; a review step it left ``waiting`` is continued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from sqlalchemy.engine import Engine

from config.settings import Settings
from flows.collect import collect_flow
from flows.engine import Procedure, StepResult
from flows.preamble import FlowContext, load_context
from flows.run_labels import artifact_link
from flows.sites import collect_sites
from inventory import load_inventory
from reports.artifacts import served_reports
from reports.maintenance import publish_maintenance_artifacts, write_maintenance_report
from reports.sources import month_review_lines
from sop.maintenance import device_lines, devices_in_note, review_summary, totals
from sop.model import SopDefinition, Step
from sop.office import Office
from sop.runkeys import current_month, maintenance_run_key, parse_month
from tasks import clock
from tasks.credentials import resolve_secret

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

    The month's run continues from where its records stand (one run per month).

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
    with load_context(office_file, database_url) as context:
        settings = context.settings
        job = MaintenanceJob(
            context,
            month=parse_month(month)
            if month
            else current_month(clock.now(), context.office.timezone),
            inventory_dir=Path(inventory_dir) if inventory_dir else settings.inventory_dir,
            filters=_filters(sites, groups),
            office_file=str(office_file or settings.office_file),
            actor=actor,
        )
        return job.run()


def _filters(sites: list[str] | None, groups: list[str] | None) -> dict[str, list[str]]:
    """Inventory filters from the flow's parameters (pure)."""
    filters: dict[str, list[str]] = {}
    if sites:
        filters["site"] = list(sites)
    if groups:
        filters["group"] = list(groups)
    return filters


@dataclass
class MaintenanceJob:
    """One month of SOP A for one office: the step handlers and their shared state.

    Attributes:
        context: The flow's office, SOPs, settings and records database.
        month: The maintenance month, ``YYYY-MM``.
        inventory_dir: The inventory to collect from.
        filters: Inventory filters (``site``, ``group``).
        office_file: The office file, handed to the collection subflow.
        actor: The IT officer (default: the first holder of step 4's role).
    """

    context: FlowContext
    month: str
    inventory_dir: Path
    filters: dict[str, list[str]]
    office_file: str
    actor: str | None = None
    logger: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.logger = get_run_logger()
        if not self.actor:
            officers = self.office.holders(self.sop.step(WORK_STEP).role)
            self.actor = officers[0].username if officers else None

    @property
    def settings(self) -> Settings:
        """SIGAP settings."""
        return self.context.settings

    @property
    def office(self) -> Office:
        """The office configuration."""
        return self.context.office

    @property
    def sop(self) -> SopDefinition:
        """SOP A's definition."""
        return self.context.sop(SOP_CODE)

    @property
    def engine(self) -> Engine:
        """The records database."""
        return self.context.engine

    @property
    def run_key(self) -> str:
        """The month's run key (office + month)."""
        return maintenance_run_key(self.office.short_name, self.month)

    def handlers(self) -> dict[int, Any]:
        """The handler of each SOP A step."""
        return {
            **{number: self.assign for number in DISPOSISI_STEPS},
            WORK_STEP: self.collect,
            **{number: self.review for number in REVIEW_STEPS},
        }

    def run(self) -> dict[str, Any]:
        """Continue the month's run from where its records stand, to its end.

        Returns:
            Run key, status, totals and report files as plain data.
        """
        procedure = Procedure(
            engine=self.engine,
            office=self.office,
            settings=self.settings,
            sop=self.sop,
            run_key=self.run_key,
            title=f"{self.sop.title('id')} {self.month}",
            parameters={
                "month": self.month,
                "sites": self.filters.get("site", []),
                "groups": self.filters.get("group", []),
                "inventory": str(self.inventory_dir),
            },
            handlers=self.handlers(),
        )
        result = procedure.run()
        # final report: the signature block now holds every decision
        files = self._report(final=True)
        status = "approved" if result.status == "completed" else "rejected"
        self.logger.info("SOP A %s selesai: %s", self.month, status)
        return {
            "run_key": self.run_key,
            "sop_run_id": result.sop_run_id,
            "month": self.month,
            "status": status,
            "totals": totals(self._lines()),
            "report": files,
        }

    # -- steps 1-3 -------------------------------------------------------------------------

    def assign(self, procedure: Procedure, step: Step) -> StepResult:
        """Steps 1-3: the role holder passes the assignment down (*disposisi*)."""
        holder = procedure.holder(step.role)
        return StepResult(
            actor=holder,
            inputs={"month": self.month},
            note=None if holder else "tidak ada pemegang peran ini di kantor",
        )

    # -- step 4 ----------------------------------------------------------------------------

    def collect(self, procedure: Procedure, step: Step) -> StepResult:
        """Step 4: collect (all, or the devices a reviewer returned), judge, report."""
        filters: dict[str, Any] = dict(self.filters)
        came = procedure.came_from()
        note = came.note if came and came.outputs.get("decision") == "kembalikan" else None
        redo = devices_in_note(note, list(self._lines())) if note else ()
        if redo:
            filters["name"] = list(redo)
        log_id = procedure.begin(
            step, inputs={"filters": filters, "return_note": note}, actor=self.actor
        )
        # an invalid inventory stops here, before anything is collected
        load_inventory(self.inventory_dir)
        if self.settings.site_pool:
            return self._collect_sites(filters, log_id)
        report = collect_flow()(
            inventory_dir=str(self.inventory_dir),
            filters=filters,
            trigger=f"sop:{SOP_CODE}",
            actor=self.actor,
            database_url=self.context.database_url,
            office_file=self.office_file,
            sop_step_log_id=log_id,
        )
        # this round's results; the month's are the report's derivation (self._lines)
        lines = device_lines(report)
        self.logger.info(
            "langkah 4: %s perangkat diperiksa (run %s)", len(report["devices"]), report["run_id"]
        )
        return StepResult(
            outputs={
                "collection_run_id": report["run_id"],
                "devices": sorted(lines),
                "lines": lines,
                "totals": totals(lines),
            },
            actor=self.actor,
            then=self._draft_report,
        )

    def _collect_sites(self, filters: dict[str, Any], log_id: int) -> StepResult:
        """Step 4 on the sites' workers (``SIGAP_SITE_POOL``): one collection per site."""
        found = collect_sites(
            self.engine,
            inventory_dir=self.inventory_dir,
            filters=filters,
            trigger=f"sop:{SOP_CODE}",
            actor=self.actor,
            office_file=self.office_file,
            sop_step_log_id=log_id,
            wait=self.settings.site_wait,
            poll=self.settings.site_poll,
        )
        self.logger.info(
            "langkah 4: %s perangkat dari %s situs (run %s); tidak menjawab: %s",
            len(found.lines),
            len(found.site_runs),
            ", ".join(str(i) for i in found.run_ids),
            ", ".join(site.site for site in found.unanswered) or "-",
        )
        return StepResult(
            outputs={
                "collection_run_ids": found.run_ids,
                "site_runs": found.site_runs,
                "unanswered_sites": [site.as_dict() for site in found.unanswered],
                "devices": sorted(found.lines),
                "lines": found.lines,
                "totals": totals(found.lines),
            },
            actor=self.actor,
            then=self._draft_report,
        )

    def _lines(self) -> dict[str, dict[str, Any]]:
        """Each device's line of the month: its latest counted round, as the report reads it.

        One derivation for the reviewer's summary and the signed report
        (:func:`reports.sources.month_review_lines`).
        """
        return month_review_lines(self.engine, self.office, self.month)

    # -- steps 5-7 -------------------------------------------------------------------------

    def review(self, procedure: Procedure, step: Step) -> StepResult:
        """A review step: pause until an accepted decision is recorded."""
        performed_by, decisions, rounds = self._review_context(procedure, step)
        summary = review_summary(
            self._lines(),
            month=self.month,
            rounds=rounds,
            report_link=self._report_link(),
            decisions=decisions,
        )
        return procedure.decide(step, summary=summary, performed_by=performed_by)

    def _review_context(
        self, procedure: Procedure, step: Step
    ) -> tuple[tuple[str, ...], list[str], int]:
        """Who did the work under review, the decisions so far, and collection rounds."""
        work_logs = procedure.completed(WORK_STEP)
        approvals = procedure.decisions()
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
        return artifact_link(key) or f"artefak Prefect `{key}`"

    def _artifact_key(self) -> str:
        return f"laporan-pemeliharaan-{self.run_key.split('/', 1)[1].replace('/', '-')}"

    def _draft_report(self) -> None:
        """The report of the round just recorded, for the reviewers (not yet signed)."""
        self._report(final=False)

    def _report(self, *, final: bool) -> dict[str, str]:
        """Write the month's report files and publish them as Prefect artifacts."""
        out_dir = self.settings.reports_dir / self.month
        files = write_maintenance_report(
            self.engine,
            self.office,
            self.month,
            out_dir,
            now=clock.now(),
            asset_unseen_months=self.settings.asset_unseen_months,
            passphrases=resolve_secret,
        )
        publish_maintenance_artifacts(
            files, key=self._artifact_key(), served=served_reports(self.settings)
        )
        if final:
            self.logger.info("laporan akhir: %s", ", ".join(str(p) for p in files.paths.values()))
        return {fmt: str(path) for fmt, path in files.paths.items()}
