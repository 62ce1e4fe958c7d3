"""Assemble the SOP A monthly report from plain data: pure, pandas DataFrames out.

:func:`build_maintenance_report` turns :class:`~reports.data.MaintenanceData` (read by
:mod:`reports.sources`), the office and the SOP definition into a
:class:`MaintenanceReport`. No database, no files, no clock: "now" is passed in.

The DataFrames keep stable English column keys (``cpu_percent``, ``sla``...) so code
and tests can rely on them; the values a reader sees (outcomes, statuses, dates,
durations) are already in the report's language. :meth:`MaintenanceReport.sections`
gives every section with its title and headers in that language, as the renderers
show them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

import pandas as pd

from reports import labels
from reports.data import (
    ApprovalRecord,
    CheckRecord,
    ConfigChangeRecord,
    MaintenanceData,
    MonthData,
    RefusedRecord,
    SnapshotRecord,
    StepRecord,
)
from reports.document import (
    Signature,
    decided_signature,
    latest_decision,
    letterhead_lines,
    place_date,
)
from reports.measures import (
    check_label,
    cpu_percent,
    evidence_text,
    memory_percent,
    number,
    worst_disk_percent,
)
from reports.sla_table import office_time, person_name, step_sla_table
from sop.approval import OUTSIDER_LABEL, split_refusals
from sop.asset_reconcile import Reconciliation
from sop.model import SopDefinition
from sop.office import Office, role_title
from sop.review import COLLECTION_STEP
from sop.sites import still_unanswered

SECTION_KEYS: tuple[str, ...] = (
    "summary",
    "devices",
    "checklist",
    "config_changes",
    "steps",
    "approvals",
    "refused",
    "trends",
    "asset_reconciliation",
)
"""The report's tabular sections, in order (and :data:`UNANSWERED_KEY` when it has rows)."""

UNANSWERED_KEY = "unanswered_sites"
"""The section of the sites whose worker did not answer (SOP A step 4 per site,
:mod:`flows.sites`): shown after ``devices``, only when there is one."""

