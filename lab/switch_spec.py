"""The JSON spec of the simulated switches: parsing and validation.

A spec file looks like::

    {"devices": [
        {"hostname": "sw01", "address": "127.0.20.1", "port": 2200,
         "username": "sigap", "password_env": "SIGAP_LAB_PASSWORD",
         "model": "WS-C2960+24TC-L", "serial": "FOC1748Z0AB", "domain": "sigap.lab",
         "hang_after_login": false, "truncate_config": false, "cpu_percent": 95,
         "temperature_status": "critical", "interface_errors": {"Gi0/1": 120}}
    ]}

Only ``hostname``, ``address``, ``port``, ``username`` and ``password_env`` are
required. The password is never in the file: ``password_env`` names the
environment variable that holds it (login and enable password alike).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.ios_models import MODELS, expand_interface_name, stable_int
from sop.problems import ConfigError, Problem

_HOSTNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REQUIRED = ("hostname", "address", "port", "username", "password_env")
_OPTIONAL = (
    "model",
    "serial",
    "domain",
    "hang_after_login",
    "truncate_config",
    "cpu_percent",
    "temperature_status",
    "interface_errors",
)


@dataclass(frozen=True)
class SwitchSpec:
    """One simulated switch, validated.

    Attributes:
        hostname: IOS hostname (also the prompt).
        address: IPv4 address the SSH server listens on.
        port: TCP port.
        username: Login user name.
        password: Login and enable password, read from the environment (never shown).
        model: Product id, one of :data:`lab.ios_models.MODELS`; ``""`` = chosen by hostname.
        serial: Chassis serial; ``""`` = derived from the hostname.
        domain: ``ip domain-name``.
        hang_after_login: The device logs in, then never answers a command.
        truncate_config: ``show running-config`` stops before its final ``end``.
        cpu_percent: Fixed CPU load (percent), ``None`` = derived from the hostname.
        temperature_status: ``ok`` or ``critical``.
        interface_errors: Full interface name -> input (CRC) error count.
    """

    hostname: str
    address: str
    port: int
    username: str
    password: str = field(repr=False)
    model: str = ""
    serial: str = ""
    domain: str = "sigap.lab"
    hang_after_login: bool = False
    truncate_config: bool = False
    cpu_percent: int | None = None
    temperature_status: str = "ok"
    interface_errors: Mapping[str, int] = field(default_factory=dict)


def load_spec(path: str | Path, environ: Mapping[str, str]) -> list[SwitchSpec]:
    """Read and validate a spec file.

    Args:
        path: The JSON spec file.
        environ: Environment to read the passwords from.

    Returns:
        The devices, in file order.

    Raises:
        ConfigError: Every problem found, each naming the file and field.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Problem(name, None, "", f"cannot read: {exc.strerror}")]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg}")]) from exc
    return parse_spec(data, environ, name)


def parse_spec(data: Any, environ: Mapping[str, str], file: str = "spec") -> list[SwitchSpec]:
    """Validate already-parsed spec data.

    Args:
        data: The decoded JSON document.
        environ: Environment to read the passwords from.
        file: File name used in problems.

    Returns:
        The devices, in order.

    Raises:
        ConfigError: Every problem found.

    Examples:
        >>> env = {"PW": "s3cret"}
        >>> dev = {"hostname": "sw01", "address": "127.0.20.1", "port": 2200,
        ...        "username": "sigap", "password_env": "PW", "interface_errors": {"Gi0/1": 3}}
        >>> spec = parse_spec({"devices": [dev]}, env)[0]
        >>> spec.hostname, spec.model, dict(spec.interface_errors)
        ('sw01', 'WS-C2960+24TC-L', {'GigabitEthernet0/1': 3})
        >>> "s3cret" in repr(spec)
        False
        >>> parse_spec({"devices": [dict(dev, cpu_percent=120)]}, env)
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: spec: devices[0].cpu_percent: sw01: must be an integer 0..100
    """
    if not isinstance(data, dict) or not isinstance(data.get("devices"), list):
        raise ConfigError([Problem(file, None, "devices", "must be a list of devices")])
    problems: list[Problem] = []
    specs: list[SwitchSpec] = []
    seen_names: set[str] = set()
    seen_sockets: set[tuple[str, int]] = set()
    for index, raw in enumerate(data["devices"]):
        found = _parse_device(raw, index, environ, file)
        if isinstance(found, list):
            problems.extend(found)
            continue
        where = f"devices[{index}]"
        if found.hostname in seen_names:
            problems.append(Problem(file, None, f"{where}.hostname", "duplicate hostname"))
        if (found.address, found.port) in seen_sockets:
            problems.append(
                Problem(file, None, f"{where}.port", f"{found.hostname}: address:port used twice")
            )
        seen_names.add(found.hostname)
        seen_sockets.add((found.address, found.port))
        specs.append(found)
    if problems:
        raise ConfigError(problems)
    return specs


