"""Checklist thresholds: SIGAP's defaults, overridable per group and host in the inventory.

An office sets its own limits in a host's inventory ``data:`` under the key
``thresholds:``. Every key is optional; a key not set anywhere keeps SIGAP's
default. A warning level left out follows its limit: it sits
:data:`WARN_GAP` points below it (``cpu_percent: 70`` alone gives a warning
from 60 %).

Two ways to read them:

* :func:`thresholds_for_host` (what the collector uses) merges ``thresholds:``
  *key by key* along the host's inheritance chain (host, its groups in order,
  the defaults), so a host that sets only ``cpu_percent`` keeps the
  ``memory_percent`` its group sets.
* :func:`thresholds_from_data` reads one already merged ``data:`` mapping. The
  inventory merges ``data:`` one level deep only (Nornir semantics): a host's
  ``thresholds:`` mapping *replaces* its group's whole ``thresholds:`` mapping,
  so on ``Host.data`` a group's keys the host does not repeat fall back to the
  SIGAP defaults.

Errors are :class:`~sop.problems.ConfigError` naming file, line (when known)
and the field, e.g. ``sw1.data.thresholds.cpu_percent``.

Examples:
    >>> t = thresholds_from_data({"thresholds": {"cpu_percent": 70}})
    >>> t.cpu_percent, t.cpu_warn_percent, t.memory_percent
    (70.0, 60.0, 90.0)
    >>> thresholds_from_data({"thresholds": {"cpu_percnt": 70}}, "hosts.yaml")
    Traceback (most recent call last):
    ...
    sop.problems.ConfigError: hosts.yaml: data.thresholds.cpu_percnt: unknown threshold; ...
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sop.problems import ConfigError, Problem

#: Points between a limit and its warning level when the warning level is not set.
WARN_GAP = 10.0

#: Percent limits and their warning levels: limit key -> warning key.
PERCENT_PAIRS: dict[str, str] = {
    "cpu_percent": "cpu_warn_percent",
    "memory_percent": "memory_warn_percent",
    "disk_percent": "disk_warn_percent",
}

#: Every key accepted under ``thresholds:``, with what it means (for messages and docs).
THRESHOLD_KEYS: dict[str, str] = {
    "cpu_percent": "CPU use above this (percent) fails",
    "cpu_warn_percent": "CPU use above this (percent) warns",
    "memory_percent": "memory use above this (percent) fails",
    "memory_warn_percent": "memory use above this (percent) warns",
    "disk_percent": "use of a mounted filesystem above this (percent) fails",
    "disk_warn_percent": "use of a mounted filesystem above this (percent) warns",
    "interface_error_tolerance": "new errors/discards per interface allowed before a warning",
    "interface_error_fail": "new errors/discards per interface above this fail",
    "approved_os_versions": "platform -> list of approved OS versions or version prefixes",
    "load_limit": "5-minute load average of a server above this fails (not checked when unset)",
    "failed_logins_limit": "more new failed SSH logins than this since the previous check fail",
}


@dataclass(frozen=True)
class Thresholds:
    """The limits the checklist rules judge against.

    A value *above* a limit fails, above its warning level warns; a value equal to
    a level does not cross it.

    Attributes:
        cpu_percent: CPU use above this fails (default 85).
        cpu_warn_percent: CPU use above this warns (default 75).
        memory_percent: Memory use above this fails (default 90).
        memory_warn_percent: Memory use above this warns (default 80).
        disk_percent: Use of a mounted filesystem above this fails (default 90).
        disk_warn_percent: Use of a mounted filesystem above this warns (default 80).
        interface_error_tolerance: New errors and discards (all counters summed)
            one interface may gain between two runs without a finding (default 0).
        interface_error_fail: More new errors and discards than this on one
            interface fail; between the tolerance and this they warn (default 100).
        approved_os_versions: Platform -> approved OS versions or version
            prefixes; a platform without an entry (or with an empty list) is
            not checked.
        load_limit: A server's 5-minute load average above this fails, above
            80 % of it warns; ``None`` (default): not checked (it depends on the
            number of CPUs).
        failed_logins_limit: More new failed SSH logins than this between two
            monitoring checks fail; fewer (but some) warn (default 10).

    Examples:
        >>> Thresholds().cpu_percent, Thresholds().disk_warn_percent
        (85.0, 80.0)
    """

    cpu_percent: float = 85.0
    cpu_warn_percent: float = 75.0
    memory_percent: float = 90.0
    memory_warn_percent: float = 80.0
    disk_percent: float = 90.0
    disk_warn_percent: float = 80.0
    interface_error_tolerance: int = 0
    interface_error_fail: int = 100
    approved_os_versions: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    load_limit: float | None = None
    failed_logins_limit: int = 10


@dataclass(frozen=True)
class Origin:
    """Where one ``thresholds:`` key was written, for error messages.

    Attributes:
        file: File name as the user knows it.
        line: Line of the entry (host or group) in that file, if known.
        field: Dotted path of the ``thresholds`` mapping, e.g. ``sw1.data.thresholds``.
    """

    file: str
    line: int | None
    field: str

    def problem(self, key: str, message: str) -> Problem:
        """Return a problem about ``key`` of this mapping.

        Args:
            key: The threshold key (empty for the mapping itself).
            message: What is wrong.

        Returns:
            The problem.

        Examples:
            >>> print(Origin("groups.yaml", 4, "core.data.thresholds").problem("cpu_percent", "x"))
            groups.yaml:4: core.data.thresholds.cpu_percent: x
        """
        name = f"{self.field}.{key}" if key else self.field
        return Problem(self.file, self.line, name, message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _percent(key: str, value: Any, origin: Origin) -> list[Problem]:
    if not _is_number(value):
        return [origin.problem(key, f"must be a number of percent (0-100), got {value!r}")]
    if not 0 <= value <= 100:
        return [origin.problem(key, f"must be between 0 and 100 percent, got {value}")]
    return []


def _count(key: str, value: Any, origin: Origin) -> list[Problem]:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return [origin.problem(key, f"must be a whole number 0 or more, got {value!r}")]
    return []


def _approved(value: Any, origin: Origin) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    key = "approved_os_versions"
    if not isinstance(value, Mapping):
        example = "{cisco_ios: ['15.2(7)E']}"
        return {}, [origin.problem(key, f"must map platform to a list of versions, e.g. {example}")]
    out: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for platform, versions in value.items():
        where = f"{key}.{platform}"
        if not isinstance(versions, list):
            problems.append(origin.problem(where, f"must be a list of versions, got {versions!r}"))
            continue
        bad = [v for v in versions if not isinstance(v, str) or not v.strip()]
        if bad:
            problems.append(
                origin.problem(
                    where,
                    f"versions must be non-empty text; write numbers in quotes "
                    f"(e.g. '7.10', not 7.10), got {bad[0]!r}",
                )
            )
            continue
        out[str(platform)] = tuple(v.strip() for v in versions)
    return out, problems


def build_thresholds(values: Mapping[str, Any], origins: Mapping[str, Origin]) -> Thresholds:
    """Check a ``thresholds:`` mapping and build :class:`Thresholds` from it.

    Args:
        values: Threshold key -> value (already merged if it came from several places).
        origins: Threshold key -> where it was written (for error messages).

    Returns:
        The thresholds, SIGAP defaults for keys not given.

    Raises:
        ConfigError: Naming every unknown key and bad value.

    Examples:
        >>> o = Origin("hosts.yaml", 3, "sw1.data.thresholds")
        >>> build_thresholds({"disk_percent": 95}, {"disk_percent": o}).disk_warn_percent
        85.0
        >>> build_thresholds({"cpu_percent": 70, "cpu_warn_percent": 80},
        ...                  {"cpu_percent": o, "cpu_warn_percent": o})
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: hosts.yaml:3: sw1.data.thresholds.cpu_warn_percent: ...
    """
    fallback = Origin("", None, "thresholds")
    problems: list[Problem] = []
    for key in values:
        if key not in THRESHOLD_KEYS:
            close = difflib.get_close_matches(str(key), THRESHOLD_KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                origins.get(key, fallback).problem(
                    str(key), f"unknown threshold; {hint}known: {', '.join(THRESHOLD_KEYS)}"
                )
            )
    kwargs: dict[str, Any] = {}
    for limit, warn in PERCENT_PAIRS.items():
        for key in (limit, warn):
            if key in values:
                found = _percent(key, values[key], origins.get(key, fallback))
                problems.extend(found)
                if not found:
                    kwargs[key] = float(values[key])
        if limit in kwargs and warn not in values:
            kwargs[warn] = max(0.0, kwargs[limit] - WARN_GAP)
        lim = kwargs.get(limit, getattr(Thresholds, limit))
        if warn in kwargs and kwargs[warn] > lim:
            problems.append(
                origins.get(warn, fallback).problem(
                    warn, f"warning level {kwargs[warn]:g} is above the limit {limit} = {lim:g}"
                )
            )
    for key in ("interface_error_tolerance", "interface_error_fail"):
        if key in values:
            found = _count(key, values[key], origins.get(key, fallback))
            problems.extend(found)
            if not found:
                kwargs[key] = values[key]
    tolerance = kwargs.get("interface_error_tolerance", Thresholds.interface_error_tolerance)
    fail = kwargs.get("interface_error_fail", Thresholds.interface_error_fail)
    if fail < tolerance:
        key = (
            "interface_error_fail"
            if "interface_error_fail" in values
            else ("interface_error_tolerance")
        )
        problems.append(
            origins.get(key, fallback).problem(
                key,
                f"interface_error_fail ({fail}) must not be below "
                f"interface_error_tolerance ({tolerance})",
            )
        )
    if "load_limit" in values:
        value = values["load_limit"]
        if not _is_number(value) or value <= 0:
            problems.append(
                origins.get("load_limit", fallback).problem(
                    "load_limit", f"must be a number above 0, got {value!r}"
                )
            )
        else:
            kwargs["load_limit"] = float(value)
    if "failed_logins_limit" in values:
        found = _count(
            "failed_logins_limit",
            values["failed_logins_limit"],
            origins.get("failed_logins_limit", fallback),
        )
        problems.extend(found)
        if not found:
            kwargs["failed_logins_limit"] = values["failed_logins_limit"]
    if "approved_os_versions" in values:
        approved, found = _approved(
            values["approved_os_versions"], origins.get("approved_os_versions", fallback)
        )
        problems.extend(found)
        kwargs["approved_os_versions"] = approved
    if problems:
        raise ConfigError(problems)
    return Thresholds(**kwargs)


def _mapping_of(data: Mapping[str, Any], origin: Origin) -> Mapping[str, Any]:
    value = data.get("thresholds")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            [origin.problem("", f"must be a mapping of threshold: value, got {value!r}")]
        )
    return value


def thresholds_from_data(data: Mapping[str, Any], file_hint: str = "") -> Thresholds:
    """Read the optional ``thresholds:`` mapping of one (merged) ``data:`` mapping.

    Args:
        data: A host's ``data:`` (e.g. ``host.data.as_dict()``).
        file_hint: File (or ``file (host x)``) to name in error messages.

    Returns:
        The thresholds; SIGAP defaults for every key not set.

    Raises:
        ConfigError: For a ``thresholds`` that is not a mapping, unknown keys or bad values.

    Examples:
        >>> thresholds_from_data({}) == Thresholds()
        True
        >>> thresholds_from_data({"thresholds": {"approved_os_versions": {"linux": ["6.1"]}}}
        ...                      ).approved_os_versions
        {'linux': ('6.1',)}
        >>> thresholds_from_data({"thresholds": {"memory_percent": "90%"}}, "groups.yaml")
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: groups.yaml: data.thresholds.memory_percent: must be a number ...
    """
    origin = Origin(file_hint, None, "data.thresholds")
    values = _mapping_of(data, origin)
    return build_thresholds(values, dict.fromkeys(values, origin))


class _DataHolder(Protocol):
    """A group or the defaults of the inventory (``inventory.model.Entry``)."""

    @property
    def data(self) -> Mapping[str, Any]: ...

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int | None: ...


class _HostData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


class _Host(Protocol):
    """The parts of ``inventory.model.Host`` used here."""

    @property
    def name(self) -> str: ...

    @property
    def all_groups(self) -> Sequence[str]: ...

    @property
    def data(self) -> _HostData: ...

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int | None: ...


class _Inventory(Protocol):
    """The parts of ``inventory.model.Inventory`` used here."""

    @property
    def groups(self) -> Mapping[str, _DataHolder]: ...

    @property
    def defaults(self) -> _DataHolder: ...


def thresholds_for_host(host: _Host, inventory: _Inventory) -> Thresholds:
    """Return a host's thresholds, merging ``thresholds:`` key by key along its chain.

    The chain is the host, then its groups in inheritance order
    (``host.all_groups``), then the defaults; for each key the first place that
    sets it wins. Errors name the file and entry line where the bad key is written.

    Args:
        host: An inventory host (``inventory.model.Host``).
        inventory: The inventory it belongs to (for its groups' and defaults' data).

    Returns:
        The host's thresholds.

    Raises:
        ConfigError: For unknown keys or bad values anywhere in the chain.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> group = NS(data={"thresholds": {"cpu_percent": 80, "memory_percent": 95}},
        ...            file="groups.yaml", line=1)
        >>> inv = NS(groups={"core": group}, defaults=NS(data={}, file="defaults.yaml", line=1))
        >>> host = NS(name="sw1", all_groups=("core",), file="hosts.yaml", line=5,
        ...           data={"thresholds": {"cpu_percent": 70}})
        >>> t = thresholds_for_host(host, inv)
        >>> t.cpu_percent, t.memory_percent
        (70.0, 95.0)
    """
    raw: list[tuple[Any, Origin]] = []
    for name in host.all_groups:
        group = inventory.groups.get(name)
        if group is not None:
            origin = Origin(group.file, group.line, f"{name}.data.thresholds")
            raw.append((group.data.get("thresholds"), origin))
    defaults = inventory.defaults
    raw.append(
        (defaults.data.get("thresholds"), Origin(defaults.file, defaults.line, "data.thresholds"))
    )
    # Host.data is already merged: when the host sets no ``thresholds:`` it holds the
    # first group's (or the defaults') mapping, which is then named as that entry's.
    inherited = next((value for value, _ in raw if value is not None), None)
    own = host.data.get("thresholds")
    if own is not None and own != inherited:
        raw.insert(0, (own, Origin(host.file, host.line, f"{host.name}.data.thresholds")))
    chain = [(_mapping_of({"thresholds": value}, origin), origin) for value, origin in raw]
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for mapping, where in chain:
        for key, value in mapping.items():
            if key not in values and value is not None:
                values[key] = value
                origins[key] = where
    return build_thresholds(values, origins)
