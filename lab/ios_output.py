"""Text of the show commands of a simulated Cisco IOS 15 switch.

Pure functions from an :class:`~lab.ios_device.IosDevice`, the current
interface views and a time to the exact text a real Catalyst prints, in the
layout that the ntc-templates TextFSM templates for ``cisco_ios`` and NAPALM's
``ios`` driver parse. Each returns the lines without the trailing prompt.
"""

from __future__ import annotations

from lab.ios_device import IosDevice, PortView, colon_mac, ios_time
from lab.ios_models import short_interface_name, stable_int

_CRYPT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
NTP_SERVER = "10.20.0.1"
NAME_SERVERS = ("10.20.0.53", "10.20.0.54")
LOG_HOST = "10.20.0.10"


def format_uptime(seconds: float) -> str:
    """IOS uptime text; zero units are left out, minutes always shown.

    Examples:
        >>> format_uptime(3 * 7 * 86400 + 2 * 86400 + 4 * 3600 + 12 * 60 + 30)
        '3 weeks, 2 days, 4 hours, 12 minutes'
        >>> format_uptime(7 * 86400 + 60)
        '1 week, 1 minute'
        >>> format_uptime(400 * 86400)
        '1 year, 5 weeks, 0 minutes'
    """
    total = int(seconds) // 60
    minutes, total = total % 60, total // 60
    hours, total = total % 24, total // 24
    days_all = total
    years, days_all = days_all // 365, days_all % 365
    weeks, days = days_all // 7, days_all % 7
    parts = []
    for value, unit in ((years, "year"), (weeks, "week"), (days, "day"), (hours, "hour")):
        if value:
            parts.append(f"{value} {unit}{'s' if value != 1 else ''}")
    parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


def show_version(dev: IosDevice, ports: list[PortView], now: float) -> list[str]:
    """``show version``."""
    m = dev.model
    fast = sum(1 for p in ports if p.name.startswith("FastEthernet"))
    gig = sum(1 for p in ports if p.name.startswith("GigabitEthernet"))
    virtual = sum(1 for p in ports if p.name.startswith("Vlan"))
    boot_time = ios_time(dev.boot_epoch)
    lines = [
        f"Cisco IOS Software, {m.family} Software ({m.image}), Version {m.version}, "
        "RELEASE SOFTWARE (fc2)",
        "Technical Support: http://www.cisco.com/techsupport",
        "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
        m.compiled,
        "",
        f"ROM: Bootstrap program is {m.family} boot loader",
        f"BOOTLDR: {m.family} Boot Loader ({m.family}-HBOOT-M) Version 15.2(7r)E, "
        "RELEASE SOFTWARE (fc1)",
        "",
        f"{dev.hostname} uptime is {format_uptime(dev.uptime_seconds(now))}",
        "System returned to ROM by power-on",
        f"System restarted at {boot_time}",
        f'System image file is "{m.image_file}"',
        "Last reload reason: power-on",
        "",
        "",
        "",
        "This product contains cryptographic features and is subject to United",
        "States and local country laws governing import, export, transfer and",
        "use. Delivery of Cisco cryptographic products does not imply",
        "third-party authority to import, export, distribute or use encryption.",
        "Importers, exporters, distributors and users are responsible for",
        "compliance with U.S. and local country laws. By using this product you",
        "agree to comply with applicable laws and regulations. If you are unable",
        "to comply with U.S. and local laws, return this product immediately.",
        "",
        "A summary of U.S. laws governing Cisco cryptographic products may be found at:",
        "http://www.cisco.com/wwl/export/crypto/tool/stqrg.html",
        "",
        "If you require further assistance please contact us by sending email to",
        "export@cisco.com.",
        "",
        f"cisco {m.pid} ({m.processor}) processor (revision A0) with "
        f"{m.memory_k}K bytes of memory.",
        f"Processor board ID {dev.serial}",
        "Last reset from power-on",
        f"{virtual} Virtual Ethernet interface{'s' if virtual != 1 else ''}",
    ]
    if fast:
        lines.append(f"{fast} FastEthernet interfaces")
    lines += [
        f"{gig} Gigabit Ethernet interfaces",
        "The password-recovery mechanism is enabled.",
        "",
        "512K bytes of flash-simulated non-volatile configuration memory.",
        f"Base ethernet MAC Address       : {colon_mac(dev.base_mac)}",
        "Motherboard assembly number     : 73-16622-02",
        f"Motherboard serial number       : {dev.serial[:3]}{dev.serial[3:7]}0{dev.serial[8:]}",
        "Model revision number           : A0",
        "Motherboard revision number     : A0",
        f"Model number                    : {m.pid}",
        f"System serial number            : {dev.serial}",
        "Top Assembly Part Number        : 800-41446-02",
        "Top Assembly Revision Number    : B0",
        "Version ID                      : V02",
        "CLEI Code Number                : CMM1V00ARA",
        "Hardware Board Revision Number  : 0x02",
        "",
        "",
        "Switch Ports Model                     SW Version            SW Image",
        "------ ----- -----                     ----------            ----------",
        f"*    1 {len(ports) - virtual:<5} {m.pid:<25} {m.version:<21} {m.image}",
        "",
        "",
        "Configuration register is 0xF",
        "",
    ]
    return lines


