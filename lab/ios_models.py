"""Hardware models the simulated Cisco IOS switches can be, and interface names.

Pure data and pure functions: no I/O, no fake-switches import. Every model uses
``GigabitEthernet0/N``-style names (some also ``FastEthernet0/N``) so that a
fault knob such as ``interface_errors: {"Gi0/1": 5}`` fits every model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

_TYPE_NAMES = {
    "fa": "FastEthernet",
    "gi": "GigabitEthernet",
    "te": "TenGigabitEthernet",
    "vl": "Vlan",
    "po": "Port-channel",
}


@dataclass(frozen=True)
class IosModel:
    """One switch model and the IOS image it runs.

    Attributes:
        pid: Cisco product id, e.g. ``WS-C2960+24TC-L``.
        family: Image family shown in ``show version`` (``C2960``).
        image: Image name (``C2960-LANBASEK9-M``).
        version: IOS version (``15.2(2)E9``).
        image_file: File name in flash.
        processor: CPU name shown in ``show version``.
        memory_k: Main memory in KiB as shown in ``show version``.
        fast_ports: Number of ``FastEthernet0/N`` ports.
        gig_ports: Number of ``GigabitEthernet0/N`` ports.
        uplinks: Number of trailing gigabit ports that are SFP uplinks.
        proc_mem_total: ``show memory statistics`` Processor pool total, bytes.
        io_mem_total: ``show memory statistics`` I/O pool total, bytes.
        compiled: The ``Compiled ...`` line of ``show version``.
    """

    pid: str
    family: str
    image: str
    version: str
    image_file: str
    processor: str
    memory_k: int
    fast_ports: int
    gig_ports: int
    uplinks: int
    proc_mem_total: int
    io_mem_total: int
    compiled: str

    @property
    def port_names(self) -> list[str]:
        """Physical interface names in front-panel order.

        Examples:
            >>> MODELS["WS-C2960+24TC-L"].port_names[-3:]
            ['FastEthernet0/24', 'GigabitEthernet0/1', 'GigabitEthernet0/2']
        """
        fast = [f"FastEthernet0/{n}" for n in range(1, self.fast_ports + 1)]
        return fast + [f"GigabitEthernet0/{n}" for n in range(1, self.gig_ports + 1)]

    @property
    def uplink_names(self) -> list[str]:
        """The SFP uplink ports (the last gigabit ports).

        Examples:
            >>> MODELS["WS-C3560CX-12PC-S"].uplink_names
            ['GigabitEthernet0/15', 'GigabitEthernet0/16']
        """
        return self.port_names[len(self.port_names) - self.uplinks :]


MODELS: dict[str, IosModel] = {
    m.pid: m
    for m in (
        IosModel(
            pid="WS-C2960+24TC-L",
            family="C2960",
            image="C2960-LANBASEK9-M",
            version="15.2(2)E9",
            image_file="flash:/c2960-lanbasek9-mz.152-2.E9.bin",
            processor="PowerPC405",
            memory_k=131072,
            fast_ports=24,
            gig_ports=2,
            uplinks=2,
            proc_mem_total=88_493_348,
            io_mem_total=12_574_720,
            compiled="Compiled Sat 13-Jun-20 03:46 by prod_rel_team",
        ),
        IosModel(
            pid="WS-C2960G-24TC-L",
            family="C2960",
            image="C2960-LANBASEK9-M",
            version="15.0(2)SE11",
            image_file="flash:/c2960-lanbasek9-mz.150-2.SE11.bin",
            processor="PowerPC405",
            memory_k=65536,
            fast_ports=0,
            gig_ports=24,
            uplinks=4,
            proc_mem_total=39_435_212,
            io_mem_total=6_287_360,
            compiled="Compiled Sat 19-Aug-17 09:34 by prod_rel_team",
        ),
        IosModel(
            pid="WS-C3560CX-12PC-S",
            family="C3560CX",
            image="C3560CX-UNIVERSALK9-M",
            version="15.2(7)E8",
            image_file="flash:/c3560cx-universalk9-mz.152-7.E8.bin",
            processor="APM86XXX",
            memory_k=524288,
            fast_ports=0,
            gig_ports=16,
            uplinks=2,
            proc_mem_total=358_023_296,
            io_mem_total=25_165_824,
            compiled="Compiled Tue 28-Mar-23 03:20 by prod_rel_team",
        ),
    )
}


def expand_interface_name(name: str) -> str:
    """Full IOS interface name from an abbreviation (case-insensitive).

    Args:
        name: ``Gi0/1``, ``gigabitethernet0/1``, ``Fa0/3``, ``vlan1`` ...

    Returns:
        The canonical name, or ``name`` unchanged when its type is unknown.

    Examples:
        >>> expand_interface_name("Gi0/1")
        'GigabitEthernet0/1'
        >>> expand_interface_name("fastEthernet0/12")
        'FastEthernet0/12'
        >>> expand_interface_name("vl1")
        'Vlan1'
        >>> expand_interface_name("Serial0/0")
        'Serial0/0'
    """
    head = name.rstrip("0123456789/.")
    number = name[len(head) :]
    key = head.strip().lower()
    for prefix, full in _TYPE_NAMES.items():
        if key and key[:2] == prefix and full.lower().startswith(key):
            return full + number
    return name


def short_interface_name(name: str) -> str:
    """Two-letter IOS abbreviation of an interface name.

    Examples:
        >>> short_interface_name("GigabitEthernet0/1")
        'Gi0/1'
        >>> short_interface_name("Vlan1")
        'Vl1'
    """
    head = name.rstrip("0123456789/.")
    return head[:2] + name[len(head) :]


def stable_int(*parts: object) -> int:
    """A large integer derived from ``parts``, the same in every run and process.

    Used for every per-device value (serial, MAC, load) so a fleet looks varied
    yet each device answers the same way each time.

    Examples:
        >>> stable_int("sw01", "serial") == stable_int("sw01", "serial")
        True
        >>> stable_int("sw01", "serial") != stable_int("sw02", "serial")
        True
    """
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")
