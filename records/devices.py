"""Read and write devices: the inventory as SIGAP has seen it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import when
from records.db import session_scope
from records.models import Device

Seen = TypeVar("Seen")


def get_device(session: Session, name: str) -> Device | None:
    """Return the device called ``name``, or None.

    Args:
        session: Open session.
        name: Inventory name of the device.

    Returns:
        The device or None.
    """
    return session.scalars(select(Device).where(Device.name == name)).one_or_none()


def upsert_device(
    session: Session,
    name: str,
    *,
    address: str,
    platform: str,
    port: int = 22,
    site: str | None = None,
    role: str | None = None,
    asset_tag: str | None = None,
    criticality: str | None = None,
    location: str | None = None,
    seen_at: datetime | None = None,
    known: Mapping[str, Device] | None = None,
    flush: bool = True,
) -> Device:
    """Create the device ``name`` or update it from the inventory.

    ``first_seen`` is set when the device is created; ``last_seen`` becomes
    ``seen_at``. A pinned SSH host key is left untouched.

    Args:
        session: Open session.
        name: Inventory name (unique).
        address: Host name or IP address.
        platform: Driver/platform name, e.g. ``cisco_ios``.
        port: SSH port.
        site: Site or office.
        role: Device role, e.g. ``core-switch``.
        asset_tag: Asset register number.
        criticality: e.g. ``high``.
        location: Room/rack.
        seen_at: When the inventory listed it (aware); default now.
        known: Devices already loaded by name (:func:`get_devices`), to skip the
            lookup; a name missing from it is a new device.
        flush: Flush at once (``False``: the caller flushes).

    Returns:
        The device, flushed (it has an id) unless ``flush`` is false.
    """
    seen = when(seen_at)
    device = known.get(name) if known is not None else get_device(session, name)
    if device is None:
        device = Device(name=name, first_seen=seen)
        session.add(device)
    device.address = address
    device.platform = platform
    device.port = port
    device.site = site
    device.role = role
    device.asset_tag = asset_tag
    device.criticality = criticality
    device.location = location
    device.last_seen = seen
    if flush:
        session.flush()
    return device


def get_devices(session: Session, names: Iterable[str]) -> dict[str, Device]:
    """Load the named devices in one query.

    Args:
        session: Open session.
        names: Inventory names.

    Returns:
        Name -> device, for the names that are stored.
    """
    wanted = list(dict.fromkeys(names))
    found: dict[str, Device] = {}
    for start in range(0, len(wanted), 500):  # keep the IN list small
        chunk = wanted[start : start + 500]
        found.update(
            (d.name, d) for d in session.scalars(select(Device).where(Device.name.in_(chunk)))
        )
    return found


def pin_host_key(
    session: Session,
    device: Device,
    *,
    key_type: str,
    fingerprint: str,
    public_key: str | None = None,
    pinned_at: datetime | None = None,
) -> Device:
    """Record the SSH host key SIGAP trusts for ``device``.

    Args:
        session: Open session.
        device: The device.
        key_type: Key algorithm, e.g. ``ssh-ed25519``.
        fingerprint: Fingerprint, e.g. ``SHA256:...``.
        public_key: The public key in base64 (as in ``known_hosts``), so later
            sessions can refuse any other key before they authenticate.
        pinned_at: When it was pinned (aware); default now.

    Returns:
        The device, flushed.
    """
    device.ssh_host_key_type = key_type
    device.ssh_host_key_fingerprint = fingerprint
    device.ssh_host_key = public_key
    device.ssh_host_key_pinned_at = when(pinned_at)
    session.flush()
    return device


@dataclass(frozen=True)
class DeviceListing:
    """A device as the inventory lists it (the fields of :func:`upsert_device`).

    Attributes:
        name: Inventory name.
        address: Host name or IP address.
        platform: Driver/platform name.
        port: SSH port.
        site: Site or office.
        role: Device role.
        asset_tag: Asset register number.
        criticality: e.g. ``high``.
        location: Room/rack.
    """

    name: str
    address: str
    platform: str
    port: int = 22
    site: str | None = None
    role: str | None = None
    asset_tag: str | None = None
    criticality: str | None = None
    location: str | None = None


def upsert_listing(
    session: Session,
    listing: DeviceListing,
    *,
    known: Mapping[str, Device] | None = None,
    flush: bool = True,
) -> Device:
    """Create or update a device as the inventory lists it (:func:`upsert_device`).

    Args:
        session: Open session.
        listing: The device's inventory fields.
        known: Devices already loaded by name (:func:`get_devices`).
        flush: Flush at once (``False``: the caller flushes).

    Returns:
        The device, flushed (it has an id) unless ``flush`` is false.
    """
    return upsert_device(
        session,
        listing.name,
        known=known,
        flush=flush,
        address=listing.address,
        port=listing.port,
        platform=listing.platform,
        site=listing.site,
        role=listing.role,
        asset_tag=listing.asset_tag,
        criticality=listing.criticality,
        location=listing.location,
    )


def record_devices(
    engine: Engine,
    devices: Sequence[tuple[DeviceListing, Seen]],
    then: Callable[[Session, Device, Seen], None],
) -> None:
    """Create or update devices from the inventory and record what was seen of each.

    One transaction: each device is upserted (:func:`upsert_device`), then
    ``then(session, device, seen)`` records what was seen of it (e.g.
    ``tasks.store.host_key_bookkeeping``: its first host key pinned, a changed
    key a finding).

    Args:
        engine: Records database.
        devices: Each device's listing and what was seen of it.
        then: Records what was seen, in the same session.
    """
    with session_scope(engine) as session:
        for listing, seen in devices:
            then(session, upsert_listing(session, listing), seen)
