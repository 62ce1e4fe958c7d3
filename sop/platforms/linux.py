"""Linux servers, read over an SSH shell (Netmiko ``linux``) with cheap commands only.

Every command is a read of ``/proc``, ``/sys`` or a status tool; none needs
root. A command that fails on the host (not installed, no systemd, permission
denied) makes only its own fields ``None`` with the device's message as the
reason; output that is there but unreadable raises
:class:`~sop.platforms.base.ParseError`.

Decisions:

* CPU percent is ``100 - idle`` of the *second* ``vmstat 1 2`` sample (the
  first one is the average since boot).
* Memory used is ``MemTotal - MemAvailable``.
* ``df`` skips tmpfs, devtmpfs and squashfs but keeps overlay: a container's
  ``/`` is an overlay.
* ``vendor`` and ``model`` are the DMI ``sys_vendor`` and ``product_name``;
  ``serial`` is DMI ``product_serial``, readable by root only, so it is
  usually ``None`` with the permission message as reason.
* ``reboot_required`` is Debian/Ubuntu's ``/var/run/reboot-required`` flag.
* A server has no configuration to back up: ``config`` is all ``None``.
* The security reads (SOP E) are unprivileged too: the SSH server settings come
  from ``sshd -T`` when the login may run it (root), else from the config files
  in Debian's order (``sshd_config.d/*.conf`` first: Debian's ``sshd_config``
  includes them at its top and the first value of a keyword wins); failed SSH
  logins are counted in ``/var/log/auth.log`` (readable by the ``adm`` group);
  pending security updates are counted from an ``apt-get -s upgrade``
  simulation (no root, no download) where apt exists, computed again only when
  apt's package lists or dpkg's status changed (the count is cached in the
  login's ``~/.cache``).
"""

from __future__ import annotations

import re

from sop.device import (
    Configs,
    DeviceData,
    DiskUse,
    Facts,
    Health,
    InterfaceHealth,
    ListenSocket,
    Memory,
    ServerHealth,
)
from sop.platforms._capture import (
    Fields,
    Missing,
    as_float,
    as_int,
    command_text,
    strip_ansi,
)
from sop.platforms.base import Captures, ParseError, Platform

NAME = "linux"

HOSTNAME = "hostname"
OS_RELEASE = "cat /etc/os-release"
KERNEL = "uname -r"
UPTIME = "cat /proc/uptime"
LOADAVG = "cat /proc/loadavg"
VMSTAT = "vmstat 1 2"
MEMINFO = "cat /proc/meminfo"
DF = "df -P -B1 -x tmpfs -x devtmpfs -x squashfs"
FAILED_UNITS = "systemctl --failed --plain --no-legend --no-pager"
REBOOT_REQUIRED = "test -f /var/run/reboot-required && echo yes || echo no"
TIME_SYNCED = "timedatectl show -p NTPSynchronized --value"
DMI_VENDOR = "cat /sys/class/dmi/id/sys_vendor"
DMI_PRODUCT = "cat /sys/class/dmi/id/product_name"
DMI_SERIAL = "cat /sys/class/dmi/id/product_serial"
NET_DEV = "cat /proc/net/dev"
IP_LINK = "ip -o link"
SPEEDS = "grep -H . /sys/class/net/*/speed"
SSHD_SETTINGS = (
    "/usr/sbin/sshd -T 2>/dev/null || "
    "cat /etc/ssh/sshd_config.d/*.conf /etc/ssh/sshd_config 2>/dev/null"
)
FAILED_LOGINS = "grep -c -E 'Failed password|Invalid user' /var/log/auth.log"
LISTENING = "ss -H -ltn"
SECURITY_UPDATES = (
    "c=${XDG_CACHE_HOME:-$HOME/.cache}/sigap-security-updates; "
    "if ! command -v apt-get >/dev/null; then echo 'apt-get: not found'; "
    'elif [ "$c" -nt /var/lib/apt/lists ] && [ "$c" -nt /var/lib/dpkg/status ]; then cat "$c"; '
    "else n=$(apt-get -s upgrade 2>/dev/null | grep -c '^Inst .*security'); echo $n; "
    'mkdir -p "${c%/*}" 2>/dev/null && echo $n > "$c.$$" && mv -f "$c.$$" "$c"; fi'
)
"""Pending security updates from an ``apt-get -s upgrade`` simulation. The resolver
costs seconds of CPU, so the count is kept in the login's cache and computed again
only when the package lists or the installed packages changed since."""