def _speed(port: PortView) -> tuple[str, str, int, str]:
    """(hardware, media type, bandwidth Kbit, delay) of a port."""
    if port.name.startswith("FastEthernet"):
        return "Fast Ethernet", "10/100BaseTX", 100_000, "100 usec"
    return "Gigabit Ethernet", "10/100/1000BaseTX", 1_000_000, "10 usec"


def _first_line(port: PortView) -> str:
    if port.mode == "routed":
        state = "up" if port.admin_up else "administratively down"
        proto = "up" if port.oper_up else "down"
        return f"{port.name} is {state}, line protocol is {proto}"
    if not port.admin_up:
        return f"{port.name} is administratively down, line protocol is down (disabled)"
    if port.oper_up:
        return f"{port.name} is up, line protocol is up (connected)"
    return f"{port.name} is down, line protocol is down (notconnect)"


def show_interfaces(
    dev: IosDevice, ports: list[PortView], now: float, uplink_sfp: str = ""
) -> list[str]:
    """``show interfaces`` (or one interface when ``ports`` holds one).

    Args:
        dev: The device.
        ports: Interfaces to show, in order.
        now: Epoch seconds.
        uplink_sfp: Name of the port that holds the SFP module.
    """
    lines: list[str] = []
    for port in ports:
        c = dev.counters(port.name, port.oper_up, now)
        mac = dev.mac_of(port.name)
        lines.append(_first_line(port))
        if port.mode == "routed":
            lines.append(f"  Hardware is EtherSVI, address is {mac} (bia {mac})")
            if port.description:
                lines.append(f"  Description: {port.description}")
            if port.ip:
                lines.append(f"  Internet address is {port.ip}")
            lines += [
                "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,",
                "     reliability 255/255, txload 1/255, rxload 1/255",
                "  Encapsulation ARPA, loopback not set",
                "  Keepalive not supported ",
                "  ARP type: ARPA, ARP Timeout 04:00:00",
                "  Last input 00:00:00, output 00:00:00, output hang never",
            ]
        else:
            hardware, media, bandwidth, delay = _speed(port)
            sfp = port.name in dev.model.uplink_names
            if sfp:
                media = "1000BaseSX SFP" if port.name == uplink_sfp else "Not Present"
            lines.append(f"  Hardware is {hardware}, address is {mac} (bia {mac})")
            if port.description:
                lines.append(f"  Description: {port.description}")
            if port.oper_up:
                duplex = f"Full-duplex, {bandwidth // 1000}Mb/s"
                bw, last_input = bandwidth, "00:00:00"
            else:
                duplex, bw, last_input = "Auto-duplex, Auto-speed", 10_000, "never"
                delay = "1000 usec"
            link = ", link type is auto" if sfp else ""
            lines += [
                f"  MTU 1500 bytes, BW {bw} Kbit/sec, DLY {delay},",
                "     reliability 255/255, txload 1/255, rxload 1/255",
                "  Encapsulation ARPA, loopback not set",
                "  Keepalive set (10 sec)",
                f"  {duplex}{link}, media type is {media}",
                "  input flow-control is off, output flow-control is unsupported ",
                "  ARP type: ARPA, ARP Timeout 04:00:00",
                f"  Last input {last_input}, output {'00:00:01' if port.oper_up else 'never'},"
                " output hang never",
            ]
        lines += [
            '  Last clearing of "show interface" counters never',
            "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
            "  Queueing strategy: fifo",
            "  Output queue: 0/40 (size/max)",
            f"  5 minute input rate {c.in_bps} bits/sec, {c.in_pps} packets/sec",
            f"  5 minute output rate {c.out_bps} bits/sec, {c.out_pps} packets/sec",
            f"     {c.in_packets} packets input, {c.in_bytes} bytes, 0 no buffer",
            f"     Received {c.broadcasts} broadcasts ({c.multicasts} multicasts)",
            "     0 runts, 0 giants, 0 throttles ",
            f"     {c.input_errors} input errors, {c.crc} CRC, 0 frame, 0 overrun, 0 ignored",
        ]
        if port.mode != "routed":
            lines += [
                f"     0 watchdog, {c.multicasts} multicast, 0 pause input",
                "     0 input packets with dribble condition detected",
            ]
        lines += [
            f"     {c.out_packets} packets output, {c.out_bytes} bytes, 0 underruns",
            f"     0 output errors, 0 collisions, {c.resets} interface resets",
            "     0 unknown protocol drops",
        ]
        if port.mode != "routed":
            lines += [
                "     0 babbles, 0 late collision, 0 deferred",
                "     0 lost carrier, 0 no carrier, 0 PAUSE output",
            ]
        lines.append("     0 output buffer failures, 0 output buffers swapped out")
    return lines