DEVICE_COLUMNS = (
    "device", "site", "hostname", "vendor", "model", "serial", "os_version", "uptime",
    "cpu_percent", "memory_percent", "disk_percent", "outcome",
)  # fmt: skip
CHECKLIST_COLUMNS = ("device", "label", "status", "evidence")
CONFIG_COLUMNS = ("device", "from_version", "to_version", "changed_at", "diff")
STEP_COLUMNS = (
    "step", "role", "actor", "started_at", "finished_at", "actual", "standard", "sla",
)  # fmt: skip
APPROVAL_COLUMNS = ("step", "role", "name", "nip", "decision", "decided_at", "note")
REFUSED_COLUMNS = ("step", "username", "name", "reason", "refused_at")
TREND_COLUMNS = (
    "month", "devices_total", "devices_failed", "cpu_mean", "cpu_max",
    "memory_mean", "memory_max", "disk_max",
)  # fmt: skip
SUMMARY_COLUMNS = ("item", "value")
UNANSWERED_COLUMNS = ("site", "device_names", "reason")
ASSET_RECONCILIATION_COLUMNS = (
    "finding", "device", "asset_tag", "field", "register_value", "network_value",
    "last_seen", "note",
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One section as the renderers show it.

    Attributes:
        key: Stable key, e.g. ``devices``.
        title: Title in the report's language.
        frame: The table, headers in the report's language.
    """

    key: str
    title: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class MaintenanceReport:
    """The SOP A monthly report "Laporan Pemeliharaan Kinerja Sistem", assembled.

    Attributes:
        lang: ``id`` or ``en``.
        month: ``YYYY-MM``.
        title: The report's title.
        period: The month in words, e.g. ``November 2026``.
        office_name: The office's full name.
        office_short_name: The office's short name.
        letterhead: Lines of the office's letterhead (kop surat).
        signed_on: The report's date (aware): the last decision's, else "now".
        place_date: ``<city>, <date>`` above the signatures.
        generated_at: When the report was made, formatted.
        source: Where the device data came from, in words.
        summary: The summary numbers as plain data (see :func:`summarise`).
        summary_table: The summary as rows of (item, value).
        devices: One row per device: facts, health and outcome.
        checklist: One row per judged checklist item, with its evidence.
        config_changes: One row per new configuration version, with its diff.
        steps: One row per SOP step execution, actual time vs standard.
        approvals: Accepted decisions: names, NIPs, role titles, decisions, times.
        refused: Refused approval attempts: who and why.
        trends: One row per month of the last 12.
        trend_months: The trend's months, ``YYYY-MM``, oldest first.
        signatures: Signature blocks of the reviewers and the approver
            (:class:`reports.document.Signature`, as every document's).
        asset_reconciliation: The asset register against the devices seen: one row
            per finding (a single explaining row when there is none or no register).
    """

    lang: str
    month: str
    title: str
    period: str
    office_name: str
    office_short_name: str
    letterhead: tuple[str, ...]
    signed_on: datetime
    place_date: str
    generated_at: str
    source: str
    summary: dict[str, Any]
    summary_table: pd.DataFrame
    devices: pd.DataFrame
    checklist: pd.DataFrame
    config_changes: pd.DataFrame
    steps: pd.DataFrame
    approvals: pd.DataFrame
    refused: pd.DataFrame
    trends: pd.DataFrame
    trend_months: tuple[str, ...] = ()
    signatures: tuple[Signature, ...] = field(default=())
    asset_reconciliation: pd.DataFrame = field(
        default_factory=lambda: _frame([], ASSET_RECONCILIATION_COLUMNS)
    )
    unanswered_sites: pd.DataFrame = field(default_factory=lambda: _frame([], UNANSWERED_COLUMNS))

    @property
    def section_keys(self) -> tuple[str, ...]:
        """The sections this report shows, in order.

        :data:`SECTION_KEYS`, and :data:`UNANSWERED_KEY` after ``devices`` when a site
        did not answer.
        """
        if self.unanswered_sites.empty:
            return SECTION_KEYS
        at = SECTION_KEYS.index("devices") + 1
        return (*SECTION_KEYS[:at], UNANSWERED_KEY, *SECTION_KEYS[at:])

    def frame(self, key: str) -> pd.DataFrame:
        """Return one section's table with its headers in the report's language.

        Args:
            key: One of :attr:`section_keys`.

        Returns:
            A copy of the table with translated column names.
        """
        raw = self.summary_table if key == "summary" else getattr(self, key)
        return raw.rename(columns={c: labels.column(c, self.lang) for c in raw.columns})

    def sections(self) -> list[Section]:
        """Return every tabular section, in order, as the renderers show them.

        Returns:
            The sections.
        """
        return [Section(k, labels.section(k, self.lang), self.frame(k)) for k in self.section_keys]


# -- sections -----------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _frame(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def device_table(snapshots: Sequence[SnapshotRecord], lang: str = "id") -> pd.DataFrame:
    """One row per device: facts, health and outcome.

    Args:
        snapshots: The month's snapshots, one per device.
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`DEVICE_COLUMNS`; percentages rounded to one decimal (None when
        the platform gave none), uptime in words.
    """
    rows = []
    for s in snapshots:
        f, h = s.facts, s.health
        uptime = number(f.get("uptime_seconds"))
        rows.append(
            {
                "device": s.device,
                "site": s.site,
                "hostname": f.get("hostname"),
                "vendor": f.get("vendor"),
                "model": f.get("model"),
                "serial": f.get("serial"),
                "os_version": f.get("os_version"),
                "uptime": None
                if uptime is None
                else labels.format_span(timedelta(seconds=uptime), lang),
                "cpu_percent": _round(cpu_percent(h)),
                "memory_percent": _round(memory_percent(h)),
                "disk_percent": _round(worst_disk_percent(h)),
                "outcome": labels.word(labels.OUTCOMES, s.outcome, lang),
            }
        )
    frame = _frame(rows, DEVICE_COLUMNS)
    for column in ("cpu_percent", "memory_percent", "disk_percent"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def checklist_table(snapshots: Sequence[SnapshotRecord], lang: str = "id") -> pd.DataFrame:
    """One row per judged checklist item, with its evidence as short text.

    Args:
        snapshots: The month's snapshots.
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`CHECKLIST_COLUMNS`, devices in order, items in stored order.
    """
    return _frame(
        (
            {
                "device": s.device,
                "label": check_label(c.item_key, c.label, lang),
                "status": labels.word(labels.CHECK_STATUSES, c.status, lang),
                "evidence": evidence_text(c.evidence),
            }
            for s in snapshots
            for c in s.checks
        ),
        CHECKLIST_COLUMNS,
    )


def config_change_table(
    changes: Sequence[ConfigChangeRecord], office: Office, lang: str = "id"
) -> pd.DataFrame:
    """One row per new configuration version, with its diff.

    Args:
        changes: The month's configuration changes.
        office: The office (for its time zone).
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`CONFIG_COLUMNS`.
    """
    frame = _frame(
        (
            {
                "device": c.device,
                "from_version": c.from_version,
                "to_version": c.to_version,
                "changed_at": office_time(c.changed_at, office, lang),
                "diff": c.diff,
            }
            for c in changes
        ),
        CONFIG_COLUMNS,
    )
    for column in ("from_version", "to_version"):
        frame[column] = frame[column].astype("int64")
    return frame


def step_table(
    steps: Sequence[StepRecord],
    sop: SopDefinition,
    office: Office,
    now: datetime,
    lang: str = "id",
) -> tuple[pd.DataFrame, Counter[str]]:
    """One row per SOP step execution: who, when, actual time vs standard, SLA.

    The rows of :func:`reports.sla_table.step_sla_table` without the waiting column.

    Args:
        steps: The step logs, in start order.
        sop: The SOP definition (time standards).
        office: The office (titles, names, time zone, breach factor).
        now: The current time, for running steps.
        lang: ``id`` or ``en``.

    Returns:
        The table (columns :data:`STEP_COLUMNS`) and the count of each SLA verdict.
    """
    frame, verdicts = step_sla_table(steps, sop, office, now, lang)
    return frame[list(STEP_COLUMNS)], verdicts


def approval_table(
    approvals: Sequence[ApprovalRecord], office: Office, lang: str = "id"
) -> pd.DataFrame:
    """The accepted decisions: names, NIPs, role titles, decisions and times.

    Args:
        approvals: The decisions, oldest first.
        office: The office (names, NIPs, titles, time zone).
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`APPROVAL_COLUMNS`.
    """
    rows = []
    for a in approvals:
        person = office.person(a.approver)
        rows.append(
            {
                "step": a.step_number,
                "role": role_title(office, a.role_key),
                "name": person.name if person is not None else a.approver,
                "nip": (person.nip if person is not None else None) or "-",
                "decision": labels.word(labels.DECISIONS, a.decision, lang),
                "decided_at": office_time(a.decided_at, office, lang),
                "note": a.note or "-",
            }
        )
    frame = _frame(rows, APPROVAL_COLUMNS)
    frame["step"] = frame["step"].astype("int64")
    return frame


def refused_table(
    refused: Sequence[RefusedRecord], office: Office, lang: str = "id"
) -> pd.DataFrame:
    """Refused approval attempts: who tried, why it was refused, when (never a code).

    Attempts by the office's people are listed one by one; attempts by names that are
    not in the office configuration are one row per step with their count
    (:func:`sop.approval.split_refusals`), never the typed names.

    Args:
        refused: The attempts, oldest first.
        office: The office (names, time zone).
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`REFUSED_COLUMNS`.
    """
    mine, others = split_refusals(
        refused,
        office,
        lambda r: r.attempted_username,
        lambda r: r.step_number,
        lambda r: r.refused_at,
    )
    rows: list[dict[str, Any]] = [
        {
            "step": r.step_number,
            "username": r.attempted_username,
            "name": person_name(office, r.attempted_username),
            "reason": labels.without_cli_hints(r.reason),
            "refused_at": office_time(r.refused_at, office, lang),
        }
        for r in mine
    ]
    rows += [
        {
            "step": o.step_number,
            "username": "-",
            "name": OUTSIDER_LABEL if lang == "id" else "not in the office configuration",
            "reason": f"{o.count} percobaan ditolak" if lang == "id" else f"{o.count} refused",
            "refused_at": office_time(o.last_at, office, lang),
        }
        for o in others
    ]
    frame = _frame(rows, REFUSED_COLUMNS)
    frame["step"] = frame["step"].astype("int64")
    return frame


def unanswered_sites_table(
    steps: Sequence[StepRecord], snapshots: Sequence[SnapshotRecord]
) -> pd.DataFrame:
    """The sites whose worker did not answer, with the devices still recorded for it.

    Args:
        steps: The SOP run's step executions (step 4's outputs name such sites).
        snapshots: Each device's result of the month.

    Returns:
        Columns :data:`UNANSWERED_COLUMNS`; empty when every site answered.
    """
    rounds = [(s.status, s.outputs) for s in steps if s.step_number == COLLECTION_STEP]
    final_runs = {s.device: s.run_id for s in snapshots}
    rows = [
        {"site": site.site, "device_names": ", ".join(site.hosts), "reason": site.reason}
        for site in still_unanswered(rounds, final_runs)
    ]
    return _frame(rows, UNANSWERED_COLUMNS)


def asset_reconciliation_table(
    reconciliation: Reconciliation | None, timezone: tzinfo, lang: str = "id"
) -> pd.DataFrame:
    """One row per disagreement between the asset register and the devices seen.

    Args:
        reconciliation: From :func:`sop.asset_reconcile.reconcile`; None when the
            register is empty.
        timezone: The office's time zone (of the dates).
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`ASSET_RECONCILIATION_COLUMNS`; a single row saying the register
        is empty, or that it matches, when there is nothing to list.

    Examples:
        >>> from datetime import UTC
        >>> from sop.asset_reconcile import RegisteredItem, reconcile
        >>> r = reconcile([RegisteredItem("B-1", "Switch", "in_service", "sw1")], [],
        ...               as_of=datetime(2026, 12, 1, tzinfo=UTC))
        >>> asset_reconciliation_table(r, UTC, "en").iloc[0].tolist()
        ['Registered asset not seen', 'sw1', 'B-1', None, None, None, 'Never', 'Not seen for 3 months: check it physically or update the register']
        >>> asset_reconciliation_table(None, UTC).iloc[0, 0]
        'Register aset belum diisi: data aset belum diimpor ke register'
    """  # noqa: E501
    word = labels.reconciliation_word
    if reconciliation is None or not reconciliation.findings:
        key = "register_empty" if reconciliation is None else "in_sync"
        return _frame([{"finding": word(key, lang)}], ASSET_RECONCILIATION_COLUMNS)
    rows = []
    for f in reconciliation.findings:
        if f.kind == "unregistered":
            note = (
                word("note_link", lang, tag=f.tag, host=f.host)
                if f.tag
                else word("note_unregistered", lang)
            )
        elif f.kind == "not_seen":
            note = word("note_not_seen", lang, months=reconciliation.months)
        elif f.field == "status":
            note = word("note_disposed", lang)
        else:
            note = word("note_mismatch", lang)
        seen = f.last_seen
        rows.append(
            {
                "finding": word(f.kind, lang),
                "device": f.host,
                "asset_tag": f.tag,
                "field": word(f.field, lang) if f.field else None,
                "register_value": f.register,
                "network_value": f.network,
                "last_seen": labels.format_date(seen.astimezone(timezone).date(), lang)
                if seen
                else word("never", lang),
                "note": note,
            }
        )
    return _frame(rows, ASSET_RECONCILIATION_COLUMNS)


def _stats(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(sum(values) / len(values), 1), round(max(values), 1)


def trend_table(trend: dict[str, MonthData | None], lang: str = "id") -> pd.DataFrame:
    """One row per month: failed devices, mean/max CPU and memory, max disk.

    Args:
        trend: Month (``YYYY-MM``, oldest first) -> its data, None without data.
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`TREND_COLUMNS`; a month without data has 0 devices and no
        values (NaN).
    """
    rows = []
    for month, data in trend.items():
        snapshots = data.snapshots if data is not None else ()
        cpus = [v for s in snapshots if (v := cpu_percent(s.health)) is not None]
        mems = [v for s in snapshots if (v := memory_percent(s.health)) is not None]
        disks = [v for s in snapshots if (v := worst_disk_percent(s.health)) is not None]
        cpu_mean, cpu_max = _stats(cpus)
        mem_mean, mem_max = _stats(mems)
        rows.append(
            {
                "month": labels.month_label(month, lang),
                "devices_total": len(snapshots),
                "devices_failed": (
                    sum(s.outcome != "ok" for s in snapshots) if data is not None else None
                ),
                "cpu_mean": cpu_mean,
                "cpu_max": cpu_max,
                "memory_mean": mem_mean,
                "memory_max": mem_max,
                "disk_max": _stats(disks)[1],
            }
        )
    frame = _frame(rows, TREND_COLUMNS)
    frame["devices_total"] = frame["devices_total"].astype("int64")
    for column in TREND_COLUMNS[2:]:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def signature_blocks(
    sop: SopDefinition, office: Office, approvals: Sequence[ApprovalRecord], lang: str = "id"
) -> tuple[Signature, ...]:
    """The signatures: one per review step (Kasubag, Kabag) and the final approval (Kadivmin).

    The review steps are the SOP's decision steps, the approval is its last step. Each
    block names the person who decided last on the step (else the role's first holder
    in the office) with their decision and its time (:func:`reports.document.decided_signature`).

    Args:
        sop: The SOP definition.
        office: The office (titles, names, NIPs).
        approvals: The accepted decisions, oldest first.
        lang: ``id`` or ``en``.

    Returns:
        The blocks, in step order.
    """
    steps = [s for s in sop.steps if s.is_decision]
    if sop.steps and sop.steps[-1] not in steps:
        steps.append(sop.steps[-1])
    blocks = []
    for step in steps:
        final = step is sop.steps[-1]
        blocks.append(
            decided_signature(
                office,
                step.role,
                latest_decision(approvals, [step.number]),
                labels.text("approved_by" if final else "reviewed_by", lang),
                lang=lang,
            )
        )
    return tuple(blocks)


# -- summary ------------------------------------------------------------------------------


def summarise(data: MaintenanceData, verdicts: Counter[str], lang: str = "id") -> dict[str, Any]:
    """The summary numbers as plain data (JSON-able).

    Args:
        data: The month's data.
        verdicts: Count of each SLA verdict of the step logs.
        lang: ``id`` or ``en`` (for the degraded items' labels).

    Returns:
        ``month``, ``source``, ``collection_run_ids``, ``run_key``, ``devices_total``,
        ``devices_ok``, ``devices_failed``, ``by_outcome`` (outcome -> count),
        ``checks_pass``, ``checks_warn``, ``checks_fail``, ``degraded`` (list of
        ``{device, item, status}`` for items that warned or failed, worst first),
        ``config_changes``, ``sla_met``, ``sla_breached``, ``sla_percent`` (None
        without a judged step).
    """
    snapshots = data.devices.snapshots
    outcomes = Counter(s.outcome for s in snapshots)
    checks: list[tuple[SnapshotRecord, CheckRecord]] = [(s, c) for s in snapshots for c in s.checks]
    statuses = Counter(c.status for _, c in checks)
    degraded = [
        {"device": s.device, "item": check_label(c.item_key, c.label, lang), "status": c.status}
        for s, c in checks
        if c.status in ("warn", "fail")
    ]
    degraded.sort(key=lambda d: (d["status"] != "fail", d["device"]))
    met, breached = verdicts.get("met", 0), verdicts.get("breached", 0)
    return {
        "month": data.month,
        "source": data.devices.source,
        "collection_run_ids": list(data.devices.collection_run_ids),
        "run_key": data.sop_run.run_key if data.sop_run else None,
        "devices_total": len(snapshots),
        "devices_ok": outcomes.get("ok", 0),
        "devices_failed": len(snapshots) - outcomes.get("ok", 0),
        "by_outcome": dict(sorted(outcomes.items())),
        "checks_pass": statuses.get("pass", 0),
        "checks_warn": statuses.get("warn", 0),
        "checks_fail": statuses.get("fail", 0),
        "degraded": degraded,
        "config_changes": len(data.config_changes),
        "sla_met": met,
        "sla_breached": breached,
        "sla_percent": round(100.0 * met / (met + breached), 1) if met + breached else None,
    }


def summary_table(
    summary: dict[str, Any], office: Office, source: str, lang: str = "id"
) -> pd.DataFrame:
    """The summary as (item, value) rows for the summary sheet and page.

    Args:
        summary: From :func:`summarise`.
        office: The office.
        source: Where the data came from, in words.
        lang: ``id`` or ``en``.

    Returns:
        Columns :data:`SUMMARY_COLUMNS`; values are numbers or text (``-`` for none).
    """

    def item(key: str, **values: object) -> str:
        pair = labels.SUMMARY_ITEMS[key]
        return (pair[1] if lang == "en" else pair[0]).format(**values)

    rows: list[tuple[str, object]] = [
        (item("office"), office.name),
        (item("period"), labels.month_label(summary["month"], lang)),
        (item("data_source"), source),
        (item("devices_total"), summary["devices_total"]),
        (item("devices_ok"), summary["devices_ok"]),
        (item("devices_failed"), summary["devices_failed"]),
    ]
    for outcome, count in summary["by_outcome"].items():
        rows.append(
            (item("by_outcome", outcome=labels.word(labels.OUTCOMES, outcome, lang)), count)
        )
    rows += [
        (item("checks_pass"), summary["checks_pass"]),
        (item("checks_warn"), summary["checks_warn"]),
        (item("checks_fail"), summary["checks_fail"]),
        (item("degraded"), len(summary["degraded"])),
        (item("config_changes"), summary["config_changes"]),
        (item("sla_met"), summary["sla_met"]),
        (item("sla_breached"), summary["sla_breached"]),
        (item("sla_percent"), summary["sla_percent"]),
    ]
    return pd.DataFrame(
        [{"item": k, "value": "-" if v is None else v} for k, v in rows],
        columns=list(SUMMARY_COLUMNS),
        dtype=object,
    )


def describe_source(data: MaintenanceData, lang: str = "id") -> str:
    """Say in words where the month's device data came from.

    Args:
        data: The month's data.
        lang: ``id`` or ``en``.

    Returns:
        E.g. ``Proses SOP A A/kanwil-malut/2026-11, pengumpulan data #3, #5``.
    """
    runs = ", #".join(str(i) for i in data.devices.collection_run_ids)
    if data.sop_run is None:
        return labels.text("source_collection", lang, runs=runs)
    key = "source_sop_run" if data.devices.source == "sop_run" else "source_sop_run_pending"
    return labels.text(key, lang, run_key=data.sop_run.run_key, runs=runs)


def build_maintenance_report(
    data: MaintenanceData,
    office: Office,
    sop: SopDefinition,
    *,
    now: datetime,
    lang: str = "id",
) -> MaintenanceReport:
    """Assemble the report from plain data.

    Args:
        data: The month's records (from :func:`reports.sources.load_maintenance_data`).
        office: The office (names, NIPs, titles, letterhead, city, time zone).
        sop: The SOP A definition (time standards, review steps).
        now: The current time (aware): the report's date when nothing was approved
            yet, and the clock for steps still running.
        lang: ``id`` (default) or ``en``.

    Returns:
        The report.

    Raises:
        ValueError: ``lang`` is not ``id`` or ``en``.
    """
    lang = labels.check_lang(lang)
    snapshots = data.devices.snapshots
    steps, verdicts = step_table(data.steps, sop, office, now, lang)
    summary = summarise(data, verdicts, lang)
    source = describe_source(data, lang)
    signed_on = max((a.decided_at for a in data.approvals), default=now)
    return MaintenanceReport(
        lang=lang,
        month=data.month,
        title=labels.text("title", lang),
        period=labels.month_label(data.month, lang),
        office_name=office.name,
        office_short_name=office.short_name,
        letterhead=letterhead_lines(office),
        signed_on=signed_on,
        place_date=place_date(office, signed_on, lang),
        generated_at=office_time(now, office, lang),
        source=source,
        summary=summary,
        summary_table=summary_table(summary, office, source, lang),
        devices=device_table(snapshots, lang),
        checklist=checklist_table(snapshots, lang),
        config_changes=config_change_table(data.config_changes, office, lang),
        steps=steps,
        approvals=approval_table(data.approvals, office, lang),
        refused=refused_table(data.refused, office, lang),
        trends=trend_table(data.trend or {data.month: data.devices}, lang),
        trend_months=tuple(data.trend or (data.month,)),
        signatures=signature_blocks(sop, office, data.approvals, lang),
        asset_reconciliation=asset_reconciliation_table(data.assets, office.timezone, lang),
        unanswered_sites=unanswered_sites_table(data.steps, snapshots),
    )
