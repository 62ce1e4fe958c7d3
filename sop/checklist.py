"""SOP A's "Data Checklist kinerja sistem": rules that judge one device's collected data.

Each rule is a small pure function: the device contract (:mod:`sop.device`) of
this run, the previous run's (or ``None`` on the first run) and the
:class:`~sop.thresholds.Thresholds` in, :class:`CheckResult` items out.
:func:`run_checklist` runs every rule in a fixed order; :func:`summarise`
counts and picks the worst findings.

Missing data is never judged: where a rule needs a field the platform could not
fill (``None`` with a reason in ``missing``), the rule gives no pass, warn or
fail, and :func:`evaluate_checklist` lists it as a :class:`NotChecked` note
carrying the platform's reason instead. Change-based rules (reboot, interface
errors, configuration change) need the previous run, so on a device's first run
they are notes too.

A :class:`CheckResult` fits :func:`records.snapshots.add_checklist_results`
directly: it has ``key``, ``label``, ``status`` and a JSON-able ``evidence``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sop.device import (
    OUTCOMES,
    DeviceData,
    EnvItem,
    InterfaceHealth,
)
from sop.thresholds import Thresholds

Status = Literal["pass", "warn", "fail"]

#: How bad each status is (higher is worse).
STATUS_RANK: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2}

#: Checklist items by base key (the part before ``:``): Indonesian label, English label.
#: The order is the order of the checklist and of :func:`run_checklist`'s results.
ITEMS: dict[str, tuple[str, str]] = {
    "reachable": ("Perangkat dapat dijangkau", "Device reachable"),
    "cpu": ("Utilisasi CPU", "CPU utilisation"),
    "memory": ("Pemakaian memori", "Memory use"),
    "disk": ("Kapasitas disk", "Disk capacity"),
    "env:temperature": ("Suhu perangkat", "Device temperature"),
    "env:fans": ("Kipas pendingin", "Cooling fans"),
    "env:power": ("Catu daya", "Power supplies"),
    "iface_errors": ("Error antarmuka", "Interface errors"),
    "rebooted": ("Perangkat dinyalakan ulang", "Device rebooted"),
    "config_changed": ("Perubahan konfigurasi", "Configuration changed"),
    "unsaved_config": ("Konfigurasi belum disimpan", "Unsaved configuration"),
    "os_version": ("Versi sistem operasi disetujui", "Approved OS version"),
}

#: Within one status, how much a finding matters (higher first in "worst findings").
ITEM_WEIGHT: dict[str, int] = {
    "reachable": 12,
    "env:power": 11,
    "env:temperature": 10,
    "env:fans": 9,
    "cpu": 8,
    "memory": 7,
    "disk": 6,
    "iface_errors": 5,
    "rebooted": 4,
    "unsaved_config": 3,
    "os_version": 2,
    "config_changed": 1,
}

#: Platforms that are servers: the disk rule applies to them (and to any device
#: whose data has a ``health.server`` section).
SERVER_PLATFORMS: frozenset[str] = frozenset({"linux"})

#: Interface counters compared between runs.
ERROR_COUNTERS: tuple[str, ...] = (
    "input_errors",
    "output_errors",
    "crc_errors",
    "input_discards",
    "output_discards",
)

#: Indonesian wording of each failed outcome.
OUTCOME_TEXT: dict[str, str] = {
    "unreachable": "tidak dapat dijangkau",
    "auth_failed": "autentikasi gagal",
    "timeout": "waktu habis",
    "host_key_changed": "kunci host SSH berubah",
    "parse_error": "keluaran perangkat tidak dapat dibaca",
    "truncated": "keluaran perangkat terpotong",
}

_MAX_ERROR_CHARS = 500


def _base(key: str) -> str:
    """Return the item key without its instance part (``disk:/var`` -> ``disk``)."""
    return key if key in ITEMS else key.split(":", 1)[0]


@dataclass(frozen=True)
class CheckResult:
    """One judged checklist item of one device.

    Attributes:
        key: Stable id, e.g. ``cpu``, ``disk:/var``, ``iface_errors:Gi0/1``.
        label: Indonesian label, e.g. ``Kapasitas disk /var``.
        label_en: English label.
        status: ``pass``, ``warn`` or ``fail``.
        text: Short Indonesian evidence with the numbers, e.g. ``CPU 92 % > ambang 85 %``.
        data: The numbers behind it (JSON-able); for ``config_changed`` the
            unified diff is ``data["diff"]``.

    Examples:
        >>> r = CheckResult("cpu", "Utilisasi CPU", "CPU utilisation", "fail",
        ...                 "CPU 92 % > ambang 85 %", {"value": 92.0})
        >>> r.evidence
        {'text': 'CPU 92 % > ambang 85 %', 'data': {'value': 92.0}}
        >>> r.severity_rank > CheckResult("memory", "", "", "warn", "").severity_rank
        True
    """

    key: str
    label: str
    label_en: str
    status: Status
    text: str
    data: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.status not in STATUS_RANK:
            raise ValueError(f"{self.key}: status must be pass, warn or fail, not {self.status!r}")

    @property
    def evidence(self) -> dict[str, Any]:
        """What the records store: ``{"text": ..., "data": {...}}``, JSON-able."""
        return {"text": self.text, "data": self.data}

    @property
    def severity_rank(self) -> int:
        """Sort key for "worst findings": status first, then the item's weight (higher = worse)."""
        return STATUS_RANK[self.status] * 100 + ITEM_WEIGHT.get(_base(self.key), 0)

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-able dict (for artifacts and reports).

        Examples:
            >>> CheckResult("rebooted", "Perangkat dinyalakan ulang", "Device rebooted",
            ...             "pass", "x").as_dict()["status"]
            'pass'
        """
        return {
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en,
            "status": self.status,
            "text": self.text,
            "data": self.data,
        }


@dataclass(frozen=True)
class NotChecked:
    """A checklist item that could not be judged for lack of data.

    Attributes:
        key: Item key, as in :class:`CheckResult`.
        label: Indonesian label.
        label_en: English label.
        reason: Why (the platform's reason from ``missing``, or the rule's).
    """

    key: str
    label: str
    label_en: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """Return the note as a plain dict.

        Examples:
            >>> NotChecked("cpu", "Utilisasi CPU", "CPU utilisation", "no getter").as_dict()
            {'key': 'cpu', 'label': 'Utilisasi CPU', 'label_en': 'CPU utilisation', 'reason': 'no getter'}
        """  # noqa: E501
        return {
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Checklist:
    """A device's judged checklist: results plus what could not be checked.

    Attributes:
        results: Judged items, in checklist order.
        not_checked: Items without the data to judge them.
    """

    results: tuple[CheckResult, ...]
    not_checked: tuple[NotChecked, ...] = ()


def _result(
    key: str, status: Status, text: str, data: dict[str, Any], suffix: str = ""
) -> CheckResult:
    label, label_en = ITEMS[key]
    full_key = f"{key}:{suffix}" if suffix else key
    if suffix:
        label, label_en = f"{label} {suffix}", f"{label_en} {suffix}"
    return CheckResult(full_key, label, label_en, status, text, data)


def _note(key: str, reason: str) -> NotChecked:
    label, label_en = ITEMS[key]
    return NotChecked(key, label, label_en, reason)


def fmt_number(value: float) -> str:
    """Format a number the Indonesian way: at most one decimal, decimal comma.

    Args:
        value: The number.

    Returns:
        The text.

    Examples:
        >>> fmt_number(92.0), fmt_number(92.46), fmt_number(0.04)
        ('92', '92,5', '0')
    """
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace(".", ",")


def fmt_duration(seconds: int) -> str:
    """Format an uptime in Indonesian days, hours and minutes.

    Args:
        seconds: Duration in seconds.

    Returns:
        The text, days and hours when a day or more, else hours and minutes.

    Examples:
        >>> fmt_duration(90061), fmt_duration(3720), fmt_duration(30)
        ('1 hari 1 jam', '1 jam 2 menit', '0 menit')
    """
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} hari {hours} jam"
    if hours:
        return f"{hours} jam {minutes} menit"
    return f"{minutes} menit"


def _level(value: float, limit: float, warn: float) -> Status:
    if value > limit:
        return "fail"
    if value > warn:
        return "warn"
    return "pass"


def _percent_text(name: str, value: float, limit: float, warn: float, status: Status) -> str:
    if status == "fail":
        return f"{name} {fmt_number(value)} % > ambang {fmt_number(limit)} %"
    if status == "warn":
        return (
            f"{name} {fmt_number(value)} % > batas peringatan {fmt_number(warn)} % "
            f"(ambang {fmt_number(limit)} %)"
        )
    return f"{name} {fmt_number(value)} % (ambang {fmt_number(limit)} %)"


def check_cpu(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """CPU utilisation above the limit fails, above the warning level warns.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits.

    Returns:
        One ``cpu`` result, or none when the CPU figure is missing.
    """
    value = snapshot.health.cpu_percent
    if value is None:
        return []
    limit, warn = thresholds.cpu_percent, thresholds.cpu_warn_percent
    status = _level(value, limit, warn)
    data = {"percent": round(value, 2), "limit": limit, "warn_at": warn}
    return [_result("cpu", status, _percent_text("CPU", value, limit, warn, status), data)]


def check_memory(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """Memory use above the limit fails, above the warning level warns.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits.

    Returns:
        One ``memory`` result, or none when memory is missing.
    """
    memory = snapshot.health.memory
    if memory is None:
        return []
    value = memory.percent
    limit, warn = thresholds.memory_percent, thresholds.memory_warn_percent
    status = _level(value, limit, warn)
    data = {
        "percent": round(value, 2),
        "used_bytes": memory.used_bytes,
        "total_bytes": memory.total_bytes,
        "limit": limit,
        "warn_at": warn,
    }
    return [_result("memory", status, _percent_text("Memori", value, limit, warn, status), data)]


def check_disks(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """Each mounted filesystem of a server: above the limit fails, above the warning warns.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits.

    Returns:
        One ``disk:<mount>`` result per filesystem, or none when there are no disk data.
    """
    server = snapshot.health.server
    if server is None or not server.disks:
        return []
    limit, warn = thresholds.disk_percent, thresholds.disk_warn_percent
    results = []
    for disk in server.disks:
        value = disk.percent
        status = _level(value, limit, warn)
        text = _percent_text(f"Disk {disk.mount}", value, limit, warn, status)
        data = {
            "mount": disk.mount,
            "percent": round(value, 2),
            "used_bytes": disk.used_bytes,
            "size_bytes": disk.size_bytes,
            "limit": limit,
            "warn_at": warn,
        }
        results.append(_result("disk", status, text, data, suffix=disk.mount))
    return results


def _env_item_text(item: EnvItem, unit: str) -> str:
    value = f" {fmt_number(item.value)} {unit}" if item.value is not None and unit else ""
    return f"{item.name}{value}"


def _check_env(key: str, items: list[EnvItem] | None, unit: str, noun: str) -> list[CheckResult]:
    if not items:
        return []
    bad = [i for i in items if i.state == "not_ok"]
    absent = [i for i in items if i.state == "absent"]
    if bad:
        text = f"{noun} tidak normal: " + ", ".join(_env_item_text(i, unit) for i in bad)
    else:
        present = len(items) - len(absent)
        text = f"{noun}: {present} normal"
    if absent:
        text += "; tidak terpasang: " + ", ".join(i.name for i in absent)
    data = {
        "items": [{"name": i.name, "state": i.state, "value": i.value} for i in items],
        "not_ok": [i.name for i in bad],
    }
    return [_result(key, "fail" if bad else "pass", text, data)]


def check_temperature(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """A temperature sensor the device reports as not ok fails.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits (unused: the device judges its own sensors).

    Returns:
        One ``env:temperature`` result, or none when the device reports no sensors.
    """
    env = snapshot.health.environment
    return _check_env(
        "env:temperature", env.temperature if env is not None else None, "°C", "Sensor suhu"
    )


def check_fans(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """A fan the device reports as not ok fails; an absent (empty) fan slot does not.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits (unused).

    Returns:
        One ``env:fans`` result, or none when the device reports no fans.
    """
    env = snapshot.health.environment
    return _check_env("env:fans", env.fans if env is not None else None, "", "Kipas")


def check_power(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """A power supply the device reports as not ok fails.

    Args:
        snapshot: This run's data.
        previous: The previous run's data (unused).
        thresholds: Limits (unused).

    Returns:
        One ``env:power`` result, or none when the device reports no power supplies.
    """
    env = snapshot.health.environment
    return _check_env("env:power", env.power if env is not None else None, "W", "Catu daya")


def was_rebooted(snapshot: DeviceData, previous: DeviceData | None) -> bool | None:
    """Tell whether the device restarted since the previous run (its uptime went down).

    Args:
        snapshot: This run's data.
        previous: The previous run's data.

    Returns:
        ``True``/``False``, or ``None`` when there is no previous run or an uptime is missing.
    """
    if previous is None:
        return None
    now, before = snapshot.facts.uptime_seconds, previous.facts.uptime_seconds
    if now is None or before is None:
        return None
    return now < before


def check_rebooted(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """The device restarted since the previous run (uptime went down) warns.

    Args:
        snapshot: This run's data.
        previous: The previous run's data; ``None`` on the first run (no result).
        thresholds: Limits (unused).

    Returns:
        One ``rebooted`` result, or none without a previous run or an uptime.
    """
    rebooted = was_rebooted(snapshot, previous)
    if rebooted is None or previous is None:
        return []
    now = snapshot.facts.uptime_seconds or 0
    before = previous.facts.uptime_seconds or 0
    data = {"uptime_seconds": now, "previous_uptime_seconds": before}
    if rebooted:
        text = f"Uptime turun dari {fmt_duration(before)} ke {fmt_duration(now)}: dinyalakan ulang"
        return [_result("rebooted", "warn", text, data)]
    text = f"Uptime {fmt_duration(now)} (sebelumnya {fmt_duration(before)})"
    return [_result("rebooted", "pass", text, data)]


def _increases(
    now: InterfaceHealth, before: InterfaceHealth, restarted: bool
) -> tuple[dict[str, int], list[str], int]:
    """Return per-counter increases, counters that were reset, and how many were compared."""
    increases: dict[str, int] = {}
    resets: list[str] = []
    compared = 0
    for counter in ERROR_COUNTERS:
        new, old = getattr(now, counter), getattr(before, counter)
        if new is None or old is None:
            continue
        compared += 1
        if restarted or new < old:
            # The counter restarted from zero (reboot or cleared counters): the drop
            # is not an increase; what it has counted since is.
            resets.append(counter)
            gained = new
        else:
            gained = new - old
        if gained:
            increases[counter] = gained
    return increases, resets, compared


def check_interface_errors(
    snapshot: DeviceData, previous: DeviceData | None, thresholds: Thresholds
) -> list[CheckResult]:
    """Input/output errors, CRC errors or discards that rose since the previous run.

    Per interface, the increases of all counters are summed: more than
    ``interface_error_tolerance`` warns, more than ``interface_error_fail`` fails.
    A counter that went down (or any counter after a reboot) restarted from zero:
    the drop is not an increase, only what it counted since then is. When no
    interface crosses the tolerance, one ``iface_errors`` pass covers them all.

    Args:
        snapshot: This run's data.
        previous: The previous run's data; ``None`` on the first run (no result).
        thresholds: Limits.

    Returns:
        ``iface_errors:<name>`` results for interfaces over the tolerance, else
        one ``iface_errors`` pass; none when nothing could be compared.
    """
    if previous is None:
        return []
    now_list, before_list = snapshot.health.interfaces, previous.health.interfaces
    if not now_list or not before_list:
        return []
    restarted = bool(was_rebooted(snapshot, previous))
    before_by_name = {i.name: i for i in before_list}
    tolerance, fail = thresholds.interface_error_tolerance, thresholds.interface_error_fail
    findings: list[CheckResult] = []
    within: dict[str, dict[str, int]] = {}
    reset: dict[str, list[str]] = {}
    not_compared: dict[str, str] = {}
    compared = 0
    for iface in now_list:
        old = before_by_name.get(iface.name)
        if old is None:
            not_compared[iface.name] = "tidak ada pada pengambilan sebelumnya"
            continue
        increases, resets, counted = _increases(iface, old, restarted)
        if not counted:
            not_compared[iface.name] = "penghitung error tidak tersedia"
            continue
        compared += 1
        if resets:
            reset[iface.name] = resets
        total = sum(increases.values())
        if total <= tolerance:
            if increases:
                within[iface.name] = increases
            continue
        status: Status = "fail" if total > fail else "warn"
        detail = ", ".join(f"{c} +{n}" for c, n in increases.items())
        text = f"Error antarmuka {iface.name} naik {total}: {detail}"
        if resets:
            text += " (penghitung mulai dari nol)"
        data = {
            "interface": iface.name,
            "increase": total,
            "increases": increases,
            "counters": {c: getattr(iface, c) for c in ERROR_COUNTERS},
            "previous_counters": {c: getattr(old, c) for c in ERROR_COUNTERS},
            "reset": resets,
            "tolerance": tolerance,
            "fail_above": fail,
        }
        findings.append(_result("iface_errors", status, text, data, suffix=iface.name))
    if findings or not compared:
        return findings
    text = f"Tidak ada kenaikan error di atas toleransi pada {compared} antarmuka"
    data = {
        "interfaces_compared": compared,
        "tolerance": tolerance,
        "within_tolerance": within,
        "reset": reset,
        "not_compared": not_compared,
    }
    return [_result("iface_errors", "pass", text, data)]


def check_config_changed(
    snapshot: DeviceData, previous: DeviceData | None, config_diff: str | None
) -> list[CheckResult]:
    r"""The running configuration changed since the previous run: warn, with the diff.

    The diff is computed elsewhere (sanitised, volatile lines dropped); empty or
    ``None`` means no change. Without a previous run, or without a running
    configuration in either run, nothing can be compared and there is no result.

    Args:
        snapshot: This run's data.
        previous: The previous run's data.
        config_diff: Unified diff of the running configuration, or ``None``/``""``.

    Returns:
        One ``config_changed`` result, or none when nothing can be compared.
    """
    if previous is None or snapshot.config.running is None or previous.config.running is None:
        return []
    if not config_diff:
        return [_result("config_changed", "pass", "Tidak ada perubahan konfigurasi", {})]
    lines = config_diff.splitlines()
    added = sum(1 for x in lines if x.startswith("+") and not x.startswith("+++"))
    removed = sum(1 for x in lines if x.startswith("-") and not x.startswith("---"))
    text = f"Konfigurasi berubah sejak pengambilan sebelumnya: +{added}/-{removed} baris"
    data = {"added_lines": added, "removed_lines": removed, "diff": config_diff}
    return [_result("config_changed", "warn", text, data)]


def check_unsaved(snapshot: DeviceData, unsaved: bool | None) -> list[CheckResult]:
    """The running configuration differs from the saved (startup) one: warn.

    Args:
        snapshot: This run's data (unused; the comparison is done elsewhere).
        unsaved: ``True`` when startup differs from running, ``None`` when unknown.

    Returns:
        One ``unsaved_config`` result, or none when unknown.
    """
    if unsaved is None:
        return []
    if unsaved:
        text = "Konfigurasi berjalan (running) berbeda dengan yang tersimpan (startup)"
        return [_result("unsaved_config", "warn", text, {"unsaved": True})]
    text = "Konfigurasi berjalan sama dengan yang tersimpan"
    return [_result("unsaved_config", "pass", text, {"unsaved": False})]


def approved_match(version: str, approved: Sequence[str]) -> str | None:
    """Return the approved entry ``version`` matches, or ``None``.

    An entry matches the same version or a version it is a prefix of, as long as
    the prefix does not cut a number (``15.2`` matches ``15.2(7)E4`` and
    ``15.2.1`` but not ``15.21``).

    Args:
        version: The device's OS version.
        approved: Approved versions or prefixes.

    Returns:
        The first matching entry, or ``None``.

    Examples:
        >>> approved_match("15.2(7)E4", ["15.2(7)"]), approved_match("15.21", ["15.2"])
        ('15.2(7)', None)
        >>> approved_match("7.1.5", ["7.1"])
        '7.1'
    """
    for entry in approved:
        if version == entry:
            return entry
        if version.startswith(entry):
            cut = version[len(entry)]
            if not (entry[-1].isdigit() and cut.isdigit()):
                return entry
    return None


def check_os_version(
    snapshot: DeviceData, thresholds: Thresholds, platform: str
) -> list[CheckResult]:
    """An OS version not in the platform's approved list fails.

    Args:
        snapshot: This run's data.
        thresholds: Holds ``approved_os_versions``.
        platform: The host's inventory platform.

    Returns:
        One ``os_version`` result, or none when the version is missing or the
        platform has no approved list.
    """
    version = snapshot.facts.os_version
    approved = thresholds.approved_os_versions.get(platform, ())
    if version is None or not approved:
        return []
    match = approved_match(version, approved)
    data = {"version": version, "platform": platform, "approved": list(approved), "match": match}
    if match is None:
        text = f"Versi {version} tidak ada dalam daftar disetujui untuk {platform}: " + ", ".join(
            approved
        )
        return [_result("os_version", "fail", text, data)]
    return [_result("os_version", "pass", f"Versi {version} disetujui ({match})", data)]


def check_reachable(outcome: str, error: str | None) -> list[CheckResult]:
    """The device answered and its data were read (``ok``); any other outcome fails.

    Args:
        outcome: The collection outcome (:data:`sop.device.OUTCOMES`).
        error: The error text for a failed outcome (must not contain secrets).

    Returns:
        One ``reachable`` result.

    Examples:
        >>> r = check_reachable("timeout", "no answer within 60 s")[0]
        >>> r.status, r.text
        ('fail', 'Pengambilan data gagal (waktu habis): no answer within 60 s')
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if outcome == "ok":
        return [_result("reachable", "pass", "Perangkat terjangkau, data terkumpul", {})]
    message = (error or "").strip()[:_MAX_ERROR_CHARS]
    text = f"Pengambilan data gagal ({OUTCOME_TEXT[outcome]})"
    if message:
        text += f": {message}"
    return [_result("reachable", "fail", text, {"outcome": outcome, "error": message})]


