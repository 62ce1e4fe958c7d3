"""A device as the inventory lists it, created then updated (records/devices.py)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from records.devices import DeviceListing, get_device, get_devices, upsert_listing


def test_a_listing_creates_the_device_then_updates_it(engine: Engine, session: Session) -> None:
    listing = DeviceListing("sw01", "10.0.0.1", "cisco_ios", 2222, "HQ", "core", "AST-1", "high")
    created = upsert_listing(session, listing)
    assert created.id is not None
    session.commit()
    first = (created.address, created.port, created.site, created.role, created.asset_tag)
    assert first == ("10.0.0.1", 2222, "HQ", "core", "AST-1")
    assert created.criticality == "high"
    moved = DeviceListing("sw01", address="10.0.0.2", platform="cisco_ios", site="DC")
    known = get_devices(session, ["sw01"])
    again = upsert_listing(session, moved, known=known, flush=False)
    session.commit()
    assert again.id == created.id
    device = get_device(session, "sw01")
    assert device is not None
    assert (device.address, device.port, device.site, device.role) == ("10.0.0.2", 22, "DC", None)
    assert (device.asset_tag, device.criticality, device.location) == (None, None, None)
