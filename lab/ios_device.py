"""State and per-device values of one simulated Cisco IOS switch.

Everything a fleet needs to look real is derived from the hostname (serial,
MAC, port layout, CPU and memory load, temperatures) and, for what grows, from
the seconds elapsed since the simulated boot (uptime, interface counters), so
one device answers the same way in every run while two devices differ. No I/O.
"""

from __future__ import annotations

import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from lab.ios_models import MODELS, IosModel, stable_int
from lab.switch_spec import SwitchSpec

#: Western Indonesia Time, the clock timezone of every simulated switch.
WIB = timezone(timedelta(hours=7), "WIB")
_SERIAL_CHARS = string.ascii_uppercase + string.digits
_OUIS = (0x70105C, 0x001BD4, 0xF872EA, 0x2C542D, 0xB0AA77, 0x88F031)
_DESCRIPTIONS = (
    "PC-STAFF",
    "PC-KASUBAG",
    "PRINTER",
    "AP-WIFI",
    "CCTV",
    "PC-LAYANAN",
    "ABSENSI",
    "PC-ARSIP",
)
_WEEK = 7 * 86400


@dataclass(frozen=True)
class PortPlan:
    """Initial configuration and cabling of one physical port.

    Attributes:
        name: Full interface name.
        description: Interface description, ``""`` for none.
        mode: ``access`` or ``trunk``.
        access_vlan: Access VLAN (access ports).
        shutdown: Administratively down.
        connected: A cable and a live peer are attached (line protocol up when enabled).
    """

    name: str
    description: str
    mode: str
    access_vlan: int
    shutdown: bool
    connected: bool


@dataclass(frozen=True)
class PortView:
    """What the show commands need to know about one interface right now.

    Attributes:
        name: Full interface name.
        description: Description, ``""`` for none.
        admin_up: Not shut down.
        oper_up: Line protocol up.
        mode: ``access``, ``trunk`` or ``routed`` (SVI).
        vlan: Access VLAN (1 when unset).
        ip: ``address/prefix`` for an SVI with an address, else ``""``.
    """

    name: str
    description: str
    admin_up: bool
    oper_up: bool
    mode: str
    vlan: int
    ip: str = ""


@dataclass(frozen=True)
class Counters:
    """Interface counters since boot, as ``show interfaces`` prints them."""

    in_packets: int
    in_bytes: int
    out_packets: int
    out_bytes: int
    broadcasts: int
    multicasts: int
    input_errors: int
    crc: int
    in_bps: int
    in_pps: int
    out_bps: int
    out_pps: int
    resets: int