def _gap(model: Any, path: str) -> str | None:
    """Return why the field at ``path`` (dotted) is missing or empty, or ``None`` if it is set."""
    for name in path.split("."):
        value = getattr(model, name)
        if value is None:
            reason: str = model.missing.get(name, "tidak tersedia")
            return reason
        model = value
    if isinstance(model, list) and not model:
        return f"perangkat tidak melaporkan data ini ({path} kosong)"
    return None


_FIRST_RUN = "belum ada pengambilan sebelumnya untuk dibandingkan"


@dataclass(frozen=True)
class _Rule:
    key: str
    needs: tuple[str, ...]
    needs_previous: tuple[str, ...]
    run: Callable[[DeviceData, DeviceData | None], list[CheckResult]]


def evaluate_checklist(
    outcome: str,
    error: str | None,
    snapshot: DeviceData | None,
    previous: DeviceData | None,
    thresholds: Thresholds,
    *,
    config_diff: str | None,
    unsaved: bool | None,
    platform: str,
) -> Checklist:
    """Run every rule in checklist order; note the items that lack data.

    Args:
        outcome: The collection outcome; anything but ``ok`` gives only one
            ``reachable`` fail and no other rule runs.
        error: Error text of a failed outcome.
        snapshot: This run's data (required when ``outcome`` is ``ok``).
        previous: The last successful previous run's data, ``None`` on the first run.
        thresholds: Limits for this host.
        config_diff: Unified diff of the running configuration against the
            previous run, ``None`` or empty when unchanged.
        unsaved: Whether startup differs from running; ``None`` when unknown.
        platform: The host's inventory platform.

    Returns:
        The results and the not-checked notes.

    Raises:
        ValueError: For an unknown outcome, or ``ok`` without a snapshot.
    """
    reachable = check_reachable(outcome, error)
    if outcome != "ok":
        return Checklist(tuple(reachable))
    if snapshot is None:
        raise ValueError("outcome 'ok' needs the device's snapshot")
    is_server = platform in SERVER_PLATFORMS or snapshot.health.server is not None
    t = thresholds
    rules = [
        _Rule("cpu", ("health.cpu_percent",), (), lambda s, p: check_cpu(s, p, t)),
        _Rule("memory", ("health.memory",), (), lambda s, p: check_memory(s, p, t)),
        _Rule("disk", ("health.server.disks",), (), lambda s, p: check_disks(s, p, t)),
        _Rule(
            "env:temperature",
            ("health.environment.temperature",),
            (),
            lambda s, p: check_temperature(s, p, t),
        ),
        _Rule("env:fans", ("health.environment.fans",), (), lambda s, p: check_fans(s, p, t)),
        _Rule("env:power", ("health.environment.power",), (), lambda s, p: check_power(s, p, t)),
        _Rule(
            "iface_errors",
            ("health.interfaces",),
            ("health.interfaces",),
            lambda s, p: check_interface_errors(s, p, t),
        ),
        _Rule(
            "rebooted",
            ("facts.uptime_seconds",),
            ("facts.uptime_seconds",),
            lambda s, p: check_rebooted(s, p, t),
        ),
        _Rule(
            "config_changed",
            ("config.running",),
            ("config.running",),
            lambda s, p: check_config_changed(s, p, config_diff),
        ),
    ]
    results: list[CheckResult] = list(reachable)
    notes: list[NotChecked] = []
    for rule in rules:
        if rule.key == "disk" and not is_server:
            continue
        reason = next((r for path in rule.needs if (r := _gap(snapshot, path))), None)
        if reason is None and rule.needs_previous:
            if previous is None:
                reason = _FIRST_RUN
            else:
                reason = next(
                    (
                        f"pengambilan sebelumnya: {r}"
                        for path in rule.needs_previous
                        if (r := _gap(previous, path))
                    ),
                    None,
                )
        if reason is None:
            found = rule.run(snapshot, previous)
            if found:
                results.extend(found)
                continue
            reason = "tidak ada data yang dapat dibandingkan"
        notes.append(_note(rule.key, reason))
    found = check_unsaved(snapshot, unsaved)
    results.extend(found)
    if not found:
        reason = snapshot.config.missing.get("startup", "status penyimpanan tidak diketahui")
        notes.append(_note("unsaved_config", reason))
    found = check_os_version(snapshot, thresholds, platform)
    results.extend(found)
    if not found:
        reason = _gap(snapshot, "facts.os_version") or (
            f"belum ada daftar versi disetujui untuk platform {platform}"
        )
        notes.append(_note("os_version", reason))
    return Checklist(tuple(results), tuple(notes))


