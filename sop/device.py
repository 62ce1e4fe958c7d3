"""The one contract every platform fills: facts, health and config of a device.

Like NAPALM's ``models.py``, these models are the same for every platform, so
the checklist rules, the records and the reports never look at platform
details. A platform that cannot fill a field sets it to ``None`` *and* says why
in ``missing`` (field name -> reason); a ``None`` without a reason is refused
when the model is built, so no value is ever silently absent or made up.

Examples:
    >>> Facts(hostname="sw01", vendor="Cisco", model="WS-C2960X-48TS-L",
    ...       serial=None, os_version="15.2(7)E4", uptime_seconds=3600,
    ...       interfaces=["Gi0/1"], missing={"serial": "show version has no serial"}).serial
    >>> Facts(hostname="sw01", vendor=None, model=None, serial=None, os_version=None,
    ...       uptime_seconds=None, interfaces=None)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Facts
    ...
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Outcome = Literal[
    "ok", "unreachable", "auth_failed", "timeout", "host_key_changed", "parse_error", "truncated"
]
"""What happened to one device in one collection run."""

OUTCOMES: tuple[str, ...] = get_args(Outcome)
"""The outcomes, in order: ``ok`` first, then the failures."""

EnvState = Literal["ok", "not_ok", "absent"]
"""State of one environment item (sensor, fan, power supply)."""


class Explained(BaseModel):
    """Base of every contract model: a ``None`` field must carry a reason.

    Attributes:
        missing: Field name -> why the platform could not fill it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    missing: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _none_needs_reason(self) -> Self:
        unexplained = [
            name
            for name in type(self).model_fields
            if name != "missing" and getattr(self, name) is None and name not in self.missing
        ]
        if unexplained:
            raise ValueError(
                f"{', '.join(unexplained)} is None without a reason in `missing`"
                " (a platform that cannot fill a field must say why)"
            )
        return self


class Facts(Explained):
    """What a device is.

    Attributes:
        hostname: The name the device gives itself.
        vendor: Manufacturer (e.g. ``Cisco``, ``MikroTik``) or OS maker for servers.
        model: Hardware model or, for a VM/server, the product name.
        serial: Chassis serial number.
        os_version: Operating system version string.
        uptime_seconds: Seconds since the last boot.
        interfaces: Interface names, in the device's order.
    """

    hostname: str | None
    vendor: str | None
    model: str | None
    serial: str | None
    os_version: str | None
    uptime_seconds: int | None
    interfaces: list[str] | None


class EnvItem(BaseModel):
    """One environment item: a temperature sensor, a fan or a power supply.

    Attributes:
        name: The item's name on the device.
        state: ``ok``, ``not_ok`` or ``absent``.
        value: A reading where there is one (degrees Celsius for temperature, watts
            for power), else ``None``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    state: EnvState
    value: float | None = None


class Environment(Explained):
    """Temperature, fans and power supplies."""

    temperature: list[EnvItem] | None
    fans: list[EnvItem] | None
    power: list[EnvItem] | None


class Memory(BaseModel):
    """Memory in bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    used_bytes: int
    total_bytes: int

    @property
    def percent(self) -> float:
        """Used share of the total, in percent (0 when the total is unknown).

        Examples:
            >>> Memory(used_bytes=1, total_bytes=4).percent
            25.0
        """
        return 100.0 * self.used_bytes / self.total_bytes if self.total_bytes else 0.0


class InterfaceHealth(Explained):
    """Status and error counters of one interface."""

    name: str
    admin_up: bool | None
    oper_up: bool | None
    speed_mbps: float | None
    input_errors: int | None
    output_errors: int | None
    crc_errors: int | None
    input_discards: int | None
    output_discards: int | None


class DiskUse(BaseModel):
    """Use of one mounted filesystem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mount: str
    size_bytes: int
    used_bytes: int

    @property
    def percent(self) -> float:
        """Used share, in percent.

        Examples:
            >>> DiskUse(mount="/", size_bytes=200, used_bytes=180).percent
            90.0
        """
        return 100.0 * self.used_bytes / self.size_bytes if self.size_bytes else 0.0


class ListenSocket(BaseModel):
    """One listening TCP socket of a server.

    Attributes:
        address: Local address (``0.0.0.0``, ``::`` or ``*`` for every address).
        port: TCP port.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str
    port: int


#: ServerHealth fields added after records were first written: a stored snapshot
#: without them reads back with the reason below (never as an unexplained None).
_LATER_SERVER_FIELDS = ("sshd", "failed_logins", "listening", "security_updates")


class ServerHealth(Explained):
    """What only servers have (Linux today).

    Attributes:
        sshd: Effective SSH server settings SIGAP judges (lowercase keyword -> value).
        failed_logins: Failed SSH logins the server's auth log holds now (a
            counter: the monitoring compares it with the previous run's).
        listening: Listening TCP sockets.
        security_updates: Pending security updates the package manager reports.
    """

    load_1: float | None
    load_5: float | None
    load_15: float | None
    disks: list[DiskUse] | None
    failed_units: list[str] | None
    reboot_required: bool | None
    time_synced: bool | None
    sshd: dict[str, str] | None
    failed_logins: int | None
    listening: list[ListenSocket] | None
    security_updates: int | None

    @model_validator(mode="before")
    @classmethod
    def _older_records(cls, data: object) -> object:
        """Read a snapshot stored before the security fields existed.

        Examples:
            >>> ServerHealth.model_validate({"load_1": 0.1, "load_5": 0.1, "load_15": 0.1,
            ...     "disks": [], "failed_units": [], "reboot_required": False,
            ...     "time_synced": True}).missing["sshd"]
            'not collected by the SIGAP version that stored this snapshot'
        """
        if isinstance(data, dict) and any(name not in data for name in _LATER_SERVER_FIELDS):
            missing = dict(data.get("missing") or {})
            for name in _LATER_SERVER_FIELDS:
                if name not in data:
                    missing.setdefault(
                        name, "not collected by the SIGAP version that stored this snapshot"
                    )
            data = {**dict.fromkeys(_LATER_SERVER_FIELDS), **data, "missing": missing}
        return data


class Health(Explained):
    """How a device is doing now."""

    cpu_percent: float | None
    memory: Memory | None
    environment: Environment | None
    interfaces: list[InterfaceHealth] | None
    server: ServerHealth | None


class Configs(Explained):
    """Configuration text as the device gave it (sanitised before it is stored)."""

    running: str | None
    startup: str | None


class DeviceData(BaseModel):
    """Everything one collection gets from one device."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    facts: Facts
    health: Health
    config: Configs
