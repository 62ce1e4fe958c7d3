"""MikroTik RouterOS routers, read over SSH (Netmiko ``mikrotik_routeros``).

Every ``print`` is parsed with its ntc-templates TextFSM template:
``/system identity print`` (hostname), ``/system resource print`` (version,
uptime, CPU load, memory, board name), ``/system routerboard print`` (model,
serial) and ``/interface print detail without-paging`` (names, disabled and
running flags). ``/export`` is the running configuration, kept as text.

What is ``None`` and why:

* ``startup``: RouterOS has no startup configuration; what runs is saved.
* ``serial``/``model`` on CHR and x86 installs, which have no RouterBOARD
  (``routerboard: no`` or the command is refused): ``model`` then falls back
  to the resource ``board-name``.
* Interface error counters and speed, and the environment (``/system health``):
  not collected yet; their print formats differ per RouterOS version and no
  recorded output was available to validate a parser against.
* ``/export`` has no closing marker (it just stops after the last command);
  :func:`sop.configs.is_truncated` catches the cuts it can (no header, a last
  line ending in a backslash or an open quote), not a cut exactly at a line end.
"""

from __future__ import annotations

import re

from sop.device import Configs, DeviceData, Facts, Health, InterfaceHealth, Memory
from sop.platforms._capture import Fields, Missing, as_int, command_text, run_textfsm
from sop.platforms.base import Captures, ParseError, Platform

NAME = "mikrotik_routeros"
IDENTITY = "/system identity print"
RESOURCE = "/system resource print"
ROUTERBOARD = "/system routerboard print"
INTERFACES = "/interface print detail without-paging"
EXPORT = "/export"
COMMANDS = (IDENTITY, RESOURCE, ROUTERBOARD, INTERFACES, EXPORT)
#: The commands read with their ntc-templates TextFSM template (all but ``/export``).
TEXTFSM_COMMANDS = (IDENTITY, RESOURCE, ROUTERBOARD, INTERFACES)

_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)$")
_UNIT = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}
_DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_NOT_COLLECTED = "not collected for RouterOS yet (no recorded output to validate a parser against)"


def size_bytes(text: str) -> int:
    """Convert a RouterOS size such as ``40.2MiB`` to bytes (rounded down).

    Args:
        text: The size as RouterOS prints it.

    Returns:
        Bytes.

    Raises:
        ParseError: If the text is not a size.

    Examples:
        >>> size_bytes("64.0MiB")
        67108864
        >>> size_bytes("1196.0KiB")
        1224704
    """
    match = _SIZE_RE.match(text.strip())
    if match is None:
        raise ParseError(f"`{RESOURCE}`: {text!r} is not a size")
    return int(float(match.group(1)) * _UNIT[match.group(2)])


def duration_seconds(text: str) -> int:
    """Convert a RouterOS duration such as ``6w5d11h55m45s`` to seconds.

    Args:
        text: The duration as RouterOS prints it.

    Returns:
        Seconds.

    Raises:
        ParseError: If the text is not a duration.

    Examples:
        >>> duration_seconds("6w5d11h55m45s")
        4103745
        >>> duration_seconds("45s")
        45
    """
    match = _DURATION_RE.match(text.strip())
    if match is None or not any(match.groups()):
        raise ParseError(f"`{RESOURCE}`: uptime {text!r} is not a duration")
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds


def _one_record(captures: Captures, command: str) -> dict[str, str] | Missing:
    text = command_text(captures, command)
    if isinstance(text, Missing):
        return text
    rows = run_textfsm(NAME, command, text, template=captures.templates.get(command))
    if not rows:
        raise ParseError(f"`{command}`: no value in the output")
    return {k: v for k, v in rows[0].items() if isinstance(v, str)}


def _resource_fields(resource: dict[str, str] | Missing) -> dict[str, object]:
    if isinstance(resource, Missing):
        return dict.fromkeys(("os_version", "uptime", "cpu", "memory", "board"), resource)
    version = resource.get("version", "").split(" ")[0]
    cpu_load = resource.get("cpu_load", "").rstrip("%")
    values: dict[str, object] = {
        "os_version": version or Missing(f"`{RESOURCE}` shows no version"),
        "uptime": duration_seconds(resource["uptime"])
        if resource.get("uptime")
        else Missing(f"`{RESOURCE}` shows no uptime"),
        "cpu": float(as_int(cpu_load, "cpu-load"))
        if cpu_load
        else Missing(f"`{RESOURCE}` shows no cpu-load"),
        "board": resource.get("board_name", "").strip() or None,
    }
    free, total = resource.get("free_memory", ""), resource.get("total_memory", "")
    if free and total:
        total_b = size_bytes(total)
        values["memory"] = Memory(
            used_bytes=max(total_b - size_bytes(free), 0), total_bytes=total_b
        )
    else:
        values["memory"] = Missing(f"`{RESOURCE}` shows no free/total memory")
    return values