def show_ip_interface_brief(ports: list[PortView]) -> list[str]:
    """``show ip interface brief``."""
    lines = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for port in ports:
        address = port.ip.split("/")[0] if port.ip else "unassigned"
        method = "NVRAM" if port.ip else "unset"
        status = "up" if port.oper_up else "down"
        if not port.admin_up:
            status = "administratively down"
        proto = "up" if port.oper_up else "down"
        lines.append(f"{port.name:<22} {address:<15} YES {method:<6} {status:<21} {proto}")
    return lines


def show_ip_interface(ports: list[PortView]) -> list[str]:
    """``show ip interface`` (short form: addresses and access lists)."""
    lines = []
    for port in ports:
        lines.append(_first_line(port))
        if port.ip:
            lines += [
                f"  Internet address is {port.ip}",
                "  Broadcast address is 255.255.255.255",
                "  MTU is 1500 bytes",
                "  Outgoing access list is not set",
                "  Inbound  access list is not set",
            ]
        else:
            lines.append("  Internet protocol processing disabled")
    return lines


def show_interfaces_status(ports: list[PortView], uplink_sfp: str, uplinks: list[str]) -> list[str]:
    """``show interfaces status`` (physical ports)."""
    lines = ["", "Port      Name               Status       Vlan       Duplex  Speed Type "]
    for port in ports:
        if port.mode == "routed":
            continue
        status = "connected" if port.oper_up else "notconnect"
        if not port.admin_up:
            status = "disabled"
        vlan = "trunk" if port.mode == "trunk" else str(port.vlan)
        fast = port.name.startswith("FastEthernet")
        if port.name in uplinks:
            kind = "1000BaseSX SFP" if port.name == uplink_sfp else "Not Present"
        else:
            kind = "10/100BaseTX" if fast else "10/100/1000BaseTX"
        duplex, speed = (
            ("a-full", "a-100" if fast else "a-1000") if port.oper_up else ("auto", "auto")
        )
        lines.append(
            f"{short_interface_name(port.name):<9} {port.description[:18]:<18} {status:<12} "
            f"{vlan:<10} {duplex:>6} {speed:>6} {kind}"
        )
    return lines


