"""Reconcile the asset register with what the collection sees on the network.

Pure: the register's items and the devices' latest facts in, three lists out:

* **unregistered** — devices seen on the network (they answered a collection in
  the last N months) that no asset names as its ``inventory_host`` and whose
  inventory ``asset_tag`` is no asset's tag;
* **not seen** — registered network assets (an ``inventory_host``, status neither
  ``planned`` nor ``disposed``) the collection has not seen for N months, or never;
* **mismatches** — a linked asset whose register serial, model or OS version differs
  from what the device reports, or a ``disposed`` asset still answering.

An asset is linked to a device by its ``inventory_host``, or else by the device's
inventory ``asset_tag`` naming it. Values are compared ignoring case and
surrounding spaces; a value missing on either side is not compared.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_MONTHS = 3
"""Months without a sighting before a registered network asset is reported."""

KINDS: dict[str, str] = {
    "unregistered": "Perangkat di jaringan tidak ada di register",
    "not_seen": "Aset terdaftar tidak terlihat di jaringan",
    "mismatch": "Data register berbeda dengan perangkat",
}
"""Finding kinds and their Indonesian titles."""

FIELD_LABELS: dict[str, str] = {
    "serial": "Nomor seri",
    "model": "Model",
    "os_version": "Versi OS",
    "status": "Status",
}
"""Indonesian labels of the compared fields."""


@dataclass(frozen=True)
class RegisteredItem:
    """What the register says about one asset.

    Attributes:
        tag: Asset tag.
        name: Asset name.
        status: Asset status.
        inventory_host: Inventory name of the device, if the asset is one.
        serial: Serial number in the register.
        model: Model in the register.
        os_version: OS version in the register.
    """

    tag: str
    name: str
    status: str
    inventory_host: str | None = None
    serial: str | None = None
    model: str | None = None
    os_version: str | None = None


@dataclass(frozen=True)
class SeenDevice:
    """What the collection knows of one device.

    Attributes:
        name: Inventory name.
        last_seen: When it last answered a collection (``None``: never).
        hostname: The name the device gives itself.
        vendor: Reported vendor.
        model: Reported model.
        serial: Reported serial.
        os_version: Reported OS version.
        asset_tag: The asset tag the inventory gives the device (``data.asset_tag``).
    """

    name: str
    last_seen: datetime | None
    hostname: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    os_version: str | None = None
    asset_tag: str | None = None


@dataclass(frozen=True)
class Finding:
    """One thing the register and the network disagree on.

    Attributes:
        kind: ``unregistered``, ``not_seen`` or ``mismatch`` (see :data:`KINDS`).
        tag: Asset tag (``None`` for an unregistered device).
        host: Inventory name of the device.
        field: For a mismatch: ``serial``, ``model``, ``os_version`` or ``status``.
        register: The register's value.
        network: What the device reports.
        last_seen: When the device last answered (``None``: never).
        note: Indonesian explanation and what to do.
    """

    kind: str
    tag: str | None
    host: str | None
    field: str | None = None
    register: str | None = None
    network: str | None = None
    last_seen: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class Reconciliation:
    """The result of :func:`reconcile`.

    Attributes:
        as_of: The moment of the comparison.
        months: The "not seen for" window in months.
        since: Start of the window (``as_of`` minus ``months``).
        assets_checked: Registered network assets compared.
        devices_seen: Devices that answered within the window.
        unregistered: Devices seen but not registered.
        not_seen: Registered network assets not seen within the window.
        mismatches: Field differences between register and device.
    """

    as_of: datetime
    months: int
    since: datetime
    assets_checked: int
    devices_seen: int
    unregistered: list[Finding] = field(default_factory=list)
    not_seen: list[Finding] = field(default_factory=list)
    mismatches: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding: unregistered, then not seen, then mismatches."""
        return [*self.unregistered, *self.not_seen, *self.mismatches]

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON data (times in ISO 8601)."""

        def plain(finding: Finding) -> dict[str, Any]:
            data = asdict(finding)
            data["last_seen"] = finding.last_seen.isoformat() if finding.last_seen else None
            return data

        return {
            "as_of": self.as_of.isoformat(),
            "months": self.months,
            "since": self.since.isoformat(),
            "assets_checked": self.assets_checked,
            "devices_seen": self.devices_seen,
            "unregistered": [plain(f) for f in self.unregistered],
            "not_seen": [plain(f) for f in self.not_seen],
            "mismatches": [plain(f) for f in self.mismatches],
        }


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same day and time ``months`` calendar months earlier (clamped to month end).

    Args:
        moment: A datetime.
        months: Whole months, 0 or more.

    Returns:
        The earlier datetime.

    Raises:
        ValueError: If ``months`` is negative.

    Examples:
        >>> months_before(datetime(2026, 5, 31, 8, 0), 3)
        datetime.datetime(2026, 2, 28, 8, 0)
        >>> months_before(datetime(2026, 2, 10), 14)
        datetime.datetime(2024, 12, 10, 0, 0)
    """
    if months < 0:
        raise ValueError(f"months: {months} must be 0 or more")
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _norm(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def reconcile(
    assets: Iterable[RegisteredItem],
    devices: Iterable[SeenDevice],
    *,
    as_of: datetime,
    months: int = DEFAULT_MONTHS,
) -> Reconciliation:
    """Compare the register with the collected devices.

    Args:
        assets: The register's items (all of them: those without an
            ``inventory_host`` are used to suggest a link by serial number).
        devices: Every device the collection knows, with its latest facts.
        as_of: The moment of the comparison (aware).
        months: A registered network asset not seen for this many months is reported.

    Returns:
        The findings, each list ordered by host then tag.

    Examples:
        >>> from datetime import UTC
        >>> now = datetime(2026, 12, 1, tzinfo=UTC)
        >>> r = reconcile(
        ...     [RegisteredItem("B-1", "Switch", "in_service", "sw1", serial="AAA"),
        ...      RegisteredItem("B-2", "Router", "in_service", "r9")],
        ...     [SeenDevice("sw1", datetime(2026, 11, 30, tzinfo=UTC), serial="BBB"),
        ...      SeenDevice("sw2", datetime(2026, 11, 30, tzinfo=UTC))],
        ...     as_of=now)
        >>> [(f.kind, f.tag, f.host, f.field) for f in r.findings]
        [('unregistered', None, 'sw2', None), ('not_seen', 'B-2', 'r9', None), ('mismatch', 'B-1', 'sw1', 'serial')]
    """  # noqa: E501
    since = months_before(as_of, months)
    items = list(assets)
    known = list(devices)
    by_host = {_norm(d.name): d for d in known}
    by_tag = {_norm(d.asset_tag): d for d in known if d.asset_tag}
    seen = {key: d for key, d in by_host.items() if d.last_seen and d.last_seen >= since}
    host_of: dict[str, str] = {}
    for a in items:
        tagged = by_tag.get(_norm(a.tag))
        host = a.inventory_host or (tagged.name if tagged is not None else None)
        if host:
            host_of[a.tag] = host
    linked = [a for a in items if a.tag in host_of and a.status != "planned"]
    linked_hosts = {_norm(host_of[a.tag]) for a in linked}
    by_serial = {_norm(a.serial): a for a in items if a.serial}

    unregistered: list[Finding] = []
    for key, device in seen.items():
        if key in linked_hosts:
            continue
        match = by_serial.get(_norm(device.serial)) if device.serial else None
        if match is not None:
            note = (
                f"nomor seri sama dengan aset {match.tag} ({match.name}): isi host inventaris "
                f"{device.name} pada aset itu"
            )
        else:
            note = "daftarkan perangkat ini di register aset"
        unregistered.append(
            Finding(
                "unregistered",
                match.tag if match is not None else None,
                device.name,
                register=None,
                network=" ".join(x for x in (device.vendor, device.model, device.serial) if x)
                or None,
                last_seen=device.last_seen,
                note=note,
            )
        )

    not_seen: list[Finding] = []
    mismatches: list[Finding] = []
    for asset in linked:
        host = host_of[asset.tag]
        found = by_host.get(_norm(host))
        last = found.last_seen if found is not None else None
        if asset.status == "disposed":
            if last is not None and last >= since:
                mismatches.append(
                    Finding(
                        "mismatch",
                        asset.tag,
                        host,
                        "status",
                        register="disposed",
                        network=f"terlihat {last:%d/%m/%Y}",
                        last_seen=last,
                        note="aset sudah dihapuskan tetapi masih menjawab di jaringan",
                    )
                )
            continue
        if last is None or last < since:
            when = f"terakhir terlihat {last:%d/%m/%Y}" if last else "belum pernah terlihat"
            not_seen.append(
                Finding(
                    "not_seen",
                    asset.tag,
                    host,
                    last_seen=last,
                    note=f"{when}; tidak terlihat {months} bulan: periksa fisik atau perbarui "
                    "register",
                )
            )
        if found is None:
            continue
        for name in ("serial", "model", "os_version"):
            ours, theirs = getattr(asset, name), getattr(found, name)
            if ours and theirs and _norm(ours) != _norm(theirs):
                mismatches.append(
                    Finding(
                        "mismatch",
                        asset.tag,
                        host,
                        name,
                        register=ours,
                        network=theirs,
                        last_seen=last,
                        note=f"{FIELD_LABELS[name]} berbeda: periksa perangkat atau perbarui "
                        "register",
                    )
                )

    def order(f: Finding) -> tuple[str, str, str]:
        return (_norm(f.host), f.tag or "", f.field or "")

    return Reconciliation(
        as_of=as_of,
        months=months,
        since=since,
        assets_checked=len([a for a in linked if a.status != "disposed"]),
        devices_seen=len(seen),
        unregistered=sorted(unregistered, key=order),
        not_seen=sorted(not_seen, key=order),
        mismatches=sorted(mismatches, key=order),
    )
