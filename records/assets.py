"""Read and write the asset register; every change is recorded as an :class:`AssetEvent`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import maybe, one_of, when
from records.asset_models import Asset, AssetEvent
from records.db import session_scope
from records.models import Device, DeviceSnapshot
from sop.asset_reconcile import RegisteredItem, SeenDevice
from sop.assets import CATEGORIES, STATUSES

NOT_ANSWERED: tuple[str, ...] = ("unreachable", "timeout")
"""Snapshot outcomes where the device did not answer at all (not a sighting)."""

ASSET_FIELDS: tuple[str, ...] = (
    "tag",
    "category",
    "name",
    "vendor",
    "model",
    "serial",
    "location",
    "custodian",
    "status",
    "acquired_on",
    "value",
    "warranty_end",
    "inventory_host",
    "os_version",
    "notes",
)
"""The fields of an asset a user or a procedure sets (not id and timestamps)."""

REQUIRED_FIELDS: tuple[str, ...] = ("tag", "category", "name", "status")
"""Fields every asset must have."""


def _json(value: Any) -> Any:
    """Return a value as JSON data (dates as ISO text).

    Examples:
        >>> _json(date(2026, 1, 2)), _json(5), _json(None)
        ('2026-01-02', 5, None)
    """
    if isinstance(value, date):
        return value.isoformat()
    return value


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(ASSET_FIELDS))
    if unknown:
        raise ValueError(
            f"unknown asset field(s) {', '.join(unknown)}: use {', '.join(ASSET_FIELDS)}"
        )
    if "category" in fields:
        one_of("category", fields["category"], CATEGORIES)
    if "status" in fields:
        one_of("status", fields["status"], STATUSES)
    for name in REQUIRED_FIELDS:
        if name in fields and (fields[name] is None or str(fields[name]).strip() == ""):
            raise ValueError(f"{name}: must not be empty")
    for name in ("acquired_on", "warranty_end"):
        value = fields.get(name)
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise ValueError(f"{name}: {value!r} must be a date")
    value = fields.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"value: {value!r} must be whole rupiah, 0 or more")
    return fields


def get_asset(session: Session, tag: str) -> Asset:
    """Return the asset with this tag.

    Args:
        session: Open session.
        tag: The asset tag (kode aset).

    Returns:
        The asset.

    Raises:
        LookupError: Naming the tag, when the register has no such asset.
    """
    asset = session.scalar(select(Asset).where(Asset.tag == tag))
    if asset is None:
        raise LookupError(f"aset {tag!r} tidak ada di register / no asset with tag {tag!r}")
    return asset


def find_assets(
    session: Session, *, status: str | None = None, category: str | None = None
) -> list[Asset]:
    """Return the register's assets, optionally of one status and/or category, by tag.

    Args:
        session: Open session.
        status: Only assets with this status (one of :data:`sop.assets.STATUSES`).
        category: Only assets of this category (one of :data:`sop.assets.CATEGORIES`).

    Returns:
        The assets, ordered by tag.

    Raises:
        ValueError: If ``status`` or ``category`` is not a known value.
    """
    query = select(Asset).order_by(Asset.tag)
    if status is not None:
        query = query.where(Asset.status == one_of("status", status, STATUSES))
    if category is not None:
        query = query.where(Asset.category == one_of("category", category, CATEGORIES))
    return list(session.scalars(query))


def existing_tags(session: Session, tags: Iterable[str]) -> set[str]:
    """Return which of ``tags`` the register already holds.

    Args:
        session: Open session.
        tags: Asset tags.

    Returns:
        The tags already registered.
    """
    wanted = list(dict.fromkeys(tags))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Asset.tag).where(Asset.tag.in_(chunk))))
    return found


def add_asset(
    session: Session,
    *,
    procedure: str | None = None,
    sop_run_id: int | None = None,
    actor: str | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> Asset:
    """Add an asset to the register and record its ``created`` event.

    Args:
        session: Open session.
        procedure: What created it, e.g. ``D1`` or ``import``.
        sop_run_id: The SOP run that created it, if any.
        actor: Who created it.
        at: When (aware); default now.
        **fields: Asset fields (:data:`ASSET_FIELDS`); tag, category, name and
            status are required.

    Returns:
        The asset, flushed.

    Raises:
        ValueError: On an unknown field, a missing required field, a bad value,
            or a tag already in the register.
    """
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"missing asset field(s): {', '.join(missing)}")
    _checked(fields)
    if existing_tags(session, [fields["tag"]]):
        raise ValueError(f"tag: aset {fields['tag']!r} sudah ada / already in the register")
    moment = when(at)
    asset = Asset(**fields, created_at=moment, updated_at=moment)
    session.add(asset)
    session.flush()
    session.add(
        AssetEvent(
            asset=asset,
            procedure=procedure,
            sop_run_id=sop_run_id,
            kind="created",
            changes={k: [None, _json(v)] for k, v in fields.items() if v is not None},
            actor=actor,
            at=moment,
        )
    )
    session.flush()
    return asset


def change_asset(
    session: Session,
    asset: Asset,
    *,
    procedure: str | None,
    sop_run_id: int | None,
    actor: str | None,
    at: datetime,
    kind: str = "changed",
    **changes: Any,
) -> AssetEvent:
    """Change an asset's fields and record the old and new values.

    Only fields whose value really changes appear in the event's ``changes``.

    Args:
        session: Open session.
        asset: The asset.
        procedure: Which procedure changes it, e.g. ``D2``.
        sop_run_id: The SOP run, if any.
        actor: Who changes it.
        at: When (aware).
        kind: What happened, e.g. ``changed``, ``status``, ``relocated``.
        **changes: New field values (:data:`ASSET_FIELDS`).

    Returns:
        The event, flushed.

    Raises:
        ValueError: On an unknown field, a bad value, a naive ``at``, or a tag
            already used by another asset.
    """
    _checked(changes)
    moment = when(at)
    new_tag = changes.get("tag", asset.tag)
    if new_tag != asset.tag and existing_tags(session, [new_tag]):
        raise ValueError(f"tag: aset {changes['tag']!r} sudah ada / already in the register")
    diff: dict[str, list[Any]] = {}
    for name, new in changes.items():
        old = getattr(asset, name)
        if old != new:
            diff[name] = [_json(old), _json(new)]
            setattr(asset, name, new)
    if diff:
        asset.updated_at = moment
    event = AssetEvent(
        asset=asset,
        procedure=procedure,
        sop_run_id=sop_run_id,
        kind=kind,
        changes=diff,
        actor=actor,
        at=moment,
    )
    session.add(event)
    session.flush()
    return event


def load_asset(engine: Engine, tag: str) -> Asset:
    """Read one asset in a session of its own (its fields stay readable afterwards).

    Args:
        engine: Records database.
        tag: The asset tag.

    Returns:
        The asset's register row as it stands now.

    Raises:
        LookupError: Naming the tag, when the register has no such asset.
    """
    with session_scope(engine) as session:
        return get_asset(session, tag)


def update_asset(
    engine: Engine,
    tag: str,
    *,
    procedure: str | None,
    sop_run_id: int | None,
    actor: str | None,
    at: datetime,
    kind: str = "changed",
    **changes: Any,
) -> None:
    """Change the asset with this tag and record the event, in one transaction.

    Args:
        engine: Records database.
        tag: The asset tag.
        procedure: Which procedure changes it, e.g. ``D2``.
        sop_run_id: The SOP run, if any.
        actor: Who changes it.
        at: When (aware).
        kind: What happened, e.g. ``status``, ``relocated``.
        **changes: New field values (:data:`ASSET_FIELDS`).

    Raises:
        LookupError: No such asset.
        ValueError: As :func:`change_asset`.
    """
    with session_scope(engine) as session:
        change_asset(
            session,
            get_asset(session, tag),
            procedure=procedure,
            sop_run_id=sop_run_id,
            actor=actor,
            at=at,
            kind=kind,
            **changes,
        )


def taken_tags(engine: Engine, tags: Iterable[str]) -> set[str]:
    """Which of ``tags`` the register already holds (:func:`existing_tags` in its own session).

    Args:
        engine: Records database.
        tags: Asset tags.

    Returns:
        The tags already registered.
    """
    with session_scope(engine) as session:
        return existing_tags(session, tags)


def add_assets(
    engine: Engine,
    assets: Sequence[Mapping[str, Any]],
    *,
    procedure: str | None,
    sop_run_id: int | None,
    actor: str | None,
    at: datetime,
) -> None:
    """Add several assets to the register in one transaction (all or none).

    Args:
        engine: Records database.
        assets: Each asset's fields (:data:`ASSET_FIELDS`), in order.
        procedure: What creates them, e.g. ``D1``.
        sop_run_id: The SOP run that creates them, if any.
        actor: Who creates them.
        at: When (aware).

    Raises:
        ValueError: As :func:`add_asset`, for the first asset refused.
    """
    with session_scope(engine) as session:
        for fields in assets:
            add_asset(
                session, procedure=procedure, sop_run_id=sop_run_id, actor=actor, at=at, **fields
            )


def asset_events(
    session: Session,
    asset: Asset | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AssetEvent]:
    """Return asset events in time order, of one asset or all, within a period.

    Args:
        session: Open session.
        asset: Only this asset's events.
        since: Only events at or after this (aware) time.
        until: Only events strictly before this (aware) time.

    Returns:
        The events, oldest first.
    """
    query = select(AssetEvent).order_by(AssetEvent.at, AssetEvent.id)
    if asset is not None:
        query = query.where(AssetEvent.asset_id == asset.id)
    if (start := maybe(since)) is not None:
        query = query.where(AssetEvent.at >= start)
    if (end := maybe(until)) is not None:
        query = query.where(AssetEvent.at < end)
    return list(session.scalars(query))


def registered_items(session: Session) -> list[RegisteredItem]:
    """Return every asset as the reconciliation sees it.

    Args:
        session: Open session.

    Returns:
        One item per asset, by tag.
    """
    return [
        RegisteredItem(
            tag=a.tag,
            name=a.name,
            status=a.status,
            inventory_host=a.inventory_host,
            serial=a.serial,
            model=a.model,
            os_version=a.os_version,
        )
        for a in find_assets(session)
    ]


def seen_devices(session: Session, until: datetime | None = None) -> list[SeenDevice]:
    """Return every collected device: when it last answered and its latest facts.

    A device "answered" when a snapshot's outcome is not unreachable or timeout
    (an authentication failure still proves it is on the network). The facts are
    those of its newest snapshot that has facts.

    Args:
        session: Open session.
        until: Only snapshots collected before this (aware) time; default all.

    Returns:
        One entry per device, by name.
    """
    end = maybe(until)

    def newest(*conditions: Any) -> dict[int, datetime]:
        query = select(DeviceSnapshot.device_id, func.max(DeviceSnapshot.collected_at)).where(
            *conditions
        )
        if end is not None:
            query = query.where(DeviceSnapshot.collected_at < end)
        return dict(session.execute(query.group_by(DeviceSnapshot.device_id)).tuples().all())

    answered = newest(DeviceSnapshot.outcome.not_in(NOT_ANSWERED))
    latest_ok = select(
        DeviceSnapshot.device_id, func.max(DeviceSnapshot.collected_at).label("at")
    ).where(DeviceSnapshot.outcome == "ok")
    if end is not None:
        latest_ok = latest_ok.where(DeviceSnapshot.collected_at < end)
    sub = latest_ok.group_by(DeviceSnapshot.device_id).subquery()
    rows = session.execute(
        select(DeviceSnapshot.device_id, DeviceSnapshot.facts)
        .join(
            sub,
            (DeviceSnapshot.device_id == sub.c.device_id)
            & (DeviceSnapshot.collected_at == sub.c.at),
        )
        .where(DeviceSnapshot.outcome == "ok")
    ).tuples()
    facts: dict[int, dict[str, Any]] = {device_id: data or {} for device_id, data in rows}
    out: list[SeenDevice] = []
    for device in session.scalars(select(Device).order_by(Device.name)):
        data = facts.get(device.id, {})
        out.append(
            SeenDevice(
                name=device.name,
                last_seen=answered.get(device.id),
                hostname=data.get("hostname"),
                vendor=data.get("vendor"),
                model=data.get("model"),
                serial=data.get("serial"),
                os_version=data.get("os_version"),
                asset_tag=device.asset_tag,
            )
        )
    return out