def show_interfaces_description(ports: list[PortView]) -> list[str]:
    """``show interfaces description``."""
    lines = ["Interface                      Status         Protocol Description"]
    for port in ports:
        status = "up" if port.oper_up else "down"
        if not port.admin_up:
            status = "admin down"
        proto = "up" if port.oper_up else "down"
        lines.append(
            f"{short_interface_name(port.name):<30} {status:<14} {proto:<8} {port.description}"
        )
    return lines


def show_interfaces_counters(dev: IosDevice, ports: list[PortView], now: float) -> list[str]:
    """``show interfaces counters``."""
    rows = [(short_interface_name(p.name), dev.counters(p.name, p.oper_up, now)) for p in ports]
    lines = ["", "Port            InOctets    InUcastPkts    InMcastPkts    InBcastPkts "]
    for name, c in rows:
        unicast = c.in_packets - c.multicasts - c.broadcasts
        lines.append(
            f"{name:<9} {c.in_bytes:>16} {unicast:>14} {c.multicasts:>14} {c.broadcasts:>14} "
        )
    lines += ["", "Port           OutOctets   OutUcastPkts   OutMcastPkts   OutBcastPkts "]
    for name, c in rows:
        mcast, bcast = c.out_packets // 200, c.out_packets // 300
        unicast = c.out_packets - mcast - bcast
        lines.append(f"{name:<9} {c.out_bytes:>16} {unicast:>14} {mcast:>14} {bcast:>14} ")
    return lines


def show_interface_summary(dev: IosDevice, ports: list[PortView], now: float) -> list[str]:
    """``show interface summary``."""
    lines = [
        "",
        " *: interface is up",
        " IHQ: pkts in input hold queue     IQD: pkts dropped from input queue",
        " OHQ: pkts in output hold queue    OQD: pkts dropped from output queue",
        " RXBS: rx rate (bits/sec)          RXPS: rx rate (pkts/sec)",
        " TXBS: tx rate (bits/sec)          TXPS: tx rate (pkts/sec)",
        " TRTL: throttle count",
        "",
        "  Interface                   IHQ       IQD       OHQ       OQD      RXBS      RXPS"
        "      TXBS      TXPS      TRTL",
        "-" * 115,
    ]
    for port in ports:
        c = dev.counters(port.name, port.oper_up, now)
        mark = "*" if port.oper_up else " "
        lines.append(
            f"{mark} {port.name:<26} {0:>5} {0:>9} {0:>9} {0:>9} {c.in_bps:>9} {c.in_pps:>9}"
            f" {c.out_bps:>9} {c.out_pps:>9} {0:>9}"
        )
    return lines


def show_inventory(dev: IosDevice, uplink_sfp: str) -> list[str]:
    """``show inventory``: the chassis and the SFP in the first uplink."""
    pid = dev.model.pid
    sfp_serial = "FNS" + dev.serial[3:7] + f"{stable_int(dev.hostname, 'sfp') % 10000:04d}"
    return [
        f'NAME: "1", DESCR: "{pid}"',
        f"PID: {pid:<18}, VID: V02  , SN: {dev.serial}",
        "",
        f'NAME: "{uplink_sfp}", DESCR: "1000BaseSX SFP"',
        f"PID: GLC-SX-MMD        , VID: V01  , SN: {sfp_serial}",
        "",
        "",
    ]


_PROCESSES = (
    "Chunk Manager",
    "Load Meter",
    "Check heaps",
    "Pool Manager",
    "Timers",
    "ARP Input",
    "HRPC pm-counters",
    "Spanning Tree",
    "IP Input",
    "CDP Protocol",
    "SNMP ENGINE",
    "NTP",
    "SSH Process",
    "Hulc LED Process",
    "HL3U bkgrd proce",
)


