"""Cisco IOS / IOS-XE switches and routers, read through NAPALM's ``ios`` driver.

What comes from where:

* facts: ``get_facts``; ``show inventory`` (TextFSM) fills the chassis serial
  and model when ``get_facts`` has none. ``os_version`` is the ``Version ...``
  part of NAPALM's long ``os_version`` string (e.g. ``15.2(2)E9``).
* health: ``get_environment`` (CPU, memory, temperature, fans, power),
  ``get_interfaces`` (admin/oper state, speed), ``get_interfaces_counters``
  (errors, discards) and ``show interfaces`` (TextFSM) for the CRC counter that
  NAPALM's counters lack. The ios driver reports memory as ``used_ram`` and
  ``available_ram`` where ``available_ram`` is the pool *total*.
* config: ``get_config`` (running and startup).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sop.device import (
    Configs,
    DeviceData,
    Environment,
    EnvItem,
    Facts,
    Health,
    InterfaceHealth,
    Memory,
)
from sop.platforms._capture import (
    Fields,
    Missing,
    as_float,
    as_int,
    command_text,
    getter_result,
    run_textfsm,
)
from sop.platforms.base import Captures, ParseError, Platform

NAME = "cisco_ios"
SHOW_INVENTORY = "show inventory"
SHOW_INTERFACES = "show interfaces"
GETTERS = (
    "get_facts",
    "get_interfaces",
    "get_interfaces_counters",
    "get_environment",
    "get_config",
)
COMMANDS = (SHOW_INVENTORY, SHOW_INTERFACES)

_VERSION_RE = re.compile(r"\bVersion\s+([^,\s]+)")
#: Key NAPALM's ios driver uses for an environment item it could not read.
_INVALID = "invalid"


def short_version(os_version: str) -> str:
    """Return the ``Version`` part of an IOS version banner, or the text itself.

    Args:
        os_version: NAPALM's ``os_version``.

    Returns:
        E.g. ``15.2(2)E9``.

    Examples:
        >>> short_version("C2960 Software (C2960-LANBASEK9-M), Version 15.2(2)E9, RELEASE")
        '15.2(2)E9'
        >>> short_version("16.9.3")
        '16.9.3'
    """
    match = _VERSION_RE.search(os_version)
    return match.group(1) if match else os_version.strip()


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ParseError(f"{what}: expected text, got {value!r}")
    return value.strip()


def _chassis(captures: Captures) -> dict[str, str] | Missing:
    """First ``show inventory`` entry (the chassis): PID and SN."""
    text = command_text(captures, SHOW_INVENTORY)
    if isinstance(text, Missing):
        return text
    rows = run_textfsm(NAME, SHOW_INVENTORY, text, template=captures.templates.get(SHOW_INVENTORY))
    if not rows:
        if text.strip():
            raise ParseError(f"`{SHOW_INVENTORY}`: no inventory entry in the output")
        return Missing(f"`{SHOW_INVENTORY}` returned nothing")
    return {"pid": str(rows[0].get("pid", "")).strip(), "sn": str(rows[0].get("sn", "")).strip()}


def _facts(captures: Captures) -> Facts:
    fields = Fields()
    facts = getter_result(captures, "get_facts")
    if isinstance(facts, Missing):
        for name in ("hostname", "vendor", "os_version", "uptime_seconds", "interfaces"):
            fields.put(name, facts)
        facts = {}
    else:
        try:
            fields.put("hostname", _text(facts["hostname"], "get_facts hostname") or None)
            fields.put("vendor", _text(facts["vendor"], "get_facts vendor") or None)
            version = _text(facts["os_version"], "get_facts os_version")
            fields.put("os_version", short_version(version) if version else None)
            uptime = as_int(facts["uptime"], "get_facts uptime")
            fields.put(
                "uptime_seconds",
                uptime if uptime >= 0 else None,
                "the device did not report its uptime",
            )
            names = facts["interface_list"]
        except KeyError as exc:
            raise ParseError(f"NAPALM get_facts: no {exc.args[0]!r} in the result") from exc
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ParseError("NAPALM get_facts: interface_list is not a list of names")
        fields.put("interfaces", list(names))
    serial = str(facts.get("serial_number") or "").strip()
    model = str(facts.get("model") or "").strip()
    if not serial or not model:
        chassis = _chassis(captures)
        if isinstance(chassis, Missing):
            reason = Missing(f"get_facts has none and {chassis.reason}")
        else:
            serial = serial or chassis["sn"]
            model = model or chassis["pid"]
            reason = Missing(f"neither get_facts nor `{SHOW_INVENTORY}` shows it")
        fields.put("serial", serial or reason)
        fields.put("model", model or reason)
    else:
        fields.put("serial", serial)
        fields.put("model", model)
    return fields.build(Facts)


def _items(section: object, what: str, kind: str) -> list[EnvItem] | Missing:
    if not isinstance(section, Mapping):
        return Missing(f"get_environment has no {what}")
    if not section or set(section) == {_INVALID}:
        return Missing(f"NAPALM's ios driver could not read the {what} on this device")
    items: list[EnvItem] = []
    for name, data in section.items():
        if name == _INVALID or not isinstance(data, Mapping):
            continue
        value: float | None
        if kind == "temperature":
            value = as_float(data.get("temperature"), f"temperature {name}")
            bad = bool(data.get("is_alert")) or bool(data.get("is_critical"))
            items.append(EnvItem(name=str(name), state="not_ok" if bad else "ok", value=value))
        else:
            ok = bool(data.get("status"))
            output = data.get("output")
            value = float(output) if isinstance(output, int | float) and output >= 0 else None
            items.append(EnvItem(name=str(name), state="ok" if ok else "not_ok", value=value))
    return items


def _environment(env: Mapping[str, Any]) -> Environment:
    fields = Fields()
    fields.put("temperature", _items(env.get("temperature"), "temperature sensors", "temperature"))
    fields.put("fans", _items(env.get("fans"), "fans", "fans"))
    fields.put("power", _items(env.get("power"), "power supplies", "power"))
    return fields.build(Environment)


def _cpu(env: Mapping[str, Any]) -> float | Missing:
    cpus = env.get("cpu")
    if not isinstance(cpus, Mapping) or not cpus:
        return Missing("get_environment has no CPU usage")
    usages = [as_float(c.get("%usage"), "cpu %usage") for c in cpus.values()]
    return round(sum(usages) / len(usages), 1)


def _memory(env: Mapping[str, Any]) -> Memory | Missing:
    mem = env.get("memory")
    if not isinstance(mem, Mapping):
        return Missing("get_environment has no memory figures")
    used = as_int(mem.get("used_ram"), "memory used_ram")
    total = as_int(mem.get("available_ram"), "memory available_ram")
    if total <= 0 or used < 0 or used > total:
        return Missing(f"the device reported unusable memory figures (used {used}, total {total})")
    return Memory(used_bytes=used, total_bytes=total)


def _crc_by_interface(captures: Captures) -> dict[str, int] | Missing:
    text = command_text(captures, SHOW_INTERFACES)
    if isinstance(text, Missing):
        return text
    rows = run_textfsm(
        NAME,
        SHOW_INTERFACES,
        text,
        fields=("interface", "crc"),
        template=captures.templates.get(SHOW_INTERFACES),
    )
    if not rows and text.strip():
        raise ParseError(f"`{SHOW_INTERFACES}`: no interface found in the output")
    return {
        str(row["interface"]): int(row["crc"]) for row in rows if str(row.get("crc", "")).isdigit()
    }


def _counter(counters: Mapping[str, Any] | None, key: str, why: str) -> int | Missing:
    if counters is None:
        return Missing(why)
    value = counters.get(key)
    if value is None:
        return Missing(f"get_interfaces_counters has no {key}")
    number = as_int(value, f"counter {key}")
    return number if number >= 0 else Missing(f"the device does not count {key}")


def _interfaces(captures: Captures, names: list[str] | None) -> list[InterfaceHealth] | Missing:
    status = getter_result(captures, "get_interfaces")
    counters = getter_result(captures, "get_interfaces_counters")
    crc = _crc_by_interface(captures)
    if names is None:
        if isinstance(status, Missing):
            return Missing(
                f"no interface list: get_facts and get_interfaces missing ({status.reason})"
            )
        names = list(status)
    result: list[InterfaceHealth] = []
    for name in names:
        fields = Fields(values={"name": name})
        if isinstance(status, Missing):
            for key in ("admin_up", "oper_up", "speed_mbps"):
                fields.put(key, status)
        elif not isinstance(status.get(name), Mapping):
            for key in ("admin_up", "oper_up", "speed_mbps"):
                fields.put(key, Missing(f"{name} is not in get_interfaces"))
        else:
            data = status[name]
            fields.put("admin_up", bool(data.get("is_enabled")))
            fields.put("oper_up", bool(data.get("is_up")))
            speed = as_float(data.get("speed", -1), f"{name} speed")
            fields.put("speed_mbps", speed if speed > 0 else None, "the device reports no speed")
        if isinstance(counters, Missing):
            own: Mapping[str, Any] | None = None
            why = counters.reason
        else:
            own = counters.get(name) if isinstance(counters.get(name), Mapping) else None
            why = f"{name} is not in get_interfaces_counters"
        fields.put("input_errors", _counter(own, "rx_errors", why))
        fields.put("output_errors", _counter(own, "tx_errors", why))
        fields.put("input_discards", _counter(own, "rx_discards", why))
        fields.put("output_discards", _counter(own, "tx_discards", why))
        if isinstance(crc, Missing):
            fields.put("crc_errors", crc)
        else:
            fields.put(
                "crc_errors",
                crc.get(name),
                f"`{SHOW_INTERFACES}` shows no CRC counter for {name}",
            )
        result.append(fields.build(InterfaceHealth))
    return result


def _health(captures: Captures, names: list[str] | None) -> Health:
    fields = Fields()
    env = getter_result(captures, "get_environment")
    if isinstance(env, Missing):
        for name in ("cpu_percent", "memory", "environment"):
            fields.put(name, env)
    else:
        fields.put("cpu_percent", _cpu(env))
        fields.put("memory", _memory(env))
        fields.put("environment", _environment(env))
    fields.put("interfaces", _interfaces(captures, names))
    fields.put("server", Missing("server health applies to servers only"))
    return fields.build(Health)


def _configs(captures: Captures) -> Configs:
    fields = Fields()
    config = getter_result(captures, "get_config")
    if isinstance(config, Missing):
        fields.put("running", config)
        fields.put("startup", config)
        return fields.build(Configs)
    for name in ("running", "startup"):
        text = config.get(name)
        if text is not None and not isinstance(text, str):
            raise ParseError(f"NAPALM get_config: {name} is not text")
        fields.put(name, text or None, f"the device returned an empty {name}-config")
    return fields.build(Configs)


def parse(captures: Captures) -> DeviceData:
    """Turn NAPALM getter results and CLI outputs of an IOS device into the contract.

    Args:
        captures: Getter results, raw outputs of :data:`COMMANDS` and their templates.

    Returns:
        The device data; what could not be read is ``None`` with a reason.

    Raises:
        ParseError: If a capture is there but cannot be read.

    Examples:
        >>> data = parse(Captures(getters={"get_facts": {
        ...     "hostname": "sw01", "vendor": "Cisco", "model": "WS-C2960X-24TS-L",
        ...     "serial_number": "FOC1", "os_version": "C2960X Software, Version 15.2(7)E4",
        ...     "uptime": 60.0, "interface_list": ["Gi1/0/1"], "fqdn": "sw01"}}))
        >>> data.facts.os_version, data.health.interfaces[0].admin_up
        ('15.2(7)E4', None)
        >>> data.health.interfaces[0].missing["admin_up"]
        'NAPALM get_interfaces was not captured'
    """
    facts = _facts(captures)
    return DeviceData(
        facts=facts,
        health=_health(captures, facts.interfaces),
        config=_configs(captures),
    )


PLATFORM = Platform(
    name=NAME,
    transport="napalm",
    netmiko_device_type="cisco_ios",
    napalm_driver="ios",
    getters=GETTERS,
    commands=COMMANDS,
    parse=parse,
    textfsm_commands=COMMANDS,
)