def _parse_device(
    raw: Any, index: int, environ: Mapping[str, str], file: str
) -> SwitchSpec | list[Problem]:
    where = f"devices[{index}]"
    if not isinstance(raw, dict):
        return [Problem(file, None, where, "must be an object")]
    label = str(raw.get("hostname", f"device {index}"))
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(file, None, f"{where}.{key}", f"{label}: {message}"))

    for key in raw:
        if key not in _REQUIRED + _OPTIONAL:
            bad(key, "unknown field")
    for key in _REQUIRED:
        if key not in raw:
            bad(key, "missing")
    if problems:
        return problems

    hostname, address, port = raw["hostname"], raw["address"], raw["port"]
    if not isinstance(hostname, str) or not _HOSTNAME_RE.match(hostname):
        bad("hostname", "must be letters, digits, '-' or '_', starting with a letter")
    try:
        ipaddress.IPv4Address(address)
    except (ipaddress.AddressValueError, TypeError):
        bad("address", "must be an IPv4 address")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        bad("port", "must be an integer 1..65535")
    if not isinstance(raw["username"], str) or not raw["username"]:
        bad("username", "must be a non-empty string")
    env_name = raw["password_env"]
    password = ""
    if not isinstance(env_name, str) or not _ENV_RE.match(env_name):
        bad("password_env", "must be an environment variable name")
    else:
        password = environ.get(env_name, "")
        if not password:
            bad("password_env", f"environment variable {env_name} is not set or empty")

    model = raw.get("model", "")
    if model and model not in MODELS:
        bad("model", f"unknown model {model!r}; known: {', '.join(sorted(MODELS))}")
    if not model:
        model = _default_model(str(hostname))
    for key in ("serial", "domain"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            bad(key, "must be a non-empty string")
    for key in ("hang_after_login", "truncate_config"):
        if key in raw and not isinstance(raw[key], bool):
            bad(key, "must be true or false")
    cpu = raw.get("cpu_percent")
    if cpu is not None and (
        not isinstance(cpu, int) or isinstance(cpu, bool) or not 0 <= cpu <= 100
    ):
        bad("cpu_percent", "must be an integer 0..100")
    temperature = raw.get("temperature_status", "ok")
    if temperature not in ("ok", "critical"):
        bad("temperature_status", "must be 'ok' or 'critical'")
    errors = _parse_interface_errors(raw.get("interface_errors", {}), model, bad)
    if problems:
        return problems
    return SwitchSpec(
        hostname=hostname,
        address=address,
        port=port,
        username=raw["username"],
        password=password,
        model=model,
        serial=raw.get("serial", ""),
        domain=raw.get("domain", "sigap.lab"),
        hang_after_login=raw.get("hang_after_login", False),
        truncate_config=raw.get("truncate_config", False),
        cpu_percent=cpu,
        temperature_status=temperature,
        interface_errors=errors,
    )


def _parse_interface_errors(value: Any, model: str, bad: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        bad("interface_errors", "must be an object of interface name -> error count")
        return {}
    known = MODELS[model].port_names if model in MODELS else []
    result: dict[str, int] = {}
    for name, count in value.items():
        full = expand_interface_name(str(name))
        if full not in known:
            bad(f"interface_errors.{name}", f"no interface {name!r} on {model}")
        elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
            bad(f"interface_errors.{name}", "must be an integer >= 0")
        else:
            result[full] = count
    return result


def _default_model(hostname: str) -> str:
    """Model chosen from the hostname, stable across runs.

    Examples:
        >>> _default_model("sw01") in MODELS
        True
    """
    names = sorted(MODELS)
    return names[stable_int(hostname, "model") % len(names)]
