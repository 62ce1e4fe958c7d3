"""FRRouting software routers, read through ``vtysh`` over SSH (Netmiko ``cisco_ios``).

JSON output is used where FRR offers it (``show interface json``). What FRR
cannot say is ``None`` with a reason:

* ``vendor`` is ``FRRouting``; a software router has no hardware ``model`` or
  chassis ``serial``.
* vtysh shows no system uptime, CPU or memory of the host (``show memory`` is
  the daemons' own heap), no sensors and, on Linux, no interface error
  counters: collect the host itself as a ``linux`` device for those.
* ``startup``: FRR keeps its saved configuration in files on the host; vtysh
  has no startup-config view.

The running config is ``show running-config`` without vtysh's two header lines
(``Building configuration...``, ``Current configuration:``); it ends with
``end`` like IOS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from sop.device import Configs, DeviceData, Facts, Health, InterfaceHealth
from sop.platforms._capture import Fields, Missing, as_float, command_text
from sop.platforms.base import Captures, ParseError, Platform

NAME = "frr"
SHOW_VERSION = "show version"
SHOW_RUNNING = "show running-config"
SHOW_INTERFACES = "show interface json"
COMMANDS = (SHOW_VERSION, SHOW_RUNNING, SHOW_INTERFACES)

_VERSION_RE = re.compile(r"^FRRouting\s+(\S+)\s+\(([^)]*)\)")
_HOSTNAME_RE = re.compile(r"^hostname\s+(\S+)\s*$", re.MULTILINE)
_HEADER_LINES = ("Building configuration...", "Current configuration:")
_NO_COUNTERS = "FRR does not report interface error counters; collect the host as `linux`"


def version_line(text: str) -> tuple[str, str]:
    r"""Return FRR's version and the hostname from ``show version``.

    Args:
        text: Output of ``show version``.

    Returns:
        ``(version, hostname)``.

    Raises:
        ParseError: If the first line is not FRR's banner.

    Examples:
        >>> version_line("FRRouting 8.4.4 (r01) on Linux(6.1.0).\nCopyright ...")
        ('8.4.4', 'r01')
    """
    for line in text.splitlines():
        if line.strip():
            match = _VERSION_RE.match(line.strip())
            if match is None:
                break
            return match.group(1), match.group(2)
    raise ParseError(f"`{SHOW_VERSION}`: no `FRRouting <version> (<host>)` line")


def running_config(text: str) -> str:
    r"""Return the running config without vtysh's header lines.

    Args:
        text: Output of ``show running-config``.

    Returns:
        The configuration text.

    Examples:
        >>> running_config("Building configuration...\n\nCurrent configuration:\n!\nend\n")
        '!\nend\n'
    """
    lines = text.splitlines(keepends=True)
    while lines and (not lines[0].strip() or lines[0].strip() in _HEADER_LINES):
        lines.pop(0)
    return "".join(lines)


def _interfaces(captures: Captures) -> list[InterfaceHealth] | Missing:
    text = command_text(captures, SHOW_INTERFACES)
    if isinstance(text, Missing):
        return text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"`{SHOW_INTERFACES}`: not JSON ({exc.msg})") from exc
    if not isinstance(data, Mapping) or not all(isinstance(v, Mapping) for v in data.values()):
        raise ParseError(f"`{SHOW_INTERFACES}`: expected an object of interfaces")
    result: list[InterfaceHealth] = []
    for name, item in data.items():
        if "administrativeStatus" not in item:
            raise ParseError(f"`{SHOW_INTERFACES}`: {name} has no administrativeStatus")
        fields = Fields(values={"name": str(name)})
        fields.put("admin_up", item["administrativeStatus"] == "up")
        fields.put("oper_up", item.get("operationalStatus") == "up")
        speed = as_float(item.get("speed", 0), f"{name} speed")
        fields.put("speed_mbps", speed if speed > 0 else None, "FRR reports no speed for it")
        for key in (
            "input_errors",
            "output_errors",
            "crc_errors",
            "input_discards",
            "output_discards",
        ):
            fields.put(key, Missing(_NO_COUNTERS))
        result.append(fields.build(InterfaceHealth))
    return result


def parse(captures: Captures) -> DeviceData:
    """Turn vtysh outputs of :data:`COMMANDS` into the device contract.

    Args:
        captures: Raw outputs by command.

    Returns:
        The device data; what FRR cannot tell is ``None`` with a reason.

    Raises:
        ParseError: If an output is there but not FRR's format.

    Examples:
        >>> data = parse(Captures(commands={SHOW_VERSION: "FRRouting 9.1 (r01) on Linux(6.1)."}))
        >>> data.facts.vendor, data.facts.os_version, data.facts.hostname
        ('FRRouting', '9.1', 'r01')
    """
    version_text = command_text(captures, SHOW_VERSION)
    running_text = command_text(captures, SHOW_RUNNING)
    running = None if isinstance(running_text, Missing) else running_config(running_text)
    interfaces = _interfaces(captures)

    facts = Fields()
    hostname: str | Missing = Missing("neither `show running-config` nor `show version` was read")
    if running is not None and (match := _HOSTNAME_RE.search(running)):
        hostname = match.group(1)
    if isinstance(version_text, Missing):
        facts.put("os_version", version_text)
    else:
        version, banner_host = version_line(version_text)
        facts.put("os_version", version)
        if isinstance(hostname, Missing):
            hostname = banner_host
    facts.put("hostname", hostname)
    facts.put("vendor", "FRRouting")
    facts.put("model", Missing("FRR is a software router: no hardware model"))
    facts.put("serial", Missing("FRR is a software router: no chassis serial"))
    facts.put(
        "uptime_seconds", Missing("vtysh shows no system uptime; collect the host as `linux`")
    )
    facts.put(
        "interfaces",
        interfaces if isinstance(interfaces, Missing) else [i.name for i in interfaces],
    )

    health = Fields()
    health.put("cpu_percent", Missing("vtysh shows no host CPU load; collect the host as `linux`"))
    health.put(
        "memory",
        Missing("vtysh shows only the FRR daemons' heap, not the host's memory"),
    )
    health.put("environment", Missing("FRR has no sensors"))
    health.put("interfaces", interfaces)
    health.put("server", Missing("server health applies to servers only"))

    config = Fields()
    if running is None:
        config.put("running", running_text)
    else:
        config.put("running", running or None, f"`{SHOW_RUNNING}` returned no configuration")
    config.put("startup", Missing("FRR keeps its saved config in files; vtysh has no startup view"))
    return DeviceData(
        facts=facts.build(Facts), health=health.build(Health), config=config.build(Configs)
    )


PLATFORM = Platform(
    name=NAME,
    transport="netmiko",
    netmiko_device_type="cisco_ios",
    napalm_driver=None,
    getters=(),
    commands=COMMANDS,
    parse=parse,
)