def _interfaces(captures: Captures) -> list[InterfaceHealth] | Missing:
    text = command_text(captures, INTERFACES)
    if isinstance(text, Missing):
        return text
    rows = run_textfsm(NAME, INTERFACES, text, template=captures.templates.get(INTERFACES))
    if not rows and text.strip():
        raise ParseError(f"`{INTERFACES}`: no interface in the output")
    result: list[InterfaceHealth] = []
    for row in rows:
        flags = str(row.get("status", ""))
        fields = Fields(values={"name": str(row["name"])})
        fields.put("admin_up", flags != "X")
        fields.put("oper_up", flags == "R")
        fields.put("speed_mbps", Missing(f"speed {_NOT_COLLECTED}"))
        for key in (
            "input_errors",
            "output_errors",
            "crc_errors",
            "input_discards",
            "output_discards",
        ):
            fields.put(key, Missing(f"interface counters {_NOT_COLLECTED}"))
        result.append(fields.build(InterfaceHealth))
    return result


def _hardware(captures: Captures, board: str | None) -> tuple[object, object]:
    """Model and serial from ``/system routerboard print``."""
    text = command_text(captures, ROUTERBOARD)
    if isinstance(text, Missing):
        return (board or text), text
    if re.search(r"^\s*routerboard:\s+no\s*$", text, re.MULTILINE):
        no_board = Missing("not a RouterBOARD (CHR or x86): no chassis serial")
        return (board or no_board), no_board
    rows = run_textfsm(NAME, ROUTERBOARD, text, template=captures.templates.get(ROUTERBOARD))
    row = rows[0] if rows else {}
    model = str(row.get("hardware_model", "")).strip() or board
    serial = str(row.get("serial_number", "")).strip()
    return (
        model or Missing(f"`{ROUTERBOARD}` shows no model"),
        serial or Missing(f"`{ROUTERBOARD}` shows no serial-number"),
    )


def parse(captures: Captures) -> DeviceData:
    r"""Turn RouterOS outputs of :data:`COMMANDS` into the device contract.

    Args:
        captures: Raw outputs by command, and the templates of :data:`TEXTFSM_COMMANDS`.

    Returns:
        The device data; what could not be read is ``None`` with a reason.

    Raises:
        ParseError: If an output is there but its template rejects it.

    Examples:
        >>> identity = "Value NAME (\\S+)\n\nStart\n  ^\\s*name:\\s+${NAME}\\s*$$ -> Record\n"
        >>> data = parse(Captures(commands={IDENTITY: "  name: gw-kantor",
        ...     ROUTERBOARD: "bad command name routerboard (line 1 column 9)"},
        ...     templates={IDENTITY: identity}))
        >>> data.facts.hostname, data.facts.serial
        ('gw-kantor', None)
        >>> data.config.missing["startup"]
        'RouterOS has no startup configuration (what runs is what is saved)'
    """
    identity = _one_record(captures, IDENTITY)
    resource = _resource_fields(_one_record(captures, RESOURCE))
    board = resource["board"] if isinstance(resource["board"], str) else None
    model, serial = _hardware(captures, board)
    interfaces = _interfaces(captures)

    facts = Fields()
    facts.put(
        "hostname",
        identity if isinstance(identity, Missing) else identity.get("name") or None,
        f"`{IDENTITY}` shows no name",
    )
    facts.put("vendor", "MikroTik")
    facts.put("model", model)
    facts.put("serial", serial)
    facts.put("os_version", resource["os_version"])
    facts.put("uptime_seconds", resource["uptime"])
    facts.put(
        "interfaces",
        interfaces if isinstance(interfaces, Missing) else [i.name for i in interfaces],
    )

    health = Fields()
    health.put("cpu_percent", resource["cpu"])
    health.put("memory", resource["memory"])
    health.put("environment", Missing(f"/system health {_NOT_COLLECTED}"))
    health.put("interfaces", interfaces)
    health.put("server", Missing("server health applies to servers only"))

    config = Fields()
    export = command_text(captures, EXPORT)
    config.put(
        "running",
        export if isinstance(export, Missing) else export or None,
        f"`{EXPORT}` returned nothing",
    )
    config.put(
        "startup", Missing("RouterOS has no startup configuration (what runs is what is saved)")
    )
    return DeviceData(
        facts=facts.build(Facts), health=health.build(Health), config=config.build(Configs)
    )


PLATFORM = Platform(
    name=NAME,
    transport="netmiko",
    netmiko_device_type="mikrotik_routeros",
    napalm_driver=None,
    getters=(),
    commands=COMMANDS,
    parse=parse,
    textfsm_commands=TEXTFSM_COMMANDS,
)