def run_checklist(
    outcome: str,
    error: str | None,
    snapshot: DeviceData | None,
    previous: DeviceData | None,
    thresholds: Thresholds,
    *,
    config_diff: str | None,
    unsaved: bool | None,
    platform: str,
) -> list[CheckResult]:
    """Run every rule in checklist order and return the judged items.

    Same arguments as :func:`evaluate_checklist`, which also returns the
    not-checked notes.

    Args:
        outcome: The collection outcome.
        error: Error text of a failed outcome.
        snapshot: This run's data.
        previous: The previous run's data, ``None`` on the first run.
        thresholds: Limits for this host.
        config_diff: Unified diff of the running configuration, ``None`` when unchanged.
        unsaved: Whether startup differs from running; ``None`` when unknown.
        platform: The host's inventory platform.

    Returns:
        The results, ``reachable`` first.

    Examples:
        >>> [(r.key, r.status) for r in run_checklist(
        ...     "auth_failed", "login refused", None, None, Thresholds(),
        ...     config_diff=None, unsaved=None, platform="cisco_ios")]
        [('reachable', 'fail')]
    """
    return list(
        evaluate_checklist(
            outcome,
            error,
            snapshot,
            previous,
            thresholds,
            config_diff=config_diff,
            unsaved=unsaved,
            platform=platform,
        ).results
    )


