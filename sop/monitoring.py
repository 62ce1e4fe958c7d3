"""SOP E step 1, the monitoring's pure parts: host settings, maintenance windows, faults.

A host's monitoring settings live in its inventory ``data:`` (inherited from its
groups and the defaults like every ``data:`` key):

.. code-block:: yaml

    linux01:
      data:
        services: [{name: web, port: 443}]        # TCP probes, as a website monitor does
        allowed_ports: [22, 443]                  # listening ports allowed on the server
        maintenance_windows:                      # silences the host inside a window
          - {start: "2026-12-01T22:00+08:00", end: "2026-12-02T02:00+08:00", note: "ganti disk"}

A bad entry is refused with a :class:`~sop.problems.ConfigError` naming the
file, the host's line and the field (``linux01.data.maintenance_windows[0].end``).

A *fault* is a ``fail`` finding; it opens one incident under its fault key
``<host>:<finding key>`` (:func:`fault_key`) and goes to the SOP that handles
it (:func:`handling_sop`).

Examples:
    >>> from types import SimpleNamespace as NS
    >>> host = NS(name="linux01", file="hosts.yaml", line=3, data={"maintenance_windows": [
    ...     {"start": "2026-12-01T22:00+08:00", "end": "2026-12-01T21:00+08:00"}]})
    >>> monitoring_settings(host)
    Traceback (most recent call last):
    ...
    sop.problems.ConfigError: hosts.yaml:3: linux01.data.maintenance_windows[0].end: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeGuard

from sop.problems import ConfigError, Problem

#: Finding base key -> incident kind (:data:`sop.incidents.INCIDENT_KINDS`).
FAULT_KINDS: dict[str, str] = {
    "reachable": "perangkat_mati",
    "service": "layanan_berhenti",
    "failed_units": "layanan_berhenti",
    "disk": "kinerja",
    "memory": "kinerja",
    "load": "kinerja",
    "sshd_root_login": "keamanan",
    "failed_logins": "keamanan",
    "port": "keamanan",
}

#: Changes of a finding between two monitoring runs.
CHANGES: tuple[str, ...] = ("new", "still", "cleared")


class _Host(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int | None: ...

    @property
    def data(self) -> Any: ...


@dataclass(frozen=True)
class Window:
    """One maintenance window: the host is checked but its faults are silenced.

    Attributes:
        start: Start (aware).
        end: End (aware), after the start.
        note: Why (shown in the results).
    """

    start: datetime
    end: datetime
    note: str = ""

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in ``[start, end)``.

        Examples:
            >>> w = Window(datetime.fromisoformat("2026-12-01T22:00+08:00"),
            ...            datetime.fromisoformat("2026-12-02T02:00+08:00"))
            >>> w.covers(datetime.fromisoformat("2026-12-01T15:30+00:00"))
            True
        """
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Service:
    """A service the monitoring probes with a TCP connection.

    Attributes:
        name: Short name (finding key ``service:<name>``).
        port: TCP port.
        host: Address to probe; default the host's own address.
    """

    name: str
    port: int
    host: str | None = None


@dataclass(frozen=True)
class MonitoringSettings:
    """One host's monitoring settings from the inventory.

    Attributes:
        services: TCP services to probe.
        allowed_ports: Listening ports allowed (``None``: not checked).
        windows: Maintenance windows.
    """

    services: tuple[Service, ...] = ()
    allowed_ports: tuple[int, ...] | None = None
    windows: tuple[Window, ...] = field(default_factory=tuple)

    def window_at(self, moment: datetime) -> Window | None:
        """The maintenance window covering ``moment``, if any."""
        return next((w for w in self.windows if w.covers(moment)), None)