COMMANDS = (
    HOSTNAME,
    OS_RELEASE,
    KERNEL,
    UPTIME,
    LOADAVG,
    VMSTAT,
    MEMINFO,
    DF,
    FAILED_UNITS,
    REBOOT_REQUIRED,
    TIME_SYNCED,
    DMI_VENDOR,
    DMI_PRODUCT,
    DMI_SERIAL,
    NET_DEV,
    IP_LINK,
    SPEEDS,
    SSHD_SETTINGS,
    FAILED_LOGINS,
    LISTENING,
    SECURITY_UPDATES,
)

_IP_LINK_RE = re.compile(r"^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>.*?\bstate\s+(\S+)")
_SPEED_RE = re.compile(r"^/sys/class/net/([^/]+)/speed:(-?\d+)$")
#: sshd's built-in defaults of the settings SIGAP judges (OpenSSH >= 7.0).
SSHD_DEFAULTS: dict[str, str] = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
}
_NO_CRC = "Linux's /proc/net/dev has no separate CRC counter (CRC errors are in input_errors)"


def _single_line(captures: Captures, command: str) -> str | Missing:
    text = command_text(captures, command)
    if isinstance(text, Missing):
        return text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return Missing(f"`{command}` returned nothing")
    if len(lines) > 1:
        raise ParseError(f"`{command}`: expected one line, got {len(lines)}")
    return lines[0]


def os_release_name(text: str) -> str:
    r"""Return ``PRETTY_NAME`` (or ``NAME VERSION``) of an os-release file.

    Args:
        text: Content of ``/etc/os-release``.

    Returns:
        E.g. ``Debian GNU/Linux 12 (bookworm)``.

    Raises:
        ParseError: If neither is present.

    Examples:
        >>> os_release_name('NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n')
        'Ubuntu 22.04.4 LTS'
    """
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep:
            values[key] = value.strip().strip("\"'")
    name = values.get("PRETTY_NAME") or " ".join(
        v for v in (values.get("NAME"), values.get("VERSION")) if v
    )
    if not name:
        raise ParseError(f"`{OS_RELEASE}`: no PRETTY_NAME or NAME")
    return name


def _os_version(captures: Captures) -> str | Missing:
    text = command_text(captures, OS_RELEASE)
    kernel = _single_line(captures, KERNEL)
    if isinstance(text, Missing):
        return text
    name = os_release_name(text)
    return name if isinstance(kernel, Missing) else f"{name}, kernel {kernel}"


def _uptime(captures: Captures) -> int | Missing:
    line = _single_line(captures, UPTIME)
    if isinstance(line, Missing):
        return line
    return as_int(line.split()[0], f"`{UPTIME}`")


def vmstat_cpu_percent(text: str) -> float:
    r"""Return the busy CPU percent (``100 - id``) of the last ``vmstat`` sample.

    Args:
        text: Output of ``vmstat 1 2``.

    Returns:
        Percent busy, 0 to 100.

    Raises:
        ParseError: If there is no header with ``id`` or no sample line.

    Examples:
        >>> vmstat_cpu_percent("procs ---cpu---\n r  b us sy id wa st\n"
        ...     " 1  0 22  7 70  1  0\n 0  0  3  2 95  0  0\n")
        5.0
    """
    lines = [line.split() for line in text.splitlines() if line.strip()]
    header = next((cols for cols in lines if "id" in cols and "us" in cols), None)
    if header is None:
        raise ParseError(f"`{VMSTAT}`: no header with an `id` column")
    samples = [cols for cols in lines if len(cols) == len(header) and cols[0].isdigit()]
    if not samples:
        raise ParseError(f"`{VMSTAT}`: no sample line")
    idle = as_float(samples[-1][header.index("id")], f"`{VMSTAT}` id")
    if not 0 <= idle <= 100:
        raise ParseError(f"`{VMSTAT}`: idle {idle} is not a percentage")
    return round(100.0 - idle, 1)