@dataclass
class IosDevice:
    """One simulated switch: identity, derived values and mutable state.

    Attributes:
        spec: The validated spec.
        started: Epoch seconds the simulator started this device.
        clock: Returns the current epoch seconds (injectable for tests).
        startup_config: Saved configuration body lines (``None`` until first saved).
        last_change: (epoch, user) of the last configuration change.
        nvram_saved: (epoch, user) of the last save to NVRAM.
        startup_change: ``last_change`` as it was at the last save.
        extra_config: Global configuration lines typed in config mode that the
            simulator has no model for; they appear in the running config.

    Examples:
        >>> spec = SwitchSpec("sw01", "127.0.20.1", 2200, "sigap", "pw",
        ...                   model="WS-C2960+24TC-L")
        >>> dev = IosDevice(spec, started=1_700_000_000.0, clock=lambda: 1_700_000_600.0)
        >>> dev.serial == IosDevice(spec, started=0.0).serial
        True
        >>> dev.uptime_seconds() - dev.uptime_seconds(1_700_000_000.0)
        600.0
    """

    spec: SwitchSpec
    started: float
    clock: Callable[[], float] = time.time
    startup_config: list[str] | None = None
    last_change: tuple[float, str] = (0.0, "admin")
    nvram_saved: tuple[float, str] = (0.0, "admin")
    startup_change: tuple[float, str] = (0.0, "admin")
    extra_config: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        boot_age = self._int("boot") % (40 * _WEEK) + 3 * 86400
        self.boot_epoch = self.started - boot_age
        changed = self.boot_epoch - (self._int("changed") % (30 * 86400)) - 3600
        self.last_change = (changed, "admin")
        self.nvram_saved = (changed + 20 + self._int("saved") % 300, "admin")
        self.startup_change = self.last_change

    def _int(self, *parts: object) -> int:
        return stable_int(self.spec.hostname, *parts)

    @property
    def model(self) -> IosModel:
        """The hardware model."""
        return MODELS[self.spec.model]

    @property
    def hostname(self) -> str:
        """The hostname (also the prompt)."""
        return self.spec.hostname

    @property
    def serial(self) -> str:
        """Chassis serial in Cisco's ``FOCyywwXXXX`` form, from the spec or the hostname."""
        if self.spec.serial:
            return self.spec.serial
        return _serial_from(self._int("serial"), "FOC")

    @property
    def base_mac(self) -> int:
        """Base Ethernet MAC as a 48-bit integer (ends in 00 or 80)."""
        oui = _OUIS[self._int("oui") % len(_OUIS)]
        return (oui << 24) | ((self._int("mac") & 0xFFFF) << 8) | (0x80 * (self._int("m") % 2))

    def mac_of(self, interface: str) -> str:
        """The interface's MAC in IOS dotted form (``7010.5c8a.1b81``)."""
        names = self.model.port_names
        offset = names.index(interface) + 1 if interface in names else 0x40
        return dotted_mac(self.base_mac + offset)

    def now(self) -> float:
        """Current epoch seconds from the device clock."""
        return self.clock()

    def uptime_seconds(self, now: float | None = None) -> float:
        """Seconds since the simulated boot; grows with real time."""
        return (self.now() if now is None else now) - self.boot_epoch

    @property
    def cpu_percent(self) -> int:
        """One-minute CPU load: the ``cpu_percent`` knob, else 3..17 from the hostname."""
        if self.spec.cpu_percent is not None:
            return self.spec.cpu_percent
        return 3 + self._int("cpu") % 15

    @property
    def memory_used(self) -> tuple[int, int]:
        """Used bytes of the Processor and I/O pools."""
        proc_share = 30 + self._int("mem") % 30
        io_share = 55 + self._int("io") % 25
        return (
            self.model.proc_mem_total * proc_share // 100,
            self.model.io_mem_total * io_share // 100,
        )

    @property
    def temperatures(self) -> tuple[int, int]:
        """Inlet and hotspot temperature in degrees Celsius (critical knob: above red)."""
        if self.spec.temperature_status == "critical":
            return 61, 128
        inlet = 29 + self._int("temp") % 10
        return inlet, inlet + 11 + self._int("hot") % 5

    @property
    def mgmt_ip(self) -> str:
        """Address of ``interface Vlan1`` (the address the device listens on)."""
        return self.spec.address

    def port_plans(self) -> list[PortPlan]:
        """Initial configuration of every physical port, stable per hostname."""
        plans = []
        uplinks = self.model.uplink_names
        for index, name in enumerate(self.model.port_names):
            roll = self._int("port", name) % 100
            if name == uplinks[0]:
                plans.append(PortPlan(name, "UPLINK-CORE", "trunk", 1, False, True))
            elif name in uplinks:
                plans.append(PortPlan(name, "", "trunk", 1, roll < 70, False))
            elif roll < 60:
                label = _DESCRIPTIONS[self._int("desc", name) % len(_DESCRIPTIONS)]
                vlan = 20 if label == "CCTV" else 10
                plans.append(
                    PortPlan(name, f"{label}-{index + 1:02d}", "access", vlan, False, True)
                )
            else:
                plans.append(PortPlan(name, "", "access", 10, roll >= 85, False))
        return plans

    def counters(self, interface: str, oper_up: bool, now: float | None = None) -> Counters:
        """Counters of one interface, growing slowly with the seconds since boot.

        A port that is down keeps the traffic it had; the ``interface_errors``
        knob sets its input and CRC errors.
        """
        seconds = int(self.uptime_seconds(now))
        seed = self._int("counters", interface)
        in_pps = 1 + seed % 40
        out_pps = 2 + (seed >> 8) % 60
        in_size = 180 + (seed >> 16) % 600
        out_size = 240 + (seed >> 24) % 700
        active = seconds if oper_up else seconds // 7
        in_packets = in_pps * active + (seed >> 32) % 9973
        out_packets = out_pps * active + (seed >> 40) % 9973
        errors = self.spec.interface_errors.get(interface, 0)
        return Counters(
            in_packets=in_packets,
            in_bytes=in_packets * in_size,
            out_packets=out_packets,
            out_bytes=out_packets * out_size,
            broadcasts=in_packets * 3 // 100,
            multicasts=in_packets * 2 // 100,
            input_errors=errors,
            crc=errors,
            in_bps=in_pps * in_size * 8 if oper_up else 0,
            in_pps=in_pps if oper_up else 0,
            out_bps=out_pps * out_size * 8 if oper_up else 0,
            out_pps=out_pps if oper_up else 0,
            resets=1 + seed % 3,
        )

    def ntp_clock_period(self, now: float | None = None) -> int:
        """The volatile ``ntp clock-period`` value; drifts once an hour."""
        hour = int((self.now() if now is None else now) // 3600)
        return 36028797 + stable_int(self.hostname, "ntp", hour) % 400

    def record_change(self, user: str) -> None:
        """Note a configuration change now, by ``user``."""
        self.last_change = (self.now(), user)

    def save(self, body: list[str], user: str) -> None:
        """Save ``body`` as the startup configuration (``write memory``)."""
        self.startup_config = list(body)
        self.nvram_saved = (self.now(), user)
        self.startup_change = self.last_change


def _serial_from(value: int, prefix: str) -> str:
    """A Cisco-style serial (``FOCyywwXXXX``) from an integer.

    Examples:
        >>> _serial_from(123456789, "FOC")
        'FOC17297LJB'
    """
    year = 16 + value % 7
    week = 10 + (value >> 4) % 42
    chars = "".join(_SERIAL_CHARS[(value >> (8 + 6 * i)) % 36] for i in range(4))
    return f"{prefix}{year}{week}{chars}"


def dotted_mac(value: int) -> str:
    """IOS dotted MAC form of a 48-bit integer.

    Examples:
        >>> dotted_mac(0x70105C8A1B81)
        '7010.5c8a.1b81'
    """
    text = f"{value:012x}"
    return f"{text[0:4]}.{text[4:8]}.{text[8:12]}"


def colon_mac(value: int) -> str:
    """Upper-case colon MAC form (``show version``'s base MAC).

    Examples:
        >>> colon_mac(0x70105C8A1B80)
        '70:10:5C:8A:1B:80'
    """
    text = f"{value:012X}"
    return ":".join(text[i : i + 2] for i in range(0, 12, 2))


def ios_time(epoch: float, millis: bool = False) -> str:
    """IOS clock format in WIB, e.g. ``09:12:44 WIB Mon Mar 3 2025``.

    Examples:
        >>> ios_time(1_741_000_000.0)
        '18:06:40 WIB Mon Mar 3 2025'
        >>> ios_time(1_741_000_000.25, millis=True)
        '18:06:40.250 WIB Mon Mar 3 2025'
    """
    moment = datetime.fromtimestamp(epoch, UTC).astimezone(WIB)
    clock = moment.strftime("%H:%M:%S")
    if millis:
        clock += f".{moment.microsecond // 1000:03d}"
    return f"{clock} WIB {moment.strftime('%a %b')} {moment.day} {moment.year}"
