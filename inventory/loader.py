"""Load an inventory directory (``hosts.yaml``, ``groups.yaml``, ``defaults.yaml``).

Every problem found in any of the three files is collected and raised together
in one :class:`~sop.problems.ConfigError`, each naming file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inventory.addresses import normalize_address
from inventory.entries import DEFAULTS_KEYS, GROUP_KEYS, HOST_KEYS, INVALID, check_entry
from inventory.model import KNOWN_DATA_FIELDS, Entry, Host, HostData, Inventory
from inventory.platforms import napalm_driver, netmiko_device_type
from inventory.resolve import find_cycles, first_set, group_order, merge_key_by_key
from sop.names import name_problem
from sop.problems import ConfigError, Problem
from sop.yamlsource import LineMap, parse_yaml, size_problem

HOSTS_FILE = "hosts.yaml"
GROUPS_FILE = "groups.yaml"
DEFAULTS_FILE = "defaults.yaml"
DEFAULT_PORT = 22

_REQUIRED = {
    "hostname": "no hostname: give the management IP address or DNS name",
    "platform": "no platform: set e.g. `platform: cisco_ios` on the host, a group or defaults",
    "username": "no username: set `username:` on the host, one of its groups or defaults.yaml",
    "password": (
        "no password reference: set `password: env:VAR` or `password: secret:NAME` "
        "on the host, one of its groups or defaults.yaml"
    ),
}


@dataclass
class _Source:
    """One parsed file."""

    path: Path
    data: Any = None
    lm: LineMap | None = None
    ok: bool = True
    problems: list[Problem] = field(default_factory=list)


def _read(path: Path, required: bool) -> _Source:
    source = _Source(path, data={}, lm=LineMap(str(path)))
    if not path.exists():
        if required:
            hint = ""
            if path.with_suffix(".yml").exists():
                hint = f" (found {path.with_suffix('.yml').name}: rename it to {path.name})"
            source.problems.append(
                Problem(
                    str(path),
                    None,
                    "",
                    f"{path.name} is missing{hint}: every inventory "
                    "directory needs a hosts.yaml listing its devices",
                )
            )
            source.ok = False
        return source
    try:
        too_large = size_problem(path.stat().st_size, str(path))
        if too_large is not None:  # refused before a byte is read
            source.problems.append(too_large)
            source.ok = False
            return source
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        source.problems.append(Problem(str(path), None, "", f"cannot read file: {exc}"))
        source.ok = False
        return source
    try:
        source.data, source.lm = parse_yaml(text, str(path))
    except ConfigError as exc:
        source.problems.extend(exc.problems)
        source.ok = False
        return source
    if source.data is None:
        if required:
            source.problems.append(
                Problem(str(path), 1, "", "file is empty: list at least one host")
            )
            source.ok = False
        source.data = {}
    elif not isinstance(source.data, dict):
        source.problems.append(
            Problem(str(path), 1, "", f"{path.name} must be a mapping of names to entries")
        )
        source.ok = False
        source.data = {}
    elif required and not source.data:
        source.problems.append(Problem(str(path), 1, "", "no hosts defined: list at least one"))
        source.ok = False
    return source


def _check_entries(
    source: _Source, allowed: tuple[str, ...], kind: str
) -> dict[str, tuple[dict[str, Any], int | None]]:
    """Check every entry of hosts.yaml or groups.yaml; return fields and line by name."""
    entries: dict[str, tuple[dict[str, Any], int | None]] = {}
    assert source.lm is not None
    for name, raw in source.data.items():
        if not isinstance(name, str) or not name.strip():
            source.problems.append(
                source.lm.problem((name,), f"{kind} name {name!r} must be non-empty text")
            )
            continue
        if (why := name_problem(name, kind)) is not None:
            source.problems.append(source.lm.problem((name,), why, name))
            continue
        fields, problems = check_entry(raw, (name,), source.lm, allowed, name)
        source.problems.extend(problems)
        entries[name] = (fields, source.lm.line(name))
    return entries


def _check_group_refs(
    source: _Source, entries: dict[str, tuple[dict[str, Any], int | None]], known: set[str]
) -> None:
    import difflib

    assert source.lm is not None
    for name, (fields, _line) in entries.items():
        for i, group in enumerate(_groups_of(fields)):
            if group in known:
                continue
            close = difflib.get_close_matches(group, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; define it in {GROUPS_FILE}"
            source.problems.append(
                source.lm.problem((name, "groups", i), f"unknown group {group!r}{hint}")
            )


def _groups_of(fields: dict[str, Any]) -> tuple[str, ...]:
    """The entry's own groups; empty when missing or invalid (already reported)."""
    groups = fields.get("groups")
    return groups if isinstance(groups, tuple) else ()


def _entry(name: str, fields: dict[str, Any], file: str, line: int | None) -> Entry:
    return Entry(
        name=name,
        hostname=fields.get("hostname"),
        port=fields.get("port"),
        username=fields.get("username"),
        password_ref=fields.get("password"),
        platform=fields.get("platform"),
        groups=_groups_of(fields),
        data=dict(fields.get("data") or {}),
        connection_options=dict(fields.get("connection_options") or {}),
        file=file,
        line=line,
    )