def worst_first(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Sort results worst first: by :attr:`CheckResult.severity_rank`, ties in given order.

    Args:
        results: Results of one or more devices.

    Returns:
        A new sorted list.

    Examples:
        >>> rs = [CheckResult("os_version", "", "", "fail", ""), CheckResult("cpu", "", "", "warn", ""),
        ...       CheckResult("reachable", "", "", "fail", "")]
        >>> [r.key for r in worst_first(rs)]
        ['reachable', 'os_version', 'cpu']
    """  # noqa: E501
    return sorted(results, key=lambda r: -r.severity_rank)


def summarise(
    results: Iterable[CheckResult], not_checked: Iterable[NotChecked] = (), limit: int = 5
) -> dict[str, Any]:
    """Count results by status and pick the worst findings, as JSON-able data.

    Args:
        results: Judged items (of one device or many).
        not_checked: Items without data.
        limit: How many worst findings to return.

    Returns:
        ``total``, ``pass``, ``warn``, ``fail`` and ``not_checked`` counts;
        ``status``, the worst status (``pass`` when nothing warns or fails);
        ``worst``, up to ``limit`` warn/fail results worst first, each as
        ``{"key", "label", "label_en", "status", "text"}`` (no ``data``, so no
        config diff); and ``not_checked_items``, each note as a dict.

    Examples:
        >>> rs = [CheckResult("cpu", "", "", "pass", ""), CheckResult("memory", "", "", "warn", ""),
        ...       CheckResult("env:power", "", "", "fail", "PSU2")]
        >>> s = summarise(rs)
        >>> s["pass"], s["warn"], s["fail"], s["status"], [r["key"] for r in s["worst"]]
        (1, 1, 1, 'fail', ['env:power', 'memory'])
        >>> s["worst"][0]
        {'key': 'env:power', 'label': '', 'label_en': '', 'status': 'fail', 'text': 'PSU2'}
    """
    items = list(results)
    notes = list(not_checked)
    counts = {status: sum(1 for r in items if r.status == status) for status in STATUS_RANK}
    worst = worst_first(r for r in items if r.status != "pass")
    return {
        "total": len(items),
        **counts,
        "not_checked": len(notes),
        "status": worst[0].status if worst else "pass",
        "worst": [{k: v for k, v in r.as_dict().items() if k != "data"} for r in worst[:limit]],
        "not_checked_items": [n.as_dict() for n in notes],
    }