def _port(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def _when(value: Any) -> datetime | str:
    """An aware datetime from ISO text (or a YAML timestamp), else the problem."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return f"not an ISO date and time, e.g. 2026-12-01T22:00+08:00; got {value!r}"
    else:
        return f"must be a date and time like 2026-12-01T22:00+08:00, got {value!r}"
    if moment.tzinfo is None:
        return f"needs a UTC offset (e.g. +08:00 for WITA), got {value!r}"
    return moment


def monitoring_settings(host: _Host) -> MonitoringSettings:
    """Read and check a host's ``services``, ``allowed_ports`` and ``maintenance_windows``.

    Args:
        host: An inventory host (``inventory.model.Host``; ``data.get`` gives merged data).

    Returns:
        The settings.

    Raises:
        ConfigError: Naming file, line and field of every bad entry.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> s = monitoring_settings(NS(name="w", file="h.yaml", line=1, data={
        ...     "services": [{"name": "web", "port": 8080}], "allowed_ports": [22]}))
        >>> s.services, s.allowed_ports
        ((Service(name='web', port=8080, host=None),), (22,))
        >>> monitoring_settings(NS(name="w", file="h.yaml", line=1, data={
        ...     "services": [{"name": "web", "port": "http"}]}))
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: h.yaml:1: w.data.services[0].port: ...
    """
    problems: list[Problem] = []
    base = f"{host.name}.data"

    def bad(where: str, message: str) -> None:
        problems.append(Problem(host.file, host.line, f"{base}.{where}", message))

    services: list[Service] = []
    raw_services = host.data.get("services")
    if raw_services is not None and not isinstance(raw_services, list):
        bad("services", "must be a list of {name: ..., port: ...}")
        raw_services = []
    for i, item in enumerate(raw_services or []):
        if not isinstance(item, Mapping):
            bad(f"services[{i}]", f"must be a mapping {{name: ..., port: ...}}, got {item!r}")
            continue
        unknown = set(item) - {"name", "port", "host"}
        if unknown:
            bad(f"services[{i}]", f"unknown keys {sorted(unknown)}; known: name, port, host")
        name, port = item.get("name"), item.get("port")
        if not isinstance(name, str) or not name.strip():
            bad(f"services[{i}].name", "must be a non-empty name")
            continue
        if not _port(port):
            bad(f"services[{i}].port", f"must be a TCP port 1-65535, got {port!r}")
            continue
        target = item.get("host")
        services.append(Service(name.strip(), port, str(target) if target else None))
    allowed: tuple[int, ...] | None = None
    raw_allowed = host.data.get("allowed_ports")
    if raw_allowed is not None:
        if not isinstance(raw_allowed, list) or not all(_port(p) for p in raw_allowed):
            bad("allowed_ports", f"must be a list of TCP ports 1-65535, got {raw_allowed!r}")
        else:
            allowed = tuple(raw_allowed)
    windows: list[Window] = []
    raw_windows = host.data.get("maintenance_windows")
    if raw_windows is not None and not isinstance(raw_windows, list):
        bad("maintenance_windows", "must be a list of {start: ..., end: ...}")
        raw_windows = []
    for i, item in enumerate(raw_windows or []):
        where = f"maintenance_windows[{i}]"
        if not isinstance(item, Mapping):
            bad(where, f"must be a mapping {{start: ..., end: ..., note: ...}}, got {item!r}")
            continue
        unknown = set(item) - {"start", "end", "note"}
        if unknown:
            bad(where, f"unknown keys {sorted(unknown)}; known: start, end, note")
        start, end = _when(item.get("start")), _when(item.get("end"))
        if isinstance(start, str):
            bad(f"{where}.start", start)
        if isinstance(end, str):
            bad(f"{where}.end", end)
        if isinstance(start, datetime) and isinstance(end, datetime):
            if end <= start:
                bad(f"{where}.end", f"must be after the start {start.isoformat()}")
            else:
                windows.append(Window(start, end, str(item.get("note") or "")))
    if problems:
        raise ConfigError(problems)
    return MonitoringSettings(tuple(services), allowed, tuple(windows))


def fault_key(host: str, finding_key: str) -> str:
    """The stable key of one fault: the incident dedupe key of the monitoring.

    Examples:
        >>> fault_key("linux01", "disk:/srv/data")
        'linux01:disk:/srv/data'
    """
    return f"{host}:{finding_key}"


def fault_kind(finding_key: str) -> str:
    """The incident kind of a finding (``lainnya`` for one without a mapping).

    Examples:
        >>> fault_kind("service:web"), fault_kind("sshd_root_login"), fault_kind("x")
        ('layanan_berhenti', 'keamanan', 'lainnya')
    """
    return FAULT_KINDS.get(finding_key.split(":", 1)[0], "lainnya")


def handling_sop(is_server: bool, office_sops: Sequence[str]) -> str:
    """The SOP that handles a fault: E for servers, C for network devices.

    An office that runs only one of the two handles every fault with it.

    Examples:
        >>> handling_sop(True, ["C", "E"]), handling_sop(False, ["C", "E"])
        ('E', 'C')
        >>> handling_sop(False, ["E"]), handling_sop(True, ["A", "C"])
        ('E', 'C')
    """
    runs = [code for code in ("C", "E") if code in office_sops]
    if len(runs) == 1:
        return runs[0]
    return "E" if is_server else "C"


@dataclass(frozen=True)
class Change:
    """How one finding key changed since the previous run.

    Attributes:
        key: Finding key.
        change: ``new``, ``still`` or ``cleared``.
        status: This run's status (``pass`` for a cleared one).
    """

    key: str
    change: str
    status: str


def compare(previous: Mapping[str, str], current: Mapping[str, str]) -> list[Change]:
    """Compare one host's warn/fail findings with the previous run's.

    Args:
        previous: Finding key -> status (``warn``/``fail``) at the previous run.
        current: Finding key -> status now (``pass`` entries are ignored).

    Returns:
        ``new`` and ``still`` findings of this run, then ``cleared`` ones, by key.

    Examples:
        >>> [(c.key, c.change) for c in compare({"disk:/": "fail", "load": "warn"},
        ...                                     {"disk:/": "fail", "service:web": "fail",
        ...                                      "load": "pass"})]
        [('disk:/', 'still'), ('service:web', 'new'), ('load', 'cleared')]
    """
    bad_now = {k: v for k, v in current.items() if v != "pass"}
    changes = [
        Change(key, "still" if key in previous else "new", status)
        for key, status in sorted(bad_now.items())
    ]
    changes += [Change(key, "cleared", "pass") for key in sorted(set(previous) - set(bad_now))]
    return changes


def faults(statuses: Iterable[tuple[str, str]]) -> list[str]:
    """The fault keys (``fail``) among (key, status) pairs, in order.

    Examples:
        >>> faults([("disk:/", "fail"), ("load", "warn")])
        ['disk:/']
    """
    return [key for key, status in statuses if status == "fail"]


CONFIG_KEY = "sigap_config"
"""Finding key of a host SIGAP could not check because of its own configuration.

A missing password variable, a Secret block that does not exist or a platform
SIGAP has no commands for is SIGAP's mistake, not the network's: the host gets
one ``warn`` finding under this key (reported when it is ``new``), never a fault.
"""

UNREACHED_JUDGED: tuple[str, ...] = ("reachable", "service:")
"""What is still judged of a server that could not be collected: reachability and its
TCP services (key or key prefix)."""


def fault_gone(
    finding_key: str,
    statuses: Mapping[str, str],
    *,
    judged: Sequence[str] | None = None,
    not_checked: Iterable[str] = (),
) -> bool:
    """Whether this run found a host healthy for one fault an open incident holds.

    The fault is gone when this run judged its finding and found it ``pass`` (or no
    longer found it at all). A ``warn`` keeps it, and so does a finding this run
    could not judge: the host was not collected (only ``judged`` keys or key prefixes
    were), or the item was not checked.

    Args:
        finding_key: The fault's finding key (its fault key without ``<host>:``).
        statuses: Finding key -> this run's status for the host.
        judged: Keys or key prefixes judged this run; ``None``: everything.
        not_checked: Keys that could not be judged this run.

    Returns:
        True when the incident can be resolved.

    Examples:
        >>> fault_gone("disk:/srv/data", {"disk:/srv/data": "pass"})
        True
        >>> fault_gone("disk:/srv/data", {"disk:/srv/data": "warn"})
        False
        >>> fault_gone("disk:/srv/data", {"reachable": "fail"}, judged=UNREACHED_JUDGED)
        False
        >>> fault_gone("service:web", {"reachable": "fail"}, judged=UNREACHED_JUDGED)
        True
        >>> fault_gone("load", {}, not_checked=["load"])
        False
    """
    if statuses.get(finding_key, "pass") != "pass":
        return False
    if finding_key in set(not_checked):
        return False
    if judged is None:
        return True
    return any(finding_key == p or (p.endswith(":") and finding_key.startswith(p)) for p in judged)


def finding_of_fault(host: str, fault: str) -> str | None:
    """The finding key of one of ``host``'s fault keys (``None`` for another host's).

    Examples:
        >>> finding_of_fault("linux01", "linux01:disk:/srv/data")
        'disk:/srv/data'
        >>> finding_of_fault("linux0", "linux01:disk:/") is None
        True
    """
    prefix = f"{host}:"
    return fault[len(prefix) :] if fault.startswith(prefix) else None


def resolution_note(run_id: int, at_text: str, text: str) -> str:
    """The resolution an incident gets when a monitoring run finds its fault gone.

    Examples:
        >>> resolution_note(7, "10:15 WITA", "port 8080 menjawab")[-60:]
        '0:15 WITA tidak menemukan gangguan lagi (port 8080 menjawab)'
    """
    note = f"Ditutup otomatis: pemantauan #{run_id} pada {at_text} tidak menemukan gangguan lagi"
    return f"{note} ({text})" if text else note
