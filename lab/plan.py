"""What a lab consists of: device names, platforms, roles and addresses (pure).

The default lab puts Linux servers on ``127.0.1.<i>``, simulated switches on
``127.0.2.<i>`` and the FRR router on ``127.0.3.1``, all on port 2200. Tests use
other ``/24`` blocks (:class:`AddressPlan`) so that they never collide with a lab
a person has running.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Port every lab device listens on.
LAB_PORT = 2200
#: System user of the Linux servers (and the login of the simulated switches).
LINUX_USER = "sigaplab"
#: System user of the router; its login shell runs ``vtysh``.
ROUTER_USER = "sigaprtr"
#: Environment variable that holds the lab password.
PASSWORD_ENV = "SIGAP_LAB_PASSWORD"
#: Physical location written into the inventory.
LAB_LOCATION = "Ruang Server Lab"
#: Most devices of one kind (one /24 per kind, .0 and .255 excluded).
MAX_PER_KIND = 254


class LabError(Exception):
    """The lab could not be brought up, inspected or stopped; the message says why."""


@dataclass(frozen=True)
class AddressPlan:
    """The three ``/24`` loopback blocks a lab uses, given by their first three octets.

    Attributes:
        linux: Block of the Linux servers, e.g. ``"127.0.1"``.
        switches: Block of the simulated switches.
        routers: Block of the router.
        port: TCP port of every device.
    """

    linux: str = "127.0.1"
    switches: str = "127.0.2"
    routers: str = "127.0.3"
    port: int = LAB_PORT

    def address(self, kind: str, index: int) -> str:
        """Return the address of the ``index``-th (1-based) device of a kind.

        Args:
            kind: ``"linux"``, ``"switches"`` or ``"routers"``.
            index: Position of the device, 1 to 254.

        Returns:
            The IPv4 address.

        Raises:
            LabError: If ``index`` does not fit in the block.

        Examples:
            >>> AddressPlan().address("linux", 3)
            '127.0.1.3'
            >>> AddressPlan(switches="127.0.31").address("switches", 1)
            '127.0.31.1'
        """
        if not 1 <= index <= MAX_PER_KIND:
            raise LabError(f"{kind}: at most {MAX_PER_KIND} devices per kind, got {index}")
        return f"{getattr(self, kind)}.{index}"


@dataclass(frozen=True)
class LabDevice:
    """One device of the lab.

    Attributes:
        name: Host name, e.g. ``linux01``.
        kind: ``"linux"``, ``"switch"`` or ``"router"``.
        platform: Inventory platform (``linux``, ``cisco_ios``, ``frr``).
        role: Inventory role (``server``, ``access-switch``, ``core-router``).
        group: Inventory group of the kind.
        address: Loopback address it listens on.
        port: TCP port.
        username: Login user.
        asset_tag: Asset tag written into the inventory.
    """

    name: str
    kind: str
    platform: str
    role: str
    group: str
    address: str
    port: int
    username: str
    asset_tag: str

    def to_dict(self) -> dict[str, Any]:
        """Return the device as a JSON-ready dictionary.

        Returns:
            The fields by name.
        """
        return asdict(self)


#: Netmiko device type to drive each inventory platform of the lab with.
NETMIKO_DEVICE_TYPES: dict[str, str] = {
    "linux": "linux",
    "cisco_ios": "cisco_ios",
    "frr": "cisco_ios",
}


def plan_devices(
    linux: int, switches: int, router: bool, addresses: AddressPlan | None = None
) -> list[LabDevice]:
    """Return the devices of a lab of the given size, in start order.

    Args:
        linux: Number of Linux servers (0-254).
        switches: Number of simulated switches (0-254).
        router: Whether the lab has the FRR router ``r01``.
        addresses: Address blocks (default: the default lab's).

    Returns:
        The devices, Linux servers first, then switches, then the router.

    Raises:
        LabError: If a count is negative, too large, or the lab would be empty.

    Examples:
        >>> for d in plan_devices(2, 1, True):
        ...     print(d.name, d.address, d.port, d.platform, d.asset_tag)
        linux01 127.0.1.1 2200 linux LAB-0001
        linux02 127.0.1.2 2200 linux LAB-0002
        sw01 127.0.2.1 2200 cisco_ios LAB-0003
        r01 127.0.3.1 2200 frr LAB-0004
        >>> plan_devices(0, 0, False)
        Traceback (most recent call last):
        ...
        lab.plan.LabError: an empty lab: ask for at least one Linux server, switch or the router
    """
    plan = addresses or AddressPlan()
    for label, count in (("--linux", linux), ("--switches", switches)):
        if count < 0 or count > MAX_PER_KIND:
            raise LabError(f"{label} must be between 0 and {MAX_PER_KIND}, got {count}")
    if linux == 0 and switches == 0 and not router:
        raise LabError("an empty lab: ask for at least one Linux server, switch or the router")
    devices: list[LabDevice] = []

    def add(name: str, kind: str, platform: str, role: str, group: str, address: str) -> None:
        user = ROUTER_USER if kind == "router" else LINUX_USER
        tag = f"LAB-{len(devices) + 1:04d}"
        devices.append(LabDevice(name, kind, platform, role, group, address, plan.port, user, tag))

    for i in range(1, linux + 1):
        add(f"linux{i:02d}", "linux", "linux", "server", "linux-servers", plan.address("linux", i))
    for i in range(1, switches + 1):
        address = plan.address("switches", i)
        add(f"sw{i:02d}", "switch", "cisco_ios", "access-switch", "switches", address)
    if router:
        add("r01", "router", "frr", "core-router", "routers", plan.address("routers", 1))
    return devices


def lab_id(lab_dir: Path) -> str:
    """Return a short identifier of a lab directory, used to name namespaces.

    Args:
        lab_dir: The lab directory (made absolute before hashing).

    Returns:
        Eight hexadecimal characters.

    Examples:
        >>> lab_id(Path("/srv/sigap/lab"))
        'f39e7860'
        >>> len(lab_id(Path("/tmp/x/lab")))
        8
    """
    return hashlib.sha1(str(lab_dir.absolute()).encode()).hexdigest()[:8]
