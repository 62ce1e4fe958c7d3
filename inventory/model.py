"""The typed inventory: hosts with everything inherited resolved, groups, defaults."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CRITICALITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

#: The ``data:`` fields SIGAP knows; any other key is kept in :attr:`HostData.extras`.
KNOWN_DATA_FIELDS: tuple[str, ...] = ("site", "role", "asset_tag", "criticality", "location")


@dataclass(frozen=True)
class HostData:
    """A host's ``data:`` after inheritance.

    Attributes:
        site: Office or site the device belongs to.
        role: What the device does (core switch, access switch, router, server...).
        asset_tag: The office's asset code (kode aset).
        criticality: ``low``, ``medium``, ``high`` or ``critical``.
        location: Room or rack (ruang).
        extras: Every other ``data:`` key (thresholds, maintenance windows...).
    """

    site: str | None = None
    role: str | None = None
    asset_tag: str | None = None
    criticality: str | None = None
    location: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Return a known field or an extra by name.

        Args:
            key: Field name.
            default: Returned when the key is absent or ``None``.

        Returns:
            The value.

        Examples:
            >>> d = HostData(site="pusat", extras={"cpu_max": 80})
            >>> d.get("site"), d.get("cpu_max"), d.get("nope", 0)
            ('pusat', 80, 0)
        """
        value = getattr(self, key) if key in KNOWN_DATA_FIELDS else self.extras.get(key)
        return default if value is None else value

    def as_dict(self) -> dict[str, Any]:
        """Return all fields that are set, known ones first, as a plain dict.

        Returns:
            The data mapping.

        Examples:
            >>> HostData(site="pusat", extras={"x": 1}).as_dict()
            {'site': 'pusat', 'x': 1}
        """
        out: dict[str, Any] = {
            k: getattr(self, k) for k in KNOWN_DATA_FIELDS if getattr(self, k) is not None
        }
        out.update(self.extras)
        return out


@dataclass(frozen=True)
class Host:
    """One device or server, with defaults and groups already applied.

    Attributes:
        name: Inventory name (the key in ``hosts.yaml``).
        hostname: Management IP address or DNS name.
        port: SSH port.
        username: Login name.
        password_ref: ``env:VAR`` or ``secret:BLOCK``; resolve it with
            :func:`tasks.credentials.resolve_secret`. Never the password itself.
        platform: Netmiko device type, or ``frr``.
        napalm_driver: NAPALM driver name, ``None`` where NAPALM has none.
        netmiko_device_type: Netmiko device type used to log in (``cisco_ios`` for
            ``frr``, whose login shell is vtysh), or ``connection_options.netmiko.platform``.
        groups: The host's own groups, in the order written.
        all_groups: Every group that applies, in inheritance order (parents after children).
        data: The merged ``data:``.
        connection_options: Merged ``connection_options:``, kept as written.
        file: File the host is defined in.
        line: Line of the host in that file.
    """

    name: str
    hostname: str
    port: int
    username: str
    password_ref: str
    platform: str
    napalm_driver: str | None
    netmiko_device_type: str
    groups: tuple[str, ...]
    all_groups: tuple[str, ...]
    data: HostData
    connection_options: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int | None = None

    @property
    def address(self) -> str:
        """``hostname:port`` as shown to users.

        Examples:
            >>> h = Host("sw1", "10.0.0.1", 22, "u", "env:P", "cisco_ios", "ios", "cisco_ios",
            ...          (), (), HostData())
            >>> h.address
            '10.0.0.1:22'
        """
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{host}:{self.port}"

    def matches(self, key: str, wanted: Any) -> bool:
        """Tell whether the host matches one filter criterion.

        ``group`` matches any group in :attr:`all_groups`; ``name``, ``hostname``,
        ``port``, ``username``, ``platform`` and ``napalm_driver`` match the host's
        own attribute; any other key is looked up in :attr:`data`. A list, tuple or
        set as ``wanted`` matches any of its values.

        Args:
            key: Criterion name.
            wanted: Value (or collection of values) to match.

        Returns:
            Whether the host matches.

        Examples:
            >>> h = Host("sw1", "10.0.0.1", 22, "u", "env:P", "cisco_ios", "ios", "cisco_ios",
            ...          ("switches",), ("switches", "site-pusat"), HostData(site="pusat"))
            >>> h.matches("group", "site-pusat"), h.matches("site", ["pusat", "cabang"])
            (True, True)
            >>> h.matches("platform", "linux")
            False
        """
        options = set(wanted) if isinstance(wanted, list | tuple | set | frozenset) else {wanted}
        options = {str(o) for o in options}
        if key in ("group", "groups"):
            return bool(options & set(self.all_groups))
        if key in ("name", "hostname", "port", "username", "platform", "napalm_driver"):
            return str(getattr(self, key)) in options
        value = self.data.get(key)
        return value is not None and str(value) in options


@dataclass(frozen=True)
class Entry:
    """A group or the defaults, as written (nothing inherited).

    Attributes:
        name: Group name (empty for the defaults).
        hostname: Management address, if set here.
        port: SSH port, if set here.
        username: Login name, if set here.
        password_ref: Credential reference, if set here.
        platform: Platform, if set here.
        groups: Parent groups (always empty for the defaults).
        data: ``data:`` as written.
        connection_options: ``connection_options:`` as written.
        file: File the entry is defined in.
        line: Line of the entry in that file.
    """

    name: str
    hostname: str | None = None
    port: int | None = None
    username: str | None = None
    password_ref: str | None = None
    platform: str | None = None
    groups: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    connection_options: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Inventory:
    """A loaded, valid inventory.

    Attributes:
        hosts: Hosts by name, in file order.
        groups: Groups by name, in file order.
        defaults: The defaults entry.
    """

    hosts: dict[str, Host]
    groups: dict[str, Entry] = field(default_factory=dict)
    defaults: Entry = field(default_factory=lambda: Entry(""))

    def filter(self, **criteria: Any) -> Inventory:
        """Return an inventory with only the hosts matching every criterion.

        Args:
            **criteria: See :meth:`Host.matches`, e.g. ``site="pusat"``,
                ``group="switches"``, ``platform=["cisco_ios", "cisco_xe"]``.

        Returns:
            A new inventory sharing the same groups and defaults.

        Examples:
            >>> def mk(n, p, s):
            ...     return Host(n, n, 22, "u", "env:P", p, None, p, (), (), HostData(site=s))
            >>> inv = Inventory({"a": mk("a", "linux", "x"), "b": mk("b", "frr", "x")})
            >>> list(inv.filter(site="x", platform="frr").hosts)
            ['b']
        """
        hosts = {
            name: host
            for name, host in self.hosts.items()
            if all(host.matches(key, wanted) for key, wanted in criteria.items())
        }
        return Inventory(hosts=hosts, groups=self.groups, defaults=self.defaults)

    def __len__(self) -> int:
        return len(self.hosts)

    def __iter__(self) -> Iterator[Host]:
        return iter(self.hosts.values())
