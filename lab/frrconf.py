"""FRR configuration of the lab router ``r01`` and its OSPF neighbour ``nb01`` (pure).

Topology (inside network namespaces the lab creates; none of these addresses
exists outside them)::

    r01  lo 10.255.0.1/32   lan0 192.168.10.1/24   wan0 10.0.12.1/30 --+
                                                                        | OSPF area 0
    nb01 lo 10.255.0.2/32   lan0 192.168.20.1/24   wan0 10.0.12.2/30 --+

``r01`` also has a static route to a server segment behind the LAN, so
``show ip route`` lists connected, static and OSPF routes. The OSPF link is
authenticated with an MD5 key (:data:`OSPF_WAN_KEY`), so the router's running
config carries a secret the collection must remove.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class RouterSpec:
    """Addresses of one FRR instance.

    Attributes:
        hostname: Host name (the vtysh prompt).
        loopback: Router id / loopback address.
        lan: LAN interface address with prefix length.
        wan: Point-to-point link address with prefix length.
        static_routes: ``(prefix, next hop)`` pairs.
        description: Interface description of the LAN.
    """

    hostname: str
    loopback: str
    lan: str
    wan: str
    static_routes: tuple[tuple[str, str], ...] = ()
    description: str = "LAN"


R01 = RouterSpec(
    hostname="r01",
    loopback="10.255.0.1",
    lan="192.168.10.1/24",
    wan="10.0.12.1/30",
    static_routes=(("172.16.50.0/24", "192.168.10.254"),),
    description="LAN Kantor (lab)",
)
NB01 = RouterSpec(
    hostname="nb01",
    loopback="10.255.0.2",
    lan="192.168.20.1/24",
    wan="10.0.12.2/30",
    description="LAN Cabang (lab)",
)


OSPF_WAN_KEY = "LabOspfMd5Key01"
"""The OSPF MD5 key of the ``wan0`` link (both ends; ospfd takes at most 16 characters)."""


def router_secrets(spec: RouterSpec) -> dict[str, str]:
    """The secret values that appear in a lab router's running config (tests check sanitising).

    Args:
        spec: The router.

    Returns:
        Name -> value.

    Examples:
        >>> router_secrets(R01)
        {'ospf_md5_key': 'LabOspfMd5Key01'}
    """
    return {"ospf_md5_key": OSPF_WAN_KEY}


def _network(cidr: str) -> str:
    return str(ipaddress.ip_interface(cidr).network)


def zebra_conf(spec: RouterSpec) -> str:
    """Return ``zebra.conf``: host name, forwarding, interface addresses.

    Args:
        spec: The router.

    Returns:
        The config text.

    Examples:
        >>> print(zebra_conf(NB01))  # doctest: +ELLIPSIS
        hostname nb01
        ip forwarding
        !
        interface lo
         ip address 10.255.0.2/32
        ...
    """
    return (
        f"hostname {spec.hostname}\n"
        "ip forwarding\n"
        "!\n"
        "interface lo\n"
        f" ip address {spec.loopback}/32\n"
        "!\n"
        "interface lan0\n"
        f" description {spec.description}\n"
        f" ip address {spec.lan}\n"
        "!\n"
        "interface wan0\n"
        " description Link OSPF area 0 (lab)\n"
        f" ip address {spec.wan}\n"
        "!\n"
    )


def staticd_conf(spec: RouterSpec) -> str:
    """Return ``staticd.conf`` with the router's static routes.

    Args:
        spec: The router.

    Returns:
        The config text.

    Examples:
        >>> print(staticd_conf(R01))
        hostname r01
        ip route 172.16.50.0/24 192.168.10.254
        !
    """
    routes = "".join(f"ip route {prefix} {hop}\n" for prefix, hop in spec.static_routes)
    return f"hostname {spec.hostname}\n{routes}!\n"


def ospfd_conf(spec: RouterSpec) -> str:
    """Return ``ospfd.conf``: one area, a fast point-to-point adjacency on ``wan0`` (MD5).

    Args:
        spec: The router.

    Returns:
        The config text.

    Examples:
        >>> "network 192.168.10.0/24 area 0" in ospfd_conf(R01)
        True
    """
    return (
        f"hostname {spec.hostname}\n"
        "!\n"
        "interface wan0\n"
        " ip ospf network point-to-point\n"
        " ip ospf hello-interval 1\n"
        " ip ospf dead-interval 4\n"
        " ip ospf authentication message-digest\n"
        f" ip ospf message-digest-key 1 md5 {router_secrets(spec)['ospf_md5_key']}\n"
        "!\n"
        "router ospf\n"
        f" ospf router-id {spec.loopback}\n"
        " passive-interface lan0\n"
        f" network {spec.loopback}/32 area 0\n"
        f" network {_network(spec.lan)} area 0\n"
        f" network {_network(spec.wan)} area 0\n"
        "!\n"
    )


def vtysh_conf(spec: RouterSpec) -> str:
    """Return ``vtysh.conf``: per-daemon config files, so ``write memory`` works.

    Args:
        spec: The router.

    Returns:
        The config text.

    Examples:
        >>> print(vtysh_conf(R01))
        hostname r01
        no service integrated-vtysh-config
        <BLANKLINE>
    """
    return f"hostname {spec.hostname}\nno service integrated-vtysh-config\n"


def daemon_configs(spec: RouterSpec, with_static: bool) -> dict[str, str]:
    """Return the config file of every daemon of a router, by daemon name.

    Args:
        spec: The router.
        with_static: Whether ``staticd`` runs (it does on ``r01``).

    Returns:
        ``{"zebra": ..., "ospfd": ...}`` (plus ``staticd``).

    Examples:
        >>> sorted(daemon_configs(R01, with_static=True))
        ['ospfd', 'staticd', 'zebra']
    """
    configs = {"zebra": zebra_conf(spec), "ospfd": ospfd_conf(spec)}
    if with_static:
        configs["staticd"] = staticd_conf(spec)
    return configs
