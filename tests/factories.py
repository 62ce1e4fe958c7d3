"""Factories of test data built in memory (no I/O), shared by the tests.

``make_snapshot`` builds a small device contract (:class:`sop.device.DeviceData`)
for the checklist rules of SOP A and the server checks of SOP E.
"""

from __future__ import annotations

from collections.abc import Sequence

from sop.device import (
    Configs,
    DeviceData,
    DiskUse,
    Environment,
    EnvItem,
    EnvState,
    Facts,
    Health,
    InterfaceHealth,
    Memory,
    ServerHealth,
)

_ONE_CLEAN_PORT: dict[str, tuple[int, int, int]] = {"Gi0/1": (0, 0, 0)}


def make_snapshot(
    *,
    cpu_percent: float | None = 10.0,
    memory: tuple[int, int] | None = (30, 100),
    uptime: int | None = 86400,
    os_version: str | None = "15.2(7)E4",
    temperature: Sequence[tuple[str, EnvState, float | None]] | None = (("Inlet", "ok", 30.0),),
    fans: Sequence[tuple[str, EnvState, float | None]] | None = (("Fan1", "ok", None),),
    power: Sequence[tuple[str, EnvState, float | None]] | None = (("PSU1", "ok", None),),
    interfaces: dict[str, tuple[int, int, int]] | None = _ONE_CLEAN_PORT,
    disks: dict[str, float] | None = None,
    running: str | None = "hostname sw1\n",
) -> DeviceData:
    """Build a small device contract for tests (no I/O).

    ``None`` arguments become missing fields with the reason ``no <field> on this
    platform`` (``no CPU figure on this platform`` for the CPU).

    Args:
        cpu_percent: CPU use.
        memory: (used, total) bytes.
        uptime: Uptime in seconds.
        os_version: OS version.
        temperature: (name, state, value) per sensor.
        fans: (name, state, value) per fan.
        power: (name, state, value) per power supply.
        interfaces: Name -> (input_errors, output_errors, crc_errors); discards 0.
            Default: one port ``Gi0/1`` without errors.
        disks: Mount -> percent used (makes a server section).
        running: Running configuration.

    Returns:
        The device data.

    Examples:
        >>> make_snapshot(cpu_percent=None, interfaces=None).health.missing
        {'cpu_percent': 'no CPU figure on this platform',
         'interfaces': 'no interfaces on this platform', 'server': 'not a server'}
    """

    def env(items: Sequence[tuple[str, EnvState, float | None]] | None) -> list[EnvItem] | None:
        if items is None:
            return None
        return [EnvItem(name=n, state=s, value=v) for n, s, v in items]

    env_missing = {
        name: f"no {name} on this platform"
        for name, value in (("temperature", temperature), ("fans", fans), ("power", power))
        if value is None
    }
    ifaces = None
    if interfaces is not None:
        ifaces = [
            InterfaceHealth(
                name=name,
                admin_up=True,
                oper_up=True,
                speed_mbps=1000.0,
                input_errors=ie,
                output_errors=oe,
                crc_errors=crc,
                input_discards=0,
                output_discards=0,
            )
            for name, (ie, oe, crc) in interfaces.items()
        ]
    server = None
    if disks is not None:
        server = ServerHealth(
            load_1=0.1,
            load_5=0.1,
            load_15=0.1,
            disks=[
                DiskUse(mount=m, size_bytes=1000, used_bytes=round(p * 10))
                for m, p in disks.items()
            ],
            failed_units=[],
            reboot_required=False,
            time_synced=True,
            sshd={"permitrootlogin": "no", "passwordauthentication": "no"},
            failed_logins=0,
            listening=[],
            security_updates=0,
        )
    health_missing = {}
    if cpu_percent is None:
        health_missing["cpu_percent"] = "no CPU figure on this platform"
    if memory is None:
        health_missing["memory"] = "no memory on this platform"
    if ifaces is None:
        health_missing["interfaces"] = "no interfaces on this platform"
    if server is None:
        health_missing["server"] = "not a server"
    facts_missing = {
        name: f"no {name} on this platform"
        for name, value in (("uptime_seconds", uptime), ("os_version", os_version))
        if value is None
    }
    return DeviceData(
        facts=Facts(
            hostname="sw1",
            vendor="Cisco",
            model="WS-C2960X-48TS-L",
            serial="FOC1234X0AB",
            os_version=os_version,
            uptime_seconds=uptime,
            interfaces=list(interfaces or []),
            missing=facts_missing,
        ),
        health=Health(
            cpu_percent=cpu_percent,
            memory=None if memory is None else Memory(used_bytes=memory[0], total_bytes=memory[1]),
            environment=Environment(
                temperature=env(temperature), fans=env(fans), power=env(power), missing=env_missing
            ),
            interfaces=ifaces,
            server=server,
            missing=health_missing,
        ),
        config=Configs(
            running=running,
            startup=running,
            missing={} if running is not None else {"running": "no config", "startup": "no config"},
        ),
    )
