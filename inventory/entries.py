"""Check one host, group or defaults entry as written: keys, types and values.

Pure functions: raw data and its :class:`~sop.yamlsource.LineMap` in, cleaned
fields and :class:`~sop.problems.Problem` list out. Inheritance and checks across
entries (unknown groups, cycles, duplicate addresses) live in :mod:`inventory.loader`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from inventory.addresses import address_problem
from inventory.model import CRITICALITIES
from inventory.platforms import known_platforms, unknown_platform_message
from inventory.secretref import parse_secret_ref
from sop.problems import Problem
from sop.yamlsource import LineMap

HOST_KEYS: tuple[str, ...] = (
    "hostname",
    "port",
    "username",
    "password",
    "platform",
    "groups",
    "data",
    "connection_options",
)
GROUP_KEYS: tuple[str, ...] = HOST_KEYS
DEFAULTS_KEYS: tuple[str, ...] = tuple(k for k in HOST_KEYS if k != "groups")

#: Keys under ``data:`` or ``connection_options:`` that hold secrets: references only.
SECRET_KEYS: frozenset[str] = frozenset(
    {"password", "passwd", "secret", "enable_password", "enable_secret", "passphrase", "token"}
)

#: Marks a field that was present but invalid (already reported; not "missing").
INVALID: Any = object()

_TEXT_DATA = ("site", "role", "location")


def unknown_key_message(key: Any, allowed: tuple[str, ...]) -> str:
    """Return the message for a key that is not allowed on an entry.

    Args:
        key: The key the user wrote.
        allowed: The allowed keys.

    Returns:
        The message, listing the allowed keys and suggesting the closest.

    Examples:
        >>> print(unknown_key_message("pasword", HOST_KEYS))
        unknown key 'pasword'; allowed: connection_options, data, groups, hostname, password,
        platform, port, username; did you mean 'password'?
    """
    msg = f"unknown key {key!r}; allowed: " + ", ".join(sorted(allowed))
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.7)
    return msg + (f"; did you mean {close[0]!r}?" if close else "")


def _find_literal_secrets(
    value: Any, path: tuple[str | int, ...], lm: LineMap, owner: str
) -> list[Problem]:
    """Report secret-looking keys holding literals anywhere inside ``value``."""
    problems: list[Problem] = []
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if isinstance(key, str) and key.lower() in SECRET_KEYS and sub is not None:
                ref = parse_secret_ref(sub, owner, key)
                if isinstance(ref, str):
                    problems.append(lm.problem((*path, key), ref))
            else:
                problems.extend(_find_literal_secrets(sub, (*path, key), lm, owner))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            problems.extend(_find_literal_secrets(sub, (*path, i), lm, owner))
    return problems


def _check_data(
    data: Mapping[Any, Any], path: tuple[str | int, ...], lm: LineMap, owner: str
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        kpath = (*path, key)
        if not isinstance(key, str):
            problems.append(lm.problem(kpath, f"data key {key!r} must be text"))
            continue
        if key in _TEXT_DATA and value is not None and not isinstance(value, str):
            problems.append(lm.problem(kpath, f"{key} must be text, not {type(value).__name__}"))
            out[key] = INVALID
        elif key == "asset_tag" and value is not None and not isinstance(value, str | int):
            problems.append(lm.problem(kpath, "asset_tag must be text or a number"))
            out[key] = INVALID
        elif key == "asset_tag" and isinstance(value, int) and not isinstance(value, bool):
            out[key] = str(value)
        elif key == "criticality" and value is not None and value not in CRITICALITIES:
            problems.append(
                lm.problem(
                    kpath, f"criticality {value!r} is not one of: " + ", ".join(CRITICALITIES)
                )
            )
            out[key] = INVALID
        else:
            out[key] = value
    problems.extend(_find_literal_secrets(data, path, lm, owner))
    return out, problems


def check_entry(
    raw: Any, path: tuple[str, ...], lm: LineMap, allowed: tuple[str, ...], owner: str
) -> tuple[dict[str, Any], list[Problem]]:
    r"""Check one entry's keys and values.

    Args:
        raw: The entry as parsed (a mapping, or ``None`` for an empty entry).
        path: Key path of the entry in its file (``()`` for defaults.yaml).
        lm: Line map of the file.
        allowed: The keys allowed on this kind of entry.
        owner: Host or group name (empty for defaults), used in hints.

    Returns:
        ``(fields, problems)``: valid fields by key (invalid ones set to
        :data:`INVALID`), and everything wrong.

    Examples:
        >>> from sop.yamlsource import parse_yaml
        >>> raw, lm = parse_yaml("sw1:\n  hostname: 10.0.0.1\n  port: 70000\n", "hosts.yaml")
        >>> fields, problems = check_entry(raw["sw1"], ("sw1",), lm, HOST_KEYS, "sw1")
        >>> fields["hostname"], [str(p) for p in problems]
        ('10.0.0.1', ['hosts.yaml:3: sw1.port: port 70000 is out of range 1-65535'])
    """
    if raw is None:
        return {}, []
    if not isinstance(raw, Mapping):
        what = "defaults.yaml" if not path else f"entry {path[-1]!r}"
        return {key: INVALID for key in allowed}, [
            lm.problem(path, f"{what} must be a mapping of keys such as hostname, platform, groups")
        ]
    fields: dict[str, Any] = {}
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(lm.problem((*path, key), message))
        fields[key] = INVALID

    for key, value in raw.items():
        if key not in allowed:
            problems.append(lm.problem((*path, key), unknown_key_message(key, allowed)))
            continue
        if value is None:
            continue
        if key == "hostname":
            if not isinstance(value, str):
                bad(key, "hostname must be text (an IP address or DNS name)")
            elif (why := address_problem(value.strip())) is not None:
                bad(key, why)
            else:
                fields[key] = value.strip()
        elif key == "port":
            if isinstance(value, bool) or not isinstance(value, int):
                bad(key, f"port must be a whole number 1-65535, not {type(value).__name__}")
            elif not 1 <= value <= 65535:
                bad(key, f"port {value} is out of range 1-65535")
            else:
                fields[key] = value
        elif key == "username":
            if not isinstance(value, str) or not value.strip():
                bad(key, "username must be non-empty text")
            else:
                fields[key] = value.strip()
        elif key == "password":
            ref = parse_secret_ref(value, owner)
            if isinstance(ref, str):
                bad(key, ref)
            else:
                fields[key] = str(ref)
        elif key == "platform":
            if not isinstance(value, str):
                bad(key, "platform must be text, e.g. cisco_ios")
            elif value not in known_platforms():
                bad(key, unknown_platform_message(value))
            else:
                fields[key] = value
        elif key == "groups":
            if not isinstance(value, list):
                bad(
                    key,
                    "groups must be a list, e.g. [switches, site-pusat], "
                    f"not {type(value).__name__}",
                )
                continue
            names: list[str] = []
            for i, item in enumerate(value):
                if not isinstance(item, str) or not item:
                    problems.append(lm.problem((*path, key, i), "group name must be text"))
                elif item in names:
                    problems.append(lm.problem((*path, key, i), f"group {item!r} listed twice"))
                else:
                    names.append(item)
            fields[key] = tuple(names)
        elif key == "data":
            if not isinstance(value, Mapping):
                bad(key, f"data must be a mapping (key: value), not {type(value).__name__}")
                continue
            fields[key], data_problems = _check_data(value, (*path, key), lm, owner)
            problems.extend(data_problems)
        elif key == "connection_options":
            if not isinstance(value, Mapping):
                bad(key, "connection_options must be a mapping (connection name: options)")
                continue
            fields[key] = dict(value)
            problems.extend(_find_literal_secrets(value, (*path, key), lm, owner))
    return fields, problems
