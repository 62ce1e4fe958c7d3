"""Configuration history of a device: its stored running configs, as numbered versions.

A *version* is a stored running configuration whose hash differs from the one stored
just before it (a config that goes back to an earlier state is a new version).
Versions are numbered 1..n, oldest first. The hash is :func:`sop.configs.config_hash`
of the stored text (normalised, so volatile lines never make a version); snapshots
without a configuration (failed or ``truncated`` outcomes) are not versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.devices import get_device
from records.models import DeviceSnapshot
from sop.configs import changed_lines, config_diff, config_hash, line_count


class UnknownDevice(LookupError):
    """No device of that name is in the records."""


class UnknownVersion(LookupError):
    """The device has no configuration version of that number."""


@dataclass(frozen=True)
class ConfigVersion:
    """One version of a device's running configuration.

    Attributes:
        version: 1 for the oldest stored config, n for the newest.
        snapshot_id: The snapshot that first stored it.
        run_id: The collection run of that snapshot.
        collected_at: When it was collected (aware, UTC).
        hash: SHA-256 of the normalised text.
        lines: Number of lines of the normalised text.
        changed_lines: Lines removed plus lines added against the previous version
            (None for version 1).
    """

    version: int
    snapshot_id: int
    run_id: int
    collected_at: datetime
    hash: str
    lines: int
    changed_lines: int | None


def _stored_configs(session: Session, device_name: str) -> list[tuple[int, int, datetime, str]]:
    """Return (snapshot id, run id, collected at, running config), oldest first."""
    device = get_device(session, device_name)
    if device is None:
        raise UnknownDevice(f"no device named {device_name!r} in the records")
    rows = session.execute(
        select(
            DeviceSnapshot.id,
            DeviceSnapshot.run_id,
            DeviceSnapshot.collected_at,
            DeviceSnapshot.config_running,
        )
        .where(
            DeviceSnapshot.device_id == device.id,
            DeviceSnapshot.config_running.is_not(None),
            DeviceSnapshot.outcome != "truncated",
        )
        .order_by(DeviceSnapshot.collected_at, DeviceSnapshot.id)
    ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def _versions_with_text(session: Session, device_name: str) -> list[tuple[ConfigVersion, str]]:
    versions: list[tuple[ConfigVersion, str]] = []
    previous: tuple[str, str] | None = None  # (hash, text)
    for snapshot_id, run_id, collected_at, text in _stored_configs(session, device_name):
        digest = config_hash(text)
        if previous is not None and previous[0] == digest:
            continue
        version = ConfigVersion(
            version=len(versions) + 1,
            snapshot_id=snapshot_id,
            run_id=run_id,
            collected_at=collected_at,
            hash=digest,
            lines=line_count(text),
            changed_lines=None if previous is None else changed_lines(previous[1], text),
        )
        versions.append((version, text))
        previous = (digest, text)
    return versions


def config_versions(session: Session, device_name: str) -> list[ConfigVersion]:
    """Return every version of the device's running configuration, oldest first.

    Args:
        session: Open session.
        device_name: Inventory name of the device.

    Returns:
        The versions (empty when no configuration was stored yet).

    Raises:
        UnknownDevice: If no device of that name is in the records.
    """
    return [version for version, _ in _versions_with_text(session, device_name)]


def _pick(
    versions: list[tuple[ConfigVersion, str]], device_name: str, number: int
) -> tuple[ConfigVersion, str]:
    if not versions:
        raise UnknownVersion(f"{device_name} has no stored configuration yet")
    if not 1 <= number <= len(versions):
        raise UnknownVersion(
            f"{device_name} has configuration versions 1..{len(versions)}; "
            f"there is no version {number}"
        )
    return versions[number - 1]


def config_text(session: Session, device_name: str, version: int) -> str:
    """Return the stored (sanitised) running configuration of one version.

    Args:
        session: Open session.
        device_name: Inventory name of the device.
        version: Version number (1 = oldest).

    Returns:
        The configuration text as stored.

    Raises:
        UnknownDevice: If no device of that name is in the records.
        UnknownVersion: If the device has no such version.
    """
    return _pick(_versions_with_text(session, device_name), device_name, version)[1]


@dataclass(frozen=True)
class VersionDiff:
    """The difference between two versions of a device's configuration.

    Attributes:
        old: The earlier version (as asked for).
        new: The later version.
        diff: Unified diff of the normalised texts; empty when they are equal.
    """

    old: ConfigVersion
    new: ConfigVersion
    diff: str


def version_diff(
    session: Session,
    device_name: str,
    from_version: int | None = None,
    to_version: int | None = None,
) -> VersionDiff:
    """Diff two versions of a device's configuration (default: previous vs latest).

    Args:
        session: Open session.
        device_name: Inventory name of the device.
        from_version: Earlier version; default the one before ``to_version``.
        to_version: Later version; default the latest.

    Returns:
        Both versions and the unified diff, labelled ``<device> vN (<time>)``.

    Raises:
        UnknownDevice: If no device of that name is in the records.
        UnknownVersion: If a version does not exist, or the device has fewer than two
            versions and none was named.
    """
    versions = _versions_with_text(session, device_name)
    if to_version is None:
        to_version = len(versions)
    if from_version is None:
        if versions and to_version == 1:
            raise UnknownVersion(
                f"{device_name} has only one configuration version; nothing to compare"
                if len(versions) == 1
                else f"{device_name} v1 is the oldest configuration; nothing before it"
            )
        from_version = to_version - 1
    old, old_text = _pick(versions, device_name, from_version)
    new, new_text = _pick(versions, device_name, to_version)

    def label(version: ConfigVersion) -> str:
        return f"{device_name} v{version.version} ({version.collected_at.isoformat()})"

    return VersionDiff(old, new, config_diff(old_text, new_text, label(old), label(new)))