def show_processes_cpu(dev: IosDevice, now: float) -> list[str]:
    """``show processes cpu``: totals from the device load, then a process table."""
    cpu = dev.cpu_percent
    five_sec = min(100, cpu + stable_int(dev.hostname, "cpu5") % 3)
    lines = [
        f"CPU utilization for five seconds: {five_sec}%/{cpu // 5}%; "
        f"one minute: {cpu}%; five minutes: {cpu}%",
        " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process ",
    ]
    uptime = int(dev.uptime_seconds(now))
    share = cpu / 100
    # two busy processes carry most of the load, as on a real Catalyst
    for pid, name in enumerate(_PROCESSES, start=1):
        seed = stable_int(dev.hostname, "proc", name)
        invoked = max(1, uptime // (1 + seed % 90))
        runtime = invoked * (1 + seed % 40) // 1000
        usecs = runtime * 1000 // invoked
        busy = name in ("Hulc LED Process", "IP Input")
        pct = share * (30 + seed % 20) if busy else (seed % 5) / 100
        lines.append(
            f"{pid:>4} {runtime:>11} {invoked:>11} {usecs:>10} {pct:>5.2f}% {pct:>5.2f}% "
            f"{pct:>5.2f}%   0 {name:<16} "
        )
    return lines


def show_memory_statistics(dev: IosDevice) -> list[str]:
    """``show memory statistics``."""
    m = dev.model
    proc_used, io_used = dev.memory_used
    proc_free, io_free = m.proc_mem_total - proc_used, m.io_mem_total - io_used
    return [
        "                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)",
        f"Processor    2B5CD6C {m.proc_mem_total:>11} {proc_used:>11} {proc_free:>11}"
        f" {proc_free * 97 // 100:>11} {proc_free * 96 // 100:>11}",
        f"      I/O    7000000 {m.io_mem_total:>11} {io_used:>11} {io_free:>11}"
        f" {io_free * 98 // 100:>11} {io_free * 99 // 100:>11}",
        "Driver te    1A00000     1048576          44     1048532     1048532     1048532",
    ]


def show_env_temperature(dev: IosDevice) -> list[str]:
    """``show env temperature status`` (Catalyst 2960-X style, read by NAPALM)."""
    inlet, hotspot = dev.temperatures
    system = "OK" if dev.spec.temperature_status == "ok" else "FAULTY"

    def state(value: int, yellow: int, red: int) -> str:
        return "RED" if value > red else "YELLOW" if value > yellow else "GREEN"

    return [
        f"Switch 1: SYSTEM TEMPERATURE is {system}",
        f"Inlet Temperature Value: {inlet} Degree Celsius",
        f"Temperature State: {state(inlet, 46, 56)}",
        "Yellow Threshold : 46 Degree Celsius",
        "Red Threshold    : 56 Degree Celsius",
        "",
        f"Hotspot Temperature Value: {hotspot} Degree Celsius",
        f"Temperature State: {state(hotspot, 105, 125)}",
        "Yellow Threshold : 105 Degree Celsius",
        "Red Threshold    : 125 Degree Celsius",
    ]


def show_env_fan() -> list[str]:
    """``show env fan``."""
    return ["Switch 1 FAN 1 is OK"]


def show_env_power(dev: IosDevice) -> list[str]:
    """``show env power``."""
    return [
        "SW  PID                 Serial#     Status           Sys Pwr  PoE Pwr  Watts",
        "--  ------------------  ----------  ---------------  -------  -------  -----",
        " 1  Built-in                                         Good",
        "",
    ]


def show_env_all(dev: IosDevice) -> list[str]:
    """``show environment all``: fan, temperature and power."""
    return [*show_env_fan(), *show_env_temperature(dev), *show_env_power(dev)]


def show_hosts(dev: IosDevice) -> list[str]:
    """``show hosts``."""
    return [
        f"Default domain is {dev.spec.domain}",
        "Name/address lookup uses domain service",
        f"Name servers are {', '.join(NAME_SERVERS)}",
        "",
        "Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate",
        "       temp - temporary, perm - permanent",
        "       NA - Not Applicable None - Not defined",
        "",
        "Host                      Port  Flags      Age Type   Address(es)",
    ]


def show_clock(now: float) -> list[str]:
    """``show clock`` (synchronised by NTP, so no leading ``*``)."""
    return [ios_time(now, millis=True)]


def show_lldp_neighbors() -> list[str]:
    """``show lldp neighbors``: none (an office access switch sees only PCs)."""
    return [
        "Capability codes:",
        "    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
        "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
        "",
        "Device ID           Local Intf     Hold-time  Capability      Port ID",
        "",
        "Total entries displayed: 0",
        "",
    ]


def show_cdp_neighbors() -> list[str]:
    """``show cdp neighbors``: none."""
    return [
        "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge",
        "                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, ",
        "                  D - Remote, C - CVTA, M - Two-port Mac Relay ",
        "",
        "Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID",
        "",
        "Total cdp entries displayed : 0",
    ]


def show_ntp_associations(dev: IosDevice, now: float) -> list[str]:
    """``show ntp associations``: one configured, selected server."""
    when = int(now) % 64
    offset = (stable_int(dev.hostname, "ntpoff", int(now) // 64) % 2000 - 1000) / 1000
    return [
        "",
        "  address         ref clock       st   when   poll reach  delay  offset   disp",
        f"*~{NTP_SERVER:<15} .GPS.            1 {when:>6} {64:>6}   377  1.024 {offset:>7.3f}"
        "  0.912",
        " * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured",
    ]


def show_ntp_status() -> list[str]:
    """``show ntp status``."""
    return [
        f"Clock is synchronized, stratum 2, reference is {NTP_SERVER}",
        "nominal freq is 119.2092 Hz, actual freq is 119.2089 Hz, precision is 2**17",
        "ntp uptime is 1209600 (1/100 of seconds), resolution is 8403",
    ]


def _md5_crypt_like(*parts: object) -> str:
    """A stand-in ``$1$salt$hash`` string (not a hash of any real password).

    Examples:
        >>> value = _md5_crypt_like("sw01", "enable")
        >>> value.startswith("$1$") and len(value) == 30
        True
    """
    seed = stable_int(*parts)
    more = stable_int(*parts, "more")
    salt = "".join(_CRYPT_CHARS[(seed >> (6 * i)) % 64] for i in range(4))
    body = "".join(_CRYPT_CHARS[((more << 64 | seed) >> (5 * i)) % 64] for i in range(22))
    return f"$1${salt}${body}"


def _type7_like(*parts: object) -> str:
    seed = stable_int(*parts)
    return f"{seed % 16:02d}{seed >> 20:X}"[:14]


def secrets_of(dev: IosDevice) -> dict[str, str]:
    """The secret values that appear in the running config (tests check sanitising).

    Examples:
        >>> from lab.switch_spec import SwitchSpec
        >>> dev = IosDevice(SwitchSpec("sw01", "127.0.20.1", 2200, "sigap", "pw",
        ...                            model="WS-C2960+24TC-L"), started=0.0)
        >>> sorted(secrets_of(dev))
        ['admin_secret', 'enable_secret', 'line_password', 'snmp_ro', 'snmp_rw', 'user_secret']
    """
    host = dev.hostname
    return {
        "enable_secret": _md5_crypt_like(host, "enable"),
        "admin_secret": _md5_crypt_like(host, "admin"),
        "user_secret": _md5_crypt_like(host, "user"),
        "line_password": _type7_like(host, "line"),
        "snmp_ro": f"pemda-ro-{stable_int(host, 'snmp') % 10**6:06d}",
        "snmp_rw": f"pemda-rw-{stable_int(host, 'snmprw') % 10**6:06d}",
    }


def running_config_body(
    dev: IosDevice,
    vlans: list[tuple[int, str]],
    interface_blocks: list[list[str]],
    now: float,
) -> list[str]:
    """Configuration lines from ``version`` to ``end``.

    Args:
        dev: The device.
        vlans: (number, name) of every VLAN other than 1.
        interface_blocks: ``interface ...`` blocks, each a list of lines.
        now: Epoch seconds (for the volatile ``ntp clock-period``).
    """
    s = secrets_of(dev)
    major = ".".join(dev.model.version.split(".")[:2]).split("(")[0]
    gateway = ".".join(dev.mgmt_ip.split(".")[:3]) + ".254"
    lines = [
        f"version {major}",
        "no service pad",
        "service timestamps debug datetime msec localtime",
        "service timestamps log datetime msec localtime",
        "service password-encryption",
        "!",
        f"hostname {dev.hostname}",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
        "logging buffered 16384 informational",
        f"enable secret 5 {s['enable_secret']}",
        "!",
        f"username admin privilege 15 secret 5 {s['admin_secret']}",
        f"username {dev.spec.username} privilege 15 secret 5 {s['user_secret']}",
        "aaa new-model",
        "!",
        "!",
        "aaa authentication login default local",
        "aaa authorization exec default local",
        "!",
        "!",
        "!",
        "!",
        "!",
        "aaa session-id common",
        "clock timezone WIB 7 0",
        "system mtu routing 1500",
        "!",
        "!",
        f"ip domain-name {dev.spec.domain}",
        f"ip name-server {' '.join(NAME_SERVERS)}",
        "vtp mode transparent",
        "!",
        "!",
        "!",
        "spanning-tree mode rapid-pvst",
        "spanning-tree extend system-id",
        "!",
        "vlan internal allocation policy ascending",
        "!",
    ]
    for number, name in vlans:
        lines.append(f"vlan {number}")
        if name:
            lines.append(f" name {name}")
        lines.append("!")
    lines += ["ip ssh version 2", "!", "!", "!"]
    for block in interface_blocks:
        lines += [*block, "!"]
    lines += [
        f"ip default-gateway {gateway}",
        "no ip http server",
        "no ip http secure-server",
        "!",
        "!",
        f"logging host {LOG_HOST}",
        f"snmp-server community {s['snmp_ro']} RO 10",
        f"snmp-server community {s['snmp_rw']} RW 10",
        "snmp-server location Ruang Server Lt. 2",
        "snmp-server contact Subbagian TI",
        "!",
        "access-list 10 permit 10.20.0.0 0.0.0.255",
        "!",
        *dev.extra_config,
        "lldp run",
        "!",
        "banner motd ^C",
        "Akses terbatas: hanya untuk petugas TI yang berwenang.",
        "^C",
        "!",
        "line con 0",
        f" password 7 {s['line_password']}",
        "line vty 0 4",
        f" password 7 {s['line_password']}",
        " transport input ssh",
        "line vty 5 15",
        " transport input ssh",
        "!",
        f"ntp clock-period {dev.ntp_clock_period(now)}",
        f"ntp server {NTP_SERVER}",
        "end",
    ]
    return lines


def config_size(body: list[str]) -> int:
    """Byte size IOS reports for a configuration body.

    Examples:
        >>> config_size(["version 15.2", "end"])
        17
    """
    return len("\n".join(body)) + 1


def show_running_config(dev: IosDevice, body: list[str], truncate: bool) -> list[str]:
    """``show running-config``: headers, volatile comment lines, then the body.

    With ``truncate`` the output stops about two thirds through (no ``end``),
    while the size header still tells the full size, as after a cut transfer.
    """
    changed, by = dev.last_change
    saved, saved_by = dev.nvram_saved
    full = [
        "!",
        f"! Last configuration change at {ios_time(changed)} by {by}",
        f"! NVRAM config last updated at {ios_time(saved)} by {saved_by}",
        "!",
        *body,
    ]
    lines = ["Building configuration...", "", f"Current configuration : {config_size(full)} bytes"]
    if truncate:
        return lines + full[: len(full) * 2 // 3]
    return lines + full + [""]


def show_startup_config(dev: IosDevice, body: list[str]) -> list[str]:
    """``show startup-config``."""
    changed, by = dev.startup_change
    saved, saved_by = dev.nvram_saved
    full = [
        "!",
        f"! Last configuration change at {ios_time(changed)} by {by}",
        f"! NVRAM config last updated at {ios_time(saved)} by {saved_by}",
        "!",
        *body,
    ]
    return [f"Using {config_size(full)} out of 524288 bytes", *full, ""]