def meminfo_memory(text: str) -> Memory:
    r"""Return used and total memory from ``/proc/meminfo``.

    Args:
        text: Content of ``/proc/meminfo``.

    Returns:
        Used (``MemTotal - MemAvailable``) and total, in bytes.

    Raises:
        ParseError: If ``MemTotal`` or ``MemAvailable`` is missing.

    Examples:
        >>> meminfo_memory("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\n")
        Memory(used_bytes=768000, total_bytes=1024000)
    """
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if sep and parts and parts[0].isdigit():
            unit = 1024 if len(parts) > 1 and parts[1] == "kB" else 1
            values[key.strip()] = int(parts[0]) * unit
    try:
        total, available = values["MemTotal"], values["MemAvailable"]
    except KeyError as exc:
        raise ParseError(f"`{MEMINFO}`: no {exc.args[0]}") from exc
    return Memory(used_bytes=max(total - available, 0), total_bytes=total)


def df_disks(text: str) -> list[DiskUse]:
    r"""Return the filesystems of ``df -P -B1`` output.

    Args:
        text: Output with a header line and one line per filesystem.

    Returns:
        One entry per mount, in ``df`` order.

    Raises:
        ParseError: If the header or a line is not ``df -P`` format.

    Examples:
        >>> df_disks("Filesystem 1-blocks Used Available Capacity Mounted on\n"
        ...          "/dev/sda1 1000 900 100 90% /srv/data files\n")
        [DiskUse(mount='/srv/data files', size_bytes=1000, used_bytes=900)]
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("Filesystem"):
        raise ParseError(f"`{DF}`: no `Filesystem` header")
    disks: list[DiskUse] = []
    for line in lines[1:]:
        cols = line.split(None, 5)
        if len(cols) != 6 or not cols[1].isdigit() or not cols[2].isdigit():
            raise ParseError(f"`{DF}`: unreadable line {line!r}")
        disks.append(DiskUse(mount=cols[5], size_bytes=int(cols[1]), used_bytes=int(cols[2])))
    return disks


def _loads(captures: Captures) -> tuple[float, float, float] | Missing:
    line = _single_line(captures, LOADAVG)
    if isinstance(line, Missing):
        return line
    cols = line.split()
    if len(cols) < 3:
        raise ParseError(f"`{LOADAVG}`: expected three load averages, got {line!r}")
    return (
        as_float(cols[0], "load 1"),
        as_float(cols[1], "load 5"),
        as_float(cols[2], "load 15"),
    )


def _failed_units(captures: Captures) -> list[str] | Missing:
    text = command_text(captures, FAILED_UNITS)
    if isinstance(text, Missing):
        return text
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def _yes_no(captures: Captures, command: str, yes: str, no: str) -> bool | Missing:
    line = _single_line(captures, command)
    if isinstance(line, Missing):
        return line
    if line not in (yes, no):
        raise ParseError(f"`{command}`: expected {yes!r} or {no!r}, got {line!r}")
    return line == yes


def sshd_settings(text: str) -> dict[str, str]:
    r"""Return the effective global SSH server settings SIGAP judges.

    Reads ``sshd -T`` output or config files alike: keywords are case-insensitive,
    the first value of a keyword wins, ``Match`` blocks (conditional) are not
    global and end the reading. Keywords not set keep sshd's default
    (:data:`SSHD_DEFAULTS`).

    Args:
        text: ``sshd -T`` output, or the config files in the order sshd reads them.

    Returns:
        Lowercase keyword -> lowercase value, for the keywords of :data:`SSHD_DEFAULTS`.

    Raises:
        ParseError: If the text holds no setting line at all.

    Examples:
        >>> sshd_settings("# comment\nPermitRootLogin yes\nPermitRootLogin no\n"
        ...               "Match User x\n  PasswordAuthentication no\n")
        {'permitrootlogin': 'yes', 'passwordauthentication': 'yes'}
        >>> sshd_settings("passwordauthentication no\npermitrootlogin without-password\n")
        {'permitrootlogin': 'without-password', 'passwordauthentication': 'no'}
    """
    found: dict[str, str] = {}
    settings_seen = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.replace("=", " ", 1).split(None, 1)
        keyword = parts[0].lower()
        if not keyword.isalnum():
            raise ParseError(f"`{SSHD_SETTINGS}`: unreadable line {line[:80]!r}")
        settings_seen = True
        if keyword == "match":
            break
        if len(parts) == 2 and keyword not in found:
            found[keyword] = parts[1].strip().strip('"').lower()
    if not settings_seen:
        raise ParseError(f"`{SSHD_SETTINGS}`: no setting line")
    return {key: found.get(key, default) for key, default in SSHD_DEFAULTS.items()}


def listening_sockets(text: str) -> list[ListenSocket]:
    r"""Return the listening TCP sockets of ``ss -H -ltn`` output.

    Args:
        text: One line per socket: state, queues, local address:port, peer.

    Returns:
        Sockets in ``ss`` order, IPv6 addresses without brackets.

    Raises:
        ParseError: If a line is not in that form.

    Examples:
        >>> socks = listening_sockets("LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"
        ...     "LISTEN 0 511 [::1]:6379 [::]:*\nLISTEN 0 5 *:80 *:*\n")
        >>> [(s.address, s.port) for s in socks]
        [('0.0.0.0', 22), ('::1', 6379), ('*', 80)]
    """
    sockets: list[ListenSocket] = []
    for line in text.splitlines():
        cols = line.split()
        if not cols:
            continue
        if len(cols) < 5 or cols[0] != "LISTEN":
            raise ParseError(f"`{LISTENING}`: unreadable line {line.strip()[:80]!r}")
        address, sep, port = cols[3].rpartition(":")
        if not sep or not port.isdigit():
            raise ParseError(f"`{LISTENING}`: unreadable address {cols[3]!r}")
        address = address.strip("[]").split("%", 1)[0]
        sockets.append(ListenSocket(address=address, port=int(port)))
    return sockets


def _count(captures: Captures, command: str) -> int | Missing:
    line = _single_line(captures, command)
    if isinstance(line, Missing):
        return line
    return as_int(line, f"`{command}`")


def _server(captures: Captures) -> ServerHealth:
    fields = Fields()
    loads = _loads(captures)
    for i, name in enumerate(("load_1", "load_5", "load_15")):
        fields.put(name, loads if isinstance(loads, Missing) else loads[i])
    df = command_text(captures, DF)
    fields.put("disks", df if isinstance(df, Missing) else df_disks(df))
    fields.put("failed_units", _failed_units(captures))
    fields.put("reboot_required", _yes_no(captures, REBOOT_REQUIRED, "yes", "no"))
    fields.put("time_synced", _yes_no(captures, TIME_SYNCED, "yes", "no"))
    sshd = command_text(captures, SSHD_SETTINGS)
    if isinstance(sshd, str) and not sshd.strip():
        sshd = Missing("neither `sshd -T` nor the sshd config files could be read")
    fields.put("sshd", sshd if isinstance(sshd, Missing) else sshd_settings(sshd))
    fields.put("failed_logins", _count(captures, FAILED_LOGINS))
    listening = command_text(captures, LISTENING)
    fields.put(
        "listening", listening if isinstance(listening, Missing) else listening_sockets(listening)
    )
    fields.put("security_updates", _count(captures, SECURITY_UPDATES))
    return fields.build(ServerHealth)


def net_dev_counters(text: str) -> dict[str, dict[str, int]]:
    r"""Return the error and drop counters per interface from ``/proc/net/dev``.

    Args:
        text: Content of ``/proc/net/dev``.

    Returns:
        Interface name -> ``rx_errs``, ``rx_drop``, ``tx_errs``, ``tx_drop``.

    Raises:
        ParseError: If a line does not have the 16 counters.

    Examples:
        >>> net_dev_counters("Inter-| Receive | Transmit\n face |bytes packets errs drop\n"
        ...     "  eth0: 10 2 3 4 0 0 0 0 20 5 6 7 0 0 0 0\n")
        {'eth0': {'rx_errs': 3, 'rx_drop': 4, 'tx_errs': 6, 'tx_drop': 7}}
    """
    counters: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        if not sep or "|" in line:
            continue
        cols = rest.split()
        if len(cols) != 16 or not all(c.isdigit() for c in cols):
            raise ParseError(f"`{NET_DEV}`: unreadable line {line.strip()!r}")
        counters[name.strip()] = {
            "rx_errs": int(cols[2]),
            "rx_drop": int(cols[3]),
            "tx_errs": int(cols[10]),
            "tx_drop": int(cols[11]),
        }
    if not counters:
        raise ParseError(f"`{NET_DEV}`: no interface line")
    return counters


def ip_link_states(text: str) -> dict[str, tuple[bool, bool]]:
    r"""Return admin and operational state per interface from ``ip -o link``.

    Admin up is the ``UP`` flag. Oper up is ``state UP``, or ``state UNKNOWN``
    with ``LOWER_UP`` (loopback and some virtual links never report a state).

    Args:
        text: Output of ``ip -o link``.

    Returns:
        Interface name (without ``@peer``) -> ``(admin_up, oper_up)``, in order.

    Raises:
        ParseError: If no line is readable.

    Examples:
        >>> ip_link_states("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN mode\n"
        ...     "5: veth1@if4: <BROADCAST,UP> mtu 1500 state DOWN mode DEFAULT\n")
        {'lo': (True, True), 'veth1': (True, False)}
    """
    states: dict[str, tuple[bool, bool]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _IP_LINK_RE.match(line.strip())
        if match is None:
            raise ParseError(f"`{IP_LINK}`: unreadable line {line.strip()[:80]!r}")
        name, flags, state = match.group(1), match.group(2).split(","), match.group(3)
        oper = state == "UP" or (state == "UNKNOWN" and "LOWER_UP" in flags)
        states[name] = ("UP" in flags, oper)
    if not states:
        raise ParseError(f"`{IP_LINK}`: no interface line")
    return states


def link_speeds(text: str) -> dict[str, float]:
    r"""Return link speeds in Mbps from ``grep -H . /sys/class/net/*/speed``.

    Interfaces without a speed (down, virtual) print an error line or ``-1``
    and are left out.

    Args:
        text: The grep output.

    Returns:
        Interface name -> Mbps.

    Examples:
        >>> link_speeds("/sys/class/net/eth0/speed:1000\n"
        ...     "grep: /sys/class/net/lo/speed: Invalid argument\n/sys/class/net/eth1/speed:-1\n")
        {'eth0': 1000.0}
    """
    speeds: dict[str, float] = {}
    for line in text.splitlines():
        match = _SPEED_RE.match(line.strip())
        if match and int(match.group(2)) > 0:
            speeds[match.group(1)] = float(match.group(2))
    return speeds


def _interfaces(captures: Captures) -> tuple[list[str] | Missing, list[InterfaceHealth] | Missing]:
    link = command_text(captures, IP_LINK)
    dev = command_text(captures, NET_DEV)
    speeds_text = captures.commands.get(SPEEDS)
    states = link if isinstance(link, Missing) else ip_link_states(link)
    counters = dev if isinstance(dev, Missing) else net_dev_counters(dev)
    speeds = link_speeds(strip_ansi(speeds_text)) if isinstance(speeds_text, str) else None
    if not isinstance(states, Missing):
        names = list(states)
    elif not isinstance(counters, Missing):
        names = list(counters)
    else:
        return states, states
    result: list[InterfaceHealth] = []
    for name in names:
        fields = Fields(values={"name": name})
        if isinstance(states, Missing):
            fields.put("admin_up", states)
            fields.put("oper_up", states)
        else:
            fields.put("admin_up", states[name][0])
            fields.put("oper_up", states[name][1])
        if speeds is None:
            fields.put("speed_mbps", Missing(f"`{SPEEDS}` was not captured"))
        else:
            fields.put("speed_mbps", speeds.get(name), "the kernel reports no link speed")
        own = None if isinstance(counters, Missing) else counters.get(name)
        why = counters.reason if isinstance(counters, Missing) else f"{name} not in {NET_DEV}"
        for field_name, key in (
            ("input_errors", "rx_errs"),
            ("output_errors", "tx_errs"),
            ("input_discards", "rx_drop"),
            ("output_discards", "tx_drop"),
        ):
            fields.put(field_name, own[key] if own else Missing(why))
        fields.put("crc_errors", Missing(_NO_CRC))
        result.append(fields.build(InterfaceHealth))
    return names, result


def parse(captures: Captures) -> DeviceData:
    r"""Turn the raw outputs of :data:`COMMANDS` into the device contract.

    Args:
        captures: Raw outputs by command (no getters).

    Returns:
        The device data; what could not be read is ``None`` with a reason.

    Raises:
        ParseError: If an output is there but not in the expected format.

    Examples:
        >>> data = parse(Captures(commands={HOSTNAME: "web01\n",
        ...     DMI_SERIAL: "cat: /sys/class/dmi/id/product_serial: Permission denied"}))
        >>> data.facts.hostname, data.facts.serial
        ('web01', None)
        >>> data.facts.missing["serial"]
        '`cat /sys/class/dmi/id/product_serial` failed on the device: cat: ...: Permission denied'
    """
    names, interfaces = _interfaces(captures)
    facts = Fields()
    facts.put("hostname", _single_line(captures, HOSTNAME))
    facts.put("vendor", _single_line(captures, DMI_VENDOR))
    facts.put("model", _single_line(captures, DMI_PRODUCT))
    facts.put("serial", _single_line(captures, DMI_SERIAL))
    facts.put("os_version", _os_version(captures))
    facts.put("uptime_seconds", _uptime(captures))
    facts.put("interfaces", names)

    health = Fields()
    vmstat = command_text(captures, VMSTAT)
    health.put("cpu_percent", vmstat if isinstance(vmstat, Missing) else vmstat_cpu_percent(vmstat))
    meminfo = command_text(captures, MEMINFO)
    health.put("memory", meminfo if isinstance(meminfo, Missing) else meminfo_memory(meminfo))
    health.put(
        "environment",
        Missing("sensors are not read on Linux servers (no cheap, unprivileged source)"),
    )
    health.put("interfaces", interfaces)
    health.put("server", _server(captures))

    no_config = Missing("a Linux server has no device configuration to back up")
    config = Fields()
    config.put("running", no_config)
    config.put("startup", no_config)
    return DeviceData(
        facts=facts.build(Facts), health=health.build(Health), config=config.build(Configs)
    )


PLATFORM = Platform(
    name=NAME,
    transport="netmiko",
    netmiko_device_type="linux",
    napalm_driver=None,
    getters=(),
    commands=COMMANDS,
    parse=parse,
)