def _host_data(data: dict[str, Any]) -> HostData:
    known = {k: data.get(k) for k in KNOWN_DATA_FIELDS}
    extras = {k: v for k, v in data.items() if k not in KNOWN_DATA_FIELDS}
    return HostData(**known, extras=extras)


def load_inventory(directory: Path) -> Inventory:
    """Load and validate an inventory directory.

    Args:
        directory: Directory holding ``hosts.yaml`` and optionally ``groups.yaml``
            and ``defaults.yaml``.

    Returns:
        The inventory, every host with its groups and defaults applied.

    Raises:
        ConfigError: Anything is wrong; carries every problem found, each naming
            file, line and field. Password values are never repeated.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError([Problem(str(directory), None, "", "inventory directory not found")])
    hosts_src = _read(directory / HOSTS_FILE, required=True)
    groups_src = _read(directory / GROUPS_FILE, required=False)
    defaults_src = _read(directory / DEFAULTS_FILE, required=False)
    sources = (hosts_src, groups_src, defaults_src)

    defaults_fields: dict[str, Any] = {}
    if defaults_src.ok and defaults_src.data:
        assert defaults_src.lm is not None
        defaults_fields, problems = check_entry(
            defaults_src.data, (), defaults_src.lm, DEFAULTS_KEYS, ""
        )
        defaults_src.problems.extend(problems)
    groups = _check_entries(groups_src, GROUP_KEYS, "group") if groups_src.ok else {}
    hosts = _check_entries(hosts_src, HOST_KEYS, "host") if hosts_src.ok else {}

    parents = {name: list(_groups_of(fields)) for name, (fields, _) in groups.items()}
    if groups_src.ok:
        _check_group_refs(groups_src, groups, set(groups))
        _check_group_refs(hosts_src, hosts, set(groups))
        assert groups_src.lm is not None
        for cycle in find_cycles(parents):
            groups_src.problems.append(
                groups_src.lm.problem((cycle[0], "groups"), "group cycle: " + " -> ".join(cycle))
            )

    built: dict[str, Host] = {}
    if all(s.ok for s in sources):
        built = _build_hosts(hosts_src, hosts, groups, parents, defaults_fields)

    problems = [p for s in sources for p in s.problems]
    if problems:
        raise ConfigError(problems)
    return Inventory(
        hosts=built,
        groups={
            name: _entry(name, fields, str(groups_src.path), line)
            for name, (fields, line) in groups.items()
        },
        defaults=_entry("", defaults_fields, str(defaults_src.path), 1),
    )


def _build_hosts(
    hosts_src: _Source,
    hosts: dict[str, tuple[dict[str, Any], int | None]],
    groups: dict[str, tuple[dict[str, Any], int | None]],
    parents: dict[str, list[str]],
    defaults_fields: dict[str, Any],
) -> dict[str, Host]:
    """Apply inheritance, check required fields and duplicate addresses, build hosts."""
    assert hosts_src.lm is not None
    lm = hosts_src.lm
    built: dict[str, Host] = {}
    seen_addresses: dict[tuple[str, int], str] = {}
    for name, (fields, line) in hosts.items():
        order = [g for g in group_order(_groups_of(fields), parents) if g in groups]
        chain = [fields, *(groups[g][0] for g in order), defaults_fields]
        values = {
            key: first_set(key, chain)
            for key in ("hostname", "port", "username", "password", "platform")
        }
        missing = [key for key, value in values.items() if value is None and key in _REQUIRED]
        for key in missing:
            hosts_src.problems.append(lm.problem((name,), _REQUIRED[key], f"{name}.{key}"))
        if missing or any(v is INVALID for v in values.values()):
            continue
        data = merge_key_by_key("data", chain)
        options = merge_key_by_key("connection_options", chain)
        if any(v is INVALID for v in data.values()):
            continue
        port = values["port"] or DEFAULT_PORT
        address = (normalize_address(values["hostname"]), port)
        if address in seen_addresses:
            other = seen_addresses[address]
            hosts_src.problems.append(
                lm.problem(
                    (name, "hostname"),
                    f"management address {values['hostname']}:{port} is also used by host "
                    f"{other!r} (line {hosts[other][1]}); each device needs its own "
                    "hostname/port",
                    f"{name}.hostname",
                )
            )
            continue
        seen_addresses[address] = name
        built[name] = Host(
            name=name,
            hostname=values["hostname"],
            port=port,
            username=values["username"],
            password_ref=values["password"],
            platform=values["platform"],
            napalm_driver=_napalm_driver(values["platform"], options),
            netmiko_device_type=_override(options, "netmiko")
            or netmiko_device_type(values["platform"]),
            groups=_groups_of(fields),
            all_groups=tuple(order),
            data=_host_data(data),
            connection_options=options,
            file=str(hosts_src.path),
            line=line,
        )
    return built


def _override(options: dict[str, Any], connection: str) -> str | None:
    """``connection_options.<connection>.platform`` if the inventory sets it (Nornir style)."""
    settings = options.get(connection)
    if isinstance(settings, dict) and isinstance(settings.get("platform"), str):
        return str(settings["platform"])
    return None


def _napalm_driver(platform: str, options: dict[str, Any]) -> str | None:
    """NAPALM driver: ``connection_options.napalm.platform`` if given, else the mapping."""
    return _override(options, "napalm") or napalm_driver(platform)
